import BetterI18nCore
import BetterI18nFormats
import BetterI18nStorage
import Foundation

/// Files in and out (SPEC §12): exports a project's values in a file format, and imports a file
/// as one all-or-nothing write with the same checks as every other write (key names, nesting
/// collisions, ICU MessageFormat), in one transaction. Knows nothing of HTTP.
public struct FileService: Sendable {
    public typealias Stores = ProjectStore & TranslationStore & ReleaseStore

    let storage: any Stores
    let views: ProjectViews?
    let clock: any WallClock
    let random: any RandomSource

    public init(storage: any Stores, views: ProjectViews? = nil, clock: any WallClock, random: any RandomSource = SystemRandomSource()) {
        self.storage = storage
        self.views = views
        self.clock = clock
        self.random = random
    }

    // MARK: Export

    public struct Export: Sendable {
        /// The file name for `Content-Disposition`.
        public var name: String
        public var mediaType: String
        /// The file, written out: read it back in slices to send it.
        public var file: ExportSpool
        /// What the format could not express, per key.
        public var notes: [FormatNote]
    }

    /// The file (or, when there are several, a zip of them) of `languages` (comma list, default
    /// all) and `namespace` (default all), from the current values (`draft`) or the latest
    /// release (`published`). Files are named `{namespace}.{language}.{ext}` alone and
    /// `{namespace}/{language}.{ext}` in a zip; String Catalogs `{namespace}.xcstrings`.
    public func export(_ project: Project, format: FileFormat, languages rawLanguages: String?, namespace: String?,
                       status: ValueStatus = .draft) async throws -> Export {
        let projectLanguages = try await storage.languages(of: project.id).map(\.code)
        let languages = try Self.languages(rawLanguages, among: projectLanguages, source: project.sourceLanguage)
        let keys = try await storage.keys(in: project.id, includingDeleted: false)
        var byNamespace: [String: [ExportEntry]] = [:]
        if status == .published {
            // The release's keys and values; descriptions of keys that still exist.
            guard let release = try await storage.releases(of: project.id).first else {
                throw KeyFailure.invalidItems([ItemProblem(index: 0, code: "nothing_published", message: "the project has no release yet")])
            }
            var values: [String: [String: [String: String]]] = [:]   // namespace → name → language → value
            for language in try await storage.releaseLanguages(release.id) {
                for (space, names) in try ReleaseContent.parse(language.content) {
                    for (name, value) in names { values[space, default: [:]][name, default: [:]][language.language.value] = value }
                }
            }
            var descriptions: [String: [String: String]] = [:]
            for key in keys { descriptions[key.namespace.value, default: [:]][key.name.value] = key.description }
            for (space, names) in values {
                byNamespace[space] = names.map { ExportEntry(key: $0.key, description: descriptions[space]?[$0.key] ?? nil, values: $0.value) }
            }
        } else {
            // Values by key id: no string built per value (an export reads 100,000 of them).
            var values: [KeyID: [String: String]] = [:]
            values.reserveCapacity(keys.count)
            // The source language too: bilingual files carry it, printf formats number by it.
            let wanted = Set(languages + [project.sourceLanguage.value])
            for (keyID, language, value) in try await storage.values(in: project.id, namespace: namespace) where wanted.contains(language) {
                values[keyID, default: [:]][language] = value
            }
            for key in keys {
                guard let found = values[key.id] else { continue }
                byNamespace[key.namespace.value, default: []].append(ExportEntry(key: key.name.value, description: key.description, values: found))
            }
        }
        let namespaces = try namespace.map { [try NamespaceName($0).value] } ?? byNamespace.keys.sorted(by: ReleaseContent.byteOrder)
        var notes: [FormatNote] = []
        let fileCount = namespaces.count * (format.holdsAllLanguages ? 1 : languages.count)
        // Written to the spool as made: one file alone, or member by member into a zip, each
        // member let go of once written; never the whole answer in memory.
        let spool = try ExportSpool()
        var archive = ZipArchive.Writer()
        var singleName: String?
        for space in namespaces {
            let entries = (byNamespace.removeValue(forKey: space) ?? []).sorted { ReleaseContent.byteOrder($0.key, $1.key) }
            let documents: [(String, ExportDocument)] = format.holdsAllLanguages
                ? [("\(space).\(format.fileExtension)",
                    ExportDocument(sourceLanguage: project.sourceLanguage.value, languages: languages, namespace: space, entries: entries))]
                : languages.map { language in
                    ("\(space)/\(language).\(format.fileExtension)",
                     ExportDocument(sourceLanguage: project.sourceLanguage.value, languages: [language], namespace: space, entries: entries))
                }
            for (name, document) in documents {
                if fileCount == 1 {
                    notes += try FileFormats.write(format, document, to: spool.append)
                    singleName = name.replacingOccurrences(of: "/", with: ".")
                } else {
                    // A member's checksum and size go before its bytes: it is made whole (one
                    // language of one namespace) and written at once.
                    let file = FileFormats.write(format, document)
                    notes += file.notes
                    try archive.add(name, file.bytes, to: spool.append)
                }
            }
        }
        if fileCount == 1, let singleName {
            return Export(name: singleName, mediaType: format.mediaType, file: spool, notes: notes)
        }
        try archive.finish(to: spool.append)
        return Export(name: "translations-\(format.rawValue).zip", mediaType: "application/zip", file: spool, notes: notes)
    }

    /// The languages asked for (comma list), source first then in byte order; all by default.
    static func languages(_ raw: String?, among projectLanguages: [LanguageCode], source: LanguageCode) throws -> [String] {
        var wanted = projectLanguages
        if let raw, !raw.isEmpty {
            wanted = []
            for (index, item) in raw.split(separator: ",").enumerated() {
                let code = try LanguageCode(String(item))
                guard projectLanguages.contains(code) else {
                    throw KeyFailure.invalidItems([ItemProblem(index: index, code: "invalid_language", message: "the project has no language '\(code)'")])
                }
                if !wanted.contains(code) { wanted.append(code) }
            }
        }
        return wanted.map(\.value).sorted { lhs, rhs in
            lhs == source.value ? rhs != source.value : rhs == source.value ? false : ReleaseContent.byteOrder(lhs, rhs)
        }
    }

    // MARK: Import

    public struct ImportOptions: Sendable {
        public var format: FileFormat
        /// The file's language; taken from the file when it names one (PO, XLIFF, ARB).
        public var language: String?
        public var namespace: String?
        /// `skip` keeps values already stored; `update` overwrites them.
        public var overwrite: Bool
        public var dryRun: Bool

        public init(format: FileFormat, language: String? = nil, namespace: String? = nil, overwrite: Bool = false, dryRun: Bool = false) {
            self.format = format
            self.language = language
            self.namespace = namespace
            self.overwrite = overwrite
            self.dryRun = dryRun
        }
    }

    public struct ImportResult: Sendable, Equatable {
        /// Keys created.
        public var created = 0
        /// Existing keys with a value or description written.
        public var updated = 0
        /// Existing keys left as they were (values equal, or kept by `skip`).
        public var skipped = 0
        public var notes: [FormatNote] = []
    }

    /// Imports a file, all or nothing: every problem of the file and its values is reported as
    /// ``KeyFailure/invalidItems(_:)`` with line and key, and then nothing is written.
    public func importFile(_ bytes: [UInt8], into project: Project, options: ImportOptions, author: String) async throws -> ImportResult {
        let document: ImportDocument
        do {
            document = try FileFormats.read(options.format, bytes)
        } catch let failure as FormatFailure {
            throw KeyFailure.invalidItems(failure.problems.enumerated().map { Self.problem($1, index: $0) })
        }
        let projectLanguages = Set(try await storage.languages(of: project.id).map(\.code))
        let source = project.sourceLanguage
        let namespace: NamespaceName
        var fileLanguage: LanguageCode?
        do {
            namespace = try options.namespace.map(NamespaceName.init) ?? .default
            if let raw = options.language ?? document.language {
                let code = try LanguageCode(raw)
                guard projectLanguages.contains(code) else {
                    throw ValidationError(field: "language", message: "the project has no language '\(code)'; add it first")
                }
                fileLanguage = code
            } else if !options.format.holdsAllLanguages {
                throw ValidationError(field: "language", message: "this file does not name its language; give language")
            }
        } catch let error as ValidationError {
            throw KeyFailure.invalidItems([ItemProblem(index: 0, code: "invalid_\(error.field)", message: error.message)])
        }

        let keys = try await storage.keys(in: project.id, includingDeleted: false).filter { $0.namespace == namespace }
        let byName = Dictionary(keys.map { ($0.name.value, $0) }, uniquingKeysWith: { a, _ in a })
        var stored: [KeyID: [LanguageCode: String]] = [:]
        // Only the values this file can touch or is checked against: its namespace, the source
        // language and the file's language (every language for a String Catalog).
        let wanted: [LanguageCode]? = fileLanguage.map { $0 == source ? [source] : [source, $0] }
        let query = TranslationPageQuery(languages: wanted, namespace: namespace.value, limit: Int(Int32.max))
        for (_, translation) in try await storage.translationPage(in: project.id, query) {
            stored[translation.keyID, default: [:]][translation.language] = translation.value
        }
        var nesting = KeyNesting.Index(keys.map(\.name.value))
        let now = clock.now()

        var problems: [ItemProblem] = []
        var result = ImportResult(notes: document.notes)
        var created: [TranslationKey] = []
        var updated: [TranslationKey] = []
        /// Existing keys this import writes a value or a description of, for `translations.updated`.
        var touched: [TranslationKey] = []
        var writes: [Translation] = []
        var seen: Set<String> = []
        for (index, entry) in document.entries.enumerated() {
            func refuse(_ code: String, _ message: String, offset: Int? = nil) {
                problems.append(ItemProblem(index: index, code: code, message: message, offset: offset, line: entry.line, key: entry.key))
            }
            guard let name = try? KeyName(entry.key) else {
                refuse("invalid_name", "a key name is 1–500 characters, without control characters or surrounding spaces")
                continue
            }
            guard seen.insert(name.value).inserted else {
                refuse("duplicate_key", "'\(name.value.prefix(100))' appears twice in this file")
                continue
            }
            // The file's values by language; the source text of a bilingual file counts only
            // for keys it creates.
            var incoming: [(LanguageCode, String)] = []
            for (rawLanguage, value) in entry.values.sorted(by: { $0.key < $1.key }) {
                switch rawLanguage {
                case FileFormats.fileLanguage:
                    if let fileLanguage { incoming.append((fileLanguage, value)) }
                case FileFormats.sourceText:
                    if byName[name.value] == nil, fileLanguage != source, !entry.values.keys.contains(source.value) {
                        incoming.append((source, value))
                    }
                default:
                    guard let code = try? LanguageCode(rawLanguage) else {
                        refuse("invalid_language", "'\(rawLanguage.prefix(40))' is not a language code")
                        continue
                    }
                    if let fileLanguage, code != fileLanguage { continue }
                    guard projectLanguages.contains(code) else {
                        refuse("invalid_language", "the project has no language '\(code)'; add it first")
                        continue
                    }
                    incoming.append((code, value))
                }
            }
            let existing = byName[name.value]
            // The source value placeholders are named after: the stored one, else the file's.
            let fileSource = incoming.first { $0.0 == source }?.1
            let sourceValue = existing.flatMap { stored[$0.id]?[source] } ?? fileSource.flatMap {
                FileFormats.nameArguments($0, format: options.format, source: nil)
            }
            // The placeholders every translation must use: read once per key, not per language.
            let sourceArguments = sourceValue.flatMap { MessageFormat.isValid($0) ? FileFormats.argumentNames($0) : nil }
            var values: [(LanguageCode, String)] = []
            var valid = true
            for (language, raw) in incoming {
                // What the file says is what is stored, as far as the format can tell: unchanged.
                if let key = existing, let current = stored[key.id]?[language],
                   let named = FileFormats.nameArguments(raw, format: options.format, source: sourceValue), named == current
                    || FileFormats.writeTheSame(options.format, language: language.value, sourceLanguage: source.value,
                                                source: sourceValue, current, named) {
                    continue
                }
                guard let value = FileFormats.nameArguments(raw, format: options.format, source: language == source && existing == nil ? nil : sourceValue) else {
                    refuse("placeholder_mismatch", "the \(language) value uses a placeholder position the source value does not have")
                    valid = false
                    continue
                }
                do {
                    try KeyService.checkMessage(value, index: index)
                } catch let problem as ItemProblem {
                    refuse(problem.code, "\(language): \(problem.message)", offset: problem.offset)
                    valid = false
                    continue
                }
                if language != source, let sourceArguments, case let arguments = FileFormats.argumentNames(value), arguments != sourceArguments {
                    let expected = sourceArguments.sorted().map { "{\($0)}" }.joined(separator: ", ")
                    let found = arguments.sorted().map { "{\($0)}" }.joined(separator: ", ")
                    refuse("placeholder_mismatch", "the \(language) value has the placeholders [\(found)], the source value [\(expected)]")
                    valid = false
                    continue
                }
                values.append((language, value))
            }
            guard valid else { continue }
            if var key = existing {
                var changed = false
                for (language, value) in values {
                    let current = stored[key.id]?[language]
                    guard current != value, current == nil || options.overwrite else { continue }
                    writes.append(Translation(keyID: key.id, language: language, value: value, updatedBy: author, updatedAt: now))
                    changed = true
                }
                if options.overwrite, let description = entry.description, description != key.description, description.count <= 2000 {
                    key.description = description
                    key.updatedAt = now
                    updated.append(key)
                    changed = true
                }
                if changed { result.updated += 1; touched.append(key) } else { result.skipped += 1 }
            } else {
                if let conflict = nesting.conflict(for: name.value) {
                    refuse("key_conflict", conflict.message(for: name.value))
                    continue
                }
                nesting.insert(name.value)
                let key = TranslationKey(
                    id: .generate(using: random), projectID: project.id, namespace: namespace, name: name,
                    description: entry.description.map { String($0.prefix(2000)) }, createdAt: now, updatedAt: now
                )
                created.append(key)
                for (language, value) in values {
                    writes.append(Translation(keyID: key.id, language: language, value: value, updatedBy: author, updatedAt: now))
                }
                result.created += 1
            }
        }
        guard problems.isEmpty else { throw KeyFailure.invalidItems(problems) }
        guard !options.dryRun, !(created.isEmpty && updated.isEmpty && writes.isEmpty) else { return result }
        do {
            try await storage.applyKeys(
                created: created, updated: updated, translations: writes,
                events: KeyService.events(created: created, updated: touched, translations: writes, in: project, at: now)
            )
        } catch let error as StorageError where error.isConflict {
            throw KeyFailure.conflict("a key was created by someone else meanwhile; retry")
        }
        views?.changed(project.id)
        return result
    }

    static func problem(_ problem: FormatProblem, index: Int) -> ItemProblem {
        ItemProblem(index: index, code: problem.code, message: problem.message, line: problem.line, key: problem.key)
    }
}
