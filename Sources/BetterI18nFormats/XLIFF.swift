/// XLIFF 1.2 and 2.0: bilingual, one target language per file, values kept as ICU text.
enum XLIFF {
    static func write(_ document: ExportDocument, version2: Bool) -> ExportedFile {
        let language = document.language
        let source = XMLText.escape(document.sourceLanguage, attribute: true)
        let target = XMLText.escape(language, attribute: true)
        let namespace = XMLText.escape(document.namespace, attribute: true)
        var notes: [FormatNote] = []
        var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        if version2 {
            output += "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"\(source)\" trgLang=\"\(target)\">\n"
            output += "  <file id=\"\(namespace)\">\n"
        } else {
            output += "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:1.2\" version=\"1.2\">\n"
            output += "  <file original=\"\(namespace)\" source-language=\"\(source)\" target-language=\"\(target)\" datatype=\"plaintext\">\n"
            output += "    <body>\n"
        }
        for (index, entry) in document.entries.enumerated() {
            guard let sourceValue = entry.values[document.sourceLanguage] else {
                notes.append(FormatNote(key: entry.key, language: language, message: "no source-language value, so no XLIFF unit"))
                continue
            }
            let value = entry.values[language]
            let key = XMLText.escape(entry.key, attribute: true)
            if version2 {
                let id = isNMToken(entry.key) ? key : "u\(index + 1)"
                output += "    <unit id=\"\(id)\" name=\"\(key)\">\n"
                if let description = entry.description {
                    output += "      <notes>\n        <note>" + XMLText.escape(description) + "</note>\n      </notes>\n"
                }
                output += "      <segment>\n        <source>" + XMLText.escape(sourceValue) + "</source>\n"
                if let value { output += "        <target>" + XMLText.escape(value) + "</target>\n" }
                output += "      </segment>\n    </unit>\n"
            } else {
                output += "      <trans-unit id=\"\(key)\" xml:space=\"preserve\">\n"
                output += "        <source>" + XMLText.escape(sourceValue) + "</source>\n"
                if let value { output += "        <target>" + XMLText.escape(value) + "</target>\n" }
                if let description = entry.description { output += "        <note>" + XMLText.escape(description) + "</note>\n" }
                output += "      </trans-unit>\n"
            }
        }
        output += version2 ? "  </file>\n</xliff>\n" : "    </body>\n  </file>\n</xliff>\n"
        return ExportedFile(name: "", bytes: Array(output.utf8), notes: notes)
    }

    /// XLIFF 2 unit ids are NMTOKENs: letters, digits, `.`, `-`, `_`, `:`.
    static func isNMToken(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || ".-_:".unicodeScalars.contains($0) }
    }

    static func read(_ text: String, version2: Bool) throws -> ImportDocument {
        let root = try XMLNode.parse(text)
        guard root.localName == "xliff" else {
            throw FormatFailure.at(root.line, "invalid_file", "an XLIFF file has <xliff> as its root, not <\(root.name)>")
        }
        let version = root.attributes["version"] ?? ""
        guard version.hasPrefix("2") == version2 else {
            throw FormatFailure.at(root.line, "wrong_format", "this is XLIFF \(version); use format=\(version2 ? "xliff" : "xliff2")")
        }
        var problems = ProblemList()
        var entries: [ImportEntry] = []
        var language = version2 ? root.attributes["trgLang"] : nil
        var sourceLanguage = version2 ? root.attributes["srcLang"] : nil
        func content(_ node: XMLNode?, _ key: String) -> String? {
            guard let node else { return nil }
            if !node.children.isEmpty {
                problems.add(node.line, "unsupported_markup", "'\(key.prefix(100))' holds inline markup; only text is read", key: key)
            }
            return node.text
        }
        func units(_ node: XMLNode) {
            for child in node.children {
                switch child.localName {
                case "trans-unit" where !version2:
                    let key = child.attributes["resname"] ?? child.attributes["id"] ?? ""
                    guard !key.isEmpty, problems.unique(key, line: child.line) else { continue }
                    var values: [String: String] = [:]
                    values["@source"] = content(child.first("source"), key)
                    values[""] = content(child.first("target"), key)
                    entries.append(ImportEntry(key: key, line: child.line, description: child.first("note")?.text, values: values))
                case "unit" where version2:
                    let key = child.attributes["name"] ?? child.attributes["id"] ?? ""
                    guard !key.isEmpty, problems.unique(key, line: child.line) else { continue }
                    let segments = child.children.filter { $0.localName == "segment" }
                    var values: [String: String] = [:]
                    let sources = segments.compactMap { content($0.first("source"), key) }
                    let targets = segments.compactMap { content($0.first("target"), key) }
                    if !sources.isEmpty { values["@source"] = sources.joined() }
                    if !targets.isEmpty { values[""] = targets.joined() }
                    let note = child.first("notes")?.first("note")?.text
                    entries.append(ImportEntry(key: key, line: child.line, description: note, values: values))
                case "file":
                    if !version2 {
                        language = language ?? child.attributes["target-language"]
                        sourceLanguage = sourceLanguage ?? child.attributes["source-language"]
                    }
                    units(child)
                case "body", "group":
                    units(child)
                default:
                    break
                }
            }
        }
        units(root)
        try problems.check()
        return ImportDocument(language: language?.lowercased(), sourceLanguage: sourceLanguage?.lowercased(), entries: entries)
    }
}
