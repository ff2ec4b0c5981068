/// How a key name becomes a path in the CDN's nested files (SPEC §8): `login.title` is
/// `{"login":{"title":…}}` when every dot-separated segment is an identifier
/// (`[A-Za-z0-9_-]+`); any other name (`Loading...`, `Hello, %@!`) stays whole and flat.
///
/// Because a flat name is never an identifier, a flat key can never collide with a segment of
/// a nesting one; the only collision is between two nesting keys where one is a dot-prefix of
/// the other (`login` and `login.title`): one would have to be a string and an object at once.
public enum KeyNesting {
    /// The segments of a nesting key, or nil for a key that stays flat.
    public static func path(_ name: String) -> [Substring]? {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        for segment in segments {
            guard !segment.isEmpty, segment.utf8.allSatisfy(isIdentifierByte) else { return nil }
        }
        return segments
    }

    public static func nests(_ name: String) -> Bool { path(name) != nil }

    /// Every proper dot-prefix of a nesting key (`a.b.c` → `a`, `a.b`); empty for flat keys.
    public static func properPrefixes(_ name: String) -> [String] {
        guard let segments = path(name), segments.count > 1 else { return [] }
        var prefixes: [String] = []
        var current = ""
        for segment in segments.dropLast() {
            current = current.isEmpty ? String(segment) : current + "." + segment
            prefixes.append(current)
        }
        return prefixes
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }

    /// The nesting keys of one namespace, for refusing a new name that would collide with them.
    public struct Index: Sendable {
        private var names: Set<String> = []
        /// Proper prefixes of the names, each with how many names extend it.
        private var extended: [String: Int] = [:]

        public init<S: Sequence>(_ names: S) where S.Element == String {
            for name in names { insert(name) }
        }

        /// The existing key `name` would collide with, if any: one of its own proper prefixes,
        /// or a key it would be a prefix of.
        public func conflict(for name: String) -> Conflict? {
            guard Self.nests(name) else { return nil }
            if let prefix = KeyNesting.properPrefixes(name).first(where: names.contains) { return .prefixExists(prefix) }
            if extended[name, default: 0] > 0 { return .extendedBy }
            return nil
        }

        public mutating func insert(_ name: String) {
            guard Self.nests(name), names.insert(name).inserted else { return }
            for prefix in KeyNesting.properPrefixes(name) { extended[prefix, default: 0] += 1 }
        }

        public mutating func remove(_ name: String) {
            guard names.remove(name) != nil else { return }
            for prefix in KeyNesting.properPrefixes(name) { extended[prefix, default: 0] -= 1 }
        }

        private static func nests(_ name: String) -> Bool { KeyNesting.nests(name) }
    }

    public enum Conflict: Equatable, Sendable {
        /// `login` exists and the new name is `login.title`.
        case prefixExists(String)
        /// The new name is `login` and `login.…` keys exist.
        case extendedBy

        public func message(for name: String) -> String {
            switch self {
            case .prefixExists(let prefix):
                "'\(name.prefix(100))' would nest under the key '\(prefix.prefix(100))', which is a value in the CDN files; rename one of them"
            case .extendedBy:
                "keys named '\(name.prefix(100)).…' exist, so '\(name.prefix(100))' cannot be a value in the CDN files; rename one of them"
            }
        }
    }
}
