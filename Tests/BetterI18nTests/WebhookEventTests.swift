import BetterI18nAccounts
import struct BetterI18nAPI.NewKey
import BetterI18nCore
import BetterI18nFormats
import BetterI18nOAuth
import BetterI18nProjects
import BetterI18nStorage
import BetterI18nWebhooks
import Foundation
import Testing

extension Fixture {
    /// A fixture on a storage of its own (a fresh PostgreSQL database), for tests that fan
    /// out and claim deliveries.
    init(isolated backend: Backend) async throws {
        storage = try await backend.openIsolated()
        databasePath = nil
        clock = ManualWallClock()
        admin = Self.admin(on: storage, clock: clock)
    }
}

/// Events and webhooks: every change writes its event in its own transaction (the outbox),
/// and fan-out gives each webhook what it may see.
@Suite struct WebhookEventTests {
    struct World {
        let fixture: Fixture
        let user: User
        let organization: BetterI18nCore.Organization
        let project: BetterI18nCore.Project
        let other: BetterI18nCore.Project
        let key = try! SecretKey(bytes: Array(repeating: 7, count: 32))
        var storage: SQLStorage { fixture.storage }
        var clock: ManualWallClock { fixture.clock }
        var keys: KeyService { KeyService(storage: storage, clock: clock) }
        var webhooks: WebhookService { WebhookService(storage: storage, secretKey: key, policy: nil, clock: clock) }

        init(_ backend: Backend) async throws {
            fixture = try await Fixture(isolated: backend)
            (user, organization, project) = try await fixture.seedOrganization()
            other = try await fixture.admin.createProject(
                organizationSlug: organization.slug.value, slug: "mobile", name: "Mobile", sourceLanguage: "en", languages: []
            ).project
        }

        func write(_ names: [String], in project: BetterI18nCore.Project) async throws -> [TranslationKey] {
            try await keys.createKeys(names.map { NewKey(name: $0, translations: ["en": "Hello"]) }, in: project, policy: .skip, author: "test").created
        }

        func payload(_ body: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        }
    }

    @Test(arguments: Backend.available)
    func servicesRaiseEveryResourceEventWithItsChange(backend: Backend) async throws {
        let world = try await World(backend)
        let created = try await world.write(["title", "body"], in: world.project)
        world.clock.advance(by: 1)
        _ = try await world.keys.setTranslations([.init(keyID: created[0].id.rawValue, language: "de", value: "Titel")], in: world.project, author: "t")
        world.clock.advance(by: 1)
        _ = try await world.keys.deleteKeys([created[1].id.rawValue], in: world.project)
        world.clock.advance(by: 1)
        try await ProjectService(storage: world.storage, views: ProjectViews(storage: world.storage), clock: world.clock, random: SystemRandomSource())
            .addLanguage("fr", to: world.project)
        world.clock.advance(by: 1)
        let release = try await ReleaseService(storage: world.storage, clock: world.clock, random: SystemRandomSource(), cdnURL: "https://cdn.example.com")
            .publish(world.project, languages: nil, by: .operator)

        // One request's keys.created and translations.updated share a time; order the rest.
        let events = try await world.storage.outbox()
        #expect(Set(events.prefix(2).map(\.type)) == [.keysCreated, .translationsUpdated])
        #expect(events.dropFirst(2).map(\.type) == [.translationsUpdated, .keysDeleted, .languageAdded, .releasePublished])
        let published = try world.payload(events.last!.body)
        #expect(published["organization_id"] as? String == world.organization.id.rawValue)
        #expect(published["project_id"] as? String == world.project.id.rawValue)
        #expect((published["id"] as? String)?.hasPrefix("evt_") == true)
        let data = try #require(published["data"] as? [String: Any])
        #expect(data["version"] as? Int == release.version)
        #expect(data["manifest_url"] as? String == "https://cdn.example.com/\(world.organization.slug.value)/web/v\(release.version)/manifest.json")
        #expect((data["languages"] as? [String])?.contains("de") == true)
        let update = try #require(try world.payload(events[2].body)["data"] as? [String: Any])
        #expect(update["languages"] as? [String] == ["de"])
        #expect((update["keys"] as? [[String: Any]])?.first?["name"] as? String == "title")
    }

    @Test(arguments: Backend.available)
    func contentWritesRaiseTheirEventsAndRefusalsNone(backend: Backend) async throws {
        let world = try await World(backend)
        let content = ContentService(storage: world.storage, clock: world.clock, random: SystemRandomSource())
        _ = try await content.createModel(.init(slug: "blog", fields: [.init(name: "subtitle", type: "text", localized: true)]), in: world.project)
        let created = try await content.createEntry(.init(slug: "hello", translations: ["en": .init(title: "Hello")]), in: "blog", project: world.project)
        // A refused write (bad slug) commits no event.
        await #expect(throws: (any Error).self) {
            _ = try await content.createEntry(.init(slug: "Not A Slug", translations: ["en": .init(title: "x")]), in: "blog", project: world.project)
        }
        world.clock.advance(by: 1)
        _ = try await content.updateEntry(created.entry.id.rawValue, .init(status: "published"), in: world.project)
        world.clock.advance(by: 1)
        _ = try await content.unpublishEntry(created.entry.id.rawValue, languages: ["en"], in: world.project)
        world.clock.advance(by: 1)
        try await content.deleteEntry(created.entry.id.rawValue, in: world.project)

        let events = try await world.storage.outbox()
        // The update that published raises both at one time; order the rest.
        #expect(events.count == 5)
        #expect(events.first?.type == .contentEntryCreated)
        #expect(Set(events.dropFirst().prefix(2).map(\.type)) == [.contentEntryUpdated, .contentEntryPublished])
        #expect(events.suffix(2).map(\.type) == [.contentEntryUnpublished, .contentEntryDeleted])
        for event in events {
            let body = try world.payload(event.body)
            #expect(body["project_id"] as? String == world.project.id.rawValue)
            let data = try #require(body["data"] as? [String: Any])
            #expect(data["entry_id"] as? String == created.entry.id.rawValue)
            #expect(data["model"] as? String == "blog")
            #expect(data["slug"] as? String == "hello")
            #expect(data["languages"] as? [String] == ["en"])
            #expect(!event.body.contains("Hello"), "events carry ids and names, never values")
        }
        #expect(EventType.contentEntryPublished.requiredScope == .contentRead)
    }

    @Test(arguments: Backend.available)
    func anImportRaisesItsEventsAndADryRunNone(backend: Backend) async throws {
        let world = try await World(backend)
        let existing = try await world.write(["title"], in: world.project)
        let files = FileService(storage: world.storage, clock: world.clock)
        let file = Array(#"{"title": "Titel", "greeting": "Hallo"}"#.utf8)
        _ = try await files.importFile(file, into: world.project, options: .init(format: .jsonFlat, language: "de", dryRun: true), author: "t")
        #expect(try await world.storage.outbox().count == 2, "a dry run writes no event")
        world.clock.advance(by: 1)
        _ = try await files.importFile(file, into: world.project, options: .init(format: .jsonFlat, language: "de"), author: "t")
        let events = try await world.storage.outbox().suffix(2)
        #expect(Set(events.map(\.type)) == [.keysCreated, .translationsUpdated])
        let update = try #require(events.first { $0.type == .translationsUpdated })
        let keys = try #require(try world.payload(update.body)["data"] as? [String: Any])["keys"] as? [[String: Any]]
        // Both the new key and the existing one that got a German value are named.
        #expect(Set(keys?.compactMap { $0["name"] as? String } ?? []) == ["title", "greeting"])
        #expect(keys?.contains { $0["id"] as? String == existing[0].id.rawValue } == true)
    }

    @Test(arguments: Backend.available)
    func aWriteThatFailsLeavesNoEvent(backend: Backend) async throws {
        let world = try await World(backend)
        _ = try await world.write(["title"], in: world.project)
        // A key created concurrently under the same name: the storage refuses, nothing commits.
        let now = world.clock.now()
        let clash = TranslationKey(id: .generate(), projectID: world.project.id, namespace: .default, name: try KeyName("title"),
                                   description: nil, createdAt: now, updatedAt: now)
        await #expect(throws: StorageError.self) {
            try await world.storage.createKeys([clash], translations: [], events: [.keysCreated(world.project, keys: [clash], at: now)])
        }
        // Invalid items never reach storage.
        await #expect(throws: KeyFailure.self) {
            _ = try await world.keys.setTranslations([.init(keyID: "key_nope", language: "de", value: "x")], in: world.project, author: "t")
        }
        #expect(Set(try await world.storage.outbox().map(\.type)) == [.keysCreated, .translationsUpdated])
        #expect(try await world.storage.outbox().count == 2)
    }

    @Test(arguments: Backend.available)
    func organizationWebhooksGetTheirEventsAndProjects(backend: Backend) async throws {
        let world = try await World(backend)
        let all = try await world.webhooks.create(organization: world.organization.id, url: "https://a.example.com/h", events: [], project: nil, by: .operator).webhook
        let keysOnly = try await world.webhooks.create(organization: world.organization.id, url: "https://b.example.com/h",
                                                       events: [.keysCreated], project: world.other.id, by: .operator).webhook
        _ = try await world.write(["a"], in: world.project)
        _ = try await world.write(["b"], in: world.other)
        #expect(try await world.storage.fanOutEvents(limit: 100, at: world.clock.now()) == 4)
        #expect(try await world.storage.deliveryLog(of: all.id, limit: 10).count == 4)
        let filtered = try await world.storage.deliveryLog(of: keysOnly.id, limit: 10)
        #expect(filtered.map(\.eventType) == [EventType.keysCreated])
        // Fanned out once: a second pass finds nothing.
        #expect(try await world.storage.fanOutEvents(limit: 100, at: world.clock.now()) == 0)
    }

    /// Fan-out reads its events outside the write transaction, so several passes (or instances)
    /// can read the same ones; each event still becomes one delivery per subscriber.
    @Test(arguments: Backend.available)
    func passesThatReadTheSameEventsFanEachOutOnce(backend: Backend) async throws {
        let world = try await World(backend)
        let hook = try await world.webhooks.create(organization: world.organization.id, url: "https://a.example.com/h", events: [], project: nil, by: .operator).webhook
        for index in 0..<12 { _ = try await world.write(["k\(index)"], in: world.project) }
        let now = world.clock.now()
        let fanned = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask { try await world.storage.fanOutAndClaim(fanOutLimit: 100, claimLimit: 0, at: now, lease: 60).fannedOut }
            }
            return try await group.reduce(0, +)
        }
        // Each write raised keys.created and translations.updated.
        #expect(fanned == 24)
        let log = try await world.storage.deliveryLog(of: hook.id, limit: 100)
        #expect(log.count == 24)
        #expect(Set(log.map(\.eventID)).count == 24)
        #expect(try await world.storage.fanOutEvents(limit: 100, at: now) == 0)
    }

    @Test(arguments: Backend.available)
    func appWebhooksFollowEachGrantsScopesAndProjects(backend: Backend) async throws {
        let world = try await World(backend)
        let owner = world.user.email.value
        let reader = try await world.fixture.admin.createClient(name: "Reader", type: "web", redirectURIs: ["https://r.example.com/cb"], ownerEmail: owner).client
        let keysApp = try await world.fixture.admin.createClient(name: "Keys", type: "web", redirectURIs: ["https://k.example.com/cb"], ownerEmail: owner).client
        for client in [reader, keysApp] {
            _ = try await world.webhooks.setAppWebhook(client: client.id, url: "https://\(client.name.lowercased()).example.com/h", by: .operator)
        }
        let approve: @Sendable (ClientID, [Scope], [ProjectID]) async throws -> Grant = { client, scopes, projects in
            let now = world.clock.now()
            return try await world.storage.approveGrant(
                newID: .generate(), clientID: client, organizationID: world.organization.id, userID: world.user.id,
                scopes: ScopeSet(scopes), projectIDs: projects, at: now,
                events: { previous, grant in previous == nil ? [.grantCreated(grant, at: now)] : [OutboxEvent.grantUpdated(from: previous!, to: grant, at: now)].compactMap { $0 } }
            ).grant
        }
        // Reader: translations of the first project only. Keys app: keys of every project.
        let readerGrant = try await approve(reader.id, [.translationsRead], [world.project.id])
        let keysGrant = try await approve(keysApp.id, [.keysRead], [])
        _ = try await world.write(["a"], in: world.project)
        _ = try await world.write(["b"], in: world.other)
        _ = try await world.storage.fanOutEvents(limit: 100, at: world.clock.now())
        let readerHook = try #require(try await world.storage.webhook(ofClient: reader.id))
        let keysHook = try #require(try await world.storage.webhook(ofClient: keysApp.id))
        #expect(Set(try await world.storage.deliveryLog(of: readerHook.id, limit: 20).map(\.eventType)) == [.grantCreated, .translationsUpdated])
        #expect(try await world.storage.deliveryLog(of: readerHook.id, limit: 20).filter { $0.eventType == .translationsUpdated }.count == 1)
        #expect(try await world.storage.deliveryLog(of: keysHook.id, limit: 20).map(\.eventType).sorted() == [.keysCreated, .keysCreated, .grantCreated].sorted())

        // Narrowing is an update with old and new; then revocation ends everything after it.
        world.clock.advance(by: 1)
        _ = try await approve(reader.id, [.translationsRead, .keysRead], [world.project.id])
        world.clock.advance(by: 1)
        _ = try await world.write(["c"], in: world.project)
        world.clock.advance(by: 1)
        _ = try await GrantService(storage: world.storage, clock: world.clock).revoke(readerGrant.id, actor: "operator", reason: .admin)
        _ = try await world.write(["d"], in: world.project)
        _ = try await world.storage.fanOutEvents(limit: 100, at: world.clock.now())
        let log = try await world.storage.deliveryLog(of: readerHook.id, limit: 50)
        let types = log.map(\.eventType)
        #expect(types.contains(.grantUpdated) && types.contains(.grantRevoked))
        // The write before the revocation was fanned out after it: cancelled, never sent.
        #expect(log.filter { $0.state == .pending }.allSatisfy { $0.eventType.isGrantLifecycle })
        #expect(try await world.storage.claimDeliveries(limit: 100, at: world.clock.now(), lease: 60)
            .filter { $0.webhook.id == readerHook.id }.allSatisfy { $0.eventType.isGrantLifecycle })
        let updated = try world.payload(try #require(try await world.storage.outbox([.grantUpdated]).first).body)
        let change = try #require(updated["data"] as? [String: Any])
        #expect((change["old"] as? [String: Any])?["scopes"] as? [String] == ["translations:read"])
        #expect((change["new"] as? [String: Any])?["scopes"] as? [String] == ["keys:read", "translations:read"])
        _ = keysGrant
    }

    @Test(arguments: Backend.available)
    func aDeliveryIsClaimedByOneCallerAndAgainAfterTheLeaseEnds(backend: Backend) async throws {
        let world = try await World(backend)
        let hook = try await world.webhooks.create(organization: world.organization.id, url: "https://a.example.com/h", events: [], project: nil, by: .operator).webhook
        for index in 0..<20 { _ = try await world.write(["k\(index)"], in: world.project) }
        _ = try await world.storage.fanOutEvents(limit: 100, at: world.clock.now())
        let now = world.clock.now()
        async let first = world.storage.claimDeliveries(limit: 25, at: now, lease: 60)
        async let second = world.storage.claimDeliveries(limit: 25, at: now, lease: 60)
        let (a, b) = try await (first, second)
        #expect(a.count + b.count == 40)
        #expect(Set(a.map(\.id)).isDisjoint(with: Set(b.map(\.id))))
        #expect(a.allSatisfy { $0.webhook.id == hook.id && $0.attempts == 0 })
        // A crash: nobody completes. Within the lease nothing is claimable; after it, all are.
        world.clock.advance(by: 59)
        #expect(try await world.storage.claimDeliveries(limit: 100, at: world.clock.now(), lease: 60).isEmpty)
        world.clock.advance(by: 2)
        let again = try await world.storage.claimDeliveries(limit: 100, at: world.clock.now(), lease: 60)
        #expect(again.count == 40)
        // The old claim can no longer record an outcome.
        let stale = try #require(a.first)
        let attempt = DeliveryAttempt(deliveryID: stale.id, webhookID: hook.id, attemptedAt: world.clock.now(), statusCode: 200,
                                      durationMilliseconds: 1, response: "")
        try await world.storage.completeDelivery(DeliveryOutcome(delivery: stale, attempt: attempt, retryAt: nil), disableAfter: 3 * 86_400)
        #expect(try await world.storage.deliveryLog(of: hook.id, limit: 100).allSatisfy { $0.attempts.isEmpty })
    }

    @Test func everyWayAGrantEndsRaisesItsEvent() async throws {
        let world = try await OAuthWorld()
        try await world.test { client in
            let driver = OAuthDriver(client: client, world: world)
            let grants = world.server.dependencies.oauth.grants
            // The user on Connected apps, the partner's uninstall, the operator.
            for reason in [GrantRevocationReason.user, .partner, .admin] {
                let tokens = try await driver.tokens()
                let id = GrantID(unchecked: tokens.grant_id)
                switch reason {
                case .user: _ = try await grants.revoke(id, by: world.owner)
                case .partner:
                    let answer = try await client.execute(uri: "/api/oauth-client/installations/\(id.rawValue)", method: .delete,
                                                          headers: [.authorization: "Bearer \(tokens.access_token)"])
                    #expect(answer.status == .noContent)
                case .admin: _ = try await Fixture.admin(on: world.storage, clock: world.clock).revokeGrant(id.rawValue)
                }
                world.clock.advance(by: 1)
            }
            let ended = try await world.storage.outbox([.grantRevoked]).map { try #require((try JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["data"] as? [String: Any]) }
            #expect(ended.compactMap { $0["reason"] as? String } == ["user", "partner", "admin"])
            #expect(try await world.storage.outbox([.grantCreated]).count == 3)

            // A token family ending while the grant stays: RFC 7009 revocation, reuse, replay.
            let live = try await driver.tokens()
            let revoked = try await driver.post([("token", live.refresh_token)], to: "/api/auth/mcp/revoke",
                                                basic: (world.web.id.rawValue, world.webSecret))
            #expect(revoked.status == .ok)
            world.clock.advance(by: 1)
            let fresh = try await driver.tokens()
            _ = try await driver.refresh(fresh.refresh_token)
            _ = try await driver.refresh(fresh.refresh_token)
            world.clock.advance(by: 1)
            let pkce = PKCEPair()
            let code = try await driver.code(pkce: pkce)
            _ = try await driver.exchange(code, pkce: pkce)
            _ = try await driver.exchange(code, pkce: pkce)
            let reasons = try await world.storage.outbox([.grantTokensRevoked]).compactMap {
                ((try JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["data"] as? [String: Any])?["reason"] as? String
            }
            #expect(reasons == ["revocation", "token_reuse", "code_replay"])
            // No token or secret in any event.
            for event in try await world.storage.outbox() {
                #expect(!event.body.contains("bi_rt_") && !event.body.contains("bi_at_") && !event.body.contains("bi_ac_"))
            }
        }
    }
}
