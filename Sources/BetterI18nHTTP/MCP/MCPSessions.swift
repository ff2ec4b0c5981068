import BetterI18nCore
import Foundation
import MCP
import Synchronization

/// Streamable-HTTP MCP sessions (SPEC §9): one `MCP.Server` and one stateful transport per
/// `Mcp-Session-Id`, as the SDK requires (one server accepts one client).
///
/// A session is bound to the token that opened it: tools run with that token, and only that
/// token may call the session. A partner that mints a fresh installation token mid-session may
/// hand the session over to it — a token of the same grant, minted later, whose scopes and
/// projects are no wider than the opening token's; from then on only the new token is
/// accepted. So two tokens of one grant can never run calls with each other's scopes (the
/// tools read one token per session), and a session never gains a scope.
public actor MCPSessions {
    final class Session: Sendable {
        let id: String
        let grantID: GrantID
        /// What the opening token could do; no later token may do more.
        let scopes: ScopeSet
        let projects: ProjectReach
        let server: Server
        let transport: StatefulHTTPServerTransport
        private let state: Mutex<(token: String, expiresAt: Date, lastUsed: ContinuousClock.Instant)>

        init(id: String, grantID: GrantID, scopes: ScopeSet, projects: ProjectReach, token: String, expiresAt: Date,
             server: Server, transport: StatefulHTTPServerTransport) {
            self.id = id
            self.grantID = grantID
            self.scopes = scopes
            self.projects = projects
            self.server = server
            self.transport = transport
            state = Mutex((token, expiresAt, .now))
        }

        var token: String { state.withLock { $0.token } }
        var lastUsed: ContinuousClock.Instant { state.withLock { $0.lastUsed } }

        /// Whether `token` (raw, expiring at `expiresAt`, reaching `scopes` and `projects`) may
        /// call this session; a newer, no wider token takes the session over.
        func admit(token: String, expiresAt: Date, scopes: ScopeSet, projects: ProjectReach) -> Bool {
            state.withLock { state in
                if state.token == token {
                    state.lastUsed = .now
                    return true
                }
                guard expiresAt > state.expiresAt, scopes.isSubset(of: self.scopes),
                      projects.intersection(self.projects) == projects
                else { return false }
                state = (token, expiresAt, .now)
                return true
            }
        }
    }

    /// Sessions idle this long are closed.
    static let idleLifetime: Duration = .seconds(3600)
    /// At most this many open sessions per grant; the oldest idle one makes room.
    static let perGrant = 64

    private var sessions: [String: Session] = [:]

    public init() {}

    func session(_ id: String) -> Session? {
        sessions[id]
    }

    func add(_ session: Session) async {
        let ofGrant = sessions.values.filter { $0.grantID == session.grantID }
        if ofGrant.count >= Self.perGrant, let oldest = ofGrant.min(by: { $0.lastUsed < $1.lastUsed }) {
            await close(oldest.id)
        }
        sessions[session.id] = session
    }

    func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.transport.disconnect()
        await session.server.stop()
    }

    /// Closes sessions idle past ``idleLifetime``; returns how many.
    @discardableResult
    public func closeIdle() async -> Int {
        let now = ContinuousClock.now
        let idle = sessions.values.filter { now - $0.lastUsed > Self.idleLifetime }.map(\.id)
        for id in idle { await close(id) }
        return idle.count
    }

    /// On shutdown: ends every open event stream so in-flight requests can finish.
    public func closeAll() async {
        for id in Array(sessions.keys) { await close(id) }
    }

    public var count: Int { sessions.count }
}
