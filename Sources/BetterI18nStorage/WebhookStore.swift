import BetterI18nCore
import Foundation

/// Webhooks, the event outbox and the delivery queue (events and webhooks).
///
/// Events are written by the storage method of the change they report, in its transaction
/// (`events:` parameters elsewhere in ``Storage``); ``recordEvents(_:)`` is for changes that
/// are nothing but the event. The dispatcher then needs two short write transactions per batch
/// of deliveries: one fans new events out and claims what is due
/// (``fanOutAndClaim(fanOutLimit:claimLimit:at:lease:)``), one records the batch's attempts
/// (``completeDeliveries(_:disableAfter:)``). Each writes with a few multi-row statements, not
/// a few per delivery, so it holds SQLite's one writer (which request writes share) briefly.
public protocol WebhookStore: Sendable {
    /// Throws ``StorageError/conflict(_:)`` when the app has a webhook already.
    func createWebhook(_ webhook: Webhook) async throws
    func webhook(id: WebhookID) async throws -> Webhook?
    func webhooks(of organization: OrganizationID) async throws -> [Webhook]
    func webhook(ofClient client: ClientID) async throws -> Webhook?
    /// Saves url, events, project, secrets and enabled state (a rotation, a toggle, an edit).
    func updateWebhook(_ webhook: Webhook) async throws
    /// Removes the webhook with its deliveries and log.
    func deleteWebhook(id: WebhookID) async throws

    /// Records events that are a change of their own (nothing else to write with them).
    func recordEvents(_ events: [OutboxEvent]) async throws
    /// Stores `event` (a `ping`) and one pending delivery of it to `webhook` alone.
    func recordTestEvent(_ event: OutboxEvent, for webhook: WebhookID, at time: Date) async throws

    /// In one write transaction: takes up to `limit` events not yet fanned out (oldest first;
    /// on PostgreSQL rows another instance holds are skipped) and creates a pending delivery
    /// for every webhook that should get each. Returns the events handled.
    func fanOutEvents(limit: Int, at time: Date) async throws -> Int
    /// ``fanOutEvents(limit:at:)`` then ``claimDeliveries(limit:at:lease:)`` in one write
    /// transaction: the deliveries just created are claimed by the same pass that made them.
    func fanOutAndClaim(fanOutLimit: Int, claimLimit: Int, at time: Date, lease: TimeInterval) async throws -> FanOutAndClaim
    /// Whether anything may be waiting: events to fan out or deliveries due. A read, so idle
    /// dispatchers poll without taking the writer.
    func hasDeliveryWork(at time: Date) async throws -> Bool
    /// Atomically claims up to `limit` due deliveries of enabled webhooks whose claim is free or
    /// has expired, for `lease`; each is claimed by one caller only.
    func claimDeliveries(limit: Int, at time: Date, lease: TimeInterval) async throws -> [ClaimedDelivery]
    /// Logs the attempt and moves the delivery on (succeeded, retry at `retryAt`, or failed),
    /// when the claim is still the caller's. A failure keeps the webhook's `failingSince`;
    /// one that has only failed for `disableAfter` is disabled. Returns whether it was disabled.
    @discardableResult
    func completeDelivery(_ outcome: DeliveryOutcome, disableAfter: TimeInterval) async throws -> Bool
    /// ``completeDelivery(_:disableAfter:)`` for a batch, in one transaction; returns the
    /// webhooks it disabled.
    func completeDeliveries(_ outcomes: [DeliveryOutcome], disableAfter: TimeInterval) async throws -> Set<WebhookID>
    /// Makes a delivery of the webhook pending again, due at `time` (Redeliver).
    /// ``StorageError/notFound(_:)`` when it is not the webhook's.
    func redeliver(_ delivery: String, of webhook: WebhookID, at time: Date) async throws

    /// Newest deliveries of the webhook with their attempts.
    func deliveryLog(of webhook: WebhookID, limit: Int) async throws -> [DeliveryLogEntry]
    func deliveryQueueStats(at time: Date) async throws -> DeliveryQueueStats
    /// Deletes attempts, finished deliveries and fanned-out events older than `before`, at
    /// most `batchSize` rows of each; returns the rows deleted.
    func pruneDeliveries(before: Date, batchSize: Int) async throws -> Int
}

/// What one dispatcher pass took: events fanned out and the deliveries it now holds.
public struct FanOutAndClaim: Sendable {
    public var fannedOut: Int
    public var claimed: [ClaimedDelivery]

    public init(fannedOut: Int, claimed: [ClaimedDelivery]) {
        self.fannedOut = fannedOut
        self.claimed = claimed
    }
}
