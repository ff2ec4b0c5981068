import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP request as the client sends it: the transport knows nothing of tokens or JSON.
public struct ClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Data?

    public init(method: String, url: String, headers: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// One HTTP answer, whatever its status: mapping statuses to errors is the client's job.
public struct ClientResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Sends requests. ``AsyncHTTPClientTransport`` is the real one; tests wrap it to count or
/// refuse requests, and an app may bring its own (URLSession on Apple platforms, a proxy…).
public protocol HTTPTransport: Sendable {
    /// Throws only when no answer came (connection refused, timeout…); any status is an answer.
    func execute(_ request: ClientRequest) async throws -> ClientResponse
}

/// ``HTTPTransport`` on AsyncHTTPClient, which runs on Linux and Apple platforms alike.
///
/// Redirects are never followed: a bearer token must not travel to wherever a `Location` points.
public struct AsyncHTTPClientTransport: HTTPTransport {
    /// One client for the process, created on first use; it lives as long as the process, so it
    /// is never shut down (as AsyncHTTPClient's own `HTTPClient.shared`, which follows redirects).
    public static let shared = AsyncHTTPClientTransport()

    private static let sharedClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(60)),
            decompression: .enabled(limit: .ratio(100))
        )
    )

    let client: HTTPClient
    let timeout: TimeAmount
    let maxBodyBytes: Int

    /// - Parameters:
    ///   - client: an `HTTPClient` the caller owns (and shuts down), configured not to follow
    ///     redirects; nil for the process-wide one behind ``shared``.
    ///   - timeout: the whole request, answer included. AsyncHTTPClient keeps retrying a
    ///     refused connection until then.
    ///   - maxBodyBytes: answers longer than this fail rather than fill memory.
    public init(client: HTTPClient? = nil, timeout: TimeAmount = .seconds(60), maxBodyBytes: Int = 64 << 20) {
        self.client = client ?? Self.sharedClient
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    public func execute(_ request: ClientRequest) async throws -> ClientResponse {
        var http = HTTPClientRequest(url: request.url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if let body = request.body { http.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(http, timeout: timeout)
        var buffer = try await response.body.collect(upTo: maxBodyBytes)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        return ClientResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Data(bytes))
    }
}
