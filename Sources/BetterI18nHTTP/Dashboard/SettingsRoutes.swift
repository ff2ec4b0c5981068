import BetterI18nCore
import BetterI18nOAuth
import BetterI18nStorage
import BetterI18nWebhooks
import Foundation
import Hummingbird

/// Settings → Connected apps and Settings → Developer apps (SPEC §4).
struct SettingsRoutes {
    let dependencies: AppDependencies

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/connected-apps") { request, context in
            try await signedIn(request, context) { user in
                try await connectedApps(user: user, context: context, flash: request.uri.queryParameters["revoked"] != nil ? "Access revoked." : nil)
            }
        }
        router.post("/settings/connected-apps/:grantID/revoke") { request, context in
            try await signedInForm(request, context) { user, _ in
                guard let id = context.parameters.get("grantID").flatMap(GrantID.init) else { throw APIError.notFound }
                do {
                    _ = try await dependencies.oauth.grants.revoke(id, by: user)
                } catch GrantService.Failure.notFound, GrantService.Failure.forbidden {
                    throw APIError.notFound
                }
                return HTMLResponse.seeOther("/settings/connected-apps?revoked=1")
            }
        }
        router.get("/settings/apps") { request, context in
            try await signedIn(request, context) { user in
                try await developerApps(user: user, context: context)
            }
        }
        router.post("/settings/apps") { request, context in
            try await signedInForm(request, context) { user, form in
                let redirectURIs = (form["redirect_uris"] ?? "").split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                do {
                    let (client, secret) = try await dependencies.oauth.clients.register(
                        name: form["name"] ?? "", type: form["type"] ?? "", redirectURIs: redirectURIs, owner: user.id,
                        logoURI: form["logo_uri"], actor: user.id.rawValue
                    )
                    return try await developerApps(user: user, context: context, secret: secret.map { (client.name, $0) }, status: .created)
                } catch let error as ValidationError {
                    return try await developerApps(
                        user: user, context: context, error: "\(error.field): \(error.message)", status: .badRequest,
                        form: .init(name: form["name"] ?? "", logoURI: form["logo_uri"] ?? "", redirectURIs: form["redirect_uris"] ?? "")
                    )
                }
            }
        }
        router.post("/settings/apps/:clientID/rotate-secret") { request, context in
            try await signedInForm(request, context) { user, _ in
                let client = try await ownedClient(context, user: user)
                let secret = try await dependencies.oauth.clients.rotateSecret(client.id, by: user.id)
                return try await developerApps(user: user, context: context, secret: (client.name, secret))
            }
        }
        router.post("/settings/apps/:clientID/webhook") { request, context in
            try await signedInForm(request, context) { user, form in
                let client = try await ownedClient(context, user: user)
                do {
                    let secret = try await dependencies.webhooks.setAppWebhook(client: client.id, url: form["webhook_url"] ?? "", by: .user(user.id))
                    return try await developerApps(user: user, context: context, webhookSecret: secret.map { (client.name, $0) })
                } catch WebhookService.Failure.invalid(let error) {
                    return try await developerApps(user: user, context: context, error: "\(client.name): \(error.message)", status: .badRequest)
                }
            }
        }
        router.post("/settings/apps/:clientID/delete") { request, context in
            try await signedInForm(request, context) { user, _ in
                let client = try await ownedClient(context, user: user)
                try await dependencies.oauth.clients.delete(client.id, by: user.id)
                return HTMLResponse.seeOther("/settings/apps")
            }
        }
    }

    // MARK: Guards

    private func signedIn(_ request: Request, _ context: AppRequestContext, _ body: (User) async throws -> Response) async throws -> Response {
        try await DashboardGuards.signedIn(request, context, body)
    }

    private func signedInForm(
        _ request: Request, _ context: AppRequestContext, _ body: (User, FormBody) async throws -> Response
    ) async throws -> Response {
        try await DashboardGuards.signedInForm(request, context) { user, _, form in try await body(user, form) }
    }

    private func ownedClient(_ context: AppRequestContext, user: User) async throws -> OAuthClient {
        guard let id = context.parameters.get("clientID").flatMap(ClientID.init),
              let client = try await dependencies.storage.client(id: id), client.ownerUserID == user.id
        else { throw APIError.notFound }
        return client
    }

    // MARK: Connected apps

    private struct ConnectedAppsView {
        let flash: String?
        let grants: [GrantView]
        let events: [EventView]
        let hasEvents: Bool
    }

    private struct GrantView {
        let id: String
        let clientName: String
        let clientID: String
        let verified: Bool
        let organization: String
        let scopes: [String]
        let projects: String
        let approvedBy: String
        let createdAt: String
        let lastUsed: String
        let revoked: Bool
        let csrf: String
    }

    private struct EventView {
        let at: String
        let kind: String
        let client: String
        let actor: String
        let details: String?
    }

    private func connectedApps(user: User, context: AppRequestContext, flash: String?) async throws -> Response {
        let overview = try await dependencies.oauth.grants.overview(for: user)
        let csrf = context.sessionSecret.map(CSRFToken.derive(from:)) ?? ""
        let grants = overview.grants.map { listing in
            let grant = listing.grant
            return GrantView(
                id: grant.id.rawValue, clientName: listing.clientName, clientID: grant.clientID.rawValue,
                verified: listing.clientVerified, organization: listing.organizationName,
                scopes: grant.scopes.sorted.map(\.rawValue),
                projects: grant.projectIDs.isEmpty ? "All projects"
                    : grant.projectIDs.map { overview.projectNames[$0] ?? $0.rawValue }.joined(separator: ", "),
                approvedBy: listing.approvedByEmail, createdAt: Self.display(grant.createdAt),
                lastUsed: grant.lastUsedAt.map(Self.display) ?? "Never", revoked: grant.isRevoked, csrf: csrf
            )
        }
        let events = overview.events.map { entry in
            EventView(
                at: Self.display(entry.event.createdAt), kind: entry.event.kind.rawValue, client: entry.clientName ?? "",
                actor: entry.actorName,
                details: entry.event.details.isEmpty ? nil
                    : entry.event.details.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: " · ")
            )
        }
        let view = ConnectedAppsView(flash: flash, grants: grants, events: events, hasEvents: !events.isEmpty)
        return HTMLResponse.make(PageRenderer.shared.render("connected-apps", title: "Connected apps", context: view, user: context.signedInUser, path: "/settings/connected-apps"))
    }

    // MARK: Developer apps

    struct AppForm {
        let name: String
        let logoURI: String
        let redirectURIs: String
    }

    private struct DeveloperAppsView {
        let csrf: String
        let error: String?
        let secret: SecretView?
        let webhookSecret: SecretView?
        let apps: [AppView]
        let form: AppForm
    }

    private struct SecretView {
        let appName: String
        let value: String
    }

    private struct AppView {
        let name: String
        let clientID: String
        let type: String
        let kind: String
        let confidential: Bool
        let redirectURIs: [String]
        let csrf: String
        let webhookURL: String
        let webhookID: String?
        let webhookStatus: String?
        let recentDeliveries: [RecentDelivery]
    }

    private struct RecentDelivery {
        let type: String
        let state: String
        let at: String
        let lastStatus: String
    }

    private func developerApps(
        user: User, context: AppRequestContext, secret: (String, Secret)? = nil, webhookSecret: (String, WebhookSecret)? = nil,
        error: String? = nil,
        status: HTTPResponse.Status = .ok, form: AppForm = .init(name: "", logoURI: "", redirectURIs: "")
    ) async throws -> Response {
        let csrf = context.sessionSecret.map(CSRFToken.derive(from:)) ?? ""
        var apps: [AppView] = []
        for client in try await dependencies.storage.clients(ownedBy: user.id) {
            let webhook = try await dependencies.webhooks.appWebhook(of: client.id, by: .user(user.id))
            var log: [DeliveryLogEntry] = []
            if let webhook { log = try await dependencies.webhooks.deliveryLog(webhook.id, by: .user(user.id), limit: 10) }
            apps.append(AppView(
                name: client.name, clientID: client.id.rawValue, type: client.type.rawValue,
                kind: client.type.isConfidential ? "confidential" : "public", confidential: client.type.isConfidential,
                redirectURIs: client.redirectURIs, csrf: csrf, webhookURL: webhook?.url ?? "", webhookID: webhook?.id.rawValue,
                webhookStatus: webhook.map(WebhookRoutes.status(of:)),
                recentDeliveries: log.map { entry in
                    RecentDelivery(type: entry.eventType.rawValue, state: entry.state.rawValue, at: Self.display(entry.createdAt),
                                   lastStatus: entry.attempts.last.map { $0.statusCode.map(String.init) ?? "no answer" } ?? "—")
                }
            ))
        }
        let view = DeveloperAppsView(
            csrf: csrf, error: error, secret: secret.map { SecretView(appName: $0.0, value: $0.1.value) },
            webhookSecret: webhookSecret.map { SecretView(appName: $0.0, value: $0.1.value) }, apps: apps, form: form
        )
        return HTMLResponse.make(
            PageRenderer.shared.render("developer-apps", title: "Developer apps", context: view, user: context.signedInUser, path: "/settings/apps"),
            status: status
        )
    }

    static func display(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
