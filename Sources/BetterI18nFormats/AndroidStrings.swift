/// Android `res/values*/strings.xml`: `<string>` and `<plurals>`, printf placeholders
/// (`%s`, `%1$d`), Android's backslash escapes.
enum AndroidStrings {
    static func write(_ document: ExportDocument) -> ExportedFile {
        let language = document.language
        var notes: [FormatNote] = []
        var output = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<resources>\n"
        for entry in document.entries {
            guard let value = entry.values[language] else { continue }
            guard isResourceName(entry.key) else {
                notes.append(FormatNote(key: entry.key, language: language,
                                        message: "not a valid Android resource name (letters, digits, '_' and '.'); not written"))
                continue
            }
            let source = entry.values[document.sourceLanguage].map(ICUMessage.init(parsing:))
            let message = ICUMessage(parsing: value)
            let name = XMLText.escape(entry.key, attribute: true)
            if let cases = Printf.pluralCases(message, source: source, style: .android) {
                output += "    <plurals name=\"\(name)\">\n"
                for item in cases {
                    output += "        <item quantity=\"\(item.category)\">" + XMLText.escape(escape(item.text)) + "</item>\n"
                }
                output += "    </plurals>\n"
            } else {
                var text = Printf.encode(message, source: source, style: .android)
                if text == nil {
                    notes.append(FormatNote(key: entry.key, language: language,
                                            message: "Android strings have no select or nested plurals; written as ICU text"))
                    text = value.replacingOccurrences(of: "%", with: "%%")
                }
                output += "    <string name=\"\(name)\">" + XMLText.escape(escape(text!)) + "</string>\n"
            }
        }
        output += "</resources>\n"
        return ExportedFile(name: "", bytes: Array(output.utf8), notes: notes)
    }

    static func isResourceName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first.properties.isAlphabetic || first == "_", first.isASCII else { return false }
        return key.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ".") }
    }

    /// Android's resource escapes: backslash, quotes, a leading `@` or `?`, newlines and tabs;
    /// text with runs of spaces is wrapped in double quotes so Android keeps them.
    static func escape(_ text: String) -> String {
        let plain = !text.utf8.contains { byte in
            byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\t")
        } && !text.hasPrefix("@") && !text.hasPrefix("?") && !text.hasPrefix(" ") && !text.hasSuffix(" ") && !text.contains("  ")
        if plain { return text }
        var output = ""
        for (index, character) in text.enumerated() {
            switch character {
            case "\\": output += "\\\\"
            case "'": output += "\\'"
            case "\"": output += "\\\""
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "@" where index == 0, "?" where index == 0: output += "\\" + String(character)
            default: output.append(character)
            }
        }
        let keepsSpaces = text.hasPrefix(" ") || text.hasSuffix(" ") || text.contains("  ")
        return keepsSpaces ? "\"" + output + "\"" : output
    }

    /// Resource text as Android reads it: escapes resolved, quoted runs kept, other runs of
    /// whitespace collapsed to one space and trimmed.
    static func unescape(_ text: String) -> String {
        var output = ""
        var quoted = false
        var pendingSpace = false
        var characters = text.makeIterator()
        func emit(_ character: Character) {
            if pendingSpace && !output.isEmpty { output.append(" ") }
            pendingSpace = false
            output.append(character)
        }
        while let character = characters.next() {
            switch character {
            case "\\":
                guard let next = characters.next() else { break }
                switch next {
                case "n": emit("\n")
                case "t": emit("\t")
                case "u":
                    var hex = ""
                    for _ in 0..<4 { if let digit = characters.next() { hex.append(digit) } }
                    if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) { emit(Character(scalar)) }
                default: emit(next)
                }
            case "\"":
                quoted.toggle()
            case _ where character.isWhitespace && !quoted:
                pendingSpace = true
            default:
                emit(character)
            }
        }
        return output
    }

    static func read(_ text: String) throws -> ImportDocument {
        let root = try XMLNode.parse(text)
        guard root.name == "resources" else {
            throw FormatFailure.at(root.line, "invalid_file", "an Android strings file has <resources> as its root, not <\(root.name)>")
        }
        var problems = ProblemList()
        var entries: [ImportEntry] = []
        for element in root.children {
            guard let name = element.attributes["name"] else {
                problems.add(element.line, "invalid_value", "<\(element.name)> has no name")
                continue
            }
            guard problems.unique(name, line: element.line) else { continue }
            switch element.name {
            case "string":
                guard element.children.isEmpty else {
                    problems.add(element.line, "unsupported_markup", "'\(name.prefix(100))' holds markup; only text is read", key: name)
                    continue
                }
                entries.append(ImportEntry(key: name, line: element.line, values: ["": Printf.icu(unescape(element.text))]))
            case "plurals":
                var forms: [(category: String, text: String)] = []
                for item in element.elements("item") {
                    guard let quantity = item.attributes["quantity"], PluralRules.categories.contains(quantity) else {
                        problems.add(item.line, "invalid_plural", "an <item> of '\(name.prefix(100))' has no valid quantity", key: name)
                        continue
                    }
                    forms.append((quantity, unescape(item.text)))
                }
                guard forms.contains(where: { $0.category == "other" }) else {
                    problems.add(element.line, "plural_missing_other", "the plurals '\(name.prefix(100))' have no quantity=\"other\" item", key: name)
                    continue
                }
                entries.append(ImportEntry(key: name, line: element.line, values: ["": Printf.plural(forms).render()]))
            default:
                problems.add(element.line, "unsupported_resource", "<\(element.name)> '\(name.prefix(100))' is not read (only <string> and <plurals>)", key: name)
            }
        }
        try problems.check()
        return ImportDocument(language: nil, sourceLanguage: nil, entries: entries)
    }
}
