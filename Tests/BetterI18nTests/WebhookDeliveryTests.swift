import BetterI18nClient
import BetterI18nCore
import BetterI18nStorage
@testable import BetterI18nWebhooks
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

/// Delivery (events and webhooks): Standard Webhooks headers and signatures, the retry
/// schedule on the injected clock, and receivers that fail in every way a network can —
/// each against a real HTTP receiver on loopback.
@Suite struct WebhookDeliveryTests {
    struct World {
        let fixture: Fixture
        let organization: BetterI18nCore.Organization
        let project: BetterI18nCore.Project
        let key = try! SecretKey(bytes: Array(repeating: 9, count: 32))
        let sender: WebhookSender
        let dispatcher: WebhookDispatcher
        let registry = PrometheusCollectorRegistry()
        var storage: SQLStorage { fixture.storage }
        var clock: ManualWallClock { fixture.clock }
        var webhooks: WebhookService { WebhookService(storage: storage, secretKey: key, policy: nil, clock: clock) }

        init(backend: Backend = .sqlite, timeout: Duration = .seconds(10), policy: WebhookURLPolicy = .init(allowHTTP: true, allowPrivate: true)) async throws {
            fixture = try await Fixture(isolated: backend)
            (_, organization, project) = try await fixture.seedOrganization()
            sender = WebhookSender(timeout: timeout)
            var settings = WebhookDispatcher.Settings()
            settings.timeout = timeout
            settings.policy = policy
            dispatcher = WebhookDispatcher(
                storage: fixture.storage, sender: sender, secretKey: key, settings: settings, clock: fixture.clock,
                jitter: { 0.5 }, metrics: WebhookMetrics(registry: registry), logger: .quiet
            )
        }

        /// An organization webhook to `url` and one `keys.created` event for it.
        func subscribe(_ url: String) async throws -> (webhook: Webhook, secret: WebhookSecret) {
            try await webhooks.create(organization: organization.id, url: url, events: [], project: nil, by: .operator)
        }

        func raise() async throws -> OutboxEvent {
            let event = OutboxEvent.keysCreated(project, keys: [], at: clock.now())
            try await storage.recordEvents([event])
            return event
        }

        func log(_ webhook: Webhook) async throws -> [DeliveryLogEntry] {
            try await storage.deliveryLog(of: webhook.id, limit: 100)
        }

        func verifier(_ secret: WebhookSecret) throws -> WebhookVerifier {
            try WebhookVerifier(secret: secret.value, now: { [clock] in clock.now() })
        }

        func close() async {}
    }

    @Test(arguments: Backend.available)
    func aDeliveryCarriesStandardWebhooksHeadersAndVerifies(backend: Backend) async throws {
        let world = try await World(backend: backend)
        let receiver = try await Receiver.start(.status(200))
        let (webhook, secret) = try await world.subscribe(receiver.url)
        let event = try await world.raise()
        #expect(await world.dispatcher.pass() > 0)
        let request = try #require(receiver.requests.first)
        #expect(receiver.requests.count == 1)
        #expect(request.webhookID == event.id.rawValue)
        #expect(request.type == "keys.created")
        #expect(request.headers["webhook-timestamp"] == String(Int(world.clock.now().timeIntervalSince1970)))
        #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
        #expect(request.headers["content-type"] == "application/json")
        #expect(String(decoding: request.body, as: UTF8.self) == event.body)
        try world.verifier(secret).verify(headers: request.headers, body: request.body)
        let entry = try #require(try await world.log(webhook).first)
        #expect(entry.state == .succeeded)
        #expect(entry.attempts.first?.statusCode == 200)
        #expect(entry.attempts.first?.response == "answer 200")
        await receiver.stop()
        await world.close()
    }

    @Test func aFailingReceiverIsRetriedOnTheScheduleWithTheSameWebhookID() async throws {
        let world = try await World()
        let receiver = try await Receiver.start(.status(500))
        let (webhook, secret) = try await world.subscribe(receiver.url)
        let event = try await world.raise()
        var expectedDelays = RetrySchedule.delays[...]
        for attempt in 1...8 {
            await world.dispatcher.pass()
            #expect(receiver.requests.count == attempt)
            let entry = try #require(try await world.log(webhook).first)
            guard let delay = expectedDelays.popFirst() else {
                #expect(entry.state == .failed)
                break
            }
            #expect(entry.state == .pending)
            // Jitter fixed at the middle of ±20 %: exactly the schedule.
            #expect(entry.nextAttemptAt == world.clock.now().addingTimeInterval(delay))
            world.clock.advance(by: delay - 1)
            await world.dispatcher.pass()
            #expect(receiver.requests.count == attempt, "not before it is due")
            world.clock.advance(by: 1)
        }
        #expect(Set(receiver.requests.map(\.webhookID)) == [event.id.rawValue])
        #expect(Set(receiver.requests.compactMap { $0.headers["webhook-timestamp"] }).count == 8, "each attempt signed afresh")
        let lenient = try WebhookVerifier(secret: secret.value, tolerance: 3 * 86_400, now: { [clock = world.clock] in clock.now() })
        for request in receiver.requests { try lenient.verify(headers: request.headers, body: request.body) }
        #expect(try await world.log(webhook).first?.attempts.count == 8)
        #expect(try await world.storage.webhook(id: webhook.id)?.isEnabled == true, "44 hours of failures do not disable it")
        await receiver.stop()
        await world.close()
    }

    @Test func retriesSpreadWithinTwentyPercent() {
        let schedule = RetrySchedule()
        #expect(schedule.delay(afterAttempt: 1, unit: 0) == 48)
        #expect(schedule.delay(afterAttempt: 1, unit: 0.999_999)! < 72)
        #expect(schedule.delay(afterAttempt: 7, unit: 0.5) == 86_400)
        #expect(schedule.delay(afterAttempt: 8, unit: 0.5) == nil)
    }

    @Test func aWebhookFailingForThreeDaysIsDisabled() async throws {
        let world = try await World()
        let receiver = try await Receiver.start(.status(503))
        let (webhook, _) = try await world.subscribe(receiver.url)
        _ = try await world.raise()
        await world.dispatcher.pass()
        #expect(try await world.storage.webhook(id: webhook.id)?.failingSince == world.clock.now())
        world.clock.advance(by: 2 * 86_400)
        _ = try await world.raise()
        await world.dispatcher.pass()
        #expect(try await world.storage.webhook(id: webhook.id)?.isEnabled == true)
        world.clock.advance(by: 86_400)
        _ = try await world.raise()
        await world.dispatcher.pass()
        let disabled = try #require(try await world.storage.webhook(id: webhook.id))
        #expect(!disabled.isEnabled)
        #expect(disabled.disabledReason == "failing")
        #expect(try await world.log(webhook).allSatisfy { $0.state == .failed })
        // Nothing more goes out, and enabling again starts afresh.
        let sent = receiver.requests.count
        _ = try await world.raise()
        world.clock.advance(by: 86_400)
        await world.dispatcher.pass()
        #expect(receiver.requests.count == sent)
        try await world.webhooks.setEnabled(webhook.id, true, by: .operator)
        #expect(try await world.storage.webhook(id: webhook.id)?.failingSince == nil)
        await receiver.stop()
        await world.close()
    }

    @Test func aSuccessClearsTheFailingMark() async throws {
        let world = try await World()
        let receiver = try await Receiver.start(.status(500))
        let (webhook, _) = try await world.subscribe(receiver.url)
        _ = try await world.raise()
        await world.dispatcher.pass()
        receiver.answer(.status(200))
        world.clock.advance(by: 61)
        await world.dispatcher.pass()
        #expect(try await world.storage.webhook(id: webhook.id)?.failingSince == nil)
        #expect(try await world.log(webhook).first?.state == .succeeded)
        await receiver.stop()
        await world.close()
    }

    @Test func aReceiverThatHangsPastTheDeadlineHasFailed() async throws {
        let world = try await World(timeout: .seconds(1))
        // The receiver would hang for 30 s; the 1 s deadline cuts the attempt off long before.
        // The bound is wide on purpose: a loaded CI machine adds seconds, never twenty.
        let receiver = try await Receiver.start(.hang(.seconds(30)))
        let (webhook, _) = try await world.subscribe(receiver.url)
        _ = try await world.raise()
        let started = ContinuousClock.now
        await world.dispatcher.pass()
        #expect(ContinuousClock.now - started < .seconds(12))
        let attempt = try #require(try await world.log(webhook).first?.attempts.first)
        #expect(attempt.statusCode == nil)
        #expect(attempt.response.contains("no answer within"))
        #expect(try await world.log(webhook).first?.state == .pending)
        await receiver.stop()
        await world.close()
    }

    @Test func aBodyThatStallsAfterTheHeadHitsTheDeadlineToo() async throws {
        let world = try await World(timeout: .seconds(1))
        let listener = try await StallingBodyListener()
        let (webhook, _) = try await world.subscribe(listener.url)
        _ = try await world.raise()
        let started = ContinuousClock.now
        await world.dispatcher.pass()
        #expect(ContinuousClock.now - started < .seconds(3))
        let attempt = try #require(try await world.log(webhook).first?.attempts.first)
        #expect(attempt.statusCode == nil)
        #expect(attempt.response.contains("no answer within"))
        #expect(try await world.log(webhook).first?.state == .pending)
        await listener.stop()
        await world.close()
    }

    @Test func aSlowAnswerWithinTheDeadlineSucceeds() async throws {
        let world = try await World(timeout: .seconds(2))
        let receiver = try await Receiver.start(.slow(.milliseconds(1500), 202))
        let (webhook, _) = try await world.subscribe(receiver.url)
        _ = try await world.raise()
        await world.dispatcher.pass()
        #expect(try await world.log(webhook).first?.state == .succeeded)
        await receiver.stop()
        await world.close()
    }

    @Test func aClosedConnectionIsRetried() async throws {
        let world = try await World()
        let listener = try await ClosingListener()
        let (webhook, _) = try await world.subscribe(listener.url)
        _ = try await world.raise()
        await world.dispatcher.pass()
        let entry = try #require(try await world.log(webhook).first)
        #expect(entry.state == .pending)
        #expect(entry.attempts.first?.statusCode == nil)
        #expect(entry.attempts.first?.response.hasPrefix("request failed") == true)
        await listener.stop()
        await world.close()
    }

    @Test func redirectsAreNotFollowed() async throws {
        let world = try await World()
        let receiver = try await Receiver.start()
        receiver.answer(.redirect("http://127.0.0.1:\(receiver.port)/elsewhere"))
        let (webhook, _) = try await world.subscribe(receiver.url)
        _ = try await world.raise()
        await world.dispatcher.pass()
        #expect(receiver.requests.count == 1)
        #expect(receiver.requests.allSatisfy { $0.headers["redirected"] == nil })
        let entry = try #require(try await world.log(webhook).first)
        #expect(entry.attempts.first?.statusCode == 302)
        #expect(entry.state == .pending)
        await receiver.stop()
        await world.close()
    }

    @Test func aReceiverThatWasDownGetsTheDeliveryWhenItIsBack() async throws {
        let world = try await World()
        let first = try await Receiver.start()
        let port = first.port
        await first.stop()
        let (webhook, secret) = try await world.subscribe("http://127.0.0.1:\(port)/hook")
        let event = try await world.raise()
        await world.dispatcher.pass()
        #expect(try await world.log(webhook).first?.attempts.first?.statusCode == nil)
        let back = try await Receiver.start(port: port)
        world.clock.advance(by: 60)
        await world.dispatcher.pass()
        #expect(back.requests.map(\.webhookID) == [event.id.rawValue])
        try world.verifier(secret).verify(headers: back.requests[0].headers, body: back.requests[0].body)
        #expect(try await world.log(webhook).first?.state == .succeeded)
        await back.stop()
        await world.close()
    }

    @Test func aRotatedSecretSignsBesideTheNewOneFor24Hours() async throws {
        let world = try await World()
        let receiver = try await Receiver.start()
        let (webhook, old) = try await world.subscribe(receiver.url)
        _ = try await world.raise()
        let new = try await world.webhooks.rotateSecret(webhook.id, by: .operator)
        await world.dispatcher.pass()
        let during = try #require(receiver.requests.last)
        #expect(during.headers["webhook-signature"]?.split(separator: " ").count == 2)
        try world.verifier(old).verify(headers: during.headers, body: during.body)
        try world.verifier(new).verify(headers: during.headers, body: during.body)
        world.clock.advance(by: 24 * 3600 + 1)
        _ = try await world.raise()
        await world.dispatcher.pass()
        let after = try #require(receiver.requests.last)
        #expect(after.headers["webhook-signature"]?.split(separator: " ").count == 1)
        try world.verifier(new).verify(headers: after.headers, body: after.body)
        #expect(throws: WebhookVerifier.Failure.self) { try world.verifier(old).verify(headers: after.headers, body: after.body) }
        await receiver.stop()
        await world.close()
    }

    @Test func aDeliveryToAnAddressTheServerRefusesFailsWithoutRetry() async throws {
        // The admin created it (well-formedness only); the server's policy refuses loopback.
        let world = try await World(policy: WebhookURLPolicy())
        let receiver = try await Receiver.start()
        let (webhook, _) = try await world.subscribe(receiver.url)
        _ = try await world.raise()
        await world.dispatcher.pass()
        let entry = try #require(try await world.log(webhook).first)
        #expect(entry.state == .failed)
        #expect(entry.attempts.first?.response.hasPrefix("refused") == true)
        #expect(receiver.requests.isEmpty)
        await receiver.stop()
        await world.close()
    }

    @Test func theURLPolicyRefusesWhatIsNotPublicHTTPS() async throws {
        let strict = WebhookURLPolicy()
        for bad in ["ftp://example.com/h", "not a url", "https://", "https://user:pw@example.com/h", "https://example.com/h#x",
                    "http://93.184.216.34/h", "https://127.0.0.1/h", "https://localhost/h", "https://10.1.2.3/h",
                    "https://172.20.0.1/h", "https://192.168.1.1/h", "https://169.254.169.254/latest", "https://0.0.0.0/h",
                    "https://[::1]/h", "https://[::ffff:127.0.0.1]/h", "https://[fe80::1]/h", "https://[fd00::1]/h"] {
            await #expect(throws: ValidationError.self, "\(bad)") { try await strict.check(bad) }
        }
        try await strict.check("https://93.184.216.34/hook")
        try await WebhookURLPolicy(allowHTTP: true, allowPrivate: false).check("http://93.184.216.34/hook")
        try await WebhookURLPolicy(allowHTTP: true, allowPrivate: true).check("http://127.0.0.1:9/hook")
        // admin: well-formed is enough.
        try WebhookURLPolicy.checkWellFormed("http://127.0.0.1/hook")
        #expect(throws: ValidationError.self) { try WebhookURLPolicy.checkWellFormed("ftp://example.com") }
    }

    /// DNS rebinding: the name answers a public address to the check and an inside one a moment
    /// later. The check pins the batch to the address it allowed; the next check refuses.
    @Test func aCheckedNameIsPinnedToTheAddressTheCheckAllowed() async throws {
        let answers = Mutex([["93.184.216.34", "2606:2800::1"], ["127.0.0.1"]])
        let policy = WebhookURLPolicy(allowHTTP: false, allowPrivate: false) { host in
            #expect(host == "hooks.example.com")
            return answers.withLock { $0.removeFirst() }.compactMap(IPAddress.init)
        }
        let target = try await policy.target("https://hooks.example.com/h")
        #expect(target.address == "93.184.216.34")
        #expect(target.url.absoluteString == "https://hooks.example.com/h")
        await #expect(throws: ValidationError.self) { try await policy.target("https://hooks.example.com/h") }
        // Nothing to pin: an address already, or private targets allowed.
        #expect(try await policy.target("https://93.184.216.34/h").address == nil)
        #expect(try await WebhookURLPolicy(allowHTTP: true, allowPrivate: true).target("http://localhost:9/h").address == nil)
    }

    /// The sender connects to the pinned address whatever the name leads to: `.invalid` names
    /// never resolve (RFC 6761), so only the pin can reach the receiver, and the request still
    /// names the host the webhook's URL gave.
    @Test func aPinnedDeliveryConnectsToTheCheckedAddressNotWhereTheNameLeads() async throws {
        let receiver = try await Receiver.start(.status(200))
        let sender = WebhookSender(timeout: .seconds(5))
        let url = "http://rebound.invalid:\(receiver.port)/hook"
        let signature = WebhookSignature(eventID: EventID.generate(), body: Array("{}".utf8), at: Date(), secrets: [WebhookSecret()])
        let unpinned = await sender.send(url: url, body: "{}", type: .keysCreated, signature: signature)
        #expect(unpinned.statusCode == nil)
        #expect(receiver.requests.isEmpty)
        let pinned = await sender.send(url: url, address: "127.0.0.1", body: "{}", type: .keysCreated, signature: signature)
        #expect(pinned.statusCode == 200)
        #expect(receiver.requests.count == 1)
        #expect(receiver.requests.first?.authority == "rebound.invalid:\(receiver.port)")
        await receiver.stop()
    }

    /// Each name and address gets a client of its own; the oldest are let go past the limit.
    @Test func pinnedClientsAreKeptPerNameAndAddressUpToALimit() async {
        let clients = PinnedClients(limit: 2, retireAfter: .zero)
        let first = clients.client(host: "a.example.com", address: "93.184.216.34")
        #expect(clients.client(host: "a.example.com", address: "93.184.216.34") === first)
        // Another spelling of the name is another client: the override is looked up as written.
        let otherSpelling = clients.client(host: "A.example.com", address: "93.184.216.34")
        #expect(otherSpelling !== first)
        #expect(clients.client(host: "a.example.com", address: "93.184.216.35") !== first)
        _ = clients.client(host: "b.example.com", address: "93.184.216.34")
        #expect(clients.count == 2)
        #expect(clients.client(host: "a.example.com", address: "93.184.216.34") !== first)
        await clients.shutdown()
    }

    @Test func signingSecretsAreSealedNotStored() async throws {
        let world = try await World()
        let (webhook, secret) = try await world.subscribe("https://example.com/hook")
        let stored = try #require(try await world.storage.webhook(id: webhook.id))
        #expect(!stored.sealedSecret.contains(String(secret.value.dropFirst(6))))
        #expect(try world.key.open(stored.sealedSecret, for: webhook.id.rawValue) == secret)
        let otherKey = try SecretKey(bytes: Array(repeating: 1, count: 32))
        #expect(throws: (any Error).self) { try otherKey.open(stored.sealedSecret, for: webhook.id.rawValue) }
        #expect(throws: (any Error).self) { try world.key.open(stored.sealedSecret, for: "wh_someoneelse") }
        #expect("\(secret)" == "whsec_…")
        await world.close()
    }

    @Test func metricsCountDeliveriesByOutcomeAndTheQueue() async throws {
        let world = try await World()
        let receiver = try await Receiver.start(.status(500))
        _ = try await world.subscribe(receiver.url)
        _ = try await world.raise()
        _ = try await world.raise()
        world.clock.advance(by: 5)
        let stats = try await world.storage.deliveryQueueStats(at: world.clock.now())
        #expect(stats.depth == 2)
        #expect(stats.oldestPendingAge == 5)
        await world.dispatcher.pass()
        WebhookMetrics(registry: world.registry).report(try await world.storage.deliveryQueueStats(at: world.clock.now()))
        var buffer: [UInt8] = []
        world.registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.contains(#"better_i18n_webhook_deliveries_total{outcome="retrying"} 2"#))
        #expect(text.contains("better_i18n_webhook_queue_depth 0"))
        #expect(text.contains("better_i18n_webhook_oldest_pending_seconds 0"))
        await receiver.stop()
        await world.close()
    }

    @Test func theDispatcherEndsOnGracefulShutdown() async throws {
        let world = try await World()
        let group = ServiceGroup(services: [world.dispatcher], gracefulShutdownSignals: [], logger: .quiet)
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        // Without a graceful end this never returns; the bound only leaves room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(8))
        await world.close()
    }
}
