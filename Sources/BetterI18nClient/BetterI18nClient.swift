import BetterI18nAPI
import Foundation

/// The Swift client of Better i18n (the repository's docs/client.md): one value holding where the server is, how to
/// send, and what time it is. Everything else hangs off it:
/// - ``PartnerOAuth``: authorize URL with PKCE S256, code exchange, refresh, revocation;
/// - ``InstallationTokenCache``: installation tokens cached per grant, one mint in flight;
/// - ``PartnerClient`` (``partner(token:)``, ``InstallationTokenCache/partner(grantID:)``): a typed
///   call for every partner route;
/// - ``CDNReader`` and ``WebhookVerifier``.
///
/// Only a `429` with `Retry-After` is retried, a bounded number of times (``RetryPolicy``); a
/// `410`, any other `4xx` and any `5xx` surface at once as a ``BetterI18nError``.
public struct BetterI18nClient: Sendable {
    public struct Configuration: Sendable {
        /// The partner API origin (`/api/oauth-client/…`).
        public var apiURL: URL
        /// The dashboard origin, which is the authorization server (`/api/auth/mcp/…`).
        public var authorizationServerURL: URL
        /// The CDN's base (`cdnBaseUrl`), under which `{org}/{project}/manifest.json` lies.
        public var cdnURL: URL
        /// The `iss` the authorization redirect must carry (RFC 9207); the authorization server URL by default.
        public var issuer: String
        public var userAgent: String
        public var retry: RetryPolicy

        /// One server answering every origin at `baseURL` (the default deployment): the CDN at `{baseURL}/cdn`.
        public init(baseURL: URL, userAgent: String = "better-i18n-swift", retry: RetryPolicy = RetryPolicy()) {
            self.init(apiURL: baseURL, authorizationServerURL: baseURL, cdnURL: baseURL.appendingPathComponent("cdn"),
                      userAgent: userAgent, retry: retry)
        }

        public init(apiURL: URL, authorizationServerURL: URL, cdnURL: URL, issuer: String? = nil,
                    userAgent: String = "better-i18n-swift", retry: RetryPolicy = RetryPolicy()) {
            self.apiURL = apiURL
            self.authorizationServerURL = authorizationServerURL
            self.cdnURL = cdnURL
            self.issuer = issuer ?? Self.trimmed(authorizationServerURL)
            self.userAgent = userAgent
            self.retry = retry
        }

        static func trimmed(_ url: URL) -> String {
            let text = url.absoluteString
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        }
    }

    /// Which answers are sent again. Only `429 rate_limited` with a `Retry-After` of at most
    /// ``maxDelay`` seconds, at most ``maxRetries`` times: the server did nothing with such a
    /// request, so sending it again is safe for every method.
    public struct RetryPolicy: Sendable {
        public var maxRetries: Int
        public var maxDelay: TimeInterval

        public init(maxRetries: Int = 2, maxDelay: TimeInterval = 60) {
            self.maxRetries = maxRetries
            self.maxDelay = maxDelay
        }

        public static let never = RetryPolicy(maxRetries: 0)
    }

    public let configuration: Configuration
    public let transport: any HTTPTransport
    /// The current time, for token expiry and `Retry-After` dates; injectable so tests own time.
    public let now: @Sendable () -> Date
    /// Waits before a retry; injectable so tests never sleep.
    public let sleep: @Sendable (TimeInterval) async throws -> Void

    public init(
        configuration: Configuration,
        transport: any HTTPTransport = AsyncHTTPClientTransport.shared,
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .milliseconds(Int($0 * 1000))) }
    ) {
        self.configuration = configuration
        self.transport = transport
        self.now = now
        self.sleep = sleep
    }

    /// Typed partner calls with a token the caller holds (an installation token for resources).
    public func partner(token: String) -> PartnerClient {
        PartnerClient(client: self, credential: .fixed(token))
    }

    // MARK: - Raw transport

    /// Sends one request to the partner API as it is and returns the answer whatever its status:
    /// no retry, no error mapping (the stdio MCP server reports statuses to the agent itself).
    /// `path` starts with `/`; `query` values are percent-encoded here. Throws
    /// ``BetterI18nError/transport(_:)`` when no answer came.
    public func send(method: String, path: String, query: [(String, String)] = [], body: Data? = nil, token: String?) async throws -> ClientResponse {
        let request = makeRequest(method: method, base: configuration.apiURL, path: path, query: query, json: body, token: token)
        return try await execute(request)
    }

    func makeRequest(method: String, base: URL, path: String, query: [(String, String)], json: Data?, token: String?) -> ClientRequest {
        var headers: [(String, String)] = [("Accept", "application/json"), ("User-Agent", configuration.userAgent)]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        return ClientRequest(method: method, url: Self.url(base, path, query), headers: headers, body: json)
    }

    static func url(_ base: URL, _ path: String, _ query: [(String, String)]) -> String {
        let target = Configuration.trimmed(base) + path
        guard !query.isEmpty else { return target }
        return target + "?" + query.map { "\(Self.percentEncoded($0.0))=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
    }

    /// Query and form values: everything but unreserved characters (RFC 3986 §2.3) is escaped.
    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    func execute(_ request: ClientRequest) async throws -> ClientResponse {
        do {
            return try await transport.execute(request)
        } catch let error as BetterI18nError {
            throw error
        } catch {
            throw BetterI18nError.transport(String(describing: type(of: error)) + ": " + error.localizedDescription)
        }
    }

    // MARK: - Calls with the retry policy and error mapping

    /// Sends `request`, retrying `429` as ``RetryPolicy`` allows; returns a success answer or
    /// throws the ``BetterI18nError`` its status and code stand for.
    func perform(_ request: ClientRequest) async throws -> ClientResponse {
        var retries = 0
        while true {
            let response = try await execute(request)
            if (200..<300).contains(response.status) { return response }
            let retryAfter = response.header("Retry-After").flatMap { Self.seconds(retryAfter: $0, now: now()) }
            if response.status == 429, let delay = retryAfter, retries < configuration.retry.maxRetries,
               delay <= configuration.retry.maxDelay {
                retries += 1
                try await sleep(delay)
                continue
            }
            throw BetterI18nError.from(response, retryAfter: retryAfter)
        }
    }

    /// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    static func seconds(retryAfter value: String, now: Date) -> TimeInterval? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text) { return TimeInterval(max(0, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// A call to one partner endpoint: path parameters filled in from `parameters`.
    func call(_ endpoint: Endpoint, _ parameters: [String: String] = [:], query: [(String, String?)] = [],
              body: (any Encodable)? = nil, token: String) async throws -> ClientResponse {
        assert(query.allSatisfy { pair in
            endpoint.query.contains { $0.name == pair.0 || ($0.name == "filter[<field>]" && pair.0.hasPrefix("filter[")) }
        }, "\(endpoint.operationID) has no such query parameter")
        assert(Set(parameters.keys) == Set(endpoint.parameterNames), "\(endpoint.operationID) takes \(endpoint.parameterNames)")
        let json = try body.map { try Self.encoder.encode($0) }
        let request = makeRequest(method: endpoint.method.rawValue, base: configuration.apiURL, path: endpoint.path(parameters),
                                  query: query.compactMap { pair in pair.1.map { (pair.0, $0) } }, json: json, token: token)
        return try await perform(request)
    }

    /// A call whose body is a file (an import) or whose answer is one (an export): the body is
    /// sent as `application/octet-stream`, and any answer type is accepted.
    func callFile(_ endpoint: Endpoint, _ parameters: [String: String], query: [(String, String?)], file: Data?, token: String) async throws -> ClientResponse {
        assert(query.allSatisfy { pair in endpoint.query.contains { $0.name == pair.0 } }, "\(endpoint.operationID) has no such query parameter")
        var request = makeRequest(method: endpoint.method.rawValue, base: configuration.apiURL, path: endpoint.path(parameters),
                                  query: query.compactMap { pair in pair.1.map { (pair.0, $0) } }, json: nil, token: token)
        request.headers.removeAll { $0.0 == "Accept" }
        request.headers.append(("Accept", "*/*"))
        if let file {
            request.headers.append(("Content-Type", "application/octet-stream"))
            request.body = file
        }
        return try await perform(request)
    }

    func decode<T: Decodable>(_ type: T.Type, from response: ClientResponse) throws -> T {
        do {
            return try Self.decoder.decode(type, from: response.body)
        } catch {
            throw BetterI18nError.invalidResponse("\(T.self): \(error)")
        }
    }

    static var encoder: JSONEncoder { JSONEncoder() }
    static var decoder: JSONDecoder { JSONDecoder() }
}
