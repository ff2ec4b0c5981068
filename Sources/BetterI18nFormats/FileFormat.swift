import Foundation

/// The file formats teams bring and ship: one reader and one writer each, no HTTP, no storage.
public enum FileFormat: String, CaseIterable, Sendable {
    /// Nested by `.` (`{"login":{"title":…}}`), one language and namespace per file.
    case json
    /// `{"login.title":…}`.
    case jsonFlat = "json-flat"
    /// Apple String Catalog: every language in one file (one per namespace, Xcode's "table").
    case xcstrings
    /// Apple `.strings` (no plurals).
    case strings
    /// Apple `.stringsdict` (property list, `NSStringPluralRuleType`).
    case stringsdict
    /// Android `strings.xml` with `<plurals>`.
    case android
    /// XLIFF 1.2, bilingual.
    case xliff
    /// XLIFF 2.0, bilingual.
    case xliff2
    /// gettext, bilingual, with `Plural-Forms`.
    case po
    /// Flutter Application Resource Bundle.
    case arb

    public var fileExtension: String {
        switch self {
        case .json, .jsonFlat: "json"
        case .xcstrings: "xcstrings"
        case .strings: "strings"
        case .stringsdict: "stringsdict"
        case .android: "xml"
        case .xliff, .xliff2: "xlf"
        case .po: "po"
        case .arb: "arb"
        }
    }

    public var mediaType: String {
        switch self {
        case .json, .jsonFlat, .xcstrings, .arb: "application/json; charset=utf-8"
        case .strings, .po: "text/plain; charset=utf-8"
        case .stringsdict, .android: "application/xml; charset=utf-8"
        case .xliff, .xliff2: "application/xliff+xml; charset=utf-8"
        }
    }

    /// One file holds every language (String Catalogs); the others hold one language each.
    public var holdsAllLanguages: Bool { self == .xcstrings }

    /// A file that carries the source text beside each translation (XLIFF, PO).
    public var isBilingual: Bool { self == .xliff || self == .xliff2 || self == .po }

    /// Placeholders are printf specifiers (`%@`, `%1$s`) rather than ICU names, so a file's
    /// placeholders are named after the source value's on import.
    public var hasPositionalPlaceholders: Bool {
        self == .strings || self == .stringsdict || self == .xcstrings || self == .android
    }

    var printfStyle: Printf.Style { self == .android ? .android : .apple }
}

/// One key as a writer sees it: its values by language (ICU MessageFormat), in key order.
public struct ExportEntry: Sendable, Equatable {
    public var key: String
    public var description: String?
    public var values: [String: String]

    public init(key: String, description: String? = nil, values: [String: String]) {
        self.key = key
        self.description = description
        self.values = values
    }
}

/// What one file holds: a namespace of a project, in one language (or all of them).
public struct ExportDocument: Sendable {
    public var sourceLanguage: String
    /// The file's language; for String Catalogs, the languages it lists (source first).
    public var languages: [String]
    public var namespace: String
    /// Sorted by key name in byte order.
    public var entries: [ExportEntry]

    public init(sourceLanguage: String, languages: [String], namespace: String, entries: [ExportEntry]) {
        self.sourceLanguage = sourceLanguage
        self.languages = languages
        self.namespace = namespace
        self.entries = entries
    }

    public var language: String { languages.first ?? sourceLanguage }
}

/// Something a format could not express for one key, written some other way and said so.
public struct FormatNote: Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let language: String?
    public let message: String

    public init(key: String, language: String?, message: String) {
        self.key = key
        self.language = language
        self.message = message
    }

    public var description: String { "\(key)\(language.map { " [\($0)]" } ?? ""): \(message)" }
}

public struct ExportedFile: Sendable {
    /// A relative path: `de.json`, `default/de.json`, `Localizable.xcstrings`.
    public var name: String
    public var bytes: [UInt8]
    public var notes: [FormatNote]
}

/// One key read from a file: its values by language as ICU MessageFormat text (placeholders of
/// printf formats as numbered arguments `{0}`, `{1}` until named after the source value).
public struct ImportEntry: Sendable, Equatable {
    public var key: String
    public var line: Int?
    public var description: String?
    public var values: [String: String]

    public init(key: String, line: Int?, description: String? = nil, values: [String: String]) {
        self.key = key
        self.line = line
        self.description = description
        self.values = values
    }
}

public struct ImportDocument: Sendable {
    /// The language of a single-language file when the file names it (`Language:` of PO,
    /// `target-language` of XLIFF, `@@locale` of ARB).
    public var language: String?
    public var sourceLanguage: String?
    public var entries: [ImportEntry]
    /// Notes on things read but not kept (a fuzzy PO entry).
    public var notes: [FormatNote] = []
}

/// One reason a file cannot be imported, with where it is.
public struct FormatProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var key: String?
    public var code: String
    public var message: String

    public init(line: Int? = nil, key: String? = nil, code: String, message: String) {
        self.line = line
        self.key = key
        self.code = code
        self.message = message
    }

    public var description: String {
        [line.map { "line \($0)" }, key.map { "key '\($0)'" }].compactMap { $0 }.joined(separator: ", ") + ": " + message
    }
}

/// Every problem of a file that cannot be imported; nothing of it is used.
public struct FormatFailure: Error, Sendable, Equatable {
    public var problems: [FormatProblem]

    public init(_ problems: [FormatProblem]) {
        self.problems = problems
    }

    static func at(_ line: Int?, _ code: String, _ message: String, key: String? = nil) -> FormatFailure {
        FormatFailure([FormatProblem(line: line, key: key, code: code, message: message)])
    }
}

/// Collects problems while a reader goes on, so a file's every problem is reported at once.
struct ProblemList {
    var problems: [FormatProblem] = []
    var seen: [String: Int] = [:]

    mutating func add(_ line: Int?, _ code: String, _ message: String, key: String? = nil) {
        problems.append(FormatProblem(line: line, key: key, code: code, message: message))
    }

    /// Records a key; a second one with the same name is a `duplicate_key` problem.
    mutating func unique(_ key: String, line: Int?) -> Bool {
        if let first = seen[key] {
            add(line, "duplicate_key", "the key '\(key.prefix(100))' appears twice (first\(first > 0 ? " on line \(first)" : ""))", key: key)
            return false
        }
        seen[key] = line ?? 0
        return true
    }

    func check() throws {
        if !problems.isEmpty { throw FormatFailure(problems) }
    }
}

/// Turning a file's bytes into text: UTF-8 only, no byte-order mark, no NUL.
enum FileText {
    static func decode(_ bytes: [UInt8]) throws -> String {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw FormatFailure.at(1, "byte_order_mark", "the file starts with a byte-order mark; save it as UTF-8 without a BOM")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FormatFailure.at(line(ofInvalidUTF8: bytes), "invalid_utf8", "the file is not valid UTF-8")
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw FormatFailure.at(bytes[..<nul].count(where: { $0 == 10 }) + 1, "invalid_text", "the file contains a NUL byte")
        }
        return text
    }

    /// The line of the first byte that breaks UTF-8.
    static func line(ofInvalidUTF8 bytes: [UInt8]) -> Int {
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length = byte < 0x80 ? 1 : byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            guard length > 0, index + length <= bytes.count,
                  String(validating: bytes[index..<index + length], as: UTF8.self) != nil else { return line }
            if byte == 10 { line += 1 }
            index += length
        }
        return line
    }
}
