import BetterI18nAccounts
import BetterI18nCore
import BetterI18nHTTP
import BetterI18nStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

/// A server on a fresh SQLite database with a manual clock and cheap bcrypt.
struct TestServer {
    let fixture: Fixture
    let dependencies: AppDependencies

    init(backend: Backend = .sqlite, logger: Logger = .quiet, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws {
        fixture = try await Fixture(backend: backend)
        var configuration = ServerConfiguration()
        configuration.bcryptCost = 4
        configure(&configuration)
        dependencies = AppDependencies(
            configuration: configuration, storage: fixture.storage, clock: fixture.clock,
            metrics: PrometheusCollectorRegistry(), logger: logger
        )
    }

    func test<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await BetterI18nServer.buildApplication(dependencies).test(.router, body)
    }

    /// A second server instance on the same database (its own connections and in-memory
    /// state), sharing the test's clock: what a multi-instance deployment looks like.
    func peer(backend: Backend) async throws -> AppDependencies {
        AppDependencies(
            configuration: dependencies.configuration, storage: try await backend.open(), clock: fixture.clock,
            metrics: PrometheusCollectorRegistry(), logger: .quiet
        )
    }
}

/// Remembers cookies between requests the way a browser does, so tests walk the real flow.
final class CookieJar: @unchecked Sendable {
    // Tests drive one request at a time; no concurrent access.
    private(set) var cookies: [String: String] = [:]

    var header: String {
        cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    func store(from response: TestResponse) {
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || line.lowercased().contains("max-age=0") {
                cookies[name] = nil
            } else {
                cookies[name] = value
            }
        }
    }

    subscript(_ name: String) -> String? {
        get { cookies[name] }
        set { cookies[name] = newValue }
    }
}

extension TestClientProtocol {
    /// A request carrying the jar's cookies; cookies the response sets go back into the jar.
    func browse(
        _ uri: String, method: HTTPRequest.Method = .get, form: [(String, String)]? = nil, jar: CookieJar
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if !jar.cookies.isEmpty { headers[.cookie] = jar.header }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: FormEncoding.encode(form))
        }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body)
        jar.store(from: response)
        return response
    }
}

enum FormEncoding {
    static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The value of `<input … name="NAME" value="VALUE">` in the page.
    func hiddenField(_ name: String) -> String? {
        let html = text
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        // As a browser would submit it: entities decoded.
        return String(rest[..<end])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    func setCookie(named name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }
    }
}
