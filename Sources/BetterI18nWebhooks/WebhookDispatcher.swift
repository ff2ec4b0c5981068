import BetterI18nCore
import BetterI18nStorage
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// Delivers events to webhooks, beside the HTTP server in `serve` (a ServiceLifecycle service).
///
/// Each pass is two short write transactions, whatever its batch's size: one fans new events
/// out into deliveries and claims due ones (a claim is a lease of 60 s: an attempt cut off by a
/// crash is made again once it expires; on PostgreSQL `FOR UPDATE SKIP LOCKED` makes each
/// delivery one instance's), then the batch is sent concurrently, then one records every
/// attempt. On SQLite request writes share the one writer with these transactions, so each is
/// a handful of multi-row statements rather than a few statements per delivery. Several loops
/// run side by side so one receiver that hangs holds up one batch, not the queue. While request
/// writes keep SQLite's writer saturated the loops slow to one pass per quarter second between
/// them (``DispatchPacer``), so deliveries do not take the writer time the writes raising them
/// need; they catch up once requests pause. On SIGTERM the loops stop claiming, finish the
/// attempts in flight (at most the 10 s deadline) and return.
public struct WebhookDispatcher: Service {
    public struct Settings: Sendable {
        /// An attempt that has not answered (2xx or not) by then has failed.
        public var timeout: Duration = .seconds(10)
        /// How long a claim holds before another pass (or instance) may take the delivery.
        public var lease: TimeInterval = 60
        /// How often idle loops look for work.
        public var pollInterval: Duration = .milliseconds(200)
        /// Deliveries one loop claims at once, all sent concurrently.
        public var batchSize = 64
        /// Loops side by side.
        public var loops = 4
        /// While requests keep the database's writer saturated, the loops share one pass per
        /// this interval (``DispatchPacer``): 64 deliveries per quarter second, 256/s, is then
        /// the floor.
        public var busyPassInterval: Duration = .milliseconds(250)
        /// No request started for this long: deliver at full speed.
        public var quietAfter: Duration = .milliseconds(100)
        /// The writer's share of busy time from which deliveries give way to requests.
        public var saturatedWriter = 0.8
        /// A webhook whose every attempt has failed this long is disabled.
        public var disableAfter: TimeInterval = 3 * 86_400
        public var policy = WebhookURLPolicy()

        public init() {}
    }

    let storage: any Storage
    let sender: WebhookSender
    let secretKey: SecretKey
    let settings: Settings
    let clock: any WallClock
    let schedule = RetrySchedule()
    /// A number in [0, 1) for each retry's jitter.
    let jitter: @Sendable () -> Double
    let metrics: WebhookMetrics?
    let logger: Logger
    /// Paces the loops against the server's request writes; nil (no server) never waits.
    let pacer: DispatchPacer?

    /// `traffic` is the server's request signal: given, delivery gives way to request writes
    /// when they saturate the database's writer.
    public init(
        storage: any Storage, sender: WebhookSender, secretKey: SecretKey, settings: Settings = Settings(), clock: any WallClock,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, metrics: WebhookMetrics? = nil,
        traffic: RequestTraffic? = nil, logger: Logger
    ) {
        self.storage = storage
        self.sender = sender
        self.secretKey = secretKey
        self.settings = settings
        self.clock = clock
        self.jitter = jitter
        self.metrics = metrics
        self.logger = logger
        self.pacer = traffic.map {
            DispatchPacer(
                traffic: $0, writer: WriterLoad { [storage] in storage.writerBusyTime }, busyInterval: settings.busyPassInterval,
                quietAfter: settings.quietAfter, saturated: settings.saturatedWriter
            )
        }
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<max(1, settings.loops) {
                group.addTask { await loop(index) }
            }
            group.addTask { await reportQueue() }
        }
    }

    /// A pass that found less than a full batch waits a poll interval before the next: under a
    /// steady trickle of writes each pass then takes what accumulated meanwhile, so the
    /// transactions per delivery stay few, and an event waits at most about one interval.
    private func loop(_ index: Int) async {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            guard await turn() else { return }
            let handled = await pass()
            if handled < settings.batchSize {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.pollInterval) }
            }
        }
    }

    /// Waits until the pacer lets this loop pass; false when the server is stopping.
    private func turn() async -> Bool {
        guard let pacer else { return true }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            guard case .wait(let delay) = pacer.decide(at: .now) else { return true }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: min(delay, pacer.recheck)) }
        }
        return false
    }

    private func reportQueue() async {
        guard let metrics else { return }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if let stats = try? await storage.deliveryQueueStats(at: clock.now()) { metrics.report(stats) }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(5)) }
        }
    }

    /// One pass: fans out, claims a batch, sends it and records the outcomes. Returns the
    /// deliveries attempted (events fanned out count too, so a busy loop goes round again).
    @discardableResult
    public func pass() async -> Int {
        do {
            let now = clock.now()
            guard try await storage.hasDeliveryWork(at: now) else { return 0 }
            let taken = try await storage.fanOutAndClaim(fanOutLimit: 200, claimLimit: settings.batchSize, at: now, lease: settings.lease)
            let claimed = taken.claimed
            guard !claimed.isEmpty else { return taken.fannedOut }
            let preparation = BatchPreparation(dispatcher: self, at: now)
            let outcomes = await withTaskGroup(of: DeliveryOutcome?.self) { group in
                for delivery in claimed {
                    group.addTask { await attempt(delivery, preparation: preparation) }
                }
                // One timer for the batch: its attempts all start now, so cancelling those still
                // running when it fires is each one's deadline.
                group.addTask { [timeout = sender.timeout] in
                    try? await Task.sleep(for: timeout)
                    return nil
                }
                var outcomes: [DeliveryOutcome] = []
                while let next = await group.next() {
                    if let outcome = next { outcomes.append(outcome) }
                    if next == nil || outcomes.count == claimed.count { group.cancelAll() }
                }
                return outcomes
            }
            await record(outcomes)
            return max(taken.fannedOut, claimed.count)
        } catch {
            logger.error("webhook dispatch failed", metadata: ["error": .string(String(describing: error))])
            return 0
        }
    }

    /// One attempt of one delivery, recorded whatever happens.
    func deliver(_ delivery: ClaimedDelivery) async {
        await record([await attempt(delivery)])
    }

    /// The batch's attempts in one write transaction.
    private func record(_ outcomes: [DeliveryOutcome]) async {
        do {
            for disabled in try await storage.completeDeliveries(outcomes, disableAfter: settings.disableAfter) {
                logger.warning("webhook disabled after failing for 3 days", metadata: ["webhook": .string(disabled.rawValue)])
            }
        } catch {
            logger.error("recording webhook attempts failed", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// Sends one delivery and says what came of it. Within a batch (`preparation` given) the
    /// batch's timer is the deadline; alone, the sender keeps its own.
    func attempt(_ delivery: ClaimedDelivery, preparation: BatchPreparation? = nil) async -> DeliveryOutcome {
        let started = clock.now()
        let clockStart = ContinuousClock.now
        var retryable = true
        let answer: WebhookSender.Answer
        do {
            let shared = preparation ?? BatchPreparation(dispatcher: self, at: started)
            let target = try await shared.check(delivery.webhook.url)
            let secrets = try await shared.secrets(of: delivery.webhook)
            let signature = WebhookSignature(eventID: delivery.eventID, body: Array(delivery.body.utf8), at: started, secrets: secrets)
            if preparation == nil {
                answer = await sender.send(
                    url: delivery.webhook.url, address: target.address, body: delivery.body, type: delivery.eventType, signature: signature
                )
            } else {
                answer = await sender.sendWithinCallersDeadline(
                    url: delivery.webhook.url, address: target.address, body: delivery.body, type: delivery.eventType, signature: signature
                )
            }
        } catch let error as ValidationError {
            // Refused by the URL policy: logged and failed, not retried.
            retryable = false
            answer = .init(statusCode: nil, excerpt: "refused: \(error.message)")
        } catch {
            answer = .init(statusCode: nil, excerpt: "cannot open the signing secret (is --secret-key the one it was sealed with?)")
        }
        let elapsed = ContinuousClock.now - clockStart
        let attempt = DeliveryAttempt(
            deliveryID: delivery.id, webhookID: delivery.webhook.id, attemptedAt: started, statusCode: answer.statusCode,
            durationMilliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            response: answer.excerpt
        )
        var retryAt: Date?
        if !attempt.succeeded, retryable, let delay = schedule.delay(afterAttempt: delivery.attempts + 1, unit: jitter()) {
            retryAt = clock.now().addingTimeInterval(delay)
        }
        let outcome: WebhookMetrics.Outcome = attempt.succeeded ? .succeeded : (retryAt == nil ? .failed : .retrying)
        metrics?.count(outcome)
        if !attempt.succeeded {
            logger.info("webhook delivery failed", metadata: [
                "webhook": .string(delivery.webhook.id.rawValue), "event": .string(delivery.eventID.rawValue),
                "status": .string(answer.statusCode.map(String.init) ?? "none"), "outcome": .string(outcome.rawValue),
            ])
        }
        return DeliveryOutcome(delivery: delivery, attempt: attempt, retryAt: retryAt)
    }

    /// The current secret and, for 24 h after a rotation, the previous one.
    func signingSecrets(of webhook: Webhook, at time: Date) throws -> [WebhookSecret] {
        var secrets = [try secretKey.open(webhook.sealedSecret, for: webhook.id.rawValue)]
        if let previous = webhook.previousSealedSecret, let until = webhook.previousSecretExpiresAt, until > time {
            secrets.append(try secretKey.open(previous, for: webhook.id.rawValue))
        }
        return secrets
    }
}

/// What a batch's deliveries to one webhook share, worked out once per batch instead of once
/// per delivery: the URL policy's verdict (a name resolution when private targets are refused,
/// and the address the batch then connects to) and the opened signing secrets. Still once per
/// pass, so a name re-pointed at an inside address, a rotation or a disabled webhook is seen by
/// the next batch.
actor BatchPreparation {
    private let dispatcher: WebhookDispatcher
    private let time: Date
    private var checks: [String: Task<WebhookTarget, any Error>] = [:]
    private var opened: [WebhookID: [WebhookSecret]] = [:]

    init(dispatcher: WebhookDispatcher, at time: Date) {
        self.dispatcher = dispatcher
        self.time = time
    }

    /// The policy's check of `url`, made once for the batch (concurrent callers share it).
    func check(_ url: String) async throws -> WebhookTarget {
        if let check = checks[url] { return try await check.value }
        let policy = dispatcher.settings.policy
        let check = Task { try await policy.target(url) }
        checks[url] = check
        return try await check.value
    }

    func secrets(of webhook: Webhook) throws -> [WebhookSecret] {
        if let secrets = opened[webhook.id] { return secrets }
        let secrets = try dispatcher.signingSecrets(of: webhook, at: time)
        opened[webhook.id] = secrets
        return secrets
    }
}

/// `/metrics`: deliveries by outcome, queue depth and the oldest pending delivery's age.
public final class WebhookMetrics: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        case succeeded, retrying, failed
    }

    private let counters: [Outcome: Counter]
    private let depth: Gauge
    private let oldest: Gauge

    public init(registry: PrometheusCollectorRegistry) {
        var counters: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            counters[outcome] = registry.makeCounter(name: "better_i18n_webhook_deliveries_total", labels: [("outcome", outcome.rawValue)])
        }
        self.counters = counters
        depth = registry.makeGauge(name: "better_i18n_webhook_queue_depth")
        oldest = registry.makeGauge(name: "better_i18n_webhook_oldest_pending_seconds")
    }

    func count(_ outcome: Outcome) {
        counters[outcome]?.increment()
    }

    public func report(_ stats: DeliveryQueueStats) {
        depth.set(Double(stats.depth))
        oldest.set(stats.oldestPendingAge)
    }
}

