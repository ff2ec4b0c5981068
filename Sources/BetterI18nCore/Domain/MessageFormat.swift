/// A syntax check of ICU MessageFormat (SPEC §6.2: translation values are checked as ICU
/// MessageFormat, errors name the character offset).
///
/// Covers what ICU4J's `MessagePattern` accepts in its default apostrophe mode: simple arguments
/// `{name}` and `{n, number[, style]}` (also `date`, `time`, `spellout`, `ordinal`,
/// `duration`); `plural` and `selectordinal` with an optional `offset:N`, `=N` and keyword
/// selectors and `#`; `select`; nesting; apostrophe quoting (`''` is one apostrophe, `'{'`
/// starts quoted text up to the next single apostrophe; a lone `'` elsewhere is literal).
/// A `plural`, `selectordinal` or `select` without an `other` case is an error, as ICU requires.
public enum MessageFormat {
    public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        /// Index of the offending character (0-based, in Swift characters).
        public let offset: Int

        public var description: String { "\(message) at offset \(offset)" }
    }

    public static func validate(_ text: String) throws {
        var parser = Parser(Array(text))
        try parser.message(depth: 0, inPlural: false)
        if parser.index < parser.characters.count {
            throw SyntaxError(message: "unmatched '}'", offset: parser.index)
        }
    }

    public static func isValid(_ text: String) -> Bool {
        (try? validate(text)) != nil
    }

    private static let simpleTypes: Set<String> = ["number", "date", "time", "spellout", "ordinal", "duration"]
    private static let pluralKeywords: Set<String> = ["zero", "one", "two", "few", "many", "other"]

    private struct Parser {
        let characters: [Character]
        var index = 0

        init(_ characters: [Character]) {
            self.characters = characters
        }

        var current: Character? { index < characters.count ? characters[index] : nil }

        func fail(_ message: String, at offset: Int? = nil) -> SyntaxError {
            SyntaxError(message: message, offset: offset ?? index)
        }

        /// Text and arguments up to an unmatched `}` (nested) or the end (top level).
        mutating func message(depth: Int, inPlural: Bool) throws {
            while let character = current {
                switch character {
                case "'":
                    try apostrophe(inPlural: inPlural)
                case "{":
                    try argument(depth: depth + 1)
                case "}":
                    if depth == 0 { throw fail("unmatched '}'") }
                    return
                default:
                    index += 1
                }
            }
            if depth > 0 { throw fail("missing '}'") }
        }

        /// `''` is one apostrophe; `'` before `{`, `}`, `|` (or `#` in a plural) starts quoted
        /// text that runs to the next single apostrophe; any other `'` is literal.
        mutating func apostrophe(inPlural: Bool) throws {
            let start = index
            index += 1
            guard let next = current else { return }
            if next == "'" {
                index += 1
                return
            }
            guard next == "{" || next == "}" || next == "|" || (inPlural && next == "#") else { return }
            while let character = current {
                index += 1
                if character == "'" {
                    if current == "'" { index += 1; continue }
                    return
                }
            }
            throw fail("unterminated quoted text", at: start)
        }

        mutating func skipWhitespace() {
            while let character = current, character.isWhitespace { index += 1 }
        }

        /// An argument name or number: no whitespace or pattern syntax.
        mutating func identifier(_ what: String) throws -> String {
            let start = index
            while let character = current, !character.isWhitespace, !"{}',#=|:".contains(character) { index += 1 }
            guard index > start else { throw fail("expected \(what)") }
            return String(characters[start..<index])
        }

        mutating func argument(depth: Int) throws {
            let open = index
            index += 1
            skipWhitespace()
            let name = try identifier("an argument name")
            if let first = name.first, first.isNumber, !name.allSatisfy(\.isNumber) {
                throw fail("invalid argument name '\(name)'", at: index - name.count)
            }
            skipWhitespace()
            switch current {
            case "}":
                index += 1
                return
            case ",":
                index += 1
            case nil:
                throw fail("missing '}'", at: open)
            default:
                throw fail("expected ',' or '}' after the argument name")
            }
            skipWhitespace()
            let typeStart = index
            let type = try identifier("an argument type")
            skipWhitespace()
            switch type {
            case "plural", "selectordinal":
                try expect(",", after: type)
                try cases(depth: depth, plural: true, open: open)
            case "select":
                try expect(",", after: type)
                try cases(depth: depth, plural: false, open: open)
            case _ where MessageFormat.simpleTypes.contains(type):
                if current == "," {
                    index += 1
                    try style(open: open)
                } else if current == "}" {
                    index += 1
                } else {
                    throw fail("expected ',' or '}' after '\(type)'")
                }
            default:
                throw fail("unknown argument type '\(type)'", at: typeStart)
            }
        }

        mutating func expect(_ character: Character, after what: String) throws {
            guard current == character else { throw fail("expected '\(character)' after '\(what)'") }
            index += 1
        }

        /// A simple argument's style text, up to the matching `}` (balanced braces, quoting).
        mutating func style(open: Int) throws {
            var depth = 0
            while let character = current {
                switch character {
                case "'":
                    try apostrophe(inPlural: false)
                    continue
                case "{":
                    depth += 1
                case "}":
                    if depth == 0 {
                        index += 1
                        return
                    }
                    depth -= 1
                default:
                    break
                }
                index += 1
            }
            throw fail("missing '}'", at: open)
        }

        /// The `selector {message}` cases of a plural, selectordinal or select argument.
        mutating func cases(depth: Int, plural: Bool, open: Int) throws {
            skipWhitespace()
            if plural, characters[index...].starts(with: "offset:") {
                index += "offset:".count
                skipWhitespace()
                let start = index
                while let character = current, character.isNumber { index += 1 }
                guard index > start else { throw fail("expected a number after 'offset:'") }
                skipWhitespace()
            }
            var selectors: Set<String> = []
            while true {
                skipWhitespace()
                guard let character = current else { throw fail("missing '}'", at: open) }
                if character == "}" {
                    guard !selectors.isEmpty else { throw fail("expected at least one case") }
                    guard selectors.contains("other") else {
                        throw fail("missing the required 'other' case", at: open)
                    }
                    index += 1
                    return
                }
                let selectorStart = index
                var selector: String
                if plural, character == "=" {
                    index += 1
                    let start = index
                    while let digit = current, digit.isNumber || digit == "." { index += 1 }
                    guard index > start else { throw fail("expected a number after '='") }
                    selector = "=" + String(characters[start..<index])
                } else {
                    selector = try identifier("a case keyword")
                    if plural, !MessageFormat.pluralKeywords.contains(selector) {
                        throw fail("'\(selector)' is not a plural category (zero, one, two, few, many, other or =N)", at: selectorStart)
                    }
                }
                guard selectors.insert(selector).inserted else {
                    throw fail("duplicate case '\(selector)'", at: selectorStart)
                }
                skipWhitespace()
                guard current == "{" else { throw fail("expected '{' after the case '\(selector)'") }
                index += 1
                try message(depth: depth, inPlural: plural)
                index += 1 // the case's closing brace
            }
        }
    }
}
