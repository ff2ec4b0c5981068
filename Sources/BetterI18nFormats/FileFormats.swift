/// The one door to the formats: a writer and a reader per ``FileFormat``.
public enum FileFormats {
    /// In an ``ImportEntry``'s values: the value of the file's own language, whichever it is.
    public static let fileLanguage = ""
    /// In an ``ImportEntry``'s values: the source text of a bilingual file (XLIFF, PO).
    public static let sourceText = "@source"
    /// The argument of a plural read from PO, named after the source value's plural on import.
    public static let pluralArgument = Gettext.pluralArgument

    /// One file of a namespace in one language (or, for String Catalogs, in all of them). The
    /// file's name is left to the caller.
    public static func write(_ format: FileFormat, _ document: ExportDocument) -> ExportedFile {
        switch format {
        case .json: KeyValueJSON.write(document, nested: true)
        case .jsonFlat: KeyValueJSON.write(document, nested: false)
        case .arb: ARB.write(document)
        case .xcstrings: StringCatalog.write(document)
        case .strings: AppleStrings.write(document)
        case .stringsdict: StringsDict.write(document)
        case .android: AndroidStrings.write(document)
        case .xliff: XLIFF.write(document, version2: false)
        case .xliff2: XLIFF.write(document, version2: true)
        case .po: Gettext.write(document)
        }
    }

    /// One file as ``write(_:_:)`` gives it, handed to `output` in pieces rather than whole:
    /// String Catalogs (every language in one file) key by key, the others file by file.
    public static func write(_ format: FileFormat, _ document: ExportDocument,
                             to output: (UnsafeRawBufferPointer) throws -> Void) rethrows -> [FormatNote] {
        if format == .xcstrings {
            return try StringCatalog.write(document) { text in
                var text = text
                try text.withUTF8 { try output(UnsafeRawBufferPointer($0)) }
            }
        }
        let file = write(format, document)
        try file.bytes.withUnsafeBytes { try output($0) }
        return file.notes
    }

    /// Reads a file: UTF-8 without BOM, parsed by the format's reader; every problem at once
    /// as a ``FormatFailure``.
    public static func read(_ format: FileFormat, _ bytes: [UInt8]) throws -> ImportDocument {
        let text = try FileText.decode(bytes)
        switch format {
        case .json: return try KeyValueJSON.read(text, nested: true)
        case .jsonFlat: return try KeyValueJSON.read(text, nested: false)
        case .arb: return try ARB.read(text)
        case .xcstrings: return try StringCatalog.read(text)
        case .strings: return try AppleStrings.read(text)
        case .stringsdict: return try StringsDict.read(text)
        case .android: return try AndroidStrings.read(text)
        case .xliff: return try XLIFF.read(text, version2: false)
        case .xliff2: return try XLIFF.read(text, version2: true)
        case .po: return try Gettext.read(text)
        }
    }

    /// A value read from a file, with its numbered arguments (printf formats) or PO plural
    /// named after the source value's (`{0}` → `{name}`). Nil when it uses an argument position
    /// the source value does not have.
    public static func nameArguments(_ value: String, format: FileFormat, source: String?) -> String? {
        let message = ICUMessage(parsing: value)
        let sourceMessage = source.map(ICUMessage.init(parsing:))
        var map: [String: String] = [:]
        if format == .po {
            guard message.argumentNames.contains(pluralArgument) else { return value }
            map[pluralArgument] = sourceMessage?.singlePlural?.name ?? "count"
        } else if format.hasPositionalPlaceholders {
            guard let sourceMessage else { return value }
            let order = sourceMessage.arguments.map(\.name)
            for argument in message.arguments {
                guard let position = Int(argument.name) else { continue }
                guard position < order.count else { return nil }
                map[argument.name] = order[position]
            }
        } else {
            return value
        }
        return message.renamed(map).render()
    }

    /// Whether two values of a key come out the same in a file of `format`: an import that
    /// only differs from what is stored in what the format cannot tell apart (a plural's
    /// surrounding text moved into its cases, ICU quoting) changes nothing.
    public static func writeTheSame(_ format: FileFormat, language: String, sourceLanguage: String, source: String?,
                                    _ lhs: String, _ rhs: String) -> Bool {
        func file(_ value: String) -> [UInt8] {
            var values = [language: value]
            if language != sourceLanguage, let source { values[sourceLanguage] = source }
            let document = ExportDocument(sourceLanguage: sourceLanguage, languages: [language], namespace: "default",
                                          entries: [ExportEntry(key: "k", values: values)])
            return write(format, document).bytes
        }
        return file(lhs) == file(rhs)
    }

    /// The argument names of an ICU value, to compare a translation's with its source's.
    public static func argumentNames(_ value: String) -> Set<String> {
        ICUMessage(parsing: value).argumentNames
    }
}
