import BetterI18nCore
import BetterI18nStorage
import Foundation

/// Dashboard sign-in, sign-out and session lookup (SPEC §4). Knows nothing of HTTP: it takes
/// the submitted values and the client address and returns what happened.
public struct AccountService: Sendable {
    public enum SignInResult: Sendable {
        /// The new session's cookie secret (shown to the browser once) and the user.
        case signedIn(sessionSecret: Secret, user: User)
        /// Unknown email or wrong password: one answer for both.
        case invalidCredentials
        case throttled(retryAfterSeconds: Int)
    }

    public let storage: any Storage
    public let hasher: PasswordHasher
    public let throttle: SignInThrottle
    public let clock: any WallClock
    public let random: any RandomSource
    public let sessionLifetime: TimeInterval

    public init(
        storage: any Storage, hasher: PasswordHasher, throttle: SignInThrottle, clock: any WallClock,
        random: any RandomSource = SystemRandomSource(), sessionLifetime: TimeInterval = 7 * 24 * 3600
    ) {
        self.storage = storage
        self.hasher = hasher
        self.throttle = throttle
        self.clock = clock
        self.random = random
        self.sessionLifetime = sessionLifetime
    }

    public func signIn(email rawEmail: String, password: String, clientAddress: String) async throws -> SignInResult {
        let email = try? EmailAddress(rawEmail)
        let keys = ["address:\(clientAddress)"] + (email.map { ["account:\($0.value)"] } ?? [])
        // Counted before bcrypt, so a concurrent burst cannot all reach the hash (see SignInThrottle).
        if let wait = await throttle.admit(keys) {
            return .throttled(retryAfterSeconds: wait)
        }
        let credentials = try await email.asyncFlatMap { try await storage.credentials(email: $0) }
        // bcrypt runs either way, so an unknown email costs the same time as a wrong password.
        let matches: Bool
        do {
            matches = try await hasher.verify(password, against: credentials?.passwordHash)
        } catch PasswordHasher.Busy.busy {
            return .throttled(retryAfterSeconds: 1)
        }
        guard matches, let user = credentials?.user else {
            return .invalidCredentials
        }
        await throttle.succeeded(keys)
        return .signedIn(sessionSecret: try await startSession(for: user), user: user)
    }

    /// A new session for a user who has just proved who they are (sign-in, or accepting an
    /// invitation with a new password); the caller sets the cookie and drops any older one.
    public func startSession(for user: User) async throws -> Secret {
        let secret = Secret(kind: .session, random: random)
        let now = clock.now()
        try await storage.createSession(DashboardSession(
            digest: secret.digest, userID: user.id, createdAt: now, expiresAt: now.addingTimeInterval(sessionLifetime)
        ))
        return secret
    }

    /// The signed-in user for a session cookie, or nil when the cookie is absent, unknown or expired.
    public func user(forSession cookieSecret: String?) async throws -> User? {
        guard let cookieSecret, SecretFormatCheck(cookieSecret) == .valid(.session) else { return nil }
        guard let session = try await storage.session(digest: SecretDigest(of: cookieSecret)),
              session.expiresAt > clock.now()
        else { return nil }
        return try await storage.user(id: session.userID)
    }

    public func signOut(session cookieSecret: String?) async throws {
        guard let cookieSecret else { return }
        try await storage.deleteSession(digest: SecretDigest(of: cookieSecret))
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
