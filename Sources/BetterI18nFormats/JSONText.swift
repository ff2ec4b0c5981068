import Foundation

/// JSON read with the order, line and duplicates of members kept (which `JSONSerialization`
/// forgets), after Foundation's own parser (`JSONDecoder`) accepted the text; and JSON written in a fixed
/// layout, so the same values always give the same bytes.
indirect enum JSONNode {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([JSONNode])
    case object([Member])

    struct Member {
        let name: String
        let line: Int
        let value: JSONNode
    }

    var string: String? { if case .string(let text) = self { text } else { nil } }
    var members: [Member]? { if case .object(let members) = self { members } else { nil } }

    func member(_ name: String) -> JSONNode? { members?.first { $0.name == name }?.value }

    var kind: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }

    static func parse(_ text: String) throws -> JSONNode {
        var parser = JSONParser(bytes: Array(text.utf8))
        let node = try parser.document()
        // Foundation's parser (behind JSONDecoder) has the last word on what JSON is. Not
        // JSONSerialization: on Linux it held some 130 MB to check a 2.5 MB String Catalog.
        do {
            _ = try JSONDecoder().decode(AnyJSON.self, from: Data(text.utf8))
        } catch {
            throw FormatFailure.at(nil, "invalid_json", "the file is not valid JSON")
        }
        return node
    }

    /// Walks any JSON value, keeping nothing.
    private struct AnyJSON: Decodable {
        init(from decoder: any Decoder) throws {
            if var array = try? decoder.unkeyedContainer() {
                while !array.isAtEnd { _ = try array.decode(AnyJSON.self) }
            } else if let object = try? decoder.container(keyedBy: Name.self) {
                for name in object.allKeys { _ = try object.decode(AnyJSON.self, forKey: name) }
            } else {
                _ = try decoder.singleValueContainer()
            }
        }

        struct Name: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }

    /// Every member name twice in one object, as `duplicate_key` problems with their lines.
    static func duplicates(in node: JSONNode, path: String = "", problems: inout ProblemList) {
        switch node {
        case .object(let members):
            var seen: [String: Int] = [:]
            for member in members {
                let name = path.isEmpty ? member.name : path + "." + member.name
                if let first = seen[member.name] {
                    problems.add(member.line, "duplicate_key", "'\(name.prefix(100))' appears twice (first on line \(first))", key: name)
                } else {
                    seen[member.name] = member.line
                }
                duplicates(in: member.value, path: name, problems: &problems)
            }
        case .array(let items):
            for item in items { duplicates(in: item, path: path, problems: &problems) }
        default:
            break
        }
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var line = 1

    func fail(_ message: String) -> FormatFailure {
        FormatFailure.at(line, "invalid_json", "not valid JSON: \(message)")
    }

    mutating func document() throws -> JSONNode {
        skipWhitespace()
        guard index < bytes.count else { throw fail("the file is empty") }
        let node = try value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected text after the end") }
        return node
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A: index += 1; line += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws -> JSONNode {
        guard depth < 64 else { throw fail("nested too deeply") }
        guard index < bytes.count else { throw fail("the file ends in the middle of a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [JSONNode.Member] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                let memberLine = line
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
                let name = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
                index += 1
                skipWhitespace()
                members.append(.init(name: name, line: memberLine, value: try value(depth: depth + 1)))
                skipWhitespace()
                guard index < bytes.count else { throw fail("the file ends inside an object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [JSONNode] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw fail("the file ends inside an array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            let start = index
            while index < bytes.count, "-+.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
            guard index > start else { throw fail("unexpected character") }
            return .number(String(decoding: bytes[start..<index], as: UTF8.self))
        }
    }

    mutating func literal(_ word: String) throws {
        guard bytes[index...].starts(with: word.utf8) else { throw fail("unexpected word") }
        index += word.utf8.count
    }

    mutating func string() throws -> String {
        index += 1
        var output: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw fail("the file ends inside a string") }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "\""): output.append(0x22)
                case UInt8(ascii: "\\"): output.append(0x5C)
                case UInt8(ascii: "/"): output.append(0x2F)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), bytes[index...].starts(with: "\\u".utf8) {
                        index += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("an invalid \\u escape") }
                    output.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw fail("an invalid escape")
                }
            case 0..<0x20:
                throw fail("a control character inside a string")
            default:
                output.append(byte)
                index += 1
            }
        }
        throw fail("the file ends inside a string")
    }

    mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw fail("an invalid \\u escape")
        }
        index += 4
        return value
    }
}

/// Pretty JSON in a fixed layout: two-space indent, members in the order given. `colon` is
/// `": "`, or `" : "` as Xcode writes String Catalogs.
struct JSONWriter {
    var output: String = ""
    let colon: String

    init(colon: String = ": ") {
        self.colon = colon
        output.reserveCapacity(1 << 16)
    }

    enum Value {
        case string(String)
        case object([(String, Value)])
    }

    mutating func write(_ value: Value, indent: Int = 0) {
        switch value {
        case .string(let text):
            Self.quote(text, into: &output)
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            output += "{\n"
            let padding = String(repeating: "  ", count: indent + 1)
            for (index, member) in members.enumerated() {
                output += padding
                Self.quote(member.0, into: &output)
                output += colon
                write(member.1, indent: indent + 1)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += String(repeating: "  ", count: indent) + "}"
        }
    }

    static func quote(_ text: String, into output: inout String) {
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output += "\""
            output += text
            output += "\""
            return
        }
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    static func document(_ value: Value, colon: String = ": ") -> [UInt8] {
        var writer = JSONWriter(colon: colon)
        writer.write(value)
        writer.output += "\n"
        return Array(writer.output.utf8)
    }
}

/// Byte order of UTF-8, the order every writer lists keys in.
func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}
