import BetterI18nAPI
import Foundation

/// The answer of an export: one file, or a zip of several (one per language and namespace),
/// with what the format could not express (`X-Export-Note`).
public struct ExportedFiles: Sendable {
    /// The `Content-Disposition` file name: `default.de.json`, or `translations-json.zip`.
    public let fileName: String
    public let contentType: String
    public let data: Data
    /// One line per key the format could not express as it is.
    public let notes: [String]

    init(_ response: ClientResponse) {
        let disposition = response.header("Content-Disposition") ?? ""
        fileName = disposition.components(separatedBy: "filename=\"").dropFirst().first.map { String($0.prefix { $0 != "\"" }) } ?? "export"
        contentType = response.header("Content-Type") ?? "application/octet-stream"
        data = response.body
        notes = response.headers.filter { $0.0.lowercased() == "x-export-note" }.map(\.1)
    }

    /// The files by relative path (`default/de.json`, `default.xcstrings`): the zip's entries,
    /// or the one file under its own name. Nil for a zip this library cannot read.
    public var files: [(path: String, data: Data)]? {
        guard contentType.hasPrefix("application/zip") else { return [(fileName, data)] }
        return Self.storedZipEntries(Array(data))
    }

    /// The files of a zip answer (stored entries, as the server writes them).
    public static func zipEntries(_ data: Data) -> [(path: String, data: Data)]? {
        storedZipEntries(Array(data))
    }

    static func storedZipEntries(_ archive: [UInt8]) -> [(path: String, data: Data)]? {
        StoredZip.entries(archive)?.map { ($0.path, Data($0.bytes)) }
    }
}
