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

    /// The namespaces of a canonical body with each one's `{key: value}` bytes, cut straight out
    /// of the body: the writer renders a namespace inside the body exactly as on its own, so no
    /// parse is needed. Nil when the body is not in the canonical shape (then parse it).
    public static func namespaceSlices(_ body: [UInt8]) -> [(name: String, bytes: ArraySlice<UInt8>)]? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        guard body.first == UInt8(ascii: "{"), body.last == UInt8(ascii: "}") else { return nil }
        var result: [(name: String, bytes: ArraySlice<UInt8>)] = []
        var index = 1
        let end = body.count - 1
        while index < end {
            // "name":{…}
            guard body[index] == quote else { return nil }
            let nameStart = index + 1
            var nameEnd = nameStart
            while nameEnd < end, body[nameEnd] != quote {
                if body[nameEnd] == backslash { return nil }   // namespace names never need escapes
                nameEnd += 1
            }
            guard nameEnd + 2 < end, body[nameEnd + 1] == UInt8(ascii: ":"), body[nameEnd + 2] == UInt8(ascii: "{") else { return nil }
            let valueStart = nameEnd + 2
            var cursor = valueStart + 1
            var inString = false
            var closed = false
            while cursor < end {
                let byte = body[cursor]
                if inString {
                    if byte == backslash { cursor += 1 } else if byte == quote { inString = false }
                } else if byte == quote {
                    inString = true
                } else if byte == UInt8(ascii: "}") {
                    closed = true
                    break
                } else if byte == UInt8(ascii: "{") {
                    return nil   // values are strings; nothing nests deeper
                }
                cursor += 1
            }
            guard closed else { return nil }
            result.append((String(decoding: body[nameStart..<nameEnd], as: UTF8.self), body[valueStart...cursor]))
            index = cursor + 1
            if index < end {
                guard body[index] == UInt8(ascii: ",") else { return nil }
                index += 1
            }
        }
        return result
    }

    public static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

/// Writes compact JSON with keys in the order given, escaping only what RFC 8259 requires, so
/// output is stable across platforms (Foundation's encoder escapes `/` on some and not others).
/// Works on UTF-8 bytes: appending to a `String` through its views copies it each time.
public struct CanonicalJSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func object<S: Sequence>(_ keys: S, value: (String, inout CanonicalJSONWriter) -> Void) where S.Element == String {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for key in keys {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(key)
            bytes.append(UInt8(ascii: ":"))
            value(key, &self)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func stringMap(_ values: [String: String]) {
        object(values.keys.sorted(by: ReleaseContent.byteOrder)) { key, writer in writer.string(values[key] ?? "") }
    }

    public mutating func array<S: Sequence>(_ items: S, item: (S.Element, inout CanonicalJSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            item(element, &self)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func number(_ value: Int) { bytes.append(contentsOf: Array(String(value).utf8)) }
    public mutating func bool(_ value: Bool) { bytes.append(contentsOf: Array((value ? "true" : "false").utf8)) }
}
