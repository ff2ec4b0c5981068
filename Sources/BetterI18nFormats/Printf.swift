/// ICU arguments ↔ printf specifiers, as Apple (`%@`, `%lld`) and Android (`%s`, `%d`) spell
/// them. Arguments are numbered by their order in the source value: one argument is written
/// `%@`, several are written positionally (`%2$@`), so a translation may reorder them.
public enum Printf {
    enum Style {
        case apple, android

        func specifier(isNumber: Bool) -> String {
            switch self {
            case .apple: isNumber ? "lld" : "@"
            case .android: isNumber ? "d" : "s"
            }
        }
    }

    /// The argument order of a value: the source value's, then any names only `message` has.
    static func order(source: ICUMessage?, message: ICUMessage) -> [(name: String, isNumber: Bool)] {
        var order = source?.arguments ?? []
        for argument in message.arguments where !order.contains(where: { $0.name == argument.name }) {
            order.append(argument)
        }
        return order
    }

    /// Pieces without choices as printf text; `#` is the plural argument `plural`. Nil when a
    /// piece cannot be written (a choice).
    static func encode(_ pieces: [ICUMessage.Piece], order: [(name: String, isNumber: Bool)], plural: String?, style: Style) -> String? {
        var output = ""
        func placeholder(_ name: String, isNumber: Bool) {
            let position = (order.firstIndex { $0.name == name } ?? 0) + 1
            let number = isNumber || order.first { $0.name == name }?.isNumber == true
            output += order.count > 1 ? "%\(position)$" + style.specifier(isNumber: number) : "%" + style.specifier(isNumber: number)
        }
        for piece in pieces {
            switch piece {
            case .text(let text):
                output += text.utf8.contains(UInt8(ascii: "%")) ? text.replacingOccurrences(of: "%", with: "%%") : text
            case .argument(let name, let type, _):
                placeholder(name, isNumber: type == "number" || name == plural)
            case .pound:
                guard let plural else { return nil }
                placeholder(plural, isNumber: true)
            case .choice:
                return nil
            }
        }
        return output
    }

    /// A whole message as printf text, or nil when it holds a plural or select.
    static func encode(_ message: ICUMessage, source: ICUMessage?, style: Style) -> String? {
        encode(message.pieces, order: order(source: source, message: message), plural: nil, style: style)
    }

    /// Printf text as ICU pieces with numbered arguments (`{0}`, `{1, number}`), counting
    /// `sequential` on from where a previous part of the same value stopped.
    static func decode(_ text: String, sequential: inout Int) -> [ICUMessage.Piece] {
        var pieces: [ICUMessage.Piece] = []
        var literal = ""
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            guard characters[index] == "%" else {
                literal.append(characters[index])
                index += 1
                continue
            }
            if index + 1 < characters.count, characters[index + 1] == "%" {
                literal.append("%")
                index += 2
                continue
            }
            guard let spec = specifier(characters, at: index + 1) else {
                literal.append("%")
                index += 1
                continue
            }
            if !literal.isEmpty { pieces.append(.text(literal)); literal = "" }
            let position: Int
            if let explicit = spec.position {
                position = explicit - 1
            } else {
                position = sequential
                sequential += 1
            }
            pieces.append(.argument(name: String(position), type: spec.isNumber ? "number" : nil, style: nil))
            index = spec.end
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }

    struct Specifier {
        var position: Int?
        var isNumber: Bool
        var end: Int
        /// `%#@name@` of `.stringsdict` and String Catalog substitutions.
        var variable: String?
    }

    /// A printf conversion starting after its `%`: `[n$][flags][width][.precision][length]conv`.
    static func specifier(_ characters: [Character], at start: Int) -> Specifier? {
        var index = start
        func digits() -> Int? {
            let from = index
            while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 }
            return index > from ? Int(String(characters[from..<index])) : nil
        }
        var position: Int?
        let mark = index
        if let number = digits(), index < characters.count, characters[index] == "$", number > 0 {
            position = number
            index += 1
        } else {
            index = mark
        }
        if index + 1 < characters.count, characters[index] == "#", characters[index + 1] == "@" {
            index += 2
            let from = index
            while index < characters.count, characters[index] != "@" { index += 1 }
            guard index < characters.count, index > from else { return nil }
            let name = String(characters[from..<index])
            return Specifier(position: position, isNumber: true, end: index + 1, variable: name)
        }
        while index < characters.count, "-+ 0'#".contains(characters[index]) { index += 1 }
        _ = digits()
        if index < characters.count, characters[index] == "." {
            index += 1
            _ = digits()
        }
        while index < characters.count, "hlqLzjt".contains(characters[index]) { index += 1 }
        guard index < characters.count else { return nil }
        let conversion = characters[index]
        switch conversion {
        case "@", "s", "S", "c", "C", "p":
            return Specifier(position: position, isNumber: false, end: index + 1)
        case "d", "D", "i", "u", "U", "x", "X", "o", "O", "f", "F", "e", "E", "g", "G", "a", "A":
            return Specifier(position: position, isNumber: true, end: index + 1)
        default:
            return nil
        }
    }

    // MARK: Plurals

    /// A message as plural cases in printf text (String Catalog variations, `.stringsdict`,
    /// Android `<plurals>`), or nil when it is not one plain plural.
    static func pluralCases(_ message: ICUMessage, source: ICUMessage?, style: Style) -> [(category: String, text: String)]? {
        guard let plural = message.singlePlural else { return nil }
        let order = order(source: source, message: message)
        var cases: [(category: String, text: String)] = []
        for item in plural.cases {
            guard let text = encode(item.message.pieces, order: order, plural: plural.name, style: style) else { return nil }
            cases.append((item.category, text))
        }
        return cases
    }

    /// Plural cases in printf text as one ICU plural with numbered arguments. The plural's own
    /// argument is the first number placeholder of the cases (written back as `#`).
    static func plural(_ cases: [(category: String, text: String)], startingAt first: Int = 0) -> ICUMessage {
        var decoded: [(String, [ICUMessage.Piece])] = []
        for item in cases {
            var sequential = first
            decoded.append((item.category, decode(item.text, sequential: &sequential)))
        }
        let numbers = decoded.flatMap(\.1).compactMap { piece -> String? in
            if case .argument(let name, "number"?, _) = piece { name } else { nil }
        }
        let allNames = decoded.flatMap(\.1).compactMap { piece -> Int? in
            if case .argument(let name, _, _) = piece { Int(name) } else { nil }
        }
        let pluralName = numbers.first ?? String((allNames.max() ?? (first - 1)) + 1)
        let sorted = decoded.sorted { lhs, rhs in
            (PluralRules.categories.firstIndex(of: lhs.0) ?? 9) < (PluralRules.categories.firstIndex(of: rhs.0) ?? 9)
        }
        let cases = sorted.map { category, pieces in
            (selector: category, message: ICUMessage(pieces.map { piece -> ICUMessage.Piece in
                if case .argument(pluralName, _, _) = piece { return .pound }
                return piece
            }))
        }
        return ICUMessage([.choice(name: pluralName, kind: "plural", offset: nil, cases: cases)])
    }

    /// Text of a format without ICU as ICU (literal braces quoted, `%@` numbered).
    static func icu(_ text: String) -> String {
        var sequential = 0
        return ICUMessage(decode(text, sequential: &sequential)).render()
    }

    /// Names the numbered arguments of a value read from a printf format after the source
    /// value's arguments (`{0}` → the source's first). Nil when it uses a position the source
    /// does not have.
    public static func named(_ value: String, sourceOrder: [String]) -> String? {
        let message = ICUMessage(parsing: value)
        var map: [String: String] = [:]
        for argument in message.arguments {
            guard let position = Int(argument.name) else { continue }
            guard position < sourceOrder.count else { return nil }
            map[argument.name] = sourceOrder[position]
        }
        return message.renamed(map).render()
    }
}
