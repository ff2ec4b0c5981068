import BetterI18nCore
import Foundation
import SQLKit

// MARK: - The outbox

extension SQLStorage {
    /// Writes events into the outbox on `database`, the connection of a write transaction that
    /// is making the change they report: they commit or roll back with it.
    ///
    /// This is how every storage write raises its events; a new store (the Content CMS's, for
    /// instance) does the same inside its own `driver.writing { database in … }`:
    ///
    ///     try await SQLStorage.insertEvents([.contentEntry(.contentEntryPublished, project: p, data: d, at: now)], on: database)
    public static func insertEvents(_ events: [OutboxEvent], on database: any SQLDatabase) async throws {
        for event in events {
            try await database.raw("""
                INSERT INTO events (id, type, organization_id, project_id, client_id, grant_id, body, created_at, fanned_out)
                VALUES (\(bind: event.id.rawValue), \(bind: event.type.rawValue), \(bind: event.organizationID.rawValue),
                        \(bind: event.projectID?.rawValue), \(bind: event.clientID?.rawValue), \(bind: event.grantID?.rawValue),
                        \(bind: event.body), \(bind: event.createdAt.millisecondsSince1970), 0)
                """).run()
        }
    }

    /// Pending deliveries of a grant's resource events go with the grant: nothing of it is sent
    /// after its `grant.revoked`. Runs in the revoking transaction.
    static func cancelDeliveries(ofGrant grant: GrantID, at time: Date, on database: any SQLDatabase) async throws {
        try await database.raw("""
            UPDATE webhook_deliveries SET state = 'cancelled', finished_at = \(bind: time.millisecondsSince1970),
                claim = NULL, claimed_until = NULL
            WHERE grant_id = \(bind: grant.rawValue) AND state = 'pending'
            """).run()
    }

    public func recordEvents(_ events: [OutboxEvent]) async throws {
        guard !events.isEmpty else { return }
        try await driver.writing { database in try await Self.insertEvents(events, on: database) }
    }

    public func recordTestEvent(_ event: OutboxEvent, for webhook: WebhookID, at time: Date) async throws {
        try await driver.writing { database in
            try await Self.insertEvents([event], on: database)
            try await database.raw("UPDATE events SET fanned_out = 1 WHERE id = \(bind: event.id.rawValue)").run()
            try await Self.insertDelivery(event: event.id, webhook: webhook, grant: nil, at: time, on: database)
        }
    }

    private static func insertDelivery(event: EventID, webhook: WebhookID, grant: GrantID?, at time: Date, on database: any SQLDatabase) async throws {
        try await insertDeliveries([NewDelivery(event: event, webhook: webhook, grant: grant)], at: time, on: database)
    }

    /// A delivery fan-out is about to create.
    private struct NewDelivery: Sendable {
        var event: EventID
        var webhook: WebhookID
        var grant: GrantID?
    }

    /// Rows per multi-row `INSERT`: well under either backend's limit of bound parameters.
    private static let rowsPerInsert = 500

    /// All of `deliveries` as pending, due at `time`, in a few multi-row `INSERT`s (one
    /// statement per delivery made each a round trip to the writer).
    private static func insertDeliveries(_ deliveries: [NewDelivery], at time: Date, on database: any SQLDatabase) async throws {
        for statement in insertStatements(for: deliveries, at: time) {
            try await database.raw(statement).run()
        }
    }

    private static func insertStatements(for deliveries: [NewDelivery], at time: Date) -> [SQLQueryString] {
        let ms = time.millisecondsSince1970
        return stride(from: 0, to: deliveries.count, by: rowsPerInsert).map { start in
            let values = deliveries[start..<min(start + rowsPerInsert, deliveries.count)].map { delivery -> SQLQueryString in
                "(\(bind: "dlv_" + Base62.random(count: 20, from: SystemRandomSource())), \(bind: delivery.webhook.rawValue), \(bind: delivery.event.rawValue), \(bind: delivery.grant?.rawValue), 'pending', 0, \(bind: ms), \(bind: ms))"
            }
            return """
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, grant_id, state, attempts, next_attempt_at, created_at)
                VALUES \(values.joined(separator: ", "))
                """
        }
    }

    public func fanOutEvents(limit: Int, at time: Date) async throws -> Int {
        try await fanOutAndClaim(fanOutLimit: limit, claimLimit: 0, at: time, lease: 0).fannedOut
    }

    /// Everything that can happen outside the write transaction does: the events and webhooks
    /// are read and matched on a reader, the statements are built beforehand, and the claimed
    /// rows are read back after the commit. The transaction itself is three statements — mark
    /// the events, insert their deliveries, claim a batch — because on SQLite every write waits
    /// for the one writer, and time the dispatcher holds it is time the writes raising events
    /// cannot have.
    public func fanOutAndClaim(fanOutLimit: Int, claimLimit: Int, at time: Date, lease: TimeInterval) async throws -> FanOutAndClaim {
        let plan = fanOutLimit > 0
            ? try await driver.reading { database in try await Self.planFanOut(limit: fanOutLimit, on: database) }
            : FanOutPlan()
        let claim = Base62.random(count: 16, from: SystemRandomSource())
        let claimStatement = claimLimit > 0 ? self.claimStatement(claim: claim, limit: claimLimit, at: time, lease: lease) : nil
        let inserts = Self.insertStatements(for: plan.deliveries, at: time)
        let (fanned, claimedIDs) = try await driver.writing { database -> (Int, [String]) in
            var fanned = 0
            if !plan.events.isEmpty {
                // Only the events still waiting: another pass (or instance) may have taken some
                // since they were read; their deliveries are then not made twice.
                let marked = Set(try await database.raw("""
                    UPDATE events SET fanned_out = 1 WHERE id IN (\(binds: plan.events)) AND fanned_out = 0 RETURNING id
                    """).all().map { try Rows.string($0, "id") })
                fanned = marked.count
                if marked.count == plan.events.count {
                    for insert in inserts { try await database.raw(insert).run() }
                } else {
                    try await Self.insertDeliveries(plan.deliveries.filter { marked.contains($0.event.rawValue) }, at: time, on: database)
                }
            }
            guard let claimStatement else { return (fanned, []) }
            return (fanned, try await database.raw(claimStatement).all().map { try Rows.string($0, "id") })
        }
        guard !claimedIDs.isEmpty else { return FanOutAndClaim(fannedOut: fanned, claimed: []) }
        // A read begun after the commit sees the claim (each reader runs one statement at a time).
        let claimed = try await driver.reading { database in
            try await Self.claimedDeliveries(claimedIDs, claim: claim, on: database)
        }
        return FanOutAndClaim(fannedOut: fanned, claimed: claimed)
    }

    /// What a batch of waiting events fans out to, decided on a reader.
    private struct FanOutPlan: Sendable {
        var events: [String] = []
        var deliveries: [NewDelivery] = []
    }

    /// Reads the oldest waiting events and the webhooks of their organizations and decides, in
    /// memory, which deliveries each makes.
    private static func planFanOut(limit: Int, on database: any SQLDatabase) async throws -> FanOutPlan {
        var plan = FanOutPlan()
        let rows = try await database.raw("""
            SELECT id, type, organization_id, project_id, client_id, grant_id, created_at FROM events
            WHERE fanned_out = 0 ORDER BY created_at LIMIT \(bind: limit)
            """).all()
        var organizationHooks: [String: [Webhook]] = [:]
        var appHooks: [String: [(grant: Grant, webhook: WebhookID)]] = [:]
        for row in rows {
            let eventID = EventID(unchecked: try Rows.string(row, "id"))
            plan.events.append(eventID.rawValue)
            guard let type = EventType(rawValue: try Rows.string(row, "type")) else { continue }
            let organization = try Rows.string(row, "organization_id")
            let project = try Rows.optionalString(row, "project_id").map(ProjectID.init(unchecked:))
            if type.isGrantLifecycle {
                // Addressed to the app whose grant it is; after `grant.revoked` only that.
                if try await endedBefore(row, type: type, on: database) { continue }
                if let client = try Rows.optionalString(row, "client_id"),
                   let hook = try await database.raw("""
                       SELECT id FROM webhooks WHERE client_id = \(bind: client) AND enabled = 1
                       """).first() {
                    plan.deliveries.append(NewDelivery(event: eventID, webhook: WebhookID(unchecked: try Rows.string(hook, "id")), grant: nil))
                }
            } else if type.requiredScope != nil {
                if organizationHooks[organization] == nil {
                    organizationHooks[organization] = try await database.raw("""
                        SELECT * FROM webhooks WHERE organization_id = \(bind: organization) AND enabled = 1
                        """).all().map(Rows.webhook)
                }
                for hook in organizationHooks[organization]! where hook.subscribes(to: type, project: project) {
                    plan.deliveries.append(NewDelivery(event: eventID, webhook: hook.id, grant: nil))
                }
                if appHooks[organization] == nil {
                    appHooks[organization] = try await database.raw("""
                        SELECT g.*, w.id AS webhook_id FROM grants g JOIN webhooks w ON w.client_id = g.client_id
                        WHERE g.organization_id = \(bind: organization) AND g.revoked_at IS NULL AND w.enabled = 1
                        """).all().map { (try Rows.grant($0), WebhookID(unchecked: try Rows.string($0, "webhook_id"))) }
                }
                for app in appHooks[organization]! where grantAllows(app.grant, type: type, project: project) {
                    plan.deliveries.append(NewDelivery(event: eventID, webhook: app.webhook, grant: app.grant.id))
                }
            }
        }
        return plan
    }

    /// Whether a `grant.*` event other than `grant.revoked` concerns a grant that was revoked
    /// before it was raised (a code replayed after the revocation, say; an event in the same
    /// millisecond as the revocation still goes): its app has been told
    /// the grant ended, and hears nothing of it after that.
    private static func endedBefore(_ event: any SQLRow, type: EventType, on database: any SQLDatabase) async throws -> Bool {
        guard type != .grantRevoked, let grant = try Rows.optionalString(event, "grant_id"),
              let row = try await database.raw("SELECT revoked_at FROM grants WHERE id = \(bind: grant)").first(),
              let revokedAt = try Rows.optionalDate(row, "revoked_at")
        else { return false }
        return revokedAt < (try Rows.date(event, "created_at"))
    }

    public func hasDeliveryWork(at time: Date) async throws -> Bool {
        try await driver.reading { database in
            if try await database.raw("SELECT id FROM events WHERE fanned_out = 0 LIMIT 1").first() != nil { return true }
            let now = time.millisecondsSince1970
            return try await database.raw("""
                SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= \(bind: now)
                  AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                  AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = 1)
                LIMIT 1
                """).first() != nil
        }
    }

    public func claimDeliveries(limit: Int, at time: Date, lease: TimeInterval) async throws -> [ClaimedDelivery] {
        try await fanOutAndClaim(fanOutLimit: 0, claimLimit: limit, at: time, lease: lease).claimed
    }

    /// Claims up to `limit` due deliveries under `claim` for `lease` seconds and returns their
    /// ids. `FOR UPDATE SKIP LOCKED` where the backend has row locks (PostgreSQL): two instances
    /// take different rows instead of waiting on each other; SQLite's single writer already
    /// serializes the claims.
    private func claimStatement(claim: String, limit: Int, at time: Date, lease: TimeInterval) -> SQLQueryString {
        let now = time.millisecondsSince1970
        let until = time.addingTimeInterval(lease).millisecondsSince1970
        let lock: SQLQueryString = driver.backendName == "postgres" ? " FOR UPDATE SKIP LOCKED" : ""
        return """
            UPDATE webhook_deliveries SET claim = \(bind: claim), claimed_until = \(bind: until)
            WHERE id IN (
                SELECT d.id FROM webhook_deliveries d
                WHERE d.state = 'pending' AND d.next_attempt_at <= \(bind: now)
                  AND (d.claimed_until IS NULL OR d.claimed_until < \(bind: now))
                  AND d.webhook_id IN (SELECT id FROM webhooks WHERE enabled = 1)
                ORDER BY d.next_attempt_at LIMIT \(bind: limit)\(lock)
            )
            RETURNING id
            """
    }

    /// The claimed rows with their events and webhooks, read by primary key once the claim has
    /// committed (the claim column has no index). A row another claim took meanwhile (its lease
    /// ran out) is left to that claim.
    private static func claimedDeliveries(_ ids: [String], claim: String, on database: any SQLDatabase) async throws -> [ClaimedDelivery] {
        try await database.raw("""
            SELECT d.id AS delivery_id, d.attempts, e.id AS event_id, e.type AS event_type, e.body, w.*
            FROM webhook_deliveries d
            JOIN events e ON e.id = d.event_id
            JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.id IN (\(binds: ids)) AND d.claim = \(bind: claim)
            ORDER BY d.next_attempt_at
            """).all().compactMap { row in
            guard let type = EventType(rawValue: try Rows.string(row, "event_type")) else { return nil }
            return ClaimedDelivery(
                id: try Rows.string(row, "delivery_id"), claim: claim, webhook: try Rows.webhook(row),
                eventID: EventID(unchecked: try Rows.string(row, "event_id")), eventType: type,
                body: try Rows.string(row, "body"), attempts: try row.decode(column: "attempts", as: Int.self)
            )
        }
    }

    public func completeDelivery(_ outcome: DeliveryOutcome, disableAfter: TimeInterval) async throws -> Bool {
        try await completeDeliveries([outcome], disableAfter: disableAfter).contains(outcome.delivery.webhook.id)
    }

    public func completeDeliveries(_ outcomes: [DeliveryOutcome], disableAfter: TimeInterval) async throws -> Set<WebhookID> {
        guard !outcomes.isEmpty else { return [] }
        // Successes, the bulk of any batch, in two or three statements per claim, built before
        // the transaction; failures (which may retry, or disable their webhook) one by one.
        let successes = Dictionary(grouping: outcomes.filter(\.attempt.succeeded), by: \.delivery.claim).flatMap { claim, batch in
            stride(from: 0, to: batch.count, by: Self.rowsPerInsert).map {
                SucceededChunk(claim: claim, outcomes: Array(batch[$0..<min($0 + Self.rowsPerInsert, batch.count)]))
            }
        }
        return try await driver.writing { database in
            var disabled: Set<WebhookID> = []
            for chunk in successes {
                try await chunk.settle(on: database)
            }
            for outcome in outcomes where !outcome.attempt.succeeded {
                if try await Self.complete(outcome, disableAfter: disableAfter, on: database) {
                    disabled.insert(outcome.delivery.webhook.id)
                }
            }
            return disabled
        }
    }

    /// Successful attempts made under one claim, and the statements that settle them: the
    /// deliveries the claim still holds become succeeded (finished at the chunk's last attempt),
    /// their attempts are logged, and webhooks that were failing stop failing.
    private struct SucceededChunk: Sendable {
        let outcomes: [DeliveryOutcome]
        let finish: SQLQueryString
        let log: SQLQueryString
        /// Only when one of the webhooks was failing when the batch was claimed.
        let recover: SQLQueryString?

        init(claim: String, outcomes: [DeliveryOutcome]) {
            self.outcomes = outcomes
            let finished = outcomes.map { $0.attempt.attemptedAt.millisecondsSince1970 }.max() ?? 0
            finish = """
                UPDATE webhook_deliveries SET attempts = attempts + 1, state = 'succeeded', next_attempt_at = NULL,
                    finished_at = \(bind: finished), claim = NULL, claimed_until = NULL
                WHERE id IN (\(binds: outcomes.map(\.delivery.id))) AND claim = \(bind: claim)
                RETURNING id
                """
            log = Self.log(outcomes)
            let failing = Set(outcomes.filter { $0.delivery.webhook.failingSince != nil }.map(\.attempt.webhookID.rawValue))
            recover = failing.isEmpty ? nil : """
                UPDATE webhooks SET failing_since = NULL WHERE id IN (\(binds: Array(failing))) AND failing_since IS NOT NULL
                """
        }

        private static func log(_ outcomes: [DeliveryOutcome]) -> SQLQueryString {
            let values = outcomes.map { outcome -> SQLQueryString in
                let attempt = outcome.attempt
                return "(\(bind: outcome.delivery.id), \(bind: attempt.webhookID.rawValue), \(bind: attempt.attemptedAt.millisecondsSince1970), \(bind: attempt.statusCode), \(bind: attempt.durationMilliseconds), \(bind: attempt.response))"
            }
            return """
                INSERT INTO webhook_attempts (delivery_id, webhook_id, attempted_at, status_code, duration_ms, response)
                VALUES \(values.joined(separator: ", "))
                """
        }

        func settle(on database: any SQLDatabase) async throws {
            let updated = Set(try await database.raw(finish).all().map { try Rows.string($0, "id") })
            if updated.count == outcomes.count {
                try await database.raw(log).run()
            } else if !updated.isEmpty {
                // Some were taken by another claim after this one's lease ran out: theirs now.
                try await database.raw(Self.log(outcomes.filter { updated.contains($0.delivery.id) })).run()
            }
            if let recover, !updated.isEmpty {
                try await database.raw(recover).run()
            }
        }
    }

    private static func complete(_ outcome: DeliveryOutcome, disableAfter: TimeInterval, on database: any SQLDatabase) async throws -> Bool {
        let attempt = outcome.attempt
        let at = attempt.attemptedAt.millisecondsSince1970
        let state: DeliveryState = attempt.succeeded ? .succeeded : (outcome.retryAt == nil ? .failed : .pending)
        let finished: Int64? = state == .pending ? nil : at
        let updated = try await database.raw("""
            UPDATE webhook_deliveries SET attempts = attempts + 1, state = \(bind: state.rawValue),
                next_attempt_at = \(bind: outcome.retryAt?.millisecondsSince1970), finished_at = \(bind: finished),
                claim = NULL, claimed_until = NULL
            WHERE id = \(bind: outcome.delivery.id) AND claim = \(bind: outcome.delivery.claim)
            RETURNING id
            """).first()
        guard updated != nil else { return false }
        try await database.raw("""
            INSERT INTO webhook_attempts (delivery_id, webhook_id, attempted_at, status_code, duration_ms, response)
            VALUES (\(bind: outcome.delivery.id), \(bind: attempt.webhookID.rawValue), \(bind: at),
                    \(bind: attempt.statusCode), \(bind: attempt.durationMilliseconds), \(bind: attempt.response))
            """).run()
        let hook = attempt.webhookID.rawValue
        if attempt.succeeded {
            try await database.raw("""
                UPDATE webhooks SET failing_since = NULL WHERE id = \(bind: hook) AND failing_since IS NOT NULL
                """).run()
            return false
        }
        guard let row = try await database.raw("""
            UPDATE webhooks SET failing_since = COALESCE(failing_since, \(bind: at)) WHERE id = \(bind: hook)
            RETURNING failing_since, enabled
            """).first() else { return false }
        let since = try row.decode(column: "failing_since", as: Int64.self)
        let enabled = try row.decode(column: "enabled", as: Int.self) == 1
        guard enabled, Double(at - since) / 1000 >= disableAfter else { return false }
        try await database.raw("""
            UPDATE webhooks SET enabled = 0, disabled_reason = 'failing' WHERE id = \(bind: hook)
            """).run()
        try await database.raw("""
            UPDATE webhook_deliveries SET state = 'failed', finished_at = \(bind: at), claim = NULL, claimed_until = NULL
            WHERE webhook_id = \(bind: hook) AND state = 'pending'
            """).run()
        return true
    }

    public func redeliver(_ delivery: String, of webhook: WebhookID, at time: Date) async throws {
        try await driver.writing { database in
            let row = try await database.raw("""
                UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = \(bind: time.millisecondsSince1970),
                    attempts = 0, finished_at = NULL, claim = NULL, claimed_until = NULL
                WHERE id = \(bind: delivery) AND webhook_id = \(bind: webhook.rawValue)
                RETURNING id
                """).first()
            guard row != nil else { throw StorageError.notFound("delivery") }
        }
    }

    public func deliveryLog(of webhook: WebhookID, limit: Int) async throws -> [DeliveryLogEntry] {
        try await driver.reading { database in
            var entries = try await database.raw("""
                SELECT d.id, d.event_id, e.type, d.state, d.created_at, d.next_attempt_at FROM webhook_deliveries d
                JOIN events e ON e.id = d.event_id
                WHERE d.webhook_id = \(bind: webhook.rawValue)
                ORDER BY d.created_at DESC, d.id LIMIT \(bind: limit)
                """).all().compactMap { row -> DeliveryLogEntry? in
                guard let type = EventType(rawValue: try Rows.string(row, "type")),
                      let state = DeliveryState(rawValue: try Rows.string(row, "state")) else { return nil }
                return DeliveryLogEntry(
                    id: try Rows.string(row, "id"), eventID: EventID(unchecked: try Rows.string(row, "event_id")),
                    eventType: type, state: state, attempts: [], createdAt: try Rows.date(row, "created_at"),
                    nextAttemptAt: state == .pending ? try Rows.optionalDate(row, "next_attempt_at") : nil
                )
            }
            guard !entries.isEmpty else { return [] }
            let ids = entries.map(\.id)
            let attempts = try await database.raw("""
                SELECT * FROM webhook_attempts WHERE delivery_id IN (\(binds: ids)) ORDER BY attempted_at
                """).all().map(Rows.attempt)
            let byDelivery = Dictionary(grouping: attempts, by: \.deliveryID)
            for index in entries.indices { entries[index].attempts = byDelivery[entries[index].id] ?? [] }
            return entries
        }
    }

    public func deliveryQueueStats(at time: Date) async throws -> DeliveryQueueStats {
        try await driver.reading { database in
            let now = time.millisecondsSince1970
            let pending = try await database.raw("""
                SELECT COUNT(*) AS n, MIN(d.next_attempt_at) AS oldest FROM webhook_deliveries d
                JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.state = 'pending' AND w.enabled = 1 AND d.next_attempt_at <= \(bind: now)
                """).first()
            let unfanned = try await database.raw("""
                SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM events WHERE fanned_out = 0
                """).first()
            var depth = 0
            var oldest: Int64?
            for row in [pending, unfanned].compactMap({ $0 }) {
                depth += try row.decode(column: "n", as: Int.self)
                if !(try row.decodeNil(column: "oldest")) {
                    let value = try row.decode(column: "oldest", as: Int64.self)
                    oldest = min(oldest ?? value, value)
                }
            }
            return DeliveryQueueStats(depth: depth, oldestPendingAge: oldest.map { max(0, Double(now - $0) / 1000) } ?? 0)
        }
    }

    public func pruneDeliveries(before: Date, batchSize: Int) async throws -> Int {
        try await driver.writing { database in
            let cutoff = before.millisecondsSince1970
            var deleted = 0
            deleted += try await database.raw("""
                DELETE FROM webhook_attempts WHERE delivery_id IN (
                    SELECT delivery_id FROM webhook_attempts WHERE attempted_at < \(bind: cutoff) LIMIT \(bind: batchSize))
                  AND attempted_at < \(bind: cutoff)
                RETURNING delivery_id
                """).all().count
            deleted += try await database.raw("""
                DELETE FROM webhook_deliveries WHERE id IN (
                    SELECT id FROM webhook_deliveries WHERE finished_at < \(bind: cutoff) LIMIT \(bind: batchSize))
                RETURNING id
                """).all().count
            deleted += try await database.raw("""
                DELETE FROM events WHERE id IN (
                    SELECT e.id FROM events e WHERE e.created_at < \(bind: cutoff) AND e.fanned_out = 1
                      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
                    LIMIT \(bind: batchSize))
                RETURNING id
                """).all().count
            return deleted
        }
    }
}

// MARK: - Webhooks

extension SQLStorage {
    public func createWebhook(_ webhook: Webhook) async throws {
        try await driver.writing { database in
            try await database.raw("""
                INSERT INTO webhooks (id, organization_id, client_id, url, events, project_id, secret, previous_secret,
                                      previous_secret_until, enabled, disabled_reason, failing_since, created_at)
                VALUES (\(bind: webhook.id.rawValue), \(bind: webhook.organizationID?.rawValue), \(bind: webhook.clientID?.rawValue),
                        \(bind: webhook.url), \(bind: Rows.json(webhook.events.map(\.rawValue))), \(bind: webhook.projectID?.rawValue),
                        \(bind: webhook.sealedSecret), \(bind: webhook.previousSealedSecret),
                        \(bind: webhook.previousSecretExpiresAt?.millisecondsSince1970), \(bind: webhook.isEnabled ? 1 : 0),
                        \(bind: webhook.disabledReason), \(bind: webhook.failingSince?.millisecondsSince1970),
                        \(bind: webhook.createdAt.millisecondsSince1970))
                """).run()
        }
    }

    public func webhook(id: WebhookID) async throws -> Webhook? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM webhooks WHERE id = \(bind: id.rawValue)").first().map(Rows.webhook)
        }
    }

    public func webhooks(of organization: OrganizationID) async throws -> [Webhook] {
        try await driver.reading { database in
            try await database.raw("""
                SELECT * FROM webhooks WHERE organization_id = \(bind: organization.rawValue) ORDER BY created_at, id
                """).all().map(Rows.webhook)
        }
    }

    public func webhook(ofClient client: ClientID) async throws -> Webhook? {
        try await driver.reading { database in
            try await database.raw("SELECT * FROM webhooks WHERE client_id = \(bind: client.rawValue)").first().map(Rows.webhook)
        }
    }

    public func updateWebhook(_ webhook: Webhook) async throws {
        try await driver.writing { database in
            let row = try await database.raw("""
                UPDATE webhooks SET url = \(bind: webhook.url), events = \(bind: Rows.json(webhook.events.map(\.rawValue))),
                    project_id = \(bind: webhook.projectID?.rawValue), secret = \(bind: webhook.sealedSecret),
                    previous_secret = \(bind: webhook.previousSealedSecret),
                    previous_secret_until = \(bind: webhook.previousSecretExpiresAt?.millisecondsSince1970),
                    enabled = \(bind: webhook.isEnabled ? 1 : 0), disabled_reason = \(bind: webhook.disabledReason),
                    failing_since = \(bind: webhook.failingSince?.millisecondsSince1970)
                WHERE id = \(bind: webhook.id.rawValue)
                RETURNING id
                """).first()
            guard row != nil else { throw StorageError.notFound("webhook") }
        }
    }

    public func deleteWebhook(id: WebhookID) async throws {
        try await driver.writing { database in
            try await database.raw("DELETE FROM webhook_attempts WHERE webhook_id = \(bind: id.rawValue)").run()
            try await database.raw("DELETE FROM webhook_deliveries WHERE webhook_id = \(bind: id.rawValue)").run()
            try await database.raw("DELETE FROM webhooks WHERE id = \(bind: id.rawValue)").run()
        }
    }
}

extension Rows {
    static func webhook(_ row: any SQLRow) throws -> Webhook {
        let owner: Webhook.Owner
        if let client = try optionalString(row, "client_id") {
            owner = .client(ClientID(unchecked: client))
        } else {
            owner = .organization(OrganizationID(unchecked: try string(row, "organization_id")))
        }
        return Webhook(
            id: WebhookID(unchecked: try string(row, "id")),
            owner: owner,
            url: try string(row, "url"),
            events: try decodeJSON([String].self, try string(row, "events")).compactMap(EventType.init(rawValue:)),
            projectID: try optionalString(row, "project_id").map(ProjectID.init(unchecked:)),
            sealedSecret: try string(row, "secret"),
            previousSealedSecret: try optionalString(row, "previous_secret"),
            previousSecretExpiresAt: try optionalDate(row, "previous_secret_until"),
            isEnabled: try row.decode(column: "enabled", as: Int.self) == 1,
            disabledReason: try optionalString(row, "disabled_reason"),
            failingSince: try optionalDate(row, "failing_since"),
            createdAt: try date(row, "created_at")
        )
    }

    static func attempt(_ row: any SQLRow) throws -> DeliveryAttempt {
        DeliveryAttempt(
            deliveryID: try string(row, "delivery_id"),
            webhookID: WebhookID(unchecked: try string(row, "webhook_id")),
            attemptedAt: try date(row, "attempted_at"),
            statusCode: try row.decodeNil(column: "status_code") ? nil : try row.decode(column: "status_code", as: Int.self),
            durationMilliseconds: try row.decode(column: "duration_ms", as: Int.self),
            response: try string(row, "response")
        )
    }
}
