import Foundation

/// Any JSON value, for CDN message files whose shape is the project's keys.
public enum CDNValue: Codable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([CDNValue])
    case object([String: CDNValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([CDNValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: CDNValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public subscript(_ key: String) -> CDNValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value at a dot path, as the official SDKs look keys up (SPEC §8): `auth.login.title`
    /// is `["auth"]["login"]["title"]`. Keys that do not nest (`Loading...`, `Hello, %@!`) stay
    /// whole at the top of their namespace, so at each level the whole rest of the path is tried
    /// as one key before it is split at a dot.
    public func value(at path: String) -> CDNValue? {
        guard case .object(let members) = self else { return nil }
        if let whole = members[path] { return whole }
        var index = path.startIndex
        while let dot = path[index...].firstIndex(of: ".") {
            if let child = members[String(path[..<dot])], let found = child.value(at: String(path[path.index(after: dot)...])) {
                return found
            }
            index = path.index(after: dot)
        }
        return nil
    }

    /// The message at a dot path, when it is a string.
    public func message(_ path: String) -> String? { value(at: path)?.stringValue }
}

/// `manifest.json` (SPEC §8): what a project has published, per language and namespace.
public struct CDNManifest: Codable, Sendable, Equatable {
    public struct Language: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        public var nativeName: String?
        public var isSource: Bool
        public var keyCount: Int
        /// Null for a language with no published value.
        public var lastUpdated: String?
    }

    public struct NamespaceFile: Codable, Sendable, Equatable {
        public var url: String
        public var size: Int
        public var lastModified: String
    }

    public struct File: Codable, Sendable, Equatable {
        /// The versioned `v{N}/{locale}/translations.json`, absolute.
        public var url: String
        public var size: Int
        public var sha256: String
        /// Changes whenever this locale's published content changes: the SDKs' cache key.
        public var lastModified: String
        public var namespaces: [String: NamespaceFile]?
    }

    public var organizationSlug: String
    public var projectSlug: String
    public var sourceLanguage: String
    public var version: Int
    public var updatedAt: String
    /// Whether `{locale}/batch.json?ns=…` is served (false in `cdn export` copies).
    public var batch: Bool
    public var namespaces: [String]
    public var languages: [Language]
    /// One entry per language with at least one published value.
    public var files: [String: File]
}

/// One file read from the CDN, and whether it was revalidated with `If-None-Match` (`304`).
public struct CDNResult<Value: Sendable>: Sendable {
    public let value: Value
    public let etag: String?
    /// True when the server answered `304 Not Modified` and the remembered copy was used.
    public let notModified: Bool
}

/// Reads a project's published translations from the CDN (SPEC §8), as the official SDKs do:
/// the manifest, a locale's messages (`translations.json`), one namespace file, or several
/// namespaces in one `batch.json?ns=a,b`. No credentials. Remembers each file's `ETag` and sends
/// `If-None-Match`, so an unchanged file costs a `304` and no body.
public actor CDNReader {
    public nonisolated let client: BetterI18nClient
    public nonisolated let organization: String
    public nonisolated let project: String
    private var remembered: [String: (etag: String, body: Data)] = [:]

    /// - Parameters: organization and project slugs, as in `{cdn}/{org}/{project}/manifest.json`.
    public init(client: BetterI18nClient, organization: String, project: String) {
        self.client = client
        self.organization = organization
        self.project = project
    }

    public func manifest() async throws -> CDNResult<CDNManifest> {
        try await read("manifest.json", as: CDNManifest.self)
    }

    /// Every namespace of a locale: `{"<ns>":{…nested keys…}}`; look keys up with
    /// ``CDNValue/message(_:)`` (`"auth.login.title"`, the namespace first).
    public func messages(locale: String) async throws -> CDNResult<CDNValue> {
        try await read("\(Self.segment(locale))/translations.json", as: CDNValue.self)
    }

    /// One namespace's nested keys.
    public func namespace(_ namespace: String, locale: String) async throws -> CDNResult<CDNValue> {
        try await read("\(Self.segment(locale))/\(Self.segment(namespace)).json", as: CDNValue.self)
    }

    /// Several namespaces in one request: `{"a":{…},"b":{…}}` (unknown names left out).
    public func batch(_ namespaces: [String], locale: String) async throws -> CDNResult<CDNValue> {
        let names = namespaces.sorted().map(BetterI18nClient.percentEncoded).joined(separator: ",")
        return try await read("\(Self.segment(locale))/batch.json?ns=\(names)", as: CDNValue.self)
    }

    private func read<Value: Decodable & Sendable>(_ file: String, as type: Value.Type) async throws -> CDNResult<Value> {
        let url = BetterI18nClient.Configuration.trimmed(client.configuration.cdnURL) + "/\(Self.segment(organization))/\(Self.segment(project))/\(file)"
        var headers: [(String, String)] = [("Accept", "application/json"), ("User-Agent", client.configuration.userAgent)]
        let known = remembered[url]
        if let known { headers.append(("If-None-Match", known.etag)) }
        let response = try await client.execute(ClientRequest(method: "GET", url: url, headers: headers))
        let body: Data
        let etag: String?
        switch response.status {
        case 304 where known != nil:
            body = known!.body
            etag = known!.etag
        case 200:
            body = response.body
            etag = response.header("ETag")
            if let etag { remembered[url] = (etag, body) } else { remembered[url] = nil }
        default:
            throw BetterI18nError.from(response, retryAfter: nil)
        }
        return CDNResult(value: try client.decode(Value.self, from: ClientResponse(status: 200, body: body)), etag: etag,
                       notModified: response.status == 304)
    }

    private static func segment(_ text: String) -> String {
        BetterI18nClient.percentEncoded(text)
    }
}
