import BetterI18nCore
import BetterI18nStorage
import Foundation
import Synchronization

/// Client records kept for one second, so a busy token endpoint does not read the same client on
/// every request. One second is the staleness the spec allows for any revocation (SPEC §6.1):
/// a deleted client or a rotated secret stops working everywhere within it, and at once on the
/// instance that changed it (``ClientRegistry`` evicts).
public final class ClientCache: ClientStore {
    private struct Entry {
        let client: OAuthClient?
        let fetched: Date
    }

    private let storage: any ClientStore
    private let clock: any WallClock
    private let lifetime: TimeInterval
    private let entries = Mutex<[ClientID: Entry]>([:])

    public init(storage: any ClientStore, clock: any WallClock, lifetime: TimeInterval = 1) {
        self.storage = storage
        self.clock = clock
        self.lifetime = lifetime
    }

    public func client(id: ClientID) async throws -> OAuthClient? {
        let now = clock.now()
        if let entry = entries.withLock({ $0[id] }), now.timeIntervalSince(entry.fetched) < lifetime, entry.client != nil {
            return entry.client
        }
        let client = try await storage.client(id: id)
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[id] = Entry(client: client, fetched: now)
        }
        return client
    }

    public func createClient(_ client: OAuthClient) async throws {
        try await storage.createClient(client)
    }

    public func evict(_ id: ClientID) {
        entries.withLock { _ = $0.removeValue(forKey: id) }
    }
}
