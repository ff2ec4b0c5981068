import BetterI18nCore
import BetterI18nHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Slow clients are cut off: a connection that sends half a request head, or sits idle, is
/// closed after `--idle-timeout`, so nobody can hold connections open by dribbling bytes.
@Suite struct ConnectionLimitsTests {
    @Test func aHalfSentRequestHeadIsCutOffAfterTheIdleTimeout() async throws {
        let server = try await TestServer { $0.idleTimeout = 0.3 }
        try await BetterI18nServer.buildApplication(server.dependencies).test(.live) { client in
            let port = try #require(client.port)
            let slow = try RawHTTPConnection(port: port)
            defer { slow.close() }
            slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            // The socket's own read timeout is 5 s; the server closes well before.
            let started = ContinuousClock.now
            #expect(await slow.isClosed, "the server closed the connection")
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let server = try await TestServer { $0.idleTimeout = 0.3 }
        try await BetterI18nServer.buildApplication(server.dependencies).test(.live) { client in
            let port = try #require(client.port)
            let idle = try RawHTTPConnection(port: port)
            defer { idle.close() }
            idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await idle.read(["GET"]).first?.status == 200)
            #expect(await idle.isClosed, "the server closed the idle connection")
        }
    }
}
