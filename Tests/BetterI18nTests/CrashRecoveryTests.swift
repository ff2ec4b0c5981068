import BetterI18nCore
import BetterI18nStorage
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `kill -9` of a real `better-i18n serve` in the middle of a burst of refresh grants, on every
/// backend: no rotation a client was answered for is lost — the refresh token each client last
/// received works after a restart. (A response is sent only after its transaction committed; on
/// SQLite that is the group's `COMMIT`.) The server runs with a reuse grace, because the request
/// in flight at the kill may have rotated the client's last token without answering: that is the
/// lost-response case the grace exists for, and it must not count as a loss.
@Suite(.serialized) struct CrashRecoveryTests {
    static let chains = 8

    @Test(arguments: Backend.available)
    func aKilledServerLosesNoAcknowledgedRotation(backend: Backend) async throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/better-i18n").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "swift build first: needs \(binary)")
        let url = backend == .sqlite ? "sqlite://" + TemporaryFiles.databasePath() : Backend.postgresURL!
        let (clientID, tokens) = try await seed(url)

        let first = try await ServerProcess(binary: binary, databaseURL: url)
        let latest = Latest(tokens)
        let burst = Task {
            await withTaskGroup(of: Void.self) { group in
                for chain in 0..<Self.chains {
                    group.addTask {
                        // Rotate until the server goes away; remember each token as it arrives.
                        while let next = try? await first.refresh(latest.token(chain), clientID: clientID) {
                            latest.received(next, chain: chain)
                        }
                    }
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while latest.rotations < 300, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        first.kill()
        await burst.value
        #expect(latest.rotations >= 300)

        let second = try await ServerProcess(binary: binary, databaseURL: url)
        defer { second.kill() }
        for chain in 0..<Self.chains {
            #expect(latest.count(chain) > 0)
            let next = try? await second.refresh(latest.token(chain), clientID: clientID)
            #expect(next != nil, "chain \(chain): its last acknowledged refresh token no longer works")
        }
    }

    /// A user, an organization, a public client, a grant, and one refresh token per chain.
    private func seed(_ url: String) async throws -> (ClientID, [String]) {
        let storage = try await StorageFactory.open(url: url, logger: .quiet)
        let now = SystemWallClock().now()
        let user = User(id: .generate(), email: try EmailAddress(Unique.email()), name: "U", createdAt: now)
        try await storage.createUser(user, passwordHash: "x")
        let organization = Organization(id: .generate(), slug: try Slug(Unique.slug()), name: "O", createdAt: now)
        try await storage.createOrganization(organization, owner: user.id)
        let client = OAuthClient(
            id: .generate(), name: "Crash", type: .native, redirectURIs: ["http://127.0.0.1/cb"], logoURI: nil,
            clientURI: nil, ownerUserID: nil, secretDigest: nil, isVerified: true, createdAt: now
        )
        try await storage.createClient(client)
        let (grant, _) = try await storage.approveGrant(
            newID: .generate(), clientID: client.id, organizationID: organization.id, userID: user.id,
            scopes: ScopeSet([.orgRead]), projectIDs: [], at: now
        )
        var tokens: [String] = []
        for _ in 0..<Self.chains {
            let code = AuthorizationCodeRecord(
                digest: Secret(kind: .authorizationCode).digest, clientID: client.id, grantID: grant.id, userID: user.id,
                familyID: .generate(), redirectURI: "http://127.0.0.1/cb", scopes: grant.scopes, codeChallenge: "c",
                resource: nil, createdAt: now, expiresAt: now.addingTimeInterval(600)
            )
            try await storage.createAuthorizationCode(code)
            let refresh = Secret(kind: .refreshToken)
            try await storage.issueTokens([TokenRecord(
                digest: refresh.digest, kind: .refresh, clientID: client.id, grantID: grant.id, familyID: code.familyID,
                userID: user.id, scopes: grant.scopes, projectIDs: [], resource: nil, createdAt: now,
                expiresAt: now.addingTimeInterval(3600)
            )])
            tokens.append(refresh.value)
        }
        try await storage.close()
        return (client.id, tokens)
    }
}

/// The last refresh token each chain received.
private final class Latest: Sendable {
    private let state: Mutex<(tokens: [String], counts: [Int], total: Int)>

    init(_ tokens: [String]) {
        state = Mutex((tokens, Array(repeating: 0, count: tokens.count), 0))
    }

    func token(_ chain: Int) -> String { state.withLock { $0.tokens[chain] } }
    func count(_ chain: Int) -> Int { state.withLock { $0.counts[chain] } }
    var rotations: Int { state.withLock { $0.total } }

    func received(_ token: String, chain: Int) {
        state.withLock {
            $0.tokens[chain] = token
            $0.counts[chain] += 1
            $0.total += 1
        }
    }
}

/// `better-i18n serve` as a child process on a free port.
private final class ServerProcess: Sendable {
    private let process: ChildProcess
    let base: String
    private let session: URLSession

    init(binary: String, databaseURL: String) async throws {
        let port = try ChildProcess.freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("better-i18n-crash-\(UUID().uuidString).log").path
        let process = try ChildProcess(binary, log: log, arguments: [
            "serve", "--host", "127.0.0.1", "--port", "\(port)", "--database-url", databaseURL,
            "--refresh-reuse-grace", "120", "--token-rate-limit-per-minute", "10000000", "--log-level", "error",
            // PostgreSQL needs the key every instance shares; SQLite would make its own file.
            "--secret-key", String(repeating: "5a", count: 32),
        ])
        self.process = process
        base = "http://127.0.0.1:\(port)"
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        session = URLSession(configuration: configuration)
        for _ in 0..<300 {
            if let (_, response) = try? await session.data(from: URL(string: base + "/healthz")!),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            guard process.isRunning else { throw ServerFailed(log: Self.tail(log)) }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill()
        throw ServerFailed(log: Self.tail(log))
    }

    /// What the server said before it failed, so a failure explains itself.
    private static func tail(_ path: String) -> String {
        String((try? String(contentsOfFile: path, encoding: .utf8))?.suffix(2000) ?? "")
    }

    struct ServerFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "the server did not start: \(log)" }
    }
    struct Refused: Error { let status: Int }

    /// A refresh grant; the new refresh token, or an error.
    func refresh(_ token: String, clientID: ClientID) async throws -> String {
        var request = URLRequest(url: URL(string: base + "/api/auth/mcp/token")!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("grant_type=refresh_token&refresh_token=\(token)&client_id=\(clientID.rawValue)".utf8)
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200,
              let body = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let next = body["refresh_token"] as? String
        else { throw Refused(status: status) }
        return next
    }

    /// SIGKILL: no shutdown, no flush — what a power cut leaves of the process, not of the disk.
    func kill() {
        process.kill()
    }
}

/// A child process started with `posix_spawn`, its output thrown away. Not Foundation's
/// `Process`: on Linux its `run()` over-reads `/proc/self/fd` entries and crashes now and then
/// in a test process with many descriptors open (swift-corelibs-foundation PR #5472).
private final class ChildProcess: Sendable {
    private let pid: pid_t
    private let exited = Mutex(false)

    struct SpawnFailed: Error { let code: Int32 }

    init(_ path: String, log: String, arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard code == 0 else { throw SpawnFailed(code: code) }
        self.pid = pid
    }

    /// A loopback port nobody listens on now: the kernel picks it for a socket bound to port 0.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SpawnFailed(code: errno) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SpawnFailed(code: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    var isRunning: Bool {
        exited.withLock { exited in
            guard !exited else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { exited = true }
            return !exited
        }
    }

    /// SIGKILL, then reaps the process.
    func kill() {
        exited.withLock { exited in
            guard !exited else { return }
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            exited = true
        }
    }
}
