import BetterI18nCore
import BetterI18nProjects
import Foundation
import Synchronization

/// Which project a CDN path names, with what its manifest shows.
public struct CDNProject: Sendable, Equatable {
    public let id: ProjectID
    public let organizationSlug: String
    public let projectSlug: String
    public let sourceLanguage: LanguageCode

    public init(id: ProjectID, organizationSlug: String, projectSlug: String, sourceLanguage: LanguageCode) {
        self.id = id
        self.organizationSlug = organizationSlug
        self.projectSlug = projectSlug
        self.sourceLanguage = sourceLanguage
    }
}

/// The files of one release (SPEC §8), by path relative to `{org}/{project}/` and to
/// `{org}/{project}/v{version}/` alike: the latest files are the newest release's files.
///
/// `manifest.json`; for each language with a published value `{locale}.json` and
/// `{locale}/translations.json` (every namespace, the same bytes) and `{locale}/{ns}.json` for
/// every namespace of the project (`{}` where the language has no value); and
/// `{locale}/batch.json?ns=a,b`, made on request from the namespace files and kept.
public final class CDNBundle: Sendable {
    public let version: Int
    public let files: [String: CDNFile]
    /// The manifest as `cdn export` writes it: `"batch":false`, since a static host cannot
    /// answer `batch.json`; otherwise the same as `files["manifest.json"]`.
    public let exportManifest: CDNFile
    /// Per language, each namespace's file, for `batch.json`.
    private let namespaceFiles: [String: [String: CDNFile]]
    private let batches = Mutex<[String: CDNFile]>([:])
    /// Bytes the bundle's files hold, counted once per buffer: a locale's `translations.json`
    /// is its `{locale}.json`, and its namespace files are slices of it.
    public let byteCount: Int

    static let batchCapacity = 1024

    init(version: Int, files: [String: CDNFile], exportManifest: CDNFile, namespaceFiles: [String: [String: CDNFile]], byteCount: Int) {
        self.version = version
        self.files = files
        self.exportManifest = exportManifest
        self.namespaceFiles = namespaceFiles
        self.byteCount = byteCount
    }

    /// `{cdn}/{org}/{project}` for the latest files, `…/v{version}` for a release's: the one
    /// place CDN URLs are spelled, for the manifest and the API's `manifest_url`s alike.
    public static func baseURL(cdnURL: String, organization: String, project: String, version: Int? = nil) -> String {
        "\(cdnURL)/\(organization)/\(project)" + (version.map { "/v\($0)" } ?? "")
    }

    /// `{"a":{…},"b":{…}}` for the named namespaces of `locale` that exist, in byte order
    /// (unknown names are left out); nil when the language has no published files. The same
    /// set of names always gives the same file, made once.
    public func batch(locale: String, namespaces names: [String]) -> CDNFile? {
        guard let available = namespaceFiles[locale] else { return nil }
        let chosen = Set(names).filter { available[$0] != nil }.sorted(by: ReleaseContent.byteOrder)
        let cacheKey = locale + "|" + chosen.joined(separator: ",")
        if let made = batches.withLock({ $0[cacheKey] }) { return made }
        var writer = CanonicalJSONWriter()
        writer.openObject()
        for (position, name) in chosen.enumerated() {
            writer.member(name, first: position == 0)
            writer.raw(available[name]!.body.readableBytesView)
        }
        writer.closeObject()
        let file = CDNFile(writer.bytes)
        return batches.withLock { batches in
            if let made = batches[cacheKey] { return made }
            if batches.count >= Self.batchCapacity { batches.removeAll() }
            batches[cacheKey] = file
            return file
        }
    }

    /// Renders every file of the release. `cdnURL` is the CDN's base, for the manifest's URLs.
    public static func render(
        project: CDNProject, release: Release, languages: [ReleaseLanguage], cdnURL: String
    ) throws -> CDNBundle {
        let base = Self.baseURL(cdnURL: cdnURL, organization: project.organizationSlug, project: project.projectSlug, version: release.version)
        let empty = CDNFile("{}")
        var files: [String: CDNFile] = [:]
        var namespaceFiles: [String: [String: CDNFile]] = [:]
        var published: [String: PublishedLanguage] = [:]
        var bodies: [(language: ReleaseLanguage, body: [UInt8], slices: [(name: String, bytes: ArraySlice<UInt8>)], ofBody: Bool)] = []
        for language in languages {
            let body = language.format == .nested
                ? Array(language.content.utf8)
                : Array(ReleaseContent.render(try ReleaseContent.parse(language.content)).content.utf8)
            if let slices = ReleaseContent.namespaceSlices(body) {
                bodies.append((language, body, slices, true))
            } else {
                bodies.append((language, body, try Self.reparsedSlices(body), false))
            }
        }
        let namespaces = release.namespaces
            ?? Set(bodies.flatMap { $0.slices.map(\.name) }).sorted(by: ReleaseContent.byteOrder)
        for (language, body, slices, ofBody) in bodies where language.keyCount > 0 {
            let code = language.language.value
            let whole = CDNFile(body)
            files["\(code).json"] = whole
            files["\(code)/translations.json"] = whole
            var byName: [String: CDNFile] = [:]
            for slice in slices {
                // Cut out of the locale's own buffer when the slices index it (no copy).
                byName[slice.name] = ofBody
                    ? CDNFile(whole.body.getSlice(at: whole.body.readerIndex + slice.bytes.startIndex, length: slice.bytes.count)!)
                    : CDNFile(Array(slice.bytes))
            }
            for namespace in namespaces where byName[namespace] == nil { byName[namespace] = empty }
            for (name, file) in byName { files["\(code)/\(name).json"] = file }
            namespaceFiles[code] = byName
            published[code] = PublishedLanguage(language: language, file: whole, namespaces: byName)
        }
        let codes = Set(release.projectLanguages.map(\.value) + languages.map(\.language.value)).sorted()
        let manifest = Manifest(
            project: project, release: release, base: base, codes: codes, namespaces: namespaces, published: published
        )
        files["manifest.json"] = CDNFile(manifest.render(batch: true))
        let exportManifest = CDNFile(manifest.render(batch: false))
        let localeBytes = published.values.reduce(0) { $0 + $1.file.body.readableBytes }
        return CDNBundle(
            version: release.version, files: files, exportManifest: exportManifest, namespaceFiles: namespaceFiles,
            byteCount: localeBytes + files["manifest.json"]!.body.readableBytes + exportManifest.body.readableBytes
        )
    }

    /// A body the slicer cannot cut (not written by this code): parse and write each namespace.
    private static func reparsedSlices(_ body: [UInt8]) throws -> [(name: String, bytes: ArraySlice<UInt8>)] {
        let tree = try ReleaseContent.parse(String(decoding: body, as: UTF8.self))
        let canonical = Array(ReleaseContent.render(tree).content.utf8)
        return ReleaseContent.namespaceSlices(canonical) ?? []
    }

    struct PublishedLanguage {
        let language: ReleaseLanguage
        let file: CDNFile
        let namespaces: [String: CDNFile]
    }

    /// `manifest.json` as SPEC §8 lays it out, in that order, so SDKs find a locale's
    /// namespaces, URLs and cache keys (`lastModified`) where they look.
    struct Manifest {
        let project: CDNProject
        let release: Release
        let base: String
        let codes: [String]
        let namespaces: [String]
        let published: [String: PublishedLanguage]

        func render(batch: Bool) -> [UInt8] {
            var writer = CanonicalJSONWriter()
            let fields = ["organizationSlug", "projectSlug", "sourceLanguage", "version", "updatedAt", "batch", "namespaces", "languages", "files"]
            writer.object(fields) { field, writer in
                switch field {
                case "organizationSlug": writer.string(project.organizationSlug)
                case "projectSlug": writer.string(project.projectSlug)
                case "sourceLanguage": writer.string(project.sourceLanguage.value)
                case "version": writer.number(release.version)
                case "updatedAt": writer.string(release.publishedAt.iso8601Milliseconds)
                case "batch": writer.bool(batch)
                case "namespaces": writer.array(namespaces) { name, writer in writer.string(name) }
                case "languages": writer.array(codes) { code, writer in language(code, &writer) }
                default:
                    writer.object(codes.filter { published[$0] != nil }) { code, writer in file(published[code]!, code, &writer) }
                }
            }
            return writer.bytes
        }

        private func language(_ code: String, _ writer: inout CanonicalJSONWriter) {
            let languageCode = (try? LanguageCode(code)) ?? project.sourceLanguage
            let entry = published[code]
            writer.object(["code", "name", "nativeName", "isSource", "keyCount", "lastUpdated"]) { field, writer in
                switch field {
                case "code": writer.string(code)
                case "name": writer.string(languageCode.englishName)
                case "nativeName": writer.string(languageCode.nativeName)
                case "isSource": writer.bool(languageCode == project.sourceLanguage)
                case "keyCount": writer.number(entry?.language.keyCount ?? 0)
                default:
                    if let entry { writer.string(entry.language.lastModified.iso8601Milliseconds) } else { writer.null() }
                }
            }
        }

        private func file(_ entry: PublishedLanguage, _ code: String, _ writer: inout CanonicalJSONWriter) {
            writer.object(["url", "size", "sha256", "lastModified", "namespaces"]) { field, writer in
                switch field {
                case "url": writer.string("\(base)/\(code)/translations.json")
                case "size": writer.number(entry.file.body.readableBytes)
                case "sha256": writer.string(entry.file.sha256)
                case "lastModified": writer.string(entry.language.lastModified.iso8601Milliseconds)
                default:
                    writer.object(entry.namespaces.keys.sorted(by: ReleaseContent.byteOrder)) { name, writer in
                        let modified = entry.language.namespaceModified[name] ?? entry.language.lastModified
                        writer.object(["url", "size", "lastModified"]) { field, writer in
                            switch field {
                            case "url": writer.string("\(base)/\(code)/\(name).json")
                            case "size": writer.number(entry.namespaces[name]!.body.readableBytes)
                            default: writer.string(modified.iso8601Milliseconds)
                            }
                        }
                    }
                }
            }
        }
    }
}
