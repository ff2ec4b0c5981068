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

/// SPEC §2 `--trusted-proxies`: `X-Forwarded-For`/`Forwarded` name the client only when the TCP
/// peer is a listed proxy; otherwise the peer is the client for throttles, rate limits and logs.
@Suite struct TrustedProxiesTests {
    @Test func listsOfAddressesAndRangesParse() throws {
        let proxies = try #require(TrustedProxies(parsing: "10.0.0.0/8, 192.0.2.7 ,fd00::/8"))
        #expect(proxies.contains("10.200.3.4"))
        #expect(proxies.contains("192.0.2.7"))
        #expect(!proxies.contains("192.0.2.8"))
        #expect(proxies.contains("fd12::1"))
        #expect(proxies.contains("::ffff:10.1.1.1"), "an IPv4-mapped peer is its IPv4 address")
        #expect(!proxies.contains("not an address"))
        #expect(TrustedProxies(parsing: "10.0.0.0/33") == nil)
        #expect(TrustedProxies(parsing: "example.com") == nil)
    }

    @Test func theNearestUntrustedHopIsTheClient() throws {
        let proxies = try #require(TrustedProxies(parsing: "10.0.0.0/8"))
        // The leftmost entry is whatever the client wrote; the proxies appended the rest.
        #expect(proxies.clientAddress(peer: "10.0.0.1", forwarded: [], xForwardedFor: ["6.6.6.6, 203.0.113.9, 10.0.0.2"]) == "203.0.113.9")
        #expect(proxies.clientAddress(peer: "10.0.0.1", forwarded: ["for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.3"], xForwardedFor: ["1.1.1.1"])
                == "2001:db8::7")
        #expect(proxies.clientAddress(peer: "10.0.0.1", forwarded: ["for=192.0.2.60:8080"], xForwardedFor: []) == "192.0.2.60")
        #expect(proxies.clientAddress(peer: "10.0.0.1", forwarded: [], xForwardedFor: []) == "10.0.0.1")
        #expect(proxies.clientAddress(peer: "10.0.0.1", forwarded: [], xForwardedFor: ["unknown"]) == "10.0.0.1")
        #expect(proxies.clientAddress(peer: "198.51.100.1", forwarded: [], xForwardedFor: ["203.0.113.9"]) == "198.51.100.1",
                "an untrusted peer cannot name another client")
    }

    /// Registration is limited to 20 an hour per address: behind a trusted proxy the forwarded
    /// client is counted; from an untrusted peer the header changes nothing.
    @Test(arguments: [true, false])
    func forwardedAddressesCountOnlyFromTrustedProxies(trusted: Bool) async throws {
        let server = try await TestServer { if trusted { $0.trustedProxies = TrustedProxies(parsing: "127.0.0.1, ::1")! } }
        try await BetterI18nServer.buildApplication(server.dependencies).test(.live) { client in
            for _ in 0..<20 {
                let status = try await Self.register(client, from: "203.0.113.1")
                #expect(status == .created)
            }
            let again = try await Self.register(client, from: "203.0.113.1")
            #expect(again == .tooManyRequests)
            let other = try await Self.register(client, from: "203.0.113.2")
            #expect(other == (trusted ? .created : .tooManyRequests))
        }
    }

    private static func register(_ client: any TestClientProtocol, from address: String) async throws -> HTTPResponse.Status {
        try await client.execute(
            uri: "/api/auth/mcp/register", method: .post,
            headers: [.contentType: "application/json", HTTPFields.Element.Name("x-forwarded-for")!: address],
            body: ByteBuffer(string: #"{"client_name":"Agent","redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"}"#)
        ).status
    }
}
