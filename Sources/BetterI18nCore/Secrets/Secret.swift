import Crypto
import Foundation

/// A freshly generated secret, shown once to its owner and then stored only as a ``SecretDigest``.
///
/// Format (SPEC §3): `prefix` + 32 random base62 characters + 6 base62 characters of the CRC-32
/// of everything before them.
public struct Secret: Sendable, Equatable, CustomStringConvertible {
    public static let randomLength = 32
    public static let checksumLength = 6

    public let kind: SecretKind
    /// The full secret. Handle with care: it must never reach logs, error bodies or storage.
    public let value: String

    public init(kind: SecretKind, random: any RandomSource = SystemRandomSource()) {
        let body = kind.prefix + Base62.random(count: Self.randomLength, from: random)
        self.kind = kind
        self.value = body + Self.checksum(of: body)
    }

    public var digest: SecretDigest { SecretDigest(of: value) }

    /// Redacted, so string interpolation into a log line cannot leak the secret.
    public var description: String { "\(kind.prefix)…" }

    static func checksum(of body: String) -> String {
        Base62.encode(CRC32.checksum(body.utf8), width: checksumLength)
    }
}

/// What `token check` says about a string that claims to be a secret, without any database.
public enum SecretFormatCheck: Equatable, Sendable {
    /// Known prefix, right length and alphabet, checksum holds.
    case valid(SecretKind)
    /// Known prefix, but the length, alphabet or checksum is wrong: a typo or a forgery.
    case badChecksum(SecretKind)
    /// Not one of our prefixes.
    case unknownKind

    public init(_ candidate: String) {
        guard let kind = SecretKind.matching(candidate) else {
            self = .unknownKind
            return
        }
        let rest = candidate.dropFirst(kind.prefix.count)
        guard rest.count == Secret.randomLength + Secret.checksumLength, Base62.isBase62(rest) else {
            self = .badChecksum(kind)
            return
        }
        let body = String(candidate.dropLast(Secret.checksumLength))
        let given = candidate.suffix(Secret.checksumLength)
        self = Secret.checksum(of: body) == given ? .valid(kind) : .badChecksum(kind)
    }

    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

/// The SHA-256 digest of a secret: the only form in which a secret is stored or looked up.
///
/// Equality is constant-time, so comparing a presented secret against a stored one leaks
/// nothing about how many leading bytes matched.
public struct SecretDigest: Sendable, Hashable, CustomStringConvertible {
    /// Lowercase hex of the SHA-256 digest; this is the storage form.
    public let hex: String

    public init(of secret: String) {
        self.hex = Hex.lowercase(SHA256.hash(data: Data(secret.utf8)))
    }

    public init(hex: String) {
        self.hex = hex
    }

    public static func == (lhs: SecretDigest, rhs: SecretDigest) -> Bool {
        constantTimeEquals(lhs.hex.utf8, rhs.hex.utf8)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hex) }

    public var description: String { "sha256:\(hex.prefix(8))…" }
}

/// Compares two byte strings in time that depends only on their lengths.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices {
        difference |= lhs[index] ^ rhs[index]
    }
    return difference == 0
}

/// The same for any two byte sequences (a string's `utf8` view, say), without copying them:
/// digest comparisons sit on every authenticated request.
public func constantTimeEquals<L: Collection<UInt8>, R: Collection<UInt8>>(_ lhs: L, _ rhs: R) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for (left, right) in zip(lhs, rhs) {
        difference |= left ^ right
    }
    return difference == 0
}
