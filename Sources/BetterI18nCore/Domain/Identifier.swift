/// What kind of thing an ``Identifier`` names; the prefix makes ids self-describing (SPEC §3).
public protocol IdentifierKind: Sendable {
    static var prefix: String { get }
}

public enum UserKind: IdentifierKind { public static let prefix = "usr_" }
public enum OrganizationKind: IdentifierKind { public static let prefix = "org_" }
public enum ProjectKind: IdentifierKind { public static let prefix = "prj_" }
public enum KeyKind: IdentifierKind { public static let prefix = "key_" }
public enum GrantKind: IdentifierKind { public static let prefix = "grt_" }
public enum ReleaseKind: IdentifierKind { public static let prefix = "rel_" }
public enum ClientKind: IdentifierKind { public static let prefix = "bic_" }
public enum ContentModelKind: IdentifierKind { public static let prefix = "cmd_" }
public enum ContentEntryKind: IdentifierKind { public static let prefix = "ent_" }
public enum PublicKeyKind: IdentifierKind { public static let prefix = "pk_" }

/// A prefixed, opaque identifier such as `usr_4fT0…`.
///
/// Typed by kind so a project id can never be passed where a user id is expected; opaque to
/// callers, who must not parse anything out of it but its prefix.
public struct Identifier<Kind: IdentifierKind>: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// Random characters after the prefix: 20 base62 characters ≈ 119 bits, enough that ids are
    /// unguessable as well as unique.
    public static var randomLength: Int { 20 }

    public let rawValue: String

    /// Accepts only strings with this kind's prefix and a base62 body of the right length, so a
    /// malformed id in a URL is refused before any lookup.
    public init?(_ rawValue: String) {
        guard rawValue.hasPrefix(Kind.prefix) else { return nil }
        let body = rawValue.dropFirst(Kind.prefix.count)
        guard body.count == Self.randomLength, Base62.isBase62(body) else { return nil }
        self.rawValue = rawValue
    }

    public static func generate(using random: any RandomSource = SystemRandomSource()) -> Self {
        Self(unchecked: Kind.prefix + Base62.random(count: randomLength, from: random))
    }

    /// For values read back from our own storage, which only ever holds ids we generated.
    public init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let id = Self(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a \(Kind.prefix) id")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

public typealias UserID = Identifier<UserKind>
public typealias OrganizationID = Identifier<OrganizationKind>
public typealias ProjectID = Identifier<ProjectKind>
public typealias KeyID = Identifier<KeyKind>
public typealias GrantID = Identifier<GrantKind>
public typealias ReleaseID = Identifier<ReleaseKind>
public typealias ClientID = Identifier<ClientKind>
public typealias ContentModelID = Identifier<ContentModelKind>
public typealias ContentEntryID = Identifier<ContentEntryKind>
public typealias PublicKeyID = Identifier<PublicKeyKind>
