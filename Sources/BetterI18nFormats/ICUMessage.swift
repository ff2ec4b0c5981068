import Foundation

/// An ICU MessageFormat value as a tree, for formats that spell plurals and placeholders their
/// own way (Apple, Android, gettext). Parsed from values the server has already checked, so
/// the parser is forgiving where the checker in `BetterI18nCore` is strict; rendered back in a
/// canonical form (apostrophes only where ICU needs them).
public struct ICUMessage: Equatable, Sendable {
    public indirect enum Piece: Equatable, Sendable {
        case text(String)
        /// `{name}` or `{name, type[, style]}`.
        case argument(name: String, type: String?, style: String?)
        /// `{name, plural|selectordinal|select, [offset:N] case {…} …}`.
        case choice(name: String, kind: String, offset: Int?, cases: [(selector: String, message: ICUMessage)])
        /// `#` inside a plural case: the plural's number.
        case pound

        public static func == (lhs: Piece, rhs: Piece) -> Bool {
            switch (lhs, rhs) {
            case let (.text(a), .text(b)): a == b
            case let (.argument(a, b, c), .argument(d, e, f)): a == d && b == e && c == f
            case let (.choice(a, b, c, d), .choice(e, f, g, h)):
                a == e && b == f && c == g && d.count == h.count && zip(d, h).allSatisfy { $0.selector == $1.selector && $0.message == $1.message }
            case (.pound, .pound): true
            default: false
            }
        }
    }

    public var pieces: [Piece]

    public init(_ pieces: [Piece]) {
        self.pieces = Self.merged(pieces)
    }

    public init(parsing text: String) {
        // Most values are plain text: no syntax, nothing to parse.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "'") }) {
            self.init(text.isEmpty ? [] : [.text(text)])
            return
        }
        var parser = Parser(characters: Array(text.unicodeScalars))
        self.init(parser.message(inPlural: false, nested: false))
    }

    /// Adjacent text pieces joined, empty ones gone: one spelling per message.
    static func merged(_ pieces: [Piece]) -> [Piece] {
        var result: [Piece] = []
        for piece in pieces {
            if case .text(let text) = piece {
                if text.isEmpty { continue }
                if case .text(let previous)? = result.last {
                    result[result.count - 1] = .text(previous + text)
                    continue
                }
            }
            result.append(piece)
        }
        return result
    }

    // MARK: What a message holds

    /// Argument names in order of first appearance, depth first, each with whether it is a
    /// number (a plural's or a `number` argument): the order positional placeholders follow.
    public var arguments: [(name: String, isNumber: Bool)] {
        var order: [String] = []
        var numbers: Set<String> = []
        func walk(_ message: ICUMessage) {
            for piece in message.pieces {
                switch piece {
                case .argument(let name, let type, _):
                    if !order.contains(name) { order.append(name) }
                    if type == "number" { numbers.insert(name) }
                case .choice(let name, let kind, _, let cases):
                    if !order.contains(name) { order.append(name) }
                    if kind != "select" { numbers.insert(name) }
                    for item in cases { walk(item.message) }
                case .text, .pound:
                    break
                }
            }
        }
        walk(self)
        return order.map { ($0, numbers.contains($0)) }
    }

    public var argumentNames: Set<String> { Set(arguments.map(\.name)) }

    /// The message as one plural: its argument and keyword cases, with any text around the
    /// plural moved into every case (`You have {n, plural, one {# file} other {# files}}.` →
    /// `one {You have # file.}`). Nil when the message is not exactly one plain plural: no
    /// plural, two of them, a select, `offset`, `=N` cases, or a choice inside a case.
    public var singlePlural: (name: String, cases: [(category: String, message: ICUMessage)])? {
        var before: [Piece] = [], after: [Piece] = []
        var found: (String, [(selector: String, message: ICUMessage)])?
        for piece in pieces {
            switch piece {
            case .choice(let name, let kind, let offset, let cases):
                guard found == nil, kind == "plural", offset == nil else { return nil }
                found = (name, cases)
            case .pound:
                return nil
            default:
                if found == nil { before.append(piece) } else { after.append(piece) }
            }
        }
        guard let (name, cases) = found else { return nil }
        var result: [(category: String, message: ICUMessage)] = []
        for item in cases {
            guard PluralRules.categories.contains(item.selector) else { return nil }
            for piece in item.message.pieces { if case .choice = piece { return nil } }
            result.append((item.selector, ICUMessage(before + item.message.pieces + after)))
        }
        return (name, result)
    }

    /// Whether any choice (plural, select) appears.
    public var hasChoice: Bool {
        pieces.contains { if case .choice = $0 { true } else { false } }
    }

    /// The same message with arguments renamed (`{0}` → `{count}`); names not in `map` stay.
    public func renamed(_ map: [String: String]) -> ICUMessage {
        ICUMessage(pieces.map { piece in
            switch piece {
            case .argument(let name, let type, let style): .argument(name: map[name] ?? name, type: type, style: style)
            case .choice(let name, let kind, let offset, let cases):
                .choice(name: map[name] ?? name, kind: kind, offset: offset, cases: cases.map { ($0.selector, $0.message.renamed(map)) })
            default: piece
            }
        })
    }

    // MARK: Rendering

    /// ICU text: `{`, `}` (and `#` in a plural case) quoted, `'` doubled only where ICU would
    /// otherwise start quoting.
    public func render(inPlural: Bool = false) -> String {
        var output = ""
        render(into: &output, inPlural: inPlural)
        return output
    }

    func render(into output: inout String, inPlural: Bool) {
        for (index, piece) in pieces.enumerated() {
            switch piece {
            case .text(let text):
                // Every other piece starts with `{` or `#`.
                Self.quote(text, inPlural: inPlural, followedBySyntax: index + 1 < pieces.count, into: &output)
            case .pound:
                output += "#"
            case .argument(let name, let type, let style):
                output += "{" + name
                if let type { output += ", " + type }
                if let style { output += ", " + style }
                output += "}"
            case .choice(let name, let kind, let offset, let cases):
                output += "{" + name + ", " + kind + ","
                if let offset { output += " offset:\(offset)" }
                for item in cases {
                    output += " " + item.selector + " {"
                    item.message.render(into: &output, inPlural: kind != "select")
                    output += "}"
                }
                output += "}"
            }
        }
    }

    /// Literal text as ICU: special characters inside `'…'`; an apostrophe doubled when the
    /// character after it (or the next piece's `{`/`#`) would make it start a quotation.
    static func quote(_ text: String, inPlural: Bool, followedBySyntax: Bool, into output: inout String) {
        func special(_ scalar: Unicode.Scalar) -> Bool { scalar == "{" || scalar == "}" || (inPlural && scalar == "#") }
        if !text.unicodeScalars.contains(where: { special($0) || $0 == "'" }) {
            output += text
            return
        }
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if special(scalar) {
                // Quote a run of special characters at once.
                output += "'"
                while index < scalars.count, special(scalars[index]) {
                    output.unicodeScalars.append(scalars[index])
                    index += 1
                }
                output += "'"
                continue
            }
            if scalar == "'" {
                let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
                let startsQuote = next == "'" || next == "{" || next == "}" || next == "|" || (inPlural && next == "#")
                    || (next == nil && followedBySyntax)
                output += startsQuote ? "''" : "'"
                index += 1
                continue
            }
            output.unicodeScalars.append(scalar)
            index += 1
        }
    }

    // MARK: Parsing

    private struct Parser {
        let characters: [Unicode.Scalar]
        var index = 0

        var current: Unicode.Scalar? { index < characters.count ? characters[index] : nil }

        mutating func message(inPlural: Bool, nested: Bool) -> [Piece] {
            var pieces: [Piece] = []
            var text = String.UnicodeScalarView()
            func flush() {
                if !text.isEmpty { pieces.append(.text(String(text))); text = String.UnicodeScalarView() }
            }
            while let character = current {
                switch character {
                case "'":
                    text.append(contentsOf: apostrophe(inPlural: inPlural))
                case "{":
                    flush()
                    pieces.append(argument())
                case "}":
                    if nested {
                        flush()
                        return pieces
                    }
                    text.append(character)
                    index += 1
                case "#" where inPlural:
                    flush()
                    pieces.append(.pound)
                    index += 1
                default:
                    text.append(character)
                    index += 1
                }
            }
            flush()
            return pieces
        }

        mutating func apostrophe(inPlural: Bool) -> String.UnicodeScalarView {
            index += 1
            guard let next = current else { return "'".unicodeScalars }
            if next == "'" { index += 1; return "'".unicodeScalars }
            guard next == "{" || next == "}" || next == "|" || (inPlural && next == "#") else { return "'".unicodeScalars }
            var quoted = String.UnicodeScalarView()
            while let character = current {
                index += 1
                if character == "'" {
                    if current == "'" { quoted.append("'"); index += 1; continue }
                    return quoted
                }
                quoted.append(character)
            }
            return quoted
        }

        mutating func skipWhitespace() {
            while let character = current, character.properties.isWhitespace { index += 1 }
        }

        mutating func word() -> String {
            let start = index
            while let character = current, !character.properties.isWhitespace, !"{}',#|:".unicodeScalars.contains(character) { index += 1 }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: characters[start..<index])
            return String(view)
        }

        mutating func argument() -> Piece {
            index += 1
            skipWhitespace()
            let name = word()
            skipWhitespace()
            guard current == "," else {
                if current == "}" { index += 1 }
                return .argument(name: name, type: nil, style: nil)
            }
            index += 1
            skipWhitespace()
            let type = word()
            skipWhitespace()
            switch type {
            case "plural", "selectordinal", "select":
                if current == "," { index += 1 }
                skipWhitespace()
                var offset: Int?
                if characters[index...].starts(with: "offset:".unicodeScalars) {
                    index += 7
                    skipWhitespace()
                    let start = index
                    while let character = current, ("0"..."9").contains(character) { index += 1 }
                    var digits = String.UnicodeScalarView()
                    digits.append(contentsOf: characters[start..<index])
                    offset = Int(String(digits))
                }
                var cases: [(selector: String, message: ICUMessage)] = []
                while true {
                    skipWhitespace()
                    guard let character = current, character != "}" else { index += 1; break }
                    var selector = ""
                    if character == "=" {
                        index += 1
                        selector = "=" + word()
                    } else {
                        selector = word()
                    }
                    skipWhitespace()
                    guard current == "{" else { break }
                    index += 1
                    let body = message(inPlural: type != "select", nested: true)
                    index += 1
                    cases.append((selector, ICUMessage(body)))
                }
                return .choice(name: name, kind: type, offset: offset, cases: cases)
            default:
                var style: String?
                if current == "," {
                    index += 1
                    skipWhitespace()
                    var depth = 0
                    var text = String.UnicodeScalarView()
                    while let character = current {
                        if character == "{" { depth += 1 }
                        if character == "}" {
                            if depth == 0 { break }
                            depth -= 1
                        }
                        text.append(character)
                        index += 1
                    }
                    style = String(text).trimmingCharacters(in: .whitespaces)
                }
                if current == "}" { index += 1 }
                return .argument(name: name, type: type, style: style)
            }
        }
    }
}
