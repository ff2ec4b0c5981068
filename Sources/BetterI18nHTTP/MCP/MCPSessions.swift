import BetterI18nCore
import Foundation
import MCP
import Synchronization

/// Streamable-HTTP MCP sessions (SPEC §9): one `MCP.Server` and one stateful transport per
/// `Mcp-Session-Id`, as the SDK requires (one server accepts one client).
///
/// A session belongs to the grant whose token opened it: another grant's token gets "session
/// not found". Tools use the newest token the session was called with, so a partner that mints
/// a fresh installation token mid-session keeps its session.
public actor MCPSessions {
    final class Session: Sendable {
        let id: String
        let grantID: GrantID
        let server: Server
        let transport: StatefulHTTPServerTransport
        private let state: Mutex<(token: String, lastUsed: ContinuousClock.Instant)>

        init(id: String, grantID: GrantID, token: String, server: Server, transport: StatefulHTTPServerTransport) {
            self.id = id
            self.grantID = grantID
            self.server = server
            self.transport = transport
            state = Mutex((token, .now))
        }

        var token: String { state.withLock { $0.token } }
        var lastUsed: ContinuousClock.Instant { state.withLock { $0.lastUsed } }

        func touch(token: String) {
            state.withLock { $0 = (token, .now) }
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
