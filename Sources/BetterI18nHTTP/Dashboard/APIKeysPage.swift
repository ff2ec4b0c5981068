import BetterI18nCore
import BetterI18nProjects
import Foundation
import Hummingbird

/// **Settings → API keys** (`/settings/api-keys`, SPEC §10): owners and admins create public
/// Content API keys (`bi_pub_…`) for their organizations' projects — a key is shown once,
/// only its digest is stored — see each key's last use, and revoke it.
struct APIKeysPage {
    let dependencies: AppDependencies

    private var keys: PublicKeyService { dependencies.publicKeys }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/api-keys") { request, context in
            try await DashboardGuards.signedIn(request, context) { user in
                try await page(user, context, flash: request.uri.queryParameters["revoked"] != nil ? "Key revoked." : nil)
            }
        }
        router.post("/settings/api-keys") { request, context in
            try await DashboardGuards.signedInForm(request, context) { user, _, form in
                do {
                    let (key, secret) = try await keys.create(projectID: form["project_id"] ?? "", name: form["name"], by: user.id)
                    return try await page(user, context, created: (key.name, secret.value), status: .created)
                } catch PublicKeyService.Failure.invalidName(let why) {
                    return try await page(user, context, error: "Name: \(why).", status: .badRequest)
                } catch PublicKeyService.Failure.unknownProject {
                    return try await page(user, context, error: "Choose one of your projects.", status: .badRequest)
                } catch PublicKeyService.Failure.forbidden {
                    return ErrorPage.response(heading: "Not allowed", message: "Only owners and admins can create API keys.", status: .forbidden)
                }
            }
        }
        router.post("/settings/api-keys/:keyID/revoke") { request, context in
            try await DashboardGuards.signedInForm(request, context) { user, _, _ in
                do {
                    try await keys.revoke(context.parameters.value("keyID"), by: user.id)
                } catch PublicKeyService.Failure.unknownKey {
                    throw APIError.notFound
                }
                return HTMLResponse.seeOther("/settings/api-keys?revoked=1")
            }
        }
    }

    private struct View {
        let csrf: String
        let flash: String?
        let error: String?
        let created: Created?
        let projects: [ProjectOption]
        let hasProjects: Bool
        let keys: [KeyRow]
        let hasKeys: Bool
    }

    private struct Created { let name: String; let value: String }
    private struct ProjectOption { let id: String; let label: String }

    private struct KeyRow {
        let id: String
        let name: String
        let project: String
        let createdAt: String
        let lastUsed: String
        let revoked: Bool
        let csrf: String
    }

    private func page(_ user: User, _ context: AppRequestContext, flash: String? = nil, error: String? = nil,
                      created: (String, String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (projects, records) = try await keys.dashboard(for: user.id)
        guard !projects.isEmpty || !records.isEmpty else {
            return ErrorPage.response(heading: "Not allowed", message: "API keys are managed by organization owners and admins.",
                                      status: .forbidden)
        }
        let csrf = context.sessionSecret.map(CSRFToken.derive(from:)) ?? ""
        let names = Dictionary(projects.map { ($0.project.id, "\($0.organization) / \($0.project.name)") }, uniquingKeysWith: { a, _ in a })
        let rows = records.map { key in
            KeyRow(id: key.id.rawValue, name: key.name, project: names[key.projectID] ?? key.projectID.rawValue,
                   createdAt: SettingsRoutes.display(key.createdAt), lastUsed: key.lastUsedAt.map(SettingsRoutes.display) ?? "Never",
                   revoked: key.revokedAt != nil, csrf: csrf)
        }
        let view = View(
            csrf: csrf, flash: flash, error: error, created: created.map { Created(name: $0.0, value: $0.1) },
            projects: projects.map { ProjectOption(id: $0.project.id.rawValue, label: "\($0.organization) / \($0.project.name)") },
            hasProjects: !projects.isEmpty, keys: rows, hasKeys: !rows.isEmpty
        )
        return HTMLResponse.make(PageRenderer.shared.render("api-keys", title: "API keys", context: view, user: context.signedInUser, path: "/settings/api-keys"),
                                 status: status)
    }

    static let template = """
    <h1>API keys</h1>
    <p class="muted">Public Content API keys (<code>bi_pub_…</code>) let a website or app read a project's published content.
    They read nothing else, and a revoked key stops working within a second.</p>
    {{#flash}}<p class="flash">{{.}}</p>{{/flash}}
    {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
    {{#created}}
    <section class="card">
      <h2>New key {{name}}</h2>
      <p>Copy it now: it is shown only once. Only a digest is stored.</p>
      <p><code class="secret" id="new-api-key">{{value}}</code></p>
    </section>
    {{/created}}
    {{#hasProjects}}
    <section class="card">
      <h2>Create a key</h2>
      <form id="create-api-key" method="post" action="/settings/api-keys">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <label for="key-project">Project</label>
        <select id="key-project" name="project_id">{{#projects}}<option value="{{id}}">{{label}}</option>{{/projects}}</select>
        <label for="key-name">Name</label>
        <input id="key-name" name="name" type="text" maxlength="100" placeholder="Website">
        <button type="submit" class="primary wide">Create key</button>
      </form>
    </section>
    {{/hasProjects}}
    <section class="card">
      <h2>Keys</h2>
      {{^hasKeys}}<p class="muted">No keys yet.</p>{{/hasKeys}}
      {{#hasKeys}}
      <div class="table-wrap"><table class="grid">
        <thead><tr><th>Name</th><th>Project</th><th>Created</th><th>Last used</th><th></th></tr></thead>
        <tbody>
        {{#keys}}
        <tr>
          <td>{{name}} <span class="muted small"><code>{{id}}</code></span></td>
          <td>{{project}}</td>
          <td>{{createdAt}}</td>
          <td>{{lastUsed}}</td>
          <td>{{#revoked}}<span class="muted">Revoked</span>{{/revoked}}{{^revoked}}
            <form method="post" action="/settings/api-keys/{{id}}/revoke" class="inline">
              <input type="hidden" name="csrf_token" value="{{csrf}}">
              <button type="submit" class="danger">Revoke</button>
            </form>{{/revoked}}</td>
        </tr>
        {{/keys}}
        </tbody>
      </table></div>
      {{/hasKeys}}
    </section>
    """
}
