import BetterI18nCore
import Foundation
import BetterI18nStorage
import Logging
import ServiceLifecycle

/// Deletes what can never be used again, at start and then every ten minutes, so no table grows
/// without bound: expired dashboard sessions and pending authorization requests; codes and
/// tokens that expired more than seven days ago (``Pruning``); the codes and tokens of families
/// revoked more than thirty days ago, and families with nothing left. Grants and the audit log
/// stay. Several instances may run it at once; the deletes are idempotent.
public struct Housekeeping: Service {
    let storage: any Storage
    let clock: any WallClock
    let logger: Logger
    let interval: Duration
    /// Idle MCP sessions are closed on each sweep, and all of them at shutdown.
    let mcpSessions: MCPSessions?
    let pruning: Pruning

    /// How long expired and revoked rows are kept, and how they go.
    public struct Pruning: Sendable {
        /// Codes and tokens are deleted this long after they expire (a late replay of a code
        /// still finds its family meanwhile).
        public var expiredRetention: TimeInterval = 7 * 86_400
        /// The codes and tokens of a revoked family are deleted this long after the revocation.
        public var revokedRetention: TimeInterval = 30 * 86_400
        /// Webhook delivery attempts, finished deliveries and their events are kept this long
        /// (the dashboard's delivery log).
        public var deliveryRetention: TimeInterval = 30 * 86_400
        /// Rows per table per write transaction: small, so the SQLite writer is never held long.
        public var batchSize = 500
        /// Batches per sweep, so one sweep after a long outage stays short; the next continues.
        public var maximumBatches = 200

        public init() {}
    }

    public init(
        storage: any Storage, clock: any WallClock, logger: Logger, interval: Duration = .seconds(600), mcpSessions: MCPSessions? = nil,
        pruning: Pruning = Pruning()
    ) {
        self.pruning = pruning
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
            let pruned = try await prune(now: now)
            let mcp = await mcpSessions?.closeIdle() ?? 0
            if sessions + pending + pruned + mcp > 0 {
                logger.info("housekeeping", metadata: [
                    "expired_sessions": "\(sessions)", "expired_requests": "\(pending)", "pruned_oauth_rows": "\(pruned)",
                    "idle_mcp_sessions": "\(mcp)",
                ])
            }
            return sessions + pending + pruned
        } catch {
            logger.warning("housekeeping failed", metadata: ["error": .string(String(describing: error))])
            return 0
        }
    }

    /// Batch after batch, each its own short transaction, until a batch finds little to do.
    private func prune(now: Date) async throws -> Int {
        var total = 0
        for _ in 0..<pruning.maximumBatches {
            let deleted = try await storage.pruneOAuthRows(
                expiredBefore: now.addingTimeInterval(-pruning.expiredRetention),
                revokedBefore: now.addingTimeInterval(-pruning.revokedRetention), batchSize: pruning.batchSize
            )
            total += deleted
            guard deleted >= pruning.batchSize, !Task.isCancelled else { break }
            // Let waiting writers in between batches.
            await Task.yield()
        }
        for _ in 0..<pruning.maximumBatches {
            let deleted = try await storage.pruneDeliveries(
                before: now.addingTimeInterval(-pruning.deliveryRetention), batchSize: pruning.batchSize
            )
            total += deleted
            guard deleted >= pruning.batchSize, !Task.isCancelled else { break }
            await Task.yield()
        }
        return total
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
