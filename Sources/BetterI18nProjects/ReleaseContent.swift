import BetterI18nCore
import Foundation

/// The canonical body of a released language, `{"namespace":{"key":"value"}}`: compact, with
/// namespaces and keys in UTF-8 byte order, so the same translations always give the same bytes
/// (and the same `ETag` and `sha256`).
public enum ReleaseContent {
    /// Namespace → key → value, in any order; ``render(_:)`` sorts.
    public typealias Tree = [String: [String: String]]

    public static func render(_ tree: Tree) -> String {
        var writer = CanonicalJSONWriter()
        writer.object(tree.keys.sorted(by: byteOrder)) { namespace, writer in
            writer.stringMap(tree[namespace] ?? [:])
        }
        return writer.text
    }

    /// One namespace as served: `{"key":"value"}`.
    public static func renderNamespace(_ values: [String: String]) -> String {
        var writer = CanonicalJSONWriter()
        writer.stringMap(values)
        return writer.text
    }

    /// Reads a stored body back; a body this code did not write is an error.
    public static func parse(_ content: String) throws -> Tree {
        try JSONDecoder().decode(Tree.self, from: Data(content.utf8))
    }

    public static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

/// Writes compact JSON with keys in the order given, escaping only what RFC 8259 requires, so
/// output is stable across platforms (Foundation's encoder escapes `/` on some and not others).
public struct CanonicalJSONWriter {
    public private(set) var text = ""

    public init() {}

    public mutating func object<S: Sequence>(_ keys: S, value: (String, inout CanonicalJSONWriter) -> Void) where S.Element == String {
        text += "{"
        var first = true
        for key in keys {
            if !first { text += "," }
            first = false
            string(key)
            text += ":"
            value(key, &self)
        }
        text += "}"
    }

    public mutating func stringMap(_ values: [String: String]) {
        object(values.keys.sorted(by: ReleaseContent.byteOrder)) { key, writer in writer.string(values[key] ?? "") }
    }

    public mutating func array<S: Sequence>(_ items: S, item: (S.Element, inout CanonicalJSONWriter) -> Void) {
        text += "["
        var first = true
        for element in items {
            if !first { text += "," }
            first = false
            item(element, &self)
        }
        text += "]"
    }

    public mutating func string(_ value: String) {
        text += "\""
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String? = switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case "\u{08}": "\\b"
            case "\u{0C}": "\\f"
            default: scalar.value < 0x20 ? "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16) : nil
            }
            if let escape {
                text.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                text += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        text.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        text += "\""
    }

    public mutating func number(_ value: Int) { text += String(value) }
    public mutating func bool(_ value: Bool) { text += value ? "true" : "false" }
}
