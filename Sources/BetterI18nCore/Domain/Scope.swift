/// The scopes a partner can be granted (SPEC §7), with what each allows and whether the consent
/// screen checks it by default. Default-off scopes can publish or change shared data, so the
/// user must opt in and sees a warning.
public enum Scope: String, CaseIterable, Sendable, Codable, Comparable {
    case orgRead = "org:read"
    case projectsRead = "projects:read"
    case projectsWrite = "projects:write"
    case keysRead = "keys:read"
    case keysWrite = "keys:write"
    case translationsRead = "translations:read"
    case translationsWrite = "translations:write"
    case translationsPublish = "translations:publish"
    case contentRead = "content:read"
    case contentWrite = "content:write"
    case contentPublish = "content:publish"
    case glossaryRead = "glossary:read"
    case glossaryWrite = "glossary:write"

    public var isDefaultOn: Bool {
        switch self {
        case .projectsWrite, .translationsPublish, .contentPublish, .glossaryWrite: false
        default: true
        }
    }

    /// What the scope lets the app do, in words for the consent screen.
    public var grants: String {
        switch self {
        case .orgRead: "See the organization's name and settings"
        case .projectsRead: "List and read projects"
        case .projectsWrite: "Create projects, change project settings and add languages"
        case .keysRead: "List translation keys"
        case .keysWrite: "Create, rename and delete translation keys"
        case .translationsRead: "Read translations, pending changes and releases"
        case .translationsWrite: "Write translations (as drafts until published)"
        case .translationsPublish: "Publish translations to the public CDN"
        case .contentRead: "Read Content CMS entries"
        case .contentWrite: "Create and edit Content CMS entries"
        case .contentPublish: "Publish Content CMS entries"
        case .glossaryRead: "Read glossary terms"
        case .glossaryWrite: "Change glossary terms"
        }
    }

    /// Why a default-off scope deserves a second look.
    public var warning: String? {
        switch self {
        case .projectsWrite: "Can change the structure of your projects."
        case .translationsPublish: "Published translations are visible to everyone on the CDN."
        case .contentPublish: "Published content is visible to everyone."
        case .glossaryWrite: "Glossary changes affect every project of the organization."
        default: nil
        }
    }

    public static var defaultOn: [Scope] { allCases.filter(\.isDefaultOn) }

    private var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.order < rhs.order }
}

/// A set of scopes, written space-separated (RFC 6749 §3.3) in the spec's order.
public struct ScopeSet: Hashable, Sendable, Codable, CustomStringConvertible {
    public private(set) var scopes: Set<Scope>

    public init(_ scopes: some Sequence<Scope>) {
        self.scopes = Set(scopes)
    }

    /// Parses `scope` as sent by a client; nil when any element is unknown.
    public init?(parsing raw: String) {
        var scopes: Set<Scope> = []
        for token in raw.split(separator: " ", omittingEmptySubsequences: true) {
            guard let scope = Scope(rawValue: String(token)) else { return nil }
            scopes.insert(scope)
        }
        self.scopes = scopes
    }

    public var isEmpty: Bool { scopes.isEmpty }
    public var sorted: [Scope] { scopes.sorted() }
    public var description: String { sorted.map(\.rawValue).joined(separator: " ") }

    public func contains(_ scope: Scope) -> Bool { scopes.contains(scope) }
    public func isSubset(of other: ScopeSet) -> Bool { scopes.isSubset(of: other.scopes) }
    public func intersection(_ other: ScopeSet) -> ScopeSet { ScopeSet(scopes.intersection(other.scopes)) }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let set = ScopeSet(parsing: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown scope"))
        }
        self = set
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
