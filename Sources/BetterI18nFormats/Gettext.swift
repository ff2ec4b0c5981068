/// gettext `.po`: the key in `msgctxt`, the source value in `msgid`, the translation in
/// `msgstr`; values kept as ICU text. A value that is one plural is written as gettext plural
/// forms (`msgid_plural`, `msgstr[i]`), one per CLDR category of the language, in the order its
/// `Plural-Forms` header counts them.
enum Gettext {
    /// The argument name a plural read from PO gets until it is named after the source value.
    static let pluralArgument = "__plural"

    static func write(_ document: ExportDocument) -> ExportedFile {
        let language = document.language
        let rules = PluralRules.gettext(for: language)
        var notes: [FormatNote] = []
        var output = "msgid \"\"\nmsgstr \"\"\n"
        for header in ["Language: \(language)", "MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
                       "Content-Transfer-Encoding: 8bit", "Plural-Forms: \(rules.header)"] {
            output += QuotedLiteral.quote(header + "\n") + "\n"
        }
        for entry in document.entries {
            guard let sourceValue = entry.values[document.sourceLanguage] else {
                notes.append(FormatNote(key: entry.key, language: language, message: "no source-language value, so no PO entry"))
                continue
            }
            output += "\n"
            if let description = entry.description {
                for line in description.split(separator: "\n", omittingEmptySubsequences: false) { output += "#. " + line + "\n" }
            }
            output += "msgctxt " + QuotedLiteral.quote(entry.key) + "\n"
            let value = entry.values[language]
            if let sourcePlural = ICUMessage(parsing: sourceValue).singlePlural {
                let one = sourcePlural.cases.first { $0.category == "one" } ?? sourcePlural.cases.first { $0.category == "other" }
                let other = sourcePlural.cases.first { $0.category == "other" }
                output += "msgid " + QuotedLiteral.quote(one?.message.render(inPlural: true) ?? "") + "\n"
                output += "msgid_plural " + QuotedLiteral.quote(other?.message.render(inPlural: true) ?? "") + "\n"
                var forms = Array(repeating: "", count: rules.categories.count)
                if let value {
                    if let plural = ICUMessage(parsing: value).singlePlural {
                        let cases = Dictionary(plural.cases.map { ($0.category, $0.message.render(inPlural: true)) }, uniquingKeysWith: { a, _ in a })
                        for (index, category) in rules.categories.enumerated() { forms[index] = cases[category] ?? cases["other"] ?? "" }
                        let lost = cases.keys.filter { category in
                            !rules.categories.contains(category) && !(category == "other" && cases["other"] == forms.last)
                        }
                        if !lost.isEmpty {
                            notes.append(FormatNote(key: entry.key, language: language, message: "gettext's plural forms for \(language) "
                                + "have no \(lost.sorted().joined(separator: ", ")) case; not written"))
                        }
                    } else {
                        notes.append(FormatNote(key: entry.key, language: language,
                                                message: "the source is a plural and this value is not; written as every plural form"))
                        forms = forms.map { _ in value }
                    }
                }
                for (index, form) in forms.enumerated() { output += "msgstr[\(index)] " + QuotedLiteral.quote(form) + "\n" }
            } else {
                output += "msgid " + QuotedLiteral.quote(sourceValue) + "\n"
                output += "msgstr " + QuotedLiteral.quote(value ?? "") + "\n"
            }
        }
        return ExportedFile(name: "", bytes: Array(output.utf8), notes: notes)
    }


    /// One entry as read: its keywords' strings and comments.
    private struct Entry {
        var line = 0
        var context: String?
        var id: String?
        var idPlural: String?
        var string: String?
        var forms: [Int: String] = [:]
        var comments: [String] = []
        var fuzzy = false
        var obsolete = false
    }

    static func read(_ text: String) throws -> ImportDocument {
        var problems = ProblemList()
        var parsed: [Entry] = []
        var current = Entry()
        var started = false
        /// Where continuation lines (`"…"`) go.
        var target: WritableKeyPath<Entry, String?>?
        var targetForm: Int?
        func finish() {
            if started { parsed.append(current) }
            current = Entry()
            started = false
            target = nil
            targetForm = nil
        }
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                // A comment after the keywords of an entry starts the next entry.
                if started && current.id != nil { finish() }
                if line.hasPrefix("#~") { current.obsolete = true; continue }
                if line.hasPrefix("#.") { current.comments.append(String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)) }
                if line.hasPrefix("#,") && line.contains("fuzzy") { current.fuzzy = true }
                continue
            }
            if line.hasPrefix("\"") {
                guard let value = unquote(line) else { problems.add(number, "invalid_po", "a string is not closed or has a bad escape"); continue }
                if let form = targetForm {
                    current.forms[form, default: ""] += value
                } else if let target {
                    current[keyPath: target] = (current[keyPath: target] ?? "") + value
                } else {
                    problems.add(number, "invalid_po", "a string continues no keyword")
                }
                continue
            }
            let keyword = String(line.prefix { !$0.isWhitespace })
            let rest = line.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
            guard let value = unquote(rest) else {
                problems.add(number, "invalid_po", "expected a PO keyword (msgctxt, msgid, msgstr) and a quoted string")
                if problems.problems.count > 20 { break }
                continue
            }
            targetForm = nil
            switch keyword {
            case "msgctxt":
                if current.id != nil { finish() }
                started = true
                current.line = number
                current.context = value
                target = \.context
            case "msgid":
                if current.id != nil { finish() }
                if !started { started = true; current.line = number }
                current.id = value
                target = \.id
            case "msgid_plural":
                current.idPlural = value
                target = \.idPlural
            case "msgstr":
                current.string = value
                target = \.string
            case _ where keyword.hasPrefix("msgstr[") && keyword.hasSuffix("]"):
                guard let index = Int(keyword.dropFirst(7).dropLast()), index >= 0, index < 6 else {
                    problems.add(number, "invalid_po", "'\(keyword)' is not a plural form index")
                    continue
                }
                current.forms[index] = value
                targetForm = index
                target = nil
            default:
                problems.add(number, "invalid_po", "expected a PO keyword (msgctxt, msgid, msgstr), found '\(keyword.prefix(40))'")
            }
            if problems.problems.count > 20 { break }
        }
        finish()
        try problems.check()

        var language: String?
        var pluralCount: Int?
        var entries: [ImportEntry] = []
        var notes: [FormatNote] = []
        for entry in parsed where !entry.obsolete {
            if entry.context == nil, entry.id == "" {
                for field in (entry.string ?? "").split(separator: "\n") {
                    let parts = field.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2 else { continue }
                    if parts[0].lowercased() == "language" { language = parts[1].replacingOccurrences(of: "_", with: "-").lowercased() }
                    if parts[0].lowercased() == "plural-forms",
                       let range = parts[1].range(of: "nplurals="), let count = Int(parts[1][range.upperBound...].prefix { $0.isNumber }) {
                        pluralCount = count
                    }
                }
                continue
            }
            guard let id = entry.id else {
                problems.add(entry.line, "invalid_po", "an entry has no msgid")
                continue
            }
            let key = entry.context ?? id
            guard !key.isEmpty, problems.unique(key, line: entry.line) else { continue }
            var values: [String: String] = [:]
            var description = entry.comments.isEmpty ? nil : entry.comments.joined(separator: "\n")
            if description?.isEmpty == true { description = nil }
            if let idPlural = entry.idPlural {
                values["@source"] = "{\(pluralArgument), plural, one {\(id)} other {\(idPlural)}}"
                let forms = (0..<(entry.forms.keys.max().map { $0 + 1 } ?? 0)).map { entry.forms[$0] ?? "" }
                if forms.contains(where: { !$0.isEmpty }) && !entry.fuzzy {
                    values[""] = forms.joined(separator: "\u{1F}")   // split by language below
                }
            } else {
                values["@source"] = id
                if let string = entry.string, !string.isEmpty, !entry.fuzzy { values[""] = string }
            }
            if entry.fuzzy { notes.append(FormatNote(key: key, language: language, message: "fuzzy: the translation was not imported")) }
            entries.append(ImportEntry(key: key, line: entry.line, description: description, values: values))
        }
        // Plural forms become ICU cases by the language's CLDR categories.
        let rules = PluralRules.gettext(for: language ?? "en")
        for index in entries.indices {
            guard let joined = entries[index].values[""], entries[index].values["@source"]?.hasPrefix("{\(pluralArgument), plural,") == true else { continue }
            let forms = joined.components(separatedBy: "\u{1F}")
            let count = pluralCount ?? rules.categories.count
            guard forms.count == count, count == rules.categories.count else {
                problems.add(entries[index].line, "plural_forms_mismatch", "'\(entries[index].key.prefix(100))' has \(forms.count) plural forms; "
                             + "\(language ?? "this language") has \(rules.categories.count) (\(rules.categories.joined(separator: ", ")))",
                             key: entries[index].key)
                continue
            }
            var cases = zip(rules.categories, forms).map { "\($0) {\($1)}" }
            if !rules.categories.contains("other") { cases.append("other {\(forms.last ?? "")}") }
            entries[index].values[""] = "{\(pluralArgument), plural, " + cases.joined(separator: " ") + "}"
        }
        try problems.check()
        return ImportDocument(language: language, sourceLanguage: nil, entries: entries, notes: notes)
    }

    /// A PO string literal's text, or nil when `text` is not exactly one quoted string.
    static func unquote(_ text: String) -> String? {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return nil }
        var output = ""
        var escaping = false
        for character in text.dropFirst().dropLast() {
            if escaping {
                switch character {
                case "n": output.append("\n")
                case "t": output.append("\t")
                case "r": output.append("\r")
                case "\\", "\"": output.append(character)
                default: return nil
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" {
                return nil
            } else {
                output.append(character)
            }
        }
        return escaping ? nil : output
    }
}
