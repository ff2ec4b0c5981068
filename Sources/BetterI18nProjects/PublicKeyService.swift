import BetterI18nCore
import BetterI18nStorage
import Foundation
import Synchronization

/// Public Content API keys (`bi_pub_…`, SPEC §10): one project each, read-only, published
/// content only. Made by `admin create-public-key` and **Settings → API keys**; only a
/// SHA-256 digest is stored and the key is shown once.
public struct PublicKeyService: Sendable {
    public typealias Stores = ContentStore & ProjectStore & OrganizationStore

    let storage: any Stores
    let clock: any WallClock
    let random: any RandomSource
    /// Keys by digest, trusted for half a second: another instance's revocation is seen
    /// within a second, this instance's at once.
    let cache: FreshnessCache<SecretDigest, CachedKey>
    /// When each key's `last_used_at` was last written here: at most once a minute per key.
    let lastMarked: LastUseMarks

    public struct CachedKey: Sendable {
        public let record: PublicKeyRecord?
    }

    public init(storage: any Stores, clock: any WallClock, random: any RandomSource = SystemRandomSource(),
                cache: FreshnessCache<SecretDigest, CachedKey> = .init(lifetime: .milliseconds(500))) {
        self.storage = storage
        self.clock = clock
        self.random = random
        self.cache = cache
        self.lastMarked = LastUseMarks()
    }

    public enum Failure: Error, Equatable, Sendable {
        case unknownOrganization, unknownProject, unknownKey
        case invalidName(String)
        /// The user is not an owner or admin of the key's organization.
        case forbidden
    }

    /// The projects a user may manage keys of (organizations they own or administer), with
    /// their organization's name, and those projects' keys, newest first.
    public func dashboard(for user: UserID) async throws -> (projects: [(organization: String, project: Project)], keys: [PublicKeyRecord]) {
        var projects: [(String, Project)] = []
        var keys: [PublicKeyRecord] = []
        for membership in try await storage.memberships(of: user) where membership.role.canAdminister {
            for project in try await storage.projects(in: membership.organization.id) {
                projects.append((membership.organization.name, project))
            }
            keys += try await storage.publicKeys(in: membership.organization.id)
        }
        return (projects, keys.sorted { $0.createdAt > $1.createdAt })
    }

    /// Creates a key from the dashboard: owners and admins of the project's organization only.
    public func create(projectID raw: String, name: String?, by user: UserID) async throws -> (key: PublicKeyRecord, secret: Secret) {
        guard let id = ProjectID(raw), let project = try await storage.project(id: id) else { throw Failure.unknownProject }
        guard try await storage.role(of: user, in: project.organizationID)?.canAdminister == true else { throw Failure.forbidden }
        return try await create(for: project, name: name)
    }

    /// Revokes a key from the dashboard: owners and admins of its organization only.
    public func revoke(_ rawID: String, by user: UserID) async throws {
        guard let id = PublicKeyID(rawID), let key = try await storage.publicKey(id: id) else { throw Failure.unknownKey }
        guard try await storage.role(of: user, in: key.organizationID)?.canAdminister == true else { throw Failure.unknownKey }
        try await revoke(rawID, in: key.organizationID)
    }

    /// Creates a key for a project; the secret is in the answer and nowhere else.
    public func create(organization: Slug, project: Slug, name: String?) async throws -> (key: PublicKeyRecord, secret: Secret) {
        guard let org = try await storage.organization(slug: organization) else { throw Failure.unknownOrganization }
        guard let found = try await storage.project(organization: org.id, slug: project) else { throw Failure.unknownProject }
        return try await create(for: found, name: name)
    }

    public func create(for project: Project, name: String?) async throws -> (key: PublicKeyRecord, secret: Secret) {
        let name = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.count <= 100 else { throw Failure.invalidName("a key name is at most 100 characters") }
        let secret = Secret(kind: .publicContentKey, random: random)
        let record = PublicKeyRecord(
            id: .generate(using: random), organizationID: project.organizationID, projectID: project.id,
            name: name.isEmpty ? "Public key" : name, digest: secret.digest, createdAt: clock.now(), lastUsedAt: nil, revokedAt: nil
        )
        try await storage.createPublicKey(record)
        return (record, secret)
    }

    public func keys(in organization: OrganizationID?) async throws -> [PublicKeyRecord] {
        try await storage.publicKeys(in: organization)
    }

    /// Revokes a key; effective here at once and on other instances within a second.
    @discardableResult
    public func revoke(_ rawID: String, in organization: OrganizationID? = nil) async throws -> PublicKeyRecord {
        guard let id = PublicKeyID(rawID), let key = try await storage.publicKey(id: id),
              organization == nil || key.organizationID == organization else { throw Failure.unknownKey }
        _ = try await storage.revokePublicKey(id, at: clock.now())
        cache.remove(key.digest)
        return key
    }

    /// The live key a request presents, or nil (unknown, revoked, malformed).
    public func authenticate(_ presented: String) async throws -> PublicKeyRecord? {
        guard presented.hasPrefix(SecretKind.publicContentKey.prefix), SecretFormatCheck(presented).isValid else { return nil }
        let digest = SecretDigest(of: presented)
        let record: PublicKeyRecord?
        if let cached = cache.value(for: digest) {
            record = cached.record
        } else {
            record = try await storage.publicKey(digest: digest)
            cache.store(CachedKey(record: record), for: digest)
        }
        guard let record, record.revokedAt == nil else { return nil }
        let now = clock.now()
        if lastMarked.shouldMark(record.id, at: now) {
            // Once a minute per key: the request that marks waits for one small write.
            try? await storage.markPublicKeyUsed(record.id, at: now)
        }
        return record
    }
}

/// Remembers when each key's last use was written, so a busy key costs one write a minute.
final class LastUseMarks: Sendable {
    private let marks = Mutex<[PublicKeyID: Date]>([:])

    func shouldMark(_ id: PublicKeyID, at now: Date) -> Bool {
        marks.withLock { marks in
            if let last = marks[id], now.timeIntervalSince(last) < 60 { return false }
            if marks.count > 10_000 { marks.removeAll() }
            marks[id] = now
            return true
        }
    }
}
