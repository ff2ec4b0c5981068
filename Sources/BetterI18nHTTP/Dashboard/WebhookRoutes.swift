import BetterI18nCore
import BetterI18nWebhooks
import Foundation
import Hummingbird

/// Settings → Webhooks: organization webhooks for owners and admins — create (URL, events,
/// optional project; the secret shown once), rotate the secret, enable or disable, the delivery
/// log with Redeliver, Send test, delete. The log page also serves an app's webhook, linked
/// from Developer apps. Every change goes through ``WebhookService``.
struct WebhookRoutes {
    let dependencies: AppDependencies
    var webhooks: WebhookService { dependencies.webhooks }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/webhooks") { request, context in
            try await DashboardGuards.signedIn(request, context) { user in
                try await overview(user: user, context: context)
            }
        }
        router.post("/settings/webhooks") { request, context in
            try await form(request, context) { user, form in
                try await create(user: user, form: form, context: context)
            }
        }
        router.get("/settings/webhooks/:webhookID") { request, context in
            try await DashboardGuards.signedIn(request, context) { user in
                try await detail(try webhookID(context), user: user, context: context, flash: request.uri.queryParameters["done"].map(String.init))
            }
        }
        router.post("/settings/webhooks/:webhookID/rotate") { request, context in
            try await form(request, context) { user, _ in
                let id = try webhookID(context)
                let secret = try await mapping { try await webhooks.rotateSecret(id, by: .user(user.id)) }
                return try await detail(id, user: user, context: context, secret: secret)
            }
        }
        router.post("/settings/webhooks/:webhookID/enabled") { request, context in
            try await form(request, context) { user, form in
                let id = try webhookID(context)
                let enable = form["enabled"] == "1"
                try await mapping { try await webhooks.setEnabled(id, enable, by: .user(user.id)) }
                return HTMLResponse.seeOther("/settings/webhooks/\(id.rawValue)?done=\(enable ? "enabled" : "disabled")")
            }
        }
        router.post("/settings/webhooks/:webhookID/test") { request, context in
            try await form(request, context) { user, _ in
                let id = try webhookID(context)
                _ = try await mapping { try await webhooks.sendTest(id, by: .user(user.id)) }
                return HTMLResponse.seeOther("/settings/webhooks/\(id.rawValue)?done=test")
            }
        }
        router.post("/settings/webhooks/:webhookID/redeliver") { request, context in
            try await form(request, context) { user, form in
                let id = try webhookID(context)
                try await mapping { try await webhooks.redeliver(form["delivery"] ?? "", of: id, by: .user(user.id)) }
                return HTMLResponse.seeOther("/settings/webhooks/\(id.rawValue)?done=redeliver")
            }
        }
        router.post("/settings/webhooks/:webhookID/delete") { request, context in
            try await form(request, context) { user, _ in
                let id = try webhookID(context)
                let webhook = try await mapping { try await webhooks.webhook(id, by: .user(user.id)) }
                try await mapping { try await webhooks.delete(id, by: .user(user.id)) }
                return HTMLResponse.seeOther(webhook.clientID == nil ? "/settings/webhooks" : "/settings/apps")
            }
        }
    }

    // MARK: Pages

    private struct OverviewView {
        let csrf: String
        let error: String?
        let secret: String?
        let organizations: [OrganizationView]
        let hasOrganizations: Bool
        let eventTypes: [String]
    }

    private struct OrganizationView {
        let id: String
        let name: String
        let webhooks: [WebhookRow]
        let projects: [ProjectOption]
    }

    private struct ProjectOption {
        let id: String
        let name: String
    }

    private struct WebhookRow {
        let id: String
        let url: String
        let events: String
        let project: String
        let status: String
        let enabled: Bool
    }

    private func overview(
        user: User, context: AppRequestContext, error: String? = nil, secret: WebhookSecret? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var organizations: [OrganizationView] = []
        for membership in try await dependencies.storage.memberships(of: user.id) where membership.role.canAdminister {
            let organization = membership.organization
            let projects = try await dependencies.storage.projects(in: organization.id)
            let names = Dictionary(projects.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let rows = try await webhooks.webhooks(of: organization.id, by: .user(user.id)).map { webhook in
                WebhookRow(
                    id: webhook.id.rawValue, url: webhook.url,
                    events: webhook.events.isEmpty ? "All events" : webhook.events.map(\.rawValue).joined(separator: ", "),
                    project: webhook.projectID.map { names[$0] ?? $0.rawValue } ?? "All projects",
                    status: Self.status(of: webhook), enabled: webhook.isEnabled
                )
            }
            organizations.append(OrganizationView(
                id: organization.id.rawValue, name: organization.name, webhooks: rows,
                projects: projects.map { ProjectOption(id: $0.id.rawValue, name: $0.name) }
            ))
        }
        let view = OverviewView(
            csrf: context.sessionSecret.map(CSRFToken.derive(from:)) ?? "", error: error, secret: secret?.value,
            organizations: organizations, hasOrganizations: !organizations.isEmpty,
            eventTypes: EventType.subscribable.map(\.rawValue)
        )
        return HTMLResponse.make(
            PageRenderer.shared.render("webhooks", title: "Webhooks", context: view, user: context.signedInUser), status: status
        )
    }

    private func create(user: User, form: FormBody, context: AppRequestContext) async throws -> Response {
        guard let organization = form["organization"].flatMap(OrganizationID.init) else { throw APIError.notFound }
        do {
            let events = try EventType.list(form.values("events").joined(separator: ","))
            let project = form["project"].flatMap { $0.isEmpty ? nil : ProjectID($0) }
            let created = try await webhooks.create(
                organization: organization, url: form["url"] ?? "", events: events, project: project, by: .user(user.id)
            )
            return try await overview(user: user, context: context, secret: created.secret, status: .created)
        } catch let error as ValidationError {
            return try await overview(user: user, context: context, error: error.message, status: .badRequest)
        } catch WebhookService.Failure.invalid(let error) {
            return try await overview(user: user, context: context, error: error.message, status: .badRequest)
        } catch WebhookService.Failure.forbidden, WebhookService.Failure.notFound {
            throw APIError.notFound
        }
    }

    private struct DetailView {
        let csrf: String
        let webhookID: String
        let url: String
        let owner: String
        let isApp: Bool
        let status: String
        let enabled: Bool
        let disabledForFailures: Bool
        let flash: String?
        let secret: String?
        let previousSecretUntil: String?
        let deliveries: [DeliveryRow]
        let hasDeliveries: Bool
    }

    private struct DeliveryRow {
        let deliveryID: String
        let eventID: String
        let type: String
        let state: String
        let createdAt: String
        let nextAttempt: String?
        let attempts: [AttemptRow]
    }

    private struct AttemptRow {
        let at: String
        let status: String
        let duration: String
        let response: String
    }

    private func detail(
        _ id: WebhookID, user: User, context: AppRequestContext, flash: String? = nil, secret: WebhookSecret? = nil
    ) async throws -> Response {
        let webhook = try await mapping { try await webhooks.webhook(id, by: .user(user.id)) }
        let log = try await mapping { try await webhooks.deliveryLog(id, by: .user(user.id)) }
        let owner: String
        switch webhook.owner {
        case .organization(let organization): owner = try await dependencies.storage.organization(id: organization)?.name ?? ""
        case .client(let client): owner = try await dependencies.storage.client(id: client)?.name ?? ""
        }
        let messages = ["enabled": "Enabled.", "disabled": "Disabled.", "test": "Test event queued.", "redeliver": "Delivery queued again."]
        let view = DetailView(
            csrf: context.sessionSecret.map(CSRFToken.derive(from:)) ?? "", webhookID: webhook.id.rawValue, url: webhook.url, owner: owner,
            isApp: webhook.clientID != nil, status: Self.status(of: webhook), enabled: webhook.isEnabled,
            disabledForFailures: webhook.disabledReason == "failing", flash: flash.flatMap { messages[$0] }, secret: secret?.value,
            previousSecretUntil: webhook.previousSecretExpiresAt.flatMap { $0 > dependencies.clock.now() ? SettingsRoutes.display($0) : nil },
            deliveries: log.map { entry in
                DeliveryRow(
                    deliveryID: entry.id, eventID: entry.eventID.rawValue, type: entry.eventType.rawValue, state: entry.state.rawValue,
                    createdAt: SettingsRoutes.display(entry.createdAt), nextAttempt: entry.nextAttemptAt.map(SettingsRoutes.display),
                    attempts: entry.attempts.map { attempt in
                        AttemptRow(
                            at: SettingsRoutes.display(attempt.attemptedAt), status: attempt.statusCode.map(String.init) ?? "no answer",
                            duration: "\(attempt.durationMilliseconds) ms", response: attempt.response
                        )
                    }
                )
            },
            hasDeliveries: !log.isEmpty
        )
        return HTMLResponse.make(PageRenderer.shared.render("webhook", title: "Webhook", context: view, user: context.signedInUser))
    }

    static func status(of webhook: Webhook) -> String {
        if webhook.isEnabled { return webhook.failingSince == nil ? "Active" : "Failing since \(SettingsRoutes.display(webhook.failingSince!))" }
        return webhook.disabledReason == "failing" ? "Disabled: every delivery failed for 3 days" : "Disabled"
    }

    // MARK: Helpers

    private func form(
        _ request: Request, _ context: AppRequestContext, _ body: (User, FormBody) async throws -> Response
    ) async throws -> Response {
        try await DashboardGuards.signedInForm(request, context) { user, _, form in try await body(user, form) }
    }

    private func webhookID(_ context: AppRequestContext) throws -> WebhookID {
        guard let id = context.parameters.get("webhookID").flatMap(WebhookID.init) else { throw APIError.notFound }
        return id
    }

    /// Someone else's webhook, or one that does not exist, is the same `404`.
    private func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch WebhookService.Failure.notFound, WebhookService.Failure.forbidden {
            throw APIError.notFound
        } catch WebhookService.Failure.invalid(let error) {
            throw APIError.invalidRequest(error.message)
        }
    }
}
