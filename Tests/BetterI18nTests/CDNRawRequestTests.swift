@testable import BetterI18nHTTP
import BetterI18nCore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The raw CDN fast path takes only a plain, well-formed `GET`/`HEAD` head; anything a proxy in
/// front might frame differently goes to the HTTP parser (no request smuggling, RFC 9112 §11.2).
@Suite struct CDNRawRequestTests {
    static let plain = "GET /cdn/acme/web/en.json HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n"

    @Test func aPlainGetOrHeadIsTaken() {
        #expect(RawRequest(ByteBuffer(string: Self.plain))?.path == "/cdn/acme/web/en.json")
        #expect(RawRequest(ByteBuffer(string: "HEAD /cdn/a HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\"\r\n\r\n"))?.isHead == true)
    }

    @Test(arguments: [
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n Content-Length: 5\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\n\tTransfer-Encoding: chunked\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\rX-Note: a\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\nX-Note: a\rb\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\nX-Note: a\nTransfer-Encoding: chunked\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\nHost: x\r\nX-Note: a\u{0}b\r\n\r\n",
        "GET /cdn/a HTTP/1.1\r\n: empty-name\r\n\r\n",
        "GET /cdn/a\tb HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET  /cdn/a HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /cdn/a HTTP/1.0\r\nHost: x\r\n\r\n",
        "get /cdn/a HTTP/1.1\r\nHost: x\r\n\r\n",
    ])
    func anythingButAPlainWellFormedHeadGoesToTheHTTPParser(head: String) {
        #expect(RawRequest(ByteBuffer(string: head)) == nil)
    }

    /// Over a socket: a smuggled request hidden behind `Content-Length : N` is never answered as a
    /// request of its own.
    @Test func aMalformedFramingHeaderCannotSmuggleARequest() async throws {
        let world = try await OAuthWorld()
        let dependencies = world.server.dependencies
        try await world.seedValue()
        _ = try await dependencies.releases.publish(world.projects[0], languages: nil, by: .operator)
        let path = "/cdn/\(world.organization.slug.value)/web/en.json"
        try await BetterI18nServer.buildApplication(dependencies).test(.live) { client in
            let port = try #require(client.port)
            let warm = try RawHTTPConnection(port: port)
            defer { warm.close() }
            warm.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await warm.read(["GET"]).first?.status == 200, "the file is in memory, so the raw path would take it")
            let smuggled = "GET /cdn/smuggled/x/en.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            warm.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length : \(smuggled.utf8.count)\r\n\r\n" + smuggled)
            let answers = await warm.read(["GET", "GET"])
            #expect(!answers.isEmpty)
            #expect(!answers.contains { $0.status == 404 }, "the body was answered as a request of its own")
        }
    }
}
