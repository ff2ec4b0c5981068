import BetterI18nCore
import BetterI18nStorage
import Foundation

/// Managing webhooks: the dashboard's Settings → Webhooks and Developer apps, and `admin`.
/// Knows nothing of HTTP. Signing secrets are sealed with the server's key before they are
/// stored and shown to their owner once.
public struct WebhookService: Sendable {
    public enum Failure: Error, Equatable, Sendable {
        case notFound
        /// Only owners and admins manage an organization's webhooks; only its owner an app's.
        case forbidden
        case invalid(ValidationError)
    }

    /// How long the secret before a rotation still signs (both signatures are sent).
    public static let rotationOverlap: TimeInterval = 24 * 3600

    let storage: any Storage
    let secretKey: SecretKey
    /// The server's URL policy; nil for `admin`, which checks only that a URL is well formed.
    let policy: WebhookURLPolicy?
    let clock: any WallClock
    let random: any RandomSource

    public init(storage: any Storage, secretKey: SecretKey, policy: WebhookURLPolicy?, clock: any WallClock,
                random: any RandomSource = SystemRandomSource()) {
        self.storage = storage
        self.secretKey = secretKey
        self.policy = policy
        self.clock = clock
        self.random = random
    }

    // MARK: Organization webhooks

    /// Who is acting: a dashboard user (must administer the organization) or the operator.
    public enum Actor: Sendable {
        case user(UserID)
        case `operator`
    }

    public func webhooks(of organization: OrganizationID, by actor: Actor) async throws -> [Webhook] {
        try await requireAdministrator(actor, of: organization)
        return try await storage.webhooks(of: organization)
    }

    /// Creates an organization webhook; the secret is returned once.
    public func create(
        organization: OrganizationID, url: String, events: [EventType], project: ProjectID?, by actor: Actor
    ) async throws -> (webhook: Webhook, secret: WebhookSecret) {
        try await requireAdministrator(actor, of: organization)
        let checked = try await checkURL(url)
        if let project {
            guard try await storage.project(id: project)?.organizationID == organization else {
                throw Failure.invalid(ValidationError(field: "project", message: "the project is not one of the organization's"))
            }
        }
        let id = WebhookID.generate(using: random)
        let secret = WebhookSecret(random: random)
        let webhook = Webhook(
            id: id, owner: .organization(organization), url: checked, events: events, projectID: project,
            sealedSecret: try secretKey.seal(secret, for: id.rawValue), createdAt: clock.now()
        )
        try await storage.createWebhook(webhook)
        return (webhook, secret)
    }

    /// A new secret, shown once; the old one keeps signing beside it for 24 hours.
    public func rotateSecret(_ id: WebhookID, by actor: Actor) async throws -> WebhookSecret {
        var webhook = try await managed(id, by: actor)
        let secret = WebhookSecret(random: random)
        webhook.previousSealedSecret = webhook.sealedSecret
        webhook.previousSecretExpiresAt = clock.now().addingTimeInterval(Self.rotationOverlap)
        webhook.sealedSecret = try secretKey.seal(secret, for: id.rawValue)
        try await storage.updateWebhook(webhook)
        return secret
    }

    /// Enabling again forgets the failures that disabled it.
    public func setEnabled(_ id: WebhookID, _ enabled: Bool, by actor: Actor) async throws {
        var webhook = try await managed(id, by: actor)
        webhook.isEnabled = enabled
        webhook.disabledReason = enabled ? nil : "manual"
        if enabled { webhook.failingSince = nil }
        try await storage.updateWebhook(webhook)
    }

    public func delete(_ id: WebhookID, by actor: Actor) async throws {
        _ = try await managed(id, by: actor)
        try await storage.deleteWebhook(id: id)
    }

    /// The delivery is made again, from attempt one, with the same `webhook-id`.
    public func redeliver(_ delivery: String, of id: WebhookID, by actor: Actor) async throws {
        _ = try await managed(id, by: actor)
        do {
            try await storage.redeliver(delivery, of: id, at: clock.now())
        } catch let error as StorageError where error.isNotFound {
            throw Failure.notFound
        }
    }

    /// Sends a `ping` to this webhook alone.
    public func sendTest(_ id: WebhookID, by actor: Actor) async throws -> EventID {
        let webhook = try await managed(id, by: actor)
        let now = clock.now()
        // Settings → Webhooks offers it; an app's webhook has no organization to name.
        guard let organization = webhook.organizationID else { throw Failure.notFound }
        let event = OutboxEvent.ping(webhook: id, organization: organization, at: now)
        try await storage.recordTestEvent(event, for: id, at: now)
        return event.id
    }

    public func deliveryLog(_ id: WebhookID, by actor: Actor, limit: Int = 50) async throws -> [DeliveryLogEntry] {
        _ = try await managed(id, by: actor)
        return try await storage.deliveryLog(of: id, limit: limit)
    }

    public func webhook(_ id: WebhookID, by actor: Actor) async throws -> Webhook {
        try await managed(id, by: actor)
    }

    // MARK: App webhooks

    public func appWebhook(of client: ClientID, by actor: Actor) async throws -> Webhook? {
        try await requireOwner(actor, of: client)
        return try await storage.webhook(ofClient: client)
    }

    /// Sets the app's webhook URL. Returns the signing secret when the webhook is new (shown
    /// once); a changed URL keeps its secret. An empty URL removes the webhook.
    public func setAppWebhook(client: ClientID, url: String, by actor: Actor) async throws -> WebhookSecret? {
        try await requireOwner(actor, of: client)
        let existing = try await storage.webhook(ofClient: client)
        if url.trimmingCharacters(in: .whitespaces).isEmpty {
            if let existing { try await storage.deleteWebhook(id: existing.id) }
            return nil
        }
        let checked = try await checkURL(url)
        if var existing {
            existing.url = checked
            try await storage.updateWebhook(existing)
            return nil
        }
        let id = WebhookID.generate(using: random)
        let secret = WebhookSecret(random: random)
        try await storage.createWebhook(Webhook(
            id: id, owner: .client(client), url: checked, events: [], projectID: nil,
            sealedSecret: try secretKey.seal(secret, for: id.rawValue), createdAt: clock.now()
        ))
        return secret
    }

    // MARK: Checks

    private func checkURL(_ url: String) async throws -> String {
        do {
            if let policy { return try await policy.check(url).absoluteString }
            return try WebhookURLPolicy.checkWellFormed(url).absoluteString
        } catch let error as ValidationError {
            throw Failure.invalid(error)
        }
    }

    private func managed(_ id: WebhookID, by actor: Actor) async throws -> Webhook {
        guard let webhook = try await storage.webhook(id: id) else { throw Failure.notFound }
        switch webhook.owner {
        case .organization(let organization): try await requireAdministrator(actor, of: organization)
        case .client(let client): try await requireOwner(actor, of: client)
        }
        return webhook
    }

    private func requireAdministrator(_ actor: Actor, of organization: OrganizationID) async throws {
        guard case .user(let user) = actor else { return }
        guard try await storage.role(of: user, in: organization)?.canAdminister == true else { throw Failure.forbidden }
    }

    private func requireOwner(_ actor: Actor, of client: ClientID) async throws {
        guard let found = try await storage.client(id: client) else { throw Failure.notFound }
        guard case .user(let user) = actor else { return }
        guard found.ownerUserID == user else { throw Failure.forbidden }
    }
}
