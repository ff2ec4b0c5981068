import BetterI18nCore
import Foundation
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// bcrypt hashing with a configurable cost (`--bcrypt-cost`, default 12).
///
/// bcrypt is deliberately slow (≈ 250 ms at cost 12), so it runs on NIO's thread pool rather
/// than on an event loop or the cooperative pool that serves requests.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    /// A valid hash of a random password at this cost, verified against when the email is
    /// unknown so that sign-in takes as long for an unknown account as for a wrong password.
    /// Made on first use rather than at start-up, which must stay well under a second.
    private let decoy = DecoyHash()

    public init(cost: Int) {
        self.cost = UInt8(clamping: min(31, max(4, cost)))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Verifies `password` against `hash`, or against the decoy when `hash` is nil (and then
    /// always answers false), so both failures have the same timing shape.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let decoy = self.decoy
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive {
            let matches = Bcrypt.verify(password, hash: hash ?? decoy.hash(cost: cost))
            return hash != nil && matches
        }
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
