import BetterI18nCore
import BetterI18nProjects
import Foundation

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
/// `manifest.json`, `{locale}.json` (every namespace), `{locale}/{namespace}.json` and
/// `{locale}/translations.json` (the default namespace).
public struct CDNBundle: Sendable {
    public let version: Int
    public let files: [String: CDNFile]

    /// `{cdn}/{org}/{project}` for the latest files, `…/v{version}` for a release's: the one
    /// place CDN URLs are spelled, for the manifest and the API's `manifest_url`s alike.
    public static func baseURL(cdnURL: String, organization: String, project: String, version: Int? = nil) -> String {
        "\(cdnURL)/\(organization)/\(project)" + (version.map { "/v\($0)" } ?? "")
    }

    /// Renders every file of the release. `cdnURL` is the CDN's base, for the manifest's URLs.
    public static func render(
        project: CDNProject, release: Release, languages: [ReleaseLanguage], cdnURL: String
    ) throws -> CDNBundle {
        var files: [String: CDNFile] = [:]
        var manifestFiles: [(code: String, file: CDNFile, namespaces: [String], language: ReleaseLanguage)] = []
        for language in languages.sorted(by: { $0.language < $1.language }) {
            let code = language.language.value
            let body = Array(language.content.utf8)
            let whole = CDNFile(body)
            files["\(code).json"] = whole
            var namespaces: [String] = []
            if let slices = ReleaseContent.namespaceSlices(body) {
                for slice in slices {
                    namespaces.append(slice.name)
                    files["\(code)/\(slice.name).json"] = CDNFile(Array(slice.bytes))
                }
            } else {
                let tree = try ReleaseContent.parse(language.content)
                namespaces = tree.keys.sorted(by: ReleaseContent.byteOrder)
                for namespace in namespaces {
                    files["\(code)/\(namespace).json"] = CDNFile(ReleaseContent.renderNamespace(tree[namespace] ?? [:]))
                }
            }
            files["\(code)/translations.json"] = files["\(code)/\(NamespaceName.default.value).json"]
                ?? CDNFile(ReleaseContent.renderNamespace([:]))
            manifestFiles.append((code, whole, namespaces, language))
        }
        let base = Self.baseURL(cdnURL: cdnURL, organization: project.organizationSlug, project: project.projectSlug, version: release.version)
        var writer = CanonicalJSONWriter()
        writer.object(["organizationSlug", "projectSlug", "sourceLanguage", "version", "languages", "files", "updatedAt"]) { field, writer in
            switch field {
            case "organizationSlug": writer.string(project.organizationSlug)
            case "projectSlug": writer.string(project.projectSlug)
            case "sourceLanguage": writer.string(project.sourceLanguage.value)
            case "version": writer.number(release.version)
            case "languages":
                writer.array(manifestFiles) { entry, writer in
                    writer.object(["code", "name", "isSource", "keyCount", "lastUpdated"]) { field, writer in
                        switch field {
                        case "code": writer.string(entry.code)
                        case "name": writer.string(entry.language.language.englishName)
                        case "isSource": writer.bool(entry.language.language == project.sourceLanguage)
                        case "keyCount": writer.number(entry.language.keyCount)
                        default: writer.string(entry.language.lastUpdated.iso8601)
                        }
                    }
                }
            case "files":
                writer.object(manifestFiles.map(\.code)) { code, writer in
                    guard let entry = manifestFiles.first(where: { $0.code == code }) else { return }
                    writer.object(["url", "size", "sha256", "lastModified", "namespaces"]) { field, writer in
                        switch field {
                        case "url": writer.string("\(base)/\(code).json")
                        case "size": writer.number(entry.file.body.readableBytes)
                        case "sha256": writer.string(entry.file.sha256)
                        case "lastModified": writer.string(entry.language.lastUpdated.iso8601)
                        default: writer.array(entry.namespaces) { namespace, writer in writer.string(namespace) }
                        }
                    }
                }
            default: writer.string(release.publishedAt.iso8601)
            }
        }
        files["manifest.json"] = CDNFile(writer.text)
        return CDNBundle(version: release.version, files: files)
    }
}
