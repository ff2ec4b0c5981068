import BetterI18nCore

/// `json` (nested by `.`) and `json-flat`: one language and namespace per file, values as
/// ICU MessageFormat, keys in byte order.
enum KeyValueJSON {
    static func write(_ document: ExportDocument, nested: Bool) -> ExportedFile {
        let language = document.language
        let values = document.entries.compactMap { entry in entry.values[language].map { (entry.key, $0) } }
        let body: JSONWriter.Value = nested ? tree(values) : .object(values.map { ($0.0, .string($0.1)) })
        return ExportedFile(name: "", bytes: JSONWriter.document(body), notes: [])
    }

    /// Keys whose every `.` segment is an identifier nest; others, and the two sides of a
    /// collision (`a` beside `a.b`), stay whole at the top, which reads back as the same name.
    static func tree(_ values: [(String, String)]) -> JSONWriter.Value {
        final class Node {
            var value: String?
            var children: [String: Node] = [:]
        }
        let names = Set(values.map(\.0))
        let root = Node()
        for (key, value) in values {
            var segments = KeyNesting.path(key).map { $0.map(String.init) } ?? [key]
            let prefixes = KeyNesting.properPrefixes(key)
            if prefixes.contains(where: names.contains) { segments = [key] }
            var node = root
            for segment in segments {
                let child = node.children[segment] ?? Node()
                node.children[segment] = child
                node = child
            }
            node.value = value
        }
        func render(_ node: Node) -> JSONWriter.Value {
            var members: [(String, JSONWriter.Value)] = []
            for name in node.children.keys.sorted(by: byteOrder) {
                let child = node.children[name]!
                if let value = child.value {
                    members.append((name, .string(value)))
                } else {
                    members.append((name, render(child)))
                }
            }
            return .object(members)
        }
        return render(root)
    }

    static func read(_ text: String, nested: Bool) throws -> ImportDocument {
        let root = try JSONNode.parse(text)
        var problems = ProblemList()
        JSONNode.duplicates(in: root, problems: &problems)
        guard let members = root.members else { throw FormatFailure.at(1, "invalid_file", "the file is not a JSON object") }
        var entries: [ImportEntry] = []
        func walk(_ members: [JSONNode.Member], prefix: String) {
            for member in members {
                let key = prefix.isEmpty ? member.name : prefix + "." + member.name
                switch member.value {
                case .string(let value):
                    entries.append(ImportEntry(key: key, line: member.line, values: ["": value]))
                case .object(let children) where nested:
                    walk(children, prefix: key)
                default:
                    problems.add(member.line, "invalid_value", "'\(key.prefix(100))' is \(member.value.kind); values are strings", key: key)
                }
            }
        }
        walk(members, prefix: "")
        try problems.check()
        return ImportDocument(language: nil, sourceLanguage: nil, entries: entries)
    }
}

/// Flutter's Application Resource Bundle: `@@locale`, each key, and its `@key` metadata
/// (`description`).
enum ARB {
    static func write(_ document: ExportDocument) -> ExportedFile {
        let language = document.language
        var members: [(String, JSONWriter.Value)] = [("@@locale", .string(language))]
        var notes: [FormatNote] = []
        for entry in document.entries {
            guard let value = entry.values[language] else { continue }
            guard !entry.key.hasPrefix("@") else {
                notes.append(FormatNote(key: entry.key, language: language, message: "ARB reserves names starting with '@'; not written"))
                continue
            }
            members.append((entry.key, .string(value)))
            if let description = entry.description {
                members.append(("@" + entry.key, .object([("description", .string(description))])))
            }
        }
        return ExportedFile(name: "", bytes: JSONWriter.document(.object(members)), notes: notes)
    }

    static func read(_ text: String) throws -> ImportDocument {
        let root = try JSONNode.parse(text)
        var problems = ProblemList()
        JSONNode.duplicates(in: root, problems: &problems)
        guard let members = root.members else { throw FormatFailure.at(1, "invalid_file", "the file is not a JSON object") }
        var locale: String?
        var entries: [ImportEntry] = []
        var descriptions: [String: String] = [:]
        for member in members {
            if member.name.hasPrefix("@@") {
                if member.name == "@@locale" { locale = member.value.string }
            } else if member.name.hasPrefix("@") {
                if let description = member.value.member("description")?.string { descriptions[String(member.name.dropFirst())] = description }
            } else if let value = member.value.string {
                entries.append(ImportEntry(key: member.name, line: member.line, values: ["": value]))
            } else {
                problems.add(member.line, "invalid_value", "'\(member.name.prefix(100))' is \(member.value.kind); values are strings", key: member.name)
            }
        }
        try problems.check()
        for index in entries.indices { entries[index].description = descriptions[entries[index].key] }
        return ImportDocument(language: locale, sourceLanguage: nil, entries: entries)
    }
}

/// Apple String Catalogs (`.xcstrings`), in the layout Xcode writes: every language of a
/// namespace in one file, plurals as `variations.plural`, placeholders as `%@`/`%lld`.
enum StringCatalog {
    /// The whole file at once (tests, and comparing two values as written).
    static func write(_ document: ExportDocument) -> ExportedFile {
        var bytes: [UInt8] = []
        let notes = write(document) { text in bytes += text.utf8 }
        return ExportedFile(name: "", bytes: bytes, notes: notes)
    }

    /// Bytes written before the text written so far is handed on.
    static let flushBytes = 256 * 1024

    /// Written key by key (a tree of the whole catalog cost several times the file in memory),
    /// in the layout `JSONWriter` gives a whole document, and handed to `flush` in pieces of
    /// about ``flushBytes``: the catalog holds every language, the largest file of an export,
    /// and is never whole in memory.
    static func write(_ document: ExportDocument, flush: (String) throws -> Void) rethrows -> [FormatNote] {
        var notes: [FormatNote] = []
        var writer = JSONWriter(colon: " : ")
        writer.output += "{\n  \"sourceLanguage\" : "
        JSONWriter.quote(document.sourceLanguage, into: &writer.output)
        writer.output += ",\n  \"strings\" : " + (document.entries.isEmpty ? "{}" : "{\n")
        for (index, entry) in document.entries.enumerated() {
            let source = entry.values[document.sourceLanguage].map(ICUMessage.init(parsing:))
            var localizations: [(String, JSONWriter.Value)] = []
            for language in document.languages.sorted(by: byteOrder) {
                guard let value = entry.values[language] else { continue }
                let message = ICUMessage(parsing: value)
                if let cases = Printf.pluralCases(message, source: source, style: .apple) {
                    let variations = cases.sorted { byteOrder($0.category, $1.category) }.map { item in
                        (item.category, JSONWriter.Value.object([("stringUnit", unit(item.text))]))
                    }
                    localizations.append((language, .object([("variations", .object([("plural", .object(variations))]))])))
                } else if let text = Printf.encode(message, source: source, style: .apple) {
                    localizations.append((language, .object([("stringUnit", unit(text))])))
                } else {
                    notes.append(FormatNote(key: entry.key, language: language,
                                            message: "String Catalogs have no select or nested plurals; written as ICU text"))
                    localizations.append((language, .object([("stringUnit", unit(value.replacingOccurrences(of: "%", with: "%%")))])))
                }
            }
            var members: [(String, JSONWriter.Value)] = []
            if let description = entry.description { members.append(("comment", .string(description))) }
            members.append(("extractionState", .string("manual")))
            members.append(("localizations", .object(localizations)))
            writer.output += "    "
            JSONWriter.quote(entry.key, into: &writer.output)
            writer.output += " : "
            writer.write(.object(members), indent: 2)
            writer.output += index == document.entries.count - 1 ? "\n  }" : ",\n"
            if writer.output.utf8.count >= flushBytes {
                try flush(writer.output)
                writer.output.removeAll(keepingCapacity: true)
            }
        }
        writer.output += ",\n  \"version\" : \"1.0\"\n}\n"
        try flush(writer.output)
        return notes
    }

    private static func unit(_ text: String) -> JSONWriter.Value {
        .object([("state", .string("translated")), ("value", .string(text))])
    }

    static func read(_ text: String) throws -> ImportDocument {
        let root = try JSONNode.parse(text)
        var problems = ProblemList()
        JSONNode.duplicates(in: root, problems: &problems)
        guard root.members != nil, let strings = root.member("strings")?.members else {
            throw FormatFailure.at(1, "invalid_file", "a String Catalog is an object with \"strings\"")
        }
        let sourceLanguage = root.member("sourceLanguage")?.string
        var entries: [ImportEntry] = []
        for string in strings {
            let key = string.name
            var values: [String: String] = [:]
            for localization in string.value.member("localizations")?.members ?? [] {
                if localization.value.member("substitutions") != nil {
                    problems.add(localization.line, "unsupported_variation",
                                 "String Catalog substitutions are not supported (\(localization.name)); use one plural variation", key: key)
                    continue
                }
                if let value = localization.value.member("stringUnit")?.member("value")?.string {
                    values[localization.name.lowercased()] = Printf.icu(value)
                } else if let plural = localization.value.member("variations")?.member("plural")?.members {
                    var cases: [(category: String, text: String)] = []
                    for variation in plural {
                        guard PluralRules.categories.contains(variation.name),
                              let value = variation.value.member("stringUnit")?.member("value")?.string else {
                            problems.add(variation.line, "invalid_plural", "'\(variation.name)' is not a plural category with a stringUnit", key: key)
                            continue
                        }
                        cases.append((variation.name, value))
                    }
                    guard cases.contains(where: { $0.category == "other" }) else {
                        problems.add(localization.line, "plural_missing_other", "the \(localization.name) plural has no 'other' variation", key: key)
                        continue
                    }
                    values[localization.name.lowercased()] = Printf.plural(cases).render()
                } else {
                    problems.add(localization.line, "unsupported_variation",
                                 "only stringUnit and plural variations are read (\(localization.name))", key: key)
                }
            }
            entries.append(ImportEntry(key: key, line: string.line, description: string.value.member("comment")?.string, values: values))
        }
        try problems.check()
        return ImportDocument(language: nil, sourceLanguage: sourceLanguage?.lowercased(), entries: entries)
    }
}
