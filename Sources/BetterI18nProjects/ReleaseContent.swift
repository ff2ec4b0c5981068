import BetterI18nCore
import Foundation

/// The canonical body of a released language, `{"namespace":{…keys nested by "."…}}` (SPEC
/// §8): compact, with namespaces and keys in UTF-8 byte order, so the same translations always
/// give the same bytes (and the same `ETag` and `sha256`).
public enum ReleaseContent {
    /// Namespace → key name (flat, `login.title`) → value, in any order; ``render(_:)`` sorts
    /// and nests.
    public typealias Tree = [String: [String: String]]

    /// The body of a tree of values, and the keys left out because another key nests below them.
    public static func render(_ tree: Tree) -> (content: String, dropped: [NestedLayout.Dropped]) {
        var entries: [(namespace: String, name: String, slot: Int)] = []
        var values: [String] = []
        for (namespace, keys) in tree {
            for (name, value) in keys {
                entries.append((namespace, name, values.count))
                values.append(value)
            }
            if keys.isEmpty { entries.append((namespace, "", -1)) }
        }
        let layout = NestedLayout(entries)
        var writer = CanonicalJSONWriter()
        let result = layout.write(into: &writer) { slot in values[slot] }
        return (writer.text, result.dropped)
    }

    /// Reads a stored body back as flat names, whether it was stored nested or (before nesting)
    /// flat: a nested path joins with `.`, which is exactly the name it came from.
    public static func parse(_ content: String) throws -> Tree {
        guard let object = try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any] else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a release body is a JSON object"))
        }
        var tree: Tree = [:]
        for (namespace, value) in object {
            guard let keys = value as? [String: Any] else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a namespace is a JSON object"))
            }
            var flat: [String: String] = [:]
            try flatten(keys, prefix: "", into: &flat)
            tree[namespace] = flat
        }
        return tree
    }

    private static func flatten(_ object: [String: Any], prefix: String, into flat: inout [String: String]) throws {
        for (key, value) in object {
            let name = prefix.isEmpty ? key : prefix + "." + key
            if let text = value as? String {
                flat[name] = text
            } else if let nested = value as? [String: Any] {
                try flatten(nested, prefix: name, into: &flat)
            } else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a value is a string"))
            }
        }
    }

    /// The namespaces of a canonical body with each one's bytes, cut straight out of the body:
    /// the writer renders a namespace inside the body exactly as on its own, so no parse is
    /// needed. Nil when the body is not in the canonical shape (then parse it).
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
            var depth = 1
            while cursor < end {
                let byte = body[cursor]
                if inString {
                    if byte == backslash { cursor += 1 } else if byte == quote { inString = false }
                } else if byte == quote {
                    inString = true
                } else if byte == UInt8(ascii: "{") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { break }
                }
                cursor += 1
            }
            guard depth == 0 else { return nil }
            result.append((String(decoding: body[nameStart..<nameEnd], as: UTF8.self), body[valueStart...cursor]))
            index = cursor + 1
            if index < end {
                guard body[index] == UInt8(ascii: ","), index + 1 < end else { return nil }
                index += 1
            }
        }
        return result
    }

    public static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

/// The shape of a project's nested files (SPEC §8), built once per publish from the key names
/// and written once per language: namespaces, then each key either flat at the top of its
/// namespace or as a path of identifier segments, every object's members in byte order.
///
/// Keys are numbered by the caller (a *slot*), so a language's values are looked up by slot
/// while writing, with no dictionaries per language.
public struct NestedLayout: Sendable {
    /// A key left out of a language because another key with a value nests below it.
    public struct Dropped: Sendable, Hashable {
        public let namespace: String
        public let key: String
        public let conflictsWith: String
    }

    struct Node: Sendable {
        /// The member name: a segment, or a flat key's whole name.
        var name: String
        /// The whole key name when a key ends here.
        var key: String?
        var slot: Int = -1
        var children: [Int] = []
    }

    /// Nodes in creation order: every child comes after its parent.
    private var nodes: [Node] = []
    /// Namespace roots in byte order.
    public private(set) var namespaces: [(name: String, root: Int)] = []

    /// `entries`' names are key names; an entry with slot -1 only makes its namespace exist.
    public init(_ entries: [(namespace: String, name: String, slot: Int)]) {
        var roots: [String: Int] = [:]
        var childIndex: [Int: [String: Int]] = [:]
        func child(_ parent: Int, _ name: String) -> Int {
            if let existing = childIndex[parent]?[name] { return existing }
            nodes.append(Node(name: name))
            let index = nodes.count - 1
            nodes[parent].children.append(index)
            childIndex[parent, default: [:]][name] = index
            return index
        }
        for entry in entries {
            let root: Int
            if let known = roots[entry.namespace] {
                root = known
            } else {
                nodes.append(Node(name: entry.namespace))
                root = nodes.count - 1
                roots[entry.namespace] = root
            }
            guard entry.slot >= 0 else { continue }
            var node = root
            if let path = KeyNesting.path(entry.name) {
                for segment in path { node = child(node, String(segment)) }
            } else {
                node = child(root, entry.name)
            }
            nodes[node].key = entry.name
            nodes[node].slot = entry.slot
        }
        for index in nodes.indices where nodes[index].children.count > 1 {
            let names = nodes
            nodes[index].children.sort { ReleaseContent.byteOrder(names[$0].name, names[$1].name) }
        }
        namespaces = roots.map { ($0.key, $0.value) }.sorted { ReleaseContent.byteOrder($0.name, $1.name) }
    }

    /// Writes `{"namespace":{…}}` with the values `value(slot)` gives (nil: no value in this
    /// language). Every namespace appears, `{}` when it has no value.
    public func write(into writer: inout CanonicalJSONWriter, value: (Int) -> String?) -> (count: Int, dropped: [Dropped]) {
        // Which nodes have a value at or below them, children before parents.
        var alive = [Bool](repeating: false, count: nodes.count)
        for index in nodes.indices.reversed() {
            let node = nodes[index]
            alive[index] = (node.slot >= 0 && value(node.slot) != nil) || node.children.contains { alive[$0] }
        }
        var count = 0
        var dropped: [Dropped] = []
        func members(of parent: Int, namespace: String) {
            writer.openObject()
            var first = true
            for child in nodes[parent].children where alive[child] {
                let node = nodes[child]
                writer.member(node.name, first: first)
                first = false
                if let live = node.children.first(where: { alive[$0] }) {
                    if node.slot >= 0, value(node.slot) != nil, let key = node.key {
                        dropped.append(Dropped(namespace: namespace, key: key, conflictsWith: firstKey(below: live, alive: alive)))
                    }
                    members(of: child, namespace: namespace)
                } else if let text = value(node.slot) {
                    writer.string(text)
                    count += 1
                }
            }
            writer.closeObject()
        }
        writer.openObject()
        for (position, namespace) in namespaces.enumerated() {
            writer.member(namespace.name, first: position == 0)
            members(of: namespace.root, namespace: namespace.name)
        }
        writer.closeObject()
        return (count, dropped)
    }

    private func firstKey(below index: Int, alive: [Bool]) -> String {
        var node = index
        while nodes[node].key == nil || nodes[node].children.contains(where: { alive[$0] }) {
            guard let next = nodes[node].children.first(where: { alive[$0] }) else { break }
            node = next
        }
        return nodes[node].key ?? nodes[node].name
    }
}

/// Writes compact JSON with keys in the order given, escaping only what RFC 8259 requires, so
/// output is stable across platforms (Foundation's encoder escapes `/` on some and not others).
/// Works on UTF-8 bytes: appending to a `String` through its views copies it each time.
public struct CanonicalJSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func openObject() { bytes.append(UInt8(ascii: "{")) }
    public mutating func closeObject() { bytes.append(UInt8(ascii: "}")) }

    /// `"name":` (after a comma unless it is the first member).
    public mutating func member(_ name: String, first: Bool) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Bytes that are already JSON (a namespace cut out of a body).
    public mutating func raw<C: Collection>(_ json: C) where C.Element == UInt8 { bytes.append(contentsOf: json) }

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
    public mutating func null() { bytes.append(contentsOf: Array("null".utf8)) }
    public mutating func bool(_ value: Bool) { bytes.append(contentsOf: Array((value ? "true" : "false").utf8)) }
}
