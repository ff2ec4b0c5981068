import BetterI18nCore
import BetterI18nStorage
import Logging
import ServiceLifecycle

/// Deletes what can never be used again — expired dashboard sessions and expired pending
/// authorization requests — at start and then every ten minutes, so those tables do not grow
/// without bound. Several instances may run it at once; the deletes are idempotent.
public struct Housekeeping: Service {
    let storage: any Storage
    let clock: any WallClock
    let logger: Logger
    let interval: Duration
    /// Idle MCP sessions are closed on each sweep, and all of them at shutdown.
    let mcpSessions: MCPSessions?

    public init(
        storage: any Storage, clock: any WallClock, logger: Logger, interval: Duration = .seconds(600), mcpSessions: MCPSessions? = nil
    ) {
        self.mcpSessions = mcpSessions
        self.storage = storage
        self.clock = clock
        self.logger = logger
        self.interval = interval
    }

    /// One pass; returns how many rows went.
    @discardableResult
    public func sweep() async -> Int {
        do {
            let now = clock.now()
            let sessions = try await storage.deleteSessions(expiredBefore: now)
            let pending = try await storage.deletePendingAuthorizations(expiredBefore: now)
            let mcp = await mcpSessions?.closeIdle() ?? 0
            if sessions + pending + mcp > 0 {
                logger.info("housekeeping", metadata: ["expired_sessions": "\(sessions)", "expired_requests": "\(pending)", "idle_mcp_sessions": "\(mcp)"])
            }
            return sessions + pending
        } catch {
            logger.warning("housekeeping failed", metadata: ["error": .string(String(describing: error))])
            return 0
        }
    }

    /// Sweeps until the server shuts down; a graceful shutdown (SIGTERM) cancels the wait at
    /// once, so the service never holds the process open.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await sweep()
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await sweep()
            }
        }
        await mcpSessions?.closeAll()
    }
}
