import BetterI18nAccounts
import BetterI18nCore
import BetterI18nHTTP
import ServiceLifecycle
import BetterI18nStorage
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// SPEC §4 sign-in rules, below HTTP.
@Suite struct AccountTests {
    let fixture: Fixture
    let accounts: AccountService
    let password = "correct horse battery"

    init() async throws {
        fixture = try await Fixture()
        accounts = AccountService(
            storage: fixture.storage, hasher: PasswordHasher(cost: 4), throttle: SignInThrottle(clock: fixture.clock),
            clock: fixture.clock, sessionLifetime: 3600
        )
    }

    @Test func signInCreatesASessionStoredByDigest() async throws {
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "Dana", password: password)
        guard case .signedIn(let secret, let signedIn) = try await accounts.signIn(
            email: user.email.value.uppercased(), password: password, clientAddress: "10.0.0.1"
        ) else {
            Issue.record("expected sign-in to succeed")
            return
        }
        #expect(signedIn == user)
        #expect(SecretFormatCheck(secret.value) == .valid(.session))
        #expect(try await fixture.storage.session(digest: secret.digest)?.userID == user.id)
        #expect(try await accounts.user(forSession: secret.value) == user)
    }

    @Test func unknownEmailAndWrongPasswordGetTheSameAnswer() async throws {
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "Dana", password: password)
        let wrongPassword = try await accounts.signIn(email: user.email.value, password: "not the password", clientAddress: "a")
        let unknownEmail = try await accounts.signIn(email: Unique.email(), password: password, clientAddress: "b")
        let malformedEmail = try await accounts.signIn(email: "not an email", password: password, clientAddress: "c")
        for result in [wrongPassword, unknownEmail, malformedEmail] {
            guard case .invalidCredentials = result else {
                Issue.record("expected invalidCredentials, got \(result)")
                continue
            }
        }
    }

    @Test func tenFailuresAMinutePerAccountAreThrottled() async throws {
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "Dana", password: password)
        for attempt in 0..<10 {
            // Different addresses, so only the per-account counter can trip.
            let result = try await accounts.signIn(email: user.email.value, password: "wrong", clientAddress: "10.0.0.\(attempt)")
            guard case .invalidCredentials = result else {
                Issue.record("attempt \(attempt) should be an ordinary failure")
                return
            }
        }
        guard case .throttled(let wait) = try await accounts.signIn(email: user.email.value, password: password, clientAddress: "10.9.9.9") else {
            Issue.record("the eleventh attempt should be throttled, even with the right password")
            return
        }
        #expect(wait > 0 && wait <= 60)
        fixture.clock.advance(by: 61)
        guard case .signedIn = try await accounts.signIn(email: user.email.value, password: password, clientAddress: "10.9.9.9") else {
            Issue.record("after the window the right password works again")
            return
        }
    }

    @Test func tenFailuresAMinutePerAddressAreThrottled() async throws {
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "Dana", password: password)
        for _ in 0..<10 {
            _ = try await accounts.signIn(email: Unique.email(), password: "wrong", clientAddress: "192.0.2.7")
        }
        guard case .throttled = try await accounts.signIn(email: user.email.value, password: password, clientAddress: "192.0.2.7") else {
            Issue.record("the address is throttled across accounts")
            return
        }
        guard case .signedIn = try await accounts.signIn(email: user.email.value, password: password, clientAddress: "192.0.2.8") else {
            Issue.record("another address is not throttled")
            return
        }
    }

    /// The failure is counted before bcrypt runs: of a concurrent burst of wrong passwords for
    /// one account, ten reach bcrypt and the rest are throttled without hashing.
    @Test func aConcurrentBurstOfWrongPasswordsRunsBcryptOnlyTenTimes() async throws {
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "Dana", password: password)
        let accounts = self.accounts
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<40 {
                group.addTask {
                    let result = try await accounts.signIn(email: user.email.value, password: "wrong \(attempt)", clientAddress: "10.1.0.\(attempt)")
                    if case .invalidCredentials = result { return true }
                    return false
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 10, "only ten attempts got as far as bcrypt")
    }

    /// bcrypt has a pool of its own: with every thread of NIO's shared pool (where SQLite reads
    /// run) busy, a password is still verified — and so a sign-in flood cannot starve the pool
    /// that token checks and `/healthz` use.
    @Test func bcryptRunsOnItsOwnPoolBesideTheSharedOne() async throws {
        let hash = try await PasswordHasher(cost: 4).hash(password)
        let release = DispatchSemaphore(value: 0)
        let released = Atomic<Bool>(false)
        let threads = System.coreCount
        for _ in 0..<threads {
            NIOThreadPool.singleton.submit { _ in release.wait() }
        }
        // A safety net only: never let a failing run hold the shared pool for long.
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) {
            if !released.exchange(true, ordering: .relaxed) { for _ in 0..<threads { release.signal() } }
        }
        let verified = try await PasswordHasher(cost: 4).verify(password, against: hash)
        let heldUntilVerified = !released.exchange(true, ordering: .relaxed)
        if heldUntilVerified { for _ in 0..<threads { release.signal() } }
        #expect(verified)
        #expect(heldUntilVerified, "the verification did not wait for NIO's shared pool")
    }

    @Test func theSignInThrottleTracksABoundedNumberOfKeys() async throws {
        let throttle = SignInThrottle(capacity: 500, clock: fixture.clock)
        for index in 0..<5_000 { _ = await throttle.admit(["address:10.\(index)"]) }
        #expect(await throttle.trackedKeys <= 500)
    }

    @Test func sessionsExpire() async throws {
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "Dana", password: password)
        guard case .signedIn(let secret, _) = try await accounts.signIn(email: user.email.value, password: password, clientAddress: "a") else {
            Issue.record("expected sign-in")
            return
        }
        fixture.clock.advance(by: 3599)
        #expect(try await accounts.user(forSession: secret.value) == user)
        fixture.clock.advance(by: 2)
        #expect(try await accounts.user(forSession: secret.value) == nil)
    }

    @Test func signOutEndsTheSession() async throws {
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "Dana", password: password)
        guard case .signedIn(let secret, _) = try await accounts.signIn(email: user.email.value, password: password, clientAddress: "a") else {
            Issue.record("expected sign-in")
            return
        }
        try await accounts.signOut(session: secret.value)
        #expect(try await accounts.user(forSession: secret.value) == nil)
    }

    @Test func forgedOrMalformedSessionCookiesFindNobody() async throws {
        #expect(try await accounts.user(forSession: nil) == nil)
        #expect(try await accounts.user(forSession: "") == nil)
        #expect(try await accounts.user(forSession: Secret(kind: .session).value) == nil)
        #expect(try await accounts.user(forSession: Secret(kind: .accessToken).value) == nil)
    }

    @Test func passwordsAreStoredAsBcryptHashes() async throws {
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "Dana", password: password)
        let hash = try #require(try await fixture.storage.credentials(email: user.email)?.passwordHash)
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(!hash.contains(password))
    }
}

/// SPEC §2 admin operations: validated before anything is written.
@Suite struct AdminServiceTests {
    let fixture: Fixture

    init() async throws {
        fixture = try await Fixture()
    }

    @Test func badInputIsRefusedWithTheFieldNamed() async throws {
        let email = await #expect(throws: ValidationError.self) {
            _ = try await fixture.admin.createUser(email: "nope", name: "A", password: "long enough password")
        }
        #expect(email?.field == "email")
        let password = await #expect(throws: ValidationError.self) {
            _ = try await fixture.admin.createUser(email: Unique.email(), name: "A", password: "short")
        }
        #expect(password?.field == "password")
        #expect(try await fixture.storage.userCount() == 0)
    }

    @Test func duplicatesAndUnknownsAreRefusedAndNothingIsWritten() async throws {
        let (user, organization, _) = try await fixture.seedOrganization()
        await #expect(throws: AdminError.self) {
            _ = try await fixture.admin.createUser(email: user.email.value, name: "Again", password: "long enough password")
        }
        await #expect(throws: AdminError.self) {
            _ = try await fixture.admin.createOrganization(slug: organization.slug.value, name: "Again", ownerEmail: user.email.value)
        }
        await #expect(throws: AdminError.self) {
            _ = try await fixture.admin.createOrganization(slug: Unique.slug(), name: "X", ownerEmail: Unique.email())
        }
        await #expect(throws: AdminError.self) {
            _ = try await fixture.admin.createProject(organizationSlug: "no-such-org", slug: "proj", name: "P", sourceLanguage: "en", languages: [])
        }
        await #expect(throws: AdminError.self) {
            _ = try await fixture.admin.addMember(organizationSlug: organization.slug.value, email: user.email.value, role: "admin")
        }
        #expect(try await fixture.storage.userCount() == 1)
        #expect(try await fixture.storage.memberships(of: user.id).count == 1)
    }

    @Test func aProjectWithAnInvalidLanguageIsNotCreated() async throws {
        let (_, organization, _) = try await fixture.seedOrganization()
        await #expect(throws: ValidationError.self) {
            _ = try await fixture.admin.createProject(
                organizationSlug: organization.slug.value, slug: "mobile", name: "Mobile", sourceLanguage: "en", languages: ["de", "not a code"]
            )
        }
        #expect(try await fixture.storage.project(organization: organization.id, slug: Slug("mobile")) == nil)
    }

    @Test func projectLanguagesAreLowercaseAndDeduplicated() async throws {
        let (_, organization, _) = try await fixture.seedOrganization()
        let (project, languages) = try await fixture.admin.createProject(
            organizationSlug: organization.slug.value, slug: "mobile", name: "Mobile", sourceLanguage: "EN", languages: ["pt-BR", "de", "en", "DE"]
        )
        #expect(project.sourceLanguage.value == "en")
        #expect(languages.map(\.code.value) == ["en", "pt-br", "de"])
        #expect(try await fixture.storage.languages(of: project.id).map(\.code.value) == ["en", "de", "pt-br"])
    }

    @Test func webClientsGetASecretShownOnceAndStoredAsDigest() async throws {
        let (web, secret) = try await fixture.admin.createClient(
            name: "Sync", type: "web", redirectURIs: ["https://p.example.com/cb"], ownerEmail: nil
        )
        let shown = try #require(secret)
        #expect(SecretFormatCheck(shown.value) == .valid(.clientSecret))
        #expect(try await fixture.storage.client(id: web.id)?.secretDigest == shown.digest)
        let (native, none) = try await fixture.admin.createClient(
            name: "CLI", type: "native", redirectURIs: ["http://127.0.0.1/cb"], ownerEmail: nil
        )
        #expect(none == nil)
        #expect(native.secretDigest == nil)
    }

    @Test func clientsWithBadRedirectURIsAreNotCreated() async throws {
        await #expect(throws: ValidationError.self) {
            _ = try await fixture.admin.createClient(name: "Bad", type: "web", redirectURIs: ["http://evil.example.com/cb"], ownerEmail: nil)
        }
        await #expect(throws: ValidationError.self) {
            _ = try await fixture.admin.createClient(name: "None", type: "web", redirectURIs: [], ownerEmail: nil)
        }
        await #expect(throws: ValidationError.self) {
            _ = try await fixture.admin.createClient(name: "Type", type: "desktop", redirectURIs: ["https://a.example.com/cb"], ownerEmail: nil)
        }
    }

    @Test func demoSeedRunsOnceOnAnEmptyDatabase() async throws {
        let seed = DemoSeed(admin: fixture.admin)
        let credentials = try #require(try await seed.seedIfEmpty())
        #expect(try await seed.seedIfEmpty() == nil)
        let organization = try #require(try await fixture.storage.organization(slug: Slug(credentials.organizationSlug)))
        let project = try #require(try await fixture.storage.project(organization: organization.id, slug: Slug(credentials.projectSlug)))
        #expect(try await fixture.storage.languages(of: project.id).map(\.code.value) == ["en", "de", "fr"])
        #expect(try await fixture.storage.keys(in: project.id, includingDeleted: false).count >= 24)
        #expect(try await fixture.storage.client(id: credentials.confidentialClientID)?.type == .web)
        #expect(try await fixture.storage.client(id: credentials.publicClientID)?.type == .native)
    }
}

extension AccountService.SignInResult: CustomStringConvertible {
    public var description: String {
        switch self {
        case .signedIn: "signedIn"
        case .invalidCredentials: "invalidCredentials"
        case .throttled(let seconds): "throttled(\(seconds))"
        }
    }
}

/// Expired sessions and pending requests are swept, live ones kept.
@Suite struct HousekeepingTests {
    @Test func sweepingDeletesOnlyWhatExpired() async throws {
        let fixture = try await Fixture()
        let user = try await fixture.admin.createUser(email: Unique.email(), name: "U", password: "long enough password")
        let now = fixture.clock.now()
        let expired = DashboardSession(digest: Secret(kind: .session).digest, userID: user.id, createdAt: now, expiresAt: now.addingTimeInterval(10))
        let live = DashboardSession(digest: Secret(kind: .session).digest, userID: user.id, createdAt: now, expiresAt: now.addingTimeInterval(1000))
        try await fixture.storage.createSession(expired)
        try await fixture.storage.createSession(live)
        fixture.clock.advance(by: 11)
        let removed = await Housekeeping(storage: fixture.storage, clock: fixture.clock, logger: .quiet).sweep()
        #expect(removed == 1)
        #expect(try await fixture.storage.session(digest: expired.digest) == nil)
        #expect(try await fixture.storage.session(digest: live.digest) == live)
    }
}

extension HousekeepingTests {
    @Test func housekeepingStopsAtOnceOnGracefulShutdown() async throws {
        let fixture = try await Fixture()
        let group = ServiceGroup(
            services: [Housekeeping(storage: fixture.storage, clock: fixture.clock, logger: .quiet, interval: .seconds(3600))],
            gracefulShutdownSignals: [], cancellationSignals: [], logger: .quiet
        )
        let stopped = try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask { try await group.run(); return true }
            tasks.addTask {
                try await Task.sleep(for: .milliseconds(100))
                await group.triggerGracefulShutdown()
                // A bound for a hang, not a timing assertion: an hour-long sleep must not hold shutdown.
                try await Task.sleep(for: .seconds(10))
                return false
            }
            let first = try await tasks.next() ?? false
            tasks.cancelAll()
            return first
        }
        #expect(stopped, "the service returned after graceful shutdown")
    }
}
