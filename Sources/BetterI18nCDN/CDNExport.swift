import BetterI18nCore
import BetterI18nStorage
import Foundation

/// `better-i18n cdn export` (SPEC §8): the CDN tree as static files, so any CDN, bucket or
/// nginx can serve it. Every file gets `.gz` and `.br` siblings; the bytes are the ones the
/// server sends (same renderer, same compressors).
public struct CDNExport: Sendable {
    public struct Summary: Sendable, Equatable {
        public var projects = 0
        public var releases = 0
        public var files = 0
    }

    let storage: any Storage
    let cdnURL: String

    public init(storage: any Storage, cdnURL: String) {
        self.storage = storage
        self.cdnURL = cdnURL
    }

    public func write(to directory: URL) async throws -> Summary {
        var summary = Summary()
        let catalog = CDNCatalog(storage: storage, cdnURL: cdnURL)
        for organizationID in try await storage.allOrganizationIDs() {
            guard let organization = try await storage.organization(id: organizationID) else { continue }
            for project in try await storage.projects(in: organizationID) {
                let releases = try await storage.releases(of: project.id)
                guard let newest = releases.first?.version else { continue }
                summary.projects += 1
                let target = CDNProject(
                    id: project.id, organizationSlug: organization.slug.value, projectSlug: project.slug.value,
                    sourceLanguage: project.sourceLanguage
                )
                let root = directory.appendingPathComponent(organization.slug.value).appendingPathComponent(project.slug.value)
                for release in releases {
                    guard let bundle = try await catalog.bundle(target, version: release.version) else { continue }
                    summary.releases += 1
                    summary.files += try write(bundle, under: root.appendingPathComponent("v\(release.version)"))
                    if release.version == newest {
                        summary.files += try write(bundle, under: root)
                    }
                }
            }
        }
        return summary
    }

    private func write(_ bundle: CDNBundle, under root: URL) throws -> Int {
        let manager = FileManager.default
        // A static host cannot answer batch.json, so the exported manifest says so.
        var files = bundle.files
        files["manifest.json"] = bundle.exportManifest
        for (path, file) in files {
            let url = root.appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.body.readableBytesView).write(to: url)
            try Data(file.compressNow(.gzip).readableBytesView).write(to: URL(fileURLWithPath: url.path + ".gz"))
            try Data(file.compressNow(.br).readableBytesView).write(to: URL(fileURLWithPath: url.path + ".br"))
        }
        return bundle.files.count
    }
}
