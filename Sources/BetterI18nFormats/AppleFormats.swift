import Foundation

/// Apple `.strings`: `"key" = "value";` with `/* comments */`, printf placeholders, no plurals.
enum AppleStrings {
    static func write(_ document: ExportDocument) -> ExportedFile {
        let language = document.language
        var output = ""
        var notes: [FormatNote] = []
        for entry in document.entries {
            guard let value = entry.values[language] else { continue }
            let source = entry.values[document.sourceLanguage].map(ICUMessage.init(parsing:))
            let message = ICUMessage(parsing: value)
            let text: String
            if let encoded = Printf.encode(message, source: source, style: .apple) {
                text = encoded
            } else {
                notes.append(FormatNote(key: entry.key, language: language,
                                        message: ".strings has no plurals (use stringsdict or xcstrings); written as ICU text"))
                text = value.replacingOccurrences(of: "%", with: "%%")
            }
            if let description = entry.description {
                output += "/* " + description.replacingOccurrences(of: "*/", with: "* /") + " */\n"
            }
            output += QuotedLiteral.quote(entry.key) + " = " + QuotedLiteral.quote(text) + ";\n\n"
        }
        return ExportedFile(name: "", bytes: Array(output.utf8), notes: notes)
    }


    static func read(_ text: String) throws -> ImportDocument {
        var scanner = Scanner(characters: Array(text.unicodeScalars))
        var problems = ProblemList()
        var entries: [ImportEntry] = []
        do {
            while true {
                let comment = try scanner.skipTrivia()
                guard scanner.current != nil else { break }
                let line = scanner.line
                let key = try scanner.token("a quoted key")
                scanner.skipSpace()
                try scanner.expect("=")
                _ = try scanner.skipTrivia()
                let value = try scanner.token("a quoted value")
                _ = try scanner.skipTrivia()
                try scanner.expect(";")
                if problems.unique(key, line: line) {
                    entries.append(ImportEntry(key: key, line: line, description: comment, values: ["": Printf.icu(value)]))
                }
            }
        } catch let failure as FormatFailure {
            problems.problems += failure.problems
        }
        try problems.check()
        return ImportDocument(language: nil, sourceLanguage: nil, entries: entries)
    }

    struct Scanner {
        let characters: [Unicode.Scalar]
        var index = 0
        var line = 1

        var current: Unicode.Scalar? { index < characters.count ? characters[index] : nil }

        mutating func advance() {
            if characters[index] == "\n" { line += 1 }
            index += 1
        }

        func fail(_ message: String) -> FormatFailure { FormatFailure.at(line, "invalid_strings", message) }

        mutating func skipSpace() {
            while let character = current, character.properties.isWhitespace { advance() }
        }

        /// Whitespace and comments; the text of the last `/* … */` comment, for a description.
        mutating func skipTrivia() throws -> String? {
            var comment: String?
            while true {
                skipSpace()
                guard current == "/", index + 1 < characters.count else { return comment }
                if characters[index + 1] == "*" {
                    let start = line
                    advance(); advance()
                    var text = String.UnicodeScalarView()
                    while true {
                        guard let character = current else { throw FormatFailure.at(start, "invalid_strings", "a comment is never closed") }
                        if character == "*", index + 1 < characters.count, characters[index + 1] == "/" { advance(); advance(); break }
                        text.append(character)
                        advance()
                    }
                    comment = String(text).trimmingCharacters(in: .whitespacesAndNewlines)
                } else if characters[index + 1] == "/" {
                    while let character = current, character != "\n" { advance() }
                } else {
                    return comment
                }
            }
        }

        mutating func expect(_ character: Unicode.Scalar) throws {
            guard current == character else { throw fail("expected '\(character)'") }
            advance()
        }

        /// A quoted string with `\` escapes, or a bare word of letters, digits and `_.-`.
        mutating func token(_ what: String) throws -> String {
            guard let first = current else { throw fail("expected \(what); the file ends") }
            if first != "\"" {
                var word = String.UnicodeScalarView()
                while let character = current, character.properties.isAlphabetic || ("0"..."9").contains(character) || "_.-$:/".unicodeScalars.contains(character) {
                    word.append(character)
                    advance()
                }
                guard !word.isEmpty else { throw fail("expected \(what)") }
                return String(word)
            }
            let start = line
            advance()
            var text = String.UnicodeScalarView()
            while true {
                guard let character = current else { throw FormatFailure.at(start, "invalid_strings", "a string is never closed") }
                advance()
                if character == "\"" { return String(text) }
                guard character == "\\" else { text.append(character); continue }
                guard let escaped = current else { throw FormatFailure.at(start, "invalid_strings", "a string is never closed") }
                advance()
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "0": text.append("\0")
                case "u", "U":
                    var hex = ""
                    for _ in 0..<4 { if let digit = current, digit.properties.isASCIIHexDigit { hex.unicodeScalars.append(digit); advance() } }
                    guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else { throw fail("an invalid \\U escape") }
                    text.append(scalar)
                default: text.append(escaped)
                }
            }
        }
    }
}

/// Apple `.stringsdict`: a property list of keys whose `NSStringLocalizedFormatKey` is either
/// the text itself or `%#@var@` with an `NSStringPluralRuleType` variable of plural cases.
enum StringsDict {
    static func write(_ document: ExportDocument) -> ExportedFile {
        let language = document.language
        var notes: [FormatNote] = []
        var output = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>

            """
        func pair(_ key: String, _ value: String, _ indent: String) {
            output += indent + "<key>" + XMLText.escape(key) + "</key>\n" + indent + "<string>" + XMLText.escape(value) + "</string>\n"
        }
        for entry in document.entries {
            guard let value = entry.values[language] else { continue }
            let source = entry.values[document.sourceLanguage].map(ICUMessage.init(parsing:))
            let message = ICUMessage(parsing: value)
            output += "\t<key>" + XMLText.escape(entry.key) + "</key>\n\t<dict>\n"
            if let plural = message.singlePlural, let cases = Printf.pluralCases(message, source: source, style: .apple) {
                let order = Printf.order(source: source, message: message)
                let position = (order.firstIndex { $0.name == plural.name } ?? 0) + 1
                let variable = variableName(plural.name)
                pair("NSStringLocalizedFormatKey", order.count > 1 ? "%\(position)$#@\(variable)@" : "%#@\(variable)@", "\t\t")
                output += "\t\t<key>" + XMLText.escape(variable) + "</key>\n\t\t<dict>\n"
                pair("NSStringFormatSpecTypeKey", "NSStringPluralRuleType", "\t\t\t")
                pair("NSStringFormatValueTypeKey", "lld", "\t\t\t")
                for item in cases { pair(item.category, item.text, "\t\t\t") }
                output += "\t\t</dict>\n"
            } else if let text = Printf.encode(message, source: source, style: .apple) {
                pair("NSStringLocalizedFormatKey", text, "\t\t")
            } else {
                notes.append(FormatNote(key: entry.key, language: language,
                                        message: ".stringsdict has no select or nested plurals; written as ICU text"))
                pair("NSStringLocalizedFormatKey", value.replacingOccurrences(of: "%", with: "%%"), "\t\t")
            }
            output += "\t</dict>\n"
        }
        output += "</dict>\n</plist>\n"
        return ExportedFile(name: "", bytes: Array(output.utf8), notes: notes)
    }

    /// A variable name Apple accepts: the argument's name when it is an identifier.
    static func variableName(_ name: String) -> String {
        let valid = name.first.map { $0.isLetter || $0 == "_" } == true && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        return valid ? name : "count"
    }

    static func read(_ text: String) throws -> ImportDocument {
        // XMLParser first: entities refused, lines and duplicate keys found; then the property
        // list reader for the values.
        let root = try XMLNode.parse(text)
        guard root.name == "plist", let top = root.first("dict") else {
            throw FormatFailure.at(root.line, "invalid_file", "a .stringsdict is a property list whose root is a dict")
        }
        var problems = ProblemList()
        var lines: [String: Int] = [:]
        for key in top.elements("key") where problems.unique(key.text, line: key.line) { lines[key.text] = key.line }
        try problems.check()
        let plist: Any
        do {
            plist = try PropertyListSerialization.propertyList(from: Data(text.utf8), options: [], format: nil)
        } catch {
            throw FormatFailure.at(nil, "invalid_plist", "the file is not a valid property list")
        }
        guard let dictionary = plist as? [String: Any] else { throw FormatFailure.at(root.line, "invalid_file", "the root is not a dict") }
        var entries: [ImportEntry] = []
        for (key, value) in dictionary {
            let line = lines[key]
            guard let rule = value as? [String: Any], let format = rule["NSStringLocalizedFormatKey"] as? String else {
                problems.add(line, "invalid_value", "'\(key.prefix(100))' has no NSStringLocalizedFormatKey", key: key)
                continue
            }
            let characters = Array(format)
            // `%#@var@` or `%N$#@var@` alone: a plural; anything else is text.
            if format.hasPrefix("%"), let spec = Printf.specifier(characters, at: 1), let variable = spec.variable, spec.end == characters.count {
                guard let cases = rule[variable] as? [String: Any], cases["NSStringFormatSpecTypeKey"] as? String == "NSStringPluralRuleType" else {
                    problems.add(line, "invalid_plural", "'\(key.prefix(100))' names the variable '\(variable)' but has no plural rule for it", key: key)
                    continue
                }
                let forms = PluralRules.categories.compactMap { category in (cases[category] as? String).map { (category: category, text: $0) } }
                guard forms.contains(where: { $0.category == "other" }) else {
                    problems.add(line, "plural_missing_other", "the plural of '\(key.prefix(100))' has no 'other' case", key: key)
                    continue
                }
                entries.append(ImportEntry(key: key, line: line, values: ["": Printf.plural(forms, startingAt: (spec.position ?? 1) - 1).render()]))
            } else if format.contains("%#@") {
                problems.add(line, "unsupported_format", "'\(key.prefix(100))': only a whole-value plural variable is read", key: key)
            } else {
                entries.append(ImportEntry(key: key, line: line, values: ["": Printf.icu(format)]))
            }
        }
        try problems.check()
        entries.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        return ImportDocument(language: nil, sourceLanguage: nil, entries: entries)
    }
}
