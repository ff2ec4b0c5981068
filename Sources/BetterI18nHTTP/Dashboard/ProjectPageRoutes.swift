import BetterI18nCDN
import BetterI18nCore
import BetterI18nProjects
import Foundation
import Hummingbird

/// The project page (SPEC §4, "Working on translations"): keys with filters and keyset pages,
/// values side by side per language edited in place (one plain form per key, no script
/// needed), add, rename and delete keys, add a language, progress, pending changes, Publish and
/// releases. Every write goes through the same services as the partner API and MCP, with
/// `via: dashboard` in the audit log; members edit, owners and admins also publish and add
/// languages.
struct ProjectPageRoutes {
    let access: DashboardAccess
    let views: ProjectViews
    let projects: ProjectService
    let keys: KeyService
    let releases: ReleaseService
    let cdnURL: String

    /// Keys per page.
    static let pageSize = 25

    func register(on router: Router<AppRequestContext>) {
        let base = "/orgs/:org/projects/:project"
        router.get(RouterPath(base)) { request, context in
            try await page(request, context) { user, place in
                try await render(
                    place, user: user, context: context, filters: Filters(request),
                    feedback: .after(request)
                )
            }
        }
        router.post(RouterPath(base + "/keys")) { request, context in
            try await form(request, context) { user, place, form in try await addKey(place, user: user, form: form, context: context) }
        }
        router.post(RouterPath(base + "/keys/:key/values")) { request, context in
            try await form(request, context) { user, place, form in try await saveValues(place, user: user, form: form, context: context) }
        }
        router.post(RouterPath(base + "/keys/:key/rename")) { request, context in
            try await form(request, context) { user, place, form in try await rename(place, user: user, form: form, context: context) }
        }
        router.post(RouterPath(base + "/keys/:key/delete")) { request, context in
            try await form(request, context) { user, place, form in try await delete(place, user: user, form: form, context: context) }
        }
        router.post(RouterPath(base + "/languages")) { request, context in
            try await form(request, context) { user, place, form in try await addLanguage(place, user: user, form: form, context: context) }
        }
        router.post(RouterPath(base + "/publish")) { request, context in
            try await form(request, context) { user, place, form in try await publish(place, user: user, form: form, context: context) }
        }
    }

    /// The organization, the user's role and the project a URL names.
    struct Place {
        let organization: Organization
        let role: Role
        let view: ProjectView
        var project: Project { view.project }
        var path: String { "/orgs/\(organization.slug.value)/projects/\(project.slug.value)" }
    }

    private func place(_ context: AppRequestContext, user: User) async throws -> Place {
        let membership = try await access.membership(context.parameters.get("org"), user: user)
        let project = try await access.project(context.parameters.get("project"), in: membership.organization)
        guard let view = try await views.view(project.id) else { throw DashboardRefusal.notFound }
        return Place(organization: membership.organization, role: membership.role, view: view)
    }

    private func page(
        _ request: Request, _ context: AppRequestContext, _ body: (User, Place) async throws -> Response
    ) async throws -> Response {
        try await DashboardGuards.signedIn(request, context) { user in
            try await DashboardAccess.answering { try await body(user, try await place(context, user: user)) }
        }
    }

    private func form(
        _ request: Request, _ context: AppRequestContext, _ body: (User, Place, FormBody) async throws -> Response
    ) async throws -> Response {
        try await DashboardGuards.signedInForm(request, context) { user, _, form in
            try await DashboardAccess.answering { try await body(user, try await place(context, user: user), form) }
        }
    }

    // MARK: Filters and pages

    /// The key list's filters and page, carried in the query and in every form's hidden fields,
    /// so that saving a row comes back to the same page.
    struct Filters {
        var search: String
        var namespace: String
        var missing: String
        var cursor: String

        init(search: String = "", namespace: String = "", missing: String = "", cursor: String = "") {
            self.search = String(search.prefix(200))
            self.namespace = String(namespace.prefix(100))
            self.missing = String(missing.prefix(35))
            self.cursor = String(cursor.prefix(4096))
        }

        init(_ request: Request) {
            let query = request.uri.queryParameters
            self.init(search: query["q"].map(String.init) ?? "", namespace: query["namespace"].map(String.init) ?? "",
                      missing: query["missing"].map(String.init) ?? "", cursor: query["cursor"].map(String.init) ?? "")
        }

        init(_ form: FormBody) {
            self.init(search: form["q"] ?? "", namespace: form["namespace_filter"] ?? "", missing: form["missing"] ?? "",
                      cursor: form["cursor"] ?? "")
        }

        /// `?q=…&namespace=…` for links and redirects, at page `cursor` (nil or empty: the first).
        func query(cursor: String?) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let pairs = [("q", search), ("namespace", namespace), ("missing", missing), ("cursor", cursor ?? "")].filter { !$0.1.isEmpty }
            guard !pairs.isEmpty else { return "" }
            return "?" + pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        }

        var position: KeyPosition? {
            get throws {
                guard !cursor.isEmpty else { return nil }
                guard let data = Data(base64URLEncodedCursor: cursor), data.starts(with: Array("p:".utf8)),
                      let position = try? JSONDecoder().decode(KeyPosition.self, from: data.dropFirst(2))
                else { throw ValidationError(field: "cursor", message: "This page link is not one the dashboard made.") }
                return position
            }
        }
    }

    // MARK: Writes

    private func addKey(_ place: Place, user: User, form: FormBody, context: AppRequestContext) async throws -> Response {
        let filters = Filters(form)
        let name = form["name"] ?? "", namespace = form["namespace"] ?? ""
        let value = Self.typed(form["value"] ?? "")
        var translations: [String: String]? = nil
        if !value.isEmpty { translations = [place.project.sourceLanguage.value: value] }
        do {
            _ = try await keys.createKeys(
                [KeyService.NewKey(name: name, namespace: namespace.isEmpty ? nil : namespace, description: nil, translations: translations)],
                in: place.project, policy: .fail, author: user.id.rawValue, origin: .dashboard(user.id)
            )
        } catch let failure as KeyFailure {
            var feedback = Feedback()
            feedback.addKey = AddKeyForm(name: name, namespace: namespace, value: value)
            switch failure {
            case .conflict(let message): feedback.addKeyErrors["name"] = message
            case .invalidItems(let problems):
                for problem in problems { feedback.addKeyErrors[Self.field(of: problem), default: ""] += Self.describe(problem) }
            case .notFound: throw DashboardRefusal.notFound
            }
            return try await render(place, user: user, context: context, filters: filters, feedback: feedback, status: .unprocessableContent)
        }
        return HTMLResponse.seeOther(place.path + filters.query(cursor: filters.cursor) + "#keys")
    }

    /// Saves the values of one key that differ from the stored ones; all or nothing.
    private func saveValues(_ place: Place, user: User, form: FormBody, context: AppRequestContext) async throws -> Response {
        let filters = Filters(form)
        let key = try await liveKey(context, in: place)
        let current = try await values(of: [key], in: place)[key.id] ?? [:]
        var items: [KeyService.NewValue] = []
        var submitted: [String: String] = [:]
        for language in place.view.languages {
            guard let value = form["value.\(language.code.value)"].map(Self.typed) else { continue }
            submitted[language.code.value] = value
            // An empty field leaves the language without a value (nothing to save); the values
            // are stored as typed, so an unchanged one is not written again (it would become a draft).
            guard !value.isEmpty, value != current[language.code] else { continue }
            items.append(KeyService.NewValue(keyID: key.id.rawValue, key: nil, namespace: nil, language: language.code.value, value: value))
        }
        do {
            _ = try await keys.setTranslations(items, in: place.project, author: user.id.rawValue, origin: .dashboard(user.id))
        } catch KeyFailure.invalidItems(let problems) {
            var feedback = Feedback(keyID: key.id.rawValue, submitted: submitted)
            for problem in problems where problem.index < items.count {
                let item = items[problem.index]
                feedback.valueErrors[item.language] = ValueError(problem, value: item.value)
            }
            return try await render(place, user: user, context: context, filters: filters, feedback: feedback, status: .unprocessableContent)
        }
        let saved = items.isEmpty ? "nothing" : "\(items.count)"
        return HTMLResponse.seeOther(place.path + Self.appending(filters.query(cursor: filters.cursor), "saved=\(saved)&key=\(key.id.rawValue)") + "#key-\(key.id.rawValue)")
    }

    private func rename(_ place: Place, user: User, form: FormBody, context: AppRequestContext) async throws -> Response {
        let filters = Filters(form)
        let key = try await liveKey(context, in: place)
        let name = form["name"] ?? "", namespace = form["namespace"] ?? ""
        do {
            _ = try await keys.updateKey(
                key.id.rawValue, in: place.project, name: name, namespace: namespace.isEmpty ? nil : namespace, description: nil,
                origin: .dashboard(user.id)
            )
        } catch let failure as KeyFailure {
            var feedback = Feedback(keyID: key.id.rawValue)
            feedback.rename = RenameForm(name: name, namespace: namespace)
            switch failure {
            case .conflict(let message): feedback.renameErrors["name"] = message
            case .invalidItems(let problems):
                for problem in problems { feedback.renameErrors[Self.field(of: problem), default: ""] += problem.message }
            case .notFound: throw DashboardRefusal.notFound
            }
            return try await render(place, user: user, context: context, filters: filters, feedback: feedback, status: .unprocessableContent)
        }
        return HTMLResponse.seeOther(place.path + filters.query(cursor: nil) + "#keys")
    }

    private func delete(_ place: Place, user: User, form: FormBody, context: AppRequestContext) async throws -> Response {
        let filters = Filters(form)
        let key = try await liveKey(context, in: place)
        do {
            _ = try await keys.deleteKeys([key.id.rawValue], in: place.project, origin: .dashboard(user.id))
        } catch is KeyFailure {
            throw DashboardRefusal.notFound
        }
        return HTMLResponse.seeOther(place.path + Self.appending(filters.query(cursor: nil), "deleted=1") + "#keys")
    }

    private func addLanguage(_ place: Place, user: User, form: FormBody, context: AppRequestContext) async throws -> Response {
        try Self.requireAdministrator(place)
        let code = form["language"] ?? ""
        do {
            try await projects.addLanguage(code, to: place.project, origin: .dashboard(user.id))
        } catch let failure as ProjectFailure {
            var feedback = Feedback()
            feedback.language = code
            switch failure {
            case .invalid(let problem): feedback.languageError = problem.message
            case .conflict(let message): feedback.languageError = message
            case .notFound: throw DashboardRefusal.notFound
            }
            let fresh = Place(organization: place.organization, role: place.role, view: try await views.view(place.project.id) ?? place.view)
            return try await render(fresh, user: user, context: context, filters: Filters(form), feedback: feedback, status: .unprocessableContent)
        }
        return HTMLResponse.seeOther(place.path + "?language_added=1")
    }

    private func publish(_ place: Place, user: User, form: FormBody, context: AppRequestContext) async throws -> Response {
        try Self.requireAdministrator(place)
        let release: Release
        do {
            release = try await releases.publish(place.project, languages: nil, by: .dashboard(user.id, organization: place.organization.id))
        } catch PublishFailure.rateLimited(let seconds) {
            var feedback = Feedback()
            feedback.publishError = "Too many publishes of this project in the last minute; try again in \(seconds) seconds."
            return try await render(place, user: user, context: context, filters: Filters(form), feedback: feedback, status: .tooManyRequests)
        }
        return HTMLResponse.seeOther(place.path + "?published=\(release.version)#releases")
    }

    private static func requireAdministrator(_ place: Place) throws {
        guard place.role.canAdminister else {
            throw DashboardRefusal.forbidden("Only owners and admins of \(place.organization.name) can publish and add languages.")
        }
    }

    /// The key a form's URL names, live and in this project; anything else is `404`.
    private func liveKey(_ context: AppRequestContext, in place: Place) async throws -> TranslationKey {
        guard let raw = context.parameters.get("key"), let id = KeyID(raw),
              let key = try await keys.liveKeys(ids: [id], in: place.project.id).first
        else { throw DashboardRefusal.notFound }
        return key
    }

    private func values(of page: [TranslationKey], in place: Place) async throws -> [KeyID: [LanguageCode: String]] {
        guard !page.isEmpty else { return [:] }
        let found = try await keys.translations(
            in: place.project, languages: nil, namespace: nil, keys: page.map(\.id.rawValue).joined(separator: ","), status: nil,
            after: nil, limit: page.count * max(1, place.view.languages.count)
        )
        var values: [KeyID: [LanguageCode: String]] = [:]
        for (key, value) in found.values { values[key.id, default: [:]][value.language] = value.value }
        return values
    }

    /// A text box's value as typed: browsers send line breaks as CRLF, which would otherwise
    /// turn every multi-line value into a changed one.
    static func typed(_ value: String) -> String {
        value.replacingOccurrences(of: "\r\n", with: "\n")
    }

    static func appending(_ query: String, _ pair: String) -> String {
        query.isEmpty ? "?" + pair : query + "&" + pair
    }

    /// The form field an item error belongs beside.
    static func field(of problem: ItemProblem) -> String {
        switch problem.code {
        case "invalid_namespace": "namespace"
        case "invalid_message_format", "value_too_long", "invalid_language": "value"
        default: "name"
        }
    }

    static func describe(_ problem: ItemProblem) -> String {
        guard let offset = problem.offset else { return problem.message }
        return "\(problem.message) (at character \(offset + 1))"
    }

    // MARK: Rendering

    /// What a refused write sends back beside the field it concerns.
    struct Feedback {
        var keyID: String?
        var submitted: [String: String] = [:]
        var valueErrors: [String: ValueError] = [:]
        var rename: RenameForm?
        var renameErrors: [String: String] = [:]
        var addKey = AddKeyForm(name: "", namespace: "", value: "")
        var addKeyErrors: [String: String] = [:]
        var language = ""
        var languageError: String?
        var publishError: String?
        /// A confirmation after a redirect (`role="status"`).
        var flash: String?
        var savedKeyID: String?

        /// The confirmation a write's redirect asked for.
        static func after(_ request: Request) -> Feedback {
            let query = request.uri.queryParameters
            var feedback = Feedback()
            if let version = query["published"].flatMap({ Int(String($0)) }) {
                feedback.flash = "Release \(version) is published; the CDN serves it now."
            } else if query["deleted"] != nil {
                feedback.flash = "The key was deleted. It leaves the CDN with the next publish."
            } else if query["language_added"] != nil {
                feedback.flash = "The language was added."
            } else if let saved = query["saved"] {
                feedback.savedKeyID = query["key"].map(String.init)
                feedback.flash = saved == "nothing" ? "Nothing changed." : "Saved."
            }
            return feedback
        }
    }

    struct AddKeyForm {
        let name: String
        let namespace: String
        let value: String
    }

    struct RenameForm {
        let name: String
        let namespace: String
    }

    /// An ICU or length error of one value, with the text around the character it points at.
    struct ValueError {
        let message: String
        let hasOffset: Bool
        let position: Int
        let before: String
        let at: String
        let after: String

        init(_ problem: ItemProblem, value: String) {
            message = problem.message
            guard let offset = problem.offset else {
                hasOffset = false; position = 0; before = ""; at = ""; after = ""
                return
            }
            hasOffset = true
            position = offset + 1
            let characters = Array(value)
            let index = min(max(0, offset), characters.count)
            before = String(characters[max(0, index - 30)..<index])
            at = index < characters.count ? String(characters[index]) : "␄"
            after = index < characters.count ? String(characters[(index + 1)..<min(characters.count, index + 31)]) : ""
        }
    }

    private func render(
        _ place: Place, user: User, context: AppRequestContext, filters: Filters, feedback: Feedback = Feedback(),
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let languages = place.view.languages.sorted { ($0.isSource ? 0 : 1, $0.code.value) < ($1.isSource ? 0 : 1, $1.code.value) }
        var notice: String?
        var position: KeyPosition?
        do {
            position = try filters.position
        } catch {
            notice = "That page link is not valid any more; here is the first page."
        }
        let missing = filters.missing.isEmpty ? nil : languages.first { $0.code.value == filters.missing.lowercased() }?.code.value
        let found = try await keys.keys(
            in: place.project, namespace: filters.namespace.isEmpty ? nil : filters.namespace, search: filters.search.isEmpty ? nil : filters.search,
            missingLanguage: missing, after: position, limit: Self.pageSize
        )
        let values = try await values(of: found.keys, in: place)
        let counts = try await keys.valueCounts(place.project.id)
        let pending = try await releases.pendingChanges(place.project)
        let releaseList = try await releases.releases(place.project)
        let csrf = context.sessionSecret.map(CSRFToken.derive(from:)) ?? ""
        let view = ProjectPageView(
            place: place, languages: languages, filters: filters, feedback: feedback, keys: found.keys, values: values,
            next: found.next, pastEnd: found.keys.isEmpty && position != nil, counts: counts, pending: pending,
            releases: releaseList, csrf: csrf, cdnURL: cdnURL, notice: notice
        )
        return HTMLResponse.make(
            PageRenderer.shared.render("project", title: place.project.name, context: view, user: context.signedInUser, wide: true),
            status: status
        )
    }
}

extension Data {
    /// base64url without padding, as cursors are written.
    init?(base64URLEncodedCursor raw: String) {
        let base = raw.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        self.init(base64Encoded: base + String(repeating: "=", count: (4 - base.count % 4) % 4))
    }
}
