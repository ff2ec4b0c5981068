import BetterI18nCore
import Foundation
import HummingbirdBcrypt
import NIOCore
import NIOPosix
import Synchronization

/// bcrypt hashing with a configurable cost (`--bcrypt-cost`, default 12).
///
/// bcrypt is deliberately slow (≈ 250 ms at cost 12), so it runs on a thread pool of its own —
/// half the cores, at least one thread — never on an event loop, the cooperative pool, or NIO's
/// shared pool where SQLite reads run: a sign-in flood then slows sign-ins, not token checks or
/// `/healthz`. At most ``maximumWaiting`` verifications wait or run at once; beyond that
/// ``verify(_:against:)`` throws ``Busy/busy`` at once instead of queueing without bound.
public struct PasswordHasher: Sendable {
    public enum Busy: Error, Sendable { case busy }

    /// The process's bcrypt threads. Started once and never shut down, like NIO's singletons.
    public static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount / 2))
        pool.start()
        return pool
    }()

    public static let maximumWaiting = 32

    public let cost: UInt8

    /// A valid hash of a random password at this cost, verified against when the email is
    /// unknown so that sign-in takes as long for an unknown account as for a wrong password.
    /// Made on first use rather than at start-up, which must stay well under a second.
    private let decoy = DecoyHash()
    private let inFlight = InFlight()

    public init(cost: Int) {
        self.cost = UInt8(clamping: min(31, max(4, cost)))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await Self.pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Verifies `password` against `hash`, or against the decoy when `hash` is nil (and then
    /// always answers false), so both failures have the same timing shape.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        guard inFlight.enter(limit: Self.maximumWaiting) else { throw Busy.busy }
        defer { inFlight.leave() }
        let decoy = self.decoy
        let cost = self.cost
        return try await Self.pool.runIfActive {
            let matches = Bcrypt.verify(password, hash: hash ?? decoy.hash(cost: cost))
            return hash != nil && matches
        }
    }
}

/// Verifications waiting or running on the bcrypt pool.
private final class InFlight: Sendable {
    private let count = Atomic<Int>(0)

    func enter(limit: Int) -> Bool {
        let now = count.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            count.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() {
        count.wrappingSubtract(1, ordering: .relaxed)
    }
}

/// The decoy hash, computed once per process on the thread pool.
private final class DecoyHash: Sendable {
    private let value = Mutex<String?>(nil)

    func hash(cost: UInt8) -> String {
        value.withLock { value in
            if let value { return value }
            let made = Bcrypt.hash(UUID().uuidString, cost: cost)
            value = made
            return made
        }
    }
}

/// Rules a new password must meet.
public enum PasswordPolicy {
    public static let minimumLength = 10
    /// bcrypt reads at most 72 bytes; longer passwords would be silently truncated.
    public static let maximumBytes = 72

    public static func check(_ password: String) throws {
        guard password.count >= minimumLength else {
            throw ValidationError(field: "password", message: "must be at least \(minimumLength) characters")
        }
        guard password.utf8.count <= maximumBytes else {
            throw ValidationError(field: "password", message: "must be at most \(maximumBytes) bytes")
        }
    }
}
