import Foundation

/// A subscription: an organization's webhook (Settings → Webhooks, `admin create-webhook`) or
/// an app's one webhook (Developer apps, `admin create-client --webhook-url`).
public struct Webhook: Sendable, Equatable {
    public enum Owner: Sendable, Equatable {
        case organization(OrganizationID)
        /// The app's webhook: `grant.*` of its own grants and what each grant may read.
        case client(ClientID)
    }

    public var id: WebhookID
    public var owner: Owner
    public var url: String
    /// Empty: every subscribable type. Unused for an app, which gets what its grants allow.
    public var events: [EventType]
    /// Only this project's events (organization webhooks), nil for all.
    public var projectID: ProjectID?
    /// The `whsec_` secret sealed with the server's key (``SecretKey``), never in clear.
    public var sealedSecret: String
    /// The secret before the last rotation, still signed with until `previousSecretExpiresAt`.
    public var previousSealedSecret: String?
    public var previousSecretExpiresAt: Date?
    public var isEnabled: Bool
    /// Why it is disabled when the server disabled it (`failing`: 3 days of failures only).
    public var disabledReason: String?
    /// Since when every attempt has failed; nil after a success.
    public var failingSince: Date?
    public var createdAt: Date

    public init(
        id: WebhookID, owner: Owner, url: String, events: [EventType], projectID: ProjectID?, sealedSecret: String,
        previousSealedSecret: String? = nil, previousSecretExpiresAt: Date? = nil, isEnabled: Bool = true,
        disabledReason: String? = nil, failingSince: Date? = nil, createdAt: Date
    ) {
        self.id = id
        self.owner = owner
        self.url = url
        self.events = events
        self.projectID = projectID
        self.sealedSecret = sealedSecret
        self.previousSealedSecret = previousSealedSecret
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.isEnabled = isEnabled
        self.disabledReason = disabledReason
        self.failingSince = failingSince
        self.createdAt = createdAt
    }

    public var organizationID: OrganizationID? {
        if case .organization(let id) = owner { return id }
        return nil
    }

    public var clientID: ClientID? {
        if case .client(let id) = owner { return id }
        return nil
    }

    /// Whether an organization webhook wants this event (apps are matched through their grants).
    public func subscribes(to type: EventType, project: ProjectID?) -> Bool {
        guard type.requiredScope != nil else { return false }
        if !events.isEmpty, !events.contains(type) { return false }
        if let projectID, projectID != project { return false }
        return true
    }
}

/// Whether an app receives a resource event through one of its grants: the grant is live,
/// holds the scope that reads what changed, and covers the event's project.
public func grantAllows(_ grant: Grant, type: EventType, project: ProjectID?) -> Bool {
    guard grant.revokedAt == nil, let scope = type.requiredScope, grant.scopes.contains(scope) else { return false }
    guard !grant.projectIDs.isEmpty else { return true }
    guard let project else { return false }
    return grant.projectIDs.contains(project)
}

/// The state of one event's delivery to one webhook.
public enum DeliveryState: String, Sendable {
    case pending, succeeded, failed
    /// An app's resource event whose grant was revoked before it went out: never sent.
    case cancelled
}

/// A delivery the dispatcher claimed, with what it needs to send it.
public struct ClaimedDelivery: Sendable, Equatable {
    public var id: String
    public var claim: String
    public var webhook: Webhook
    public var eventID: EventID
    public var eventType: EventType
    public var body: String
    /// Attempts made before this one.
    public var attempts: Int

    public init(id: String, claim: String, webhook: Webhook, eventID: EventID, eventType: EventType, body: String, attempts: Int) {
        self.id = id
        self.claim = claim
        self.webhook = webhook
        self.eventID = eventID
        self.eventType = eventType
        self.body = body
        self.attempts = attempts
    }
}

/// One attempt's result, as the delivery log shows it.
public struct DeliveryAttempt: Sendable, Equatable {
    public var deliveryID: String
    public var webhookID: WebhookID
    public var attemptedAt: Date
    /// The HTTP status, nil when there was no answer (refused, timeout, closed connection).
    public var statusCode: Int?
    public var durationMilliseconds: Int
    /// The first 1 KB of the answer's body, or what went wrong.
    public var response: String

    public init(deliveryID: String, webhookID: WebhookID, attemptedAt: Date, statusCode: Int?, durationMilliseconds: Int, response: String) {
        self.deliveryID = deliveryID
        self.webhookID = webhookID
        self.attemptedAt = attemptedAt
        self.statusCode = statusCode
        self.durationMilliseconds = durationMilliseconds
        self.response = response
    }

    public var succeeded: Bool { statusCode.map { (200..<300).contains($0) } ?? false }
}

/// What the dispatcher writes back after an attempt.
public struct DeliveryOutcome: Sendable {
    public var delivery: ClaimedDelivery
    public var attempt: DeliveryAttempt
    /// When to try again; nil with a failed attempt means the delivery has failed for good.
    public var retryAt: Date?

    public init(delivery: ClaimedDelivery, attempt: DeliveryAttempt, retryAt: Date?) {
        self.delivery = delivery
        self.attempt = attempt
        self.retryAt = retryAt
    }
}

/// A delivery with its event and attempts, for the dashboard's log.
public struct DeliveryLogEntry: Sendable, Equatable {
    public var id: String
    public var eventID: EventID
    public var eventType: EventType
    public var state: DeliveryState
    public var attempts: [DeliveryAttempt]
    public var createdAt: Date
    public var nextAttemptAt: Date?

    public init(id: String, eventID: EventID, eventType: EventType, state: DeliveryState, attempts: [DeliveryAttempt], createdAt: Date, nextAttemptAt: Date?) {
        self.id = id
        self.eventID = eventID
        self.eventType = eventType
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
    }
}

/// Queue figures for `/metrics`.
public struct DeliveryQueueStats: Sendable, Equatable {
    /// Pending deliveries of enabled webhooks plus events not yet fanned out.
    public var depth: Int
    /// Seconds since the oldest of them became due (0 when none).
    public var oldestPendingAge: TimeInterval

    public init(depth: Int, oldestPendingAge: TimeInterval) {
        self.depth = depth
        self.oldestPendingAge = oldestPendingAge
    }
}
