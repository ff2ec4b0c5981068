import BetterI18nCore
import Foundation

/// Content CMS reads and writes inside one transaction (SPEC §10): a service checks what it
/// must (slugs, relations, the `single` limit) and writes, all on one transaction, so a
/// refusal writes nothing and a later issue can record an event in the same transaction.
public protocol ContentTransaction: Sendable {
    func models(in project: ProjectID) async throws -> [ContentModelRecord]
    func model(_ id: ContentModelID) async throws -> ContentModelRecord?
    func model(in project: ProjectID, slug: String) async throws -> ContentModelRecord?
    /// Inserts (`isNew`) or replaces a model; ``StorageError/conflict(_:)`` when the slug is
    /// taken in the project.
    func saveModel(_ model: ContentModelRecord, isNew: Bool) async throws
    /// Deletes the model with its entries and their languages.
    func deleteModel(_ id: ContentModelID) async throws
    /// Entries per model of the project: all of them, and those the public API may serve.
    func entryCounts(in project: ProjectID) async throws -> [ContentModelID: ContentEntryCount]
    /// Every entry of the model with its languages, oldest first.
    func entries(of model: ContentModelID) async throws -> [ContentEntryRecord]
    func entry(_ id: ContentEntryID) async throws -> ContentEntryRecord?
    func entry(of model: ContentModelID, slug: String) async throws -> ContentEntryRecord?
    /// The entries among these ids (any model), with their languages.
    func entries(ids: [ContentEntryID]) async throws -> [ContentEntryRecord]
    /// Inserts (`isNew`) or replaces an entry and its languages; ``StorageError/conflict(_:)``
    /// when the slug is taken in the model.
    func saveEntry(_ entry: ContentEntryRecord, isNew: Bool) async throws
    func deleteEntry(_ id: ContentEntryID) async throws
    /// Writes events into the outbox in this transaction, so a committed write always has them.
    func record(_ events: [OutboxEvent]) async throws
}

public struct ContentEntryCount: Sendable, Equatable {
    public var all: Int
    public var published: Int
    public init(all: Int, published: Int) {
        self.all = all
        self.published = published
    }
}

/// Content models, entries and public keys.
public protocol ContentStore: Sendable {
    /// Runs `body` on committed data (no write may be made through it).
    func readingContent<T: Sendable>(_ body: @escaping @Sendable (any ContentTransaction) async throws -> T) async throws -> T
    /// Runs `body` in one write transaction: all of it is stored, or none when it throws.
    func writingContent<T: Sendable>(_ body: @escaping @Sendable (any ContentTransaction) async throws -> T) async throws -> T

    func createPublicKey(_ key: PublicKeyRecord) async throws
    /// The key with this digest, revoked or not.
    func publicKey(digest: SecretDigest) async throws -> PublicKeyRecord?
    func publicKey(id: PublicKeyID) async throws -> PublicKeyRecord?
    /// Keys of one organization, or of all, newest first.
    func publicKeys(in organization: OrganizationID?) async throws -> [PublicKeyRecord]
    /// Revokes a live key; false when there is no such key or it was revoked already.
    func revokePublicKey(_ id: PublicKeyID, at time: Date) async throws -> Bool
    func markPublicKeyUsed(_ id: PublicKeyID, at time: Date) async throws
}
