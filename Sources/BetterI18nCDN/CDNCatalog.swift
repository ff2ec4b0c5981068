import BetterI18nCore
import BetterI18nStorage
import Foundation
import Synchronization

/// Answers "which bytes does this CDN path name?" (SPEC §8) from the releases in storage.
///
/// Paths are looked up, never joined onto a file system: anything that is not exactly a file of
/// a release — `..`, encoded slashes, unknown names, absurd lengths — is simply not found.
///
/// Caching: a release's files are rendered once and kept (they never change). Which release
/// is the latest is trusted for ``latestLifetime`` (one second) and forgotten at once on a
/// publish through this instance, so another instance's publish is served here within a second.
public final class CDNCatalog: Sendable {
    public struct Hit: Sendable {
        public let file: CDNFile
        /// A `v{version}/` path: its bytes never change.
        public let immutable: Bool

        public init(file: CDNFile, immutable: Bool) {
            self.file = file
            self.immutable = immutable
        }
    }

    public static let latestLifetime: Duration = .seconds(1)
    static let maximumPathLength = 512
    static let bundleCapacity = 64
    /// Rendered files kept in memory at most (bytes of bodies): large projects' releases are
    /// tens of megabytes each, so the count alone does not bound memory.
    static let bundleByteBudget = 256 * 1024 * 1024

    private enum Resolved: Sendable { case found(CDNProject), missing }

    private struct BundleKey: Hashable, Sendable {
        let project: ProjectID
        let version: Int
    }

    private struct Bundles {
        var tasks: [BundleKey: Task<CDNBundle?, any Error>] = [:]
        /// Bundles whose task has finished, for ``cachedLookup(_:)``.
        var ready: [BundleKey: CDNBundle] = [:]
        var order: [BundleKey] = []

        mutating func evict(_ key: BundleKey) {
            tasks[key] = nil
            ready[key] = nil
            order.removeAll { $0 == key }
        }
    }

    private let storage: any Storage
    private let cdnURL: String
    private let projects: FreshnessCache<String, Resolved>
    private let latest: FreshnessCache<ProjectID, Int>
    private let bundles = Mutex(Bundles())

    public init(storage: any Storage, cdnURL: String, latestLifetime: Duration = CDNCatalog.latestLifetime) {
        self.storage = storage
        self.cdnURL = cdnURL
        projects = FreshnessCache(lifetime: latestLifetime, capacity: 10_000)
        latest = FreshnessCache(lifetime: latestLifetime, capacity: 10_000)
    }

    /// What a CDN request names: a file, nothing, or a malformed `batch.json` query.
    public enum Lookup: Sendable {
        case hit(Hit)
        case notFound
        case badRequest(String)
    }

    /// At most this many names in one `batch.json?ns=…`; the SDKs fall back to one request per
    /// namespace when a batch is refused.
    public static let maximumBatchNames = 200

    /// A CDN path taken apart: organization, project, an optional `v{version}` and the file,
    /// its locale written as the manifest writes it (lowercase, `-`): the SDKs lowercase
    /// locales, but a hand-written `pt_BR` or `DE` should find the same file.
    struct Address {
        let organization: Substring
        let project: Substring
        let version: Int?
        let file: String
        /// `{locale}` of a `{locale}/batch.json` path.
        let batchLocale: String?
    }

    static func address(_ path: Substring) -> Address? {
        guard path.utf8.count <= maximumPathLength else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard (3...5).contains(parts.count) else { return nil }
        var rest = parts.dropFirst(2)
        var version: Int?
        if rest.count >= 2, let number = Self.version(rest[rest.startIndex]) {
            version = number
            rest = rest.dropFirst()
        }
        guard (1...2).contains(rest.count), rest.allSatisfy({ !$0.isEmpty }) else { return nil }
        let file: String
        var batchLocale: String?
        if rest.count == 2 {
            let locale = normalizedLocale(rest[rest.startIndex])
            let name = rest[rest.index(after: rest.startIndex)]
            if name == "batch.json" { batchLocale = locale }
            file = locale + "/" + name
        } else if let only = rest.first, only != "manifest.json", only.hasSuffix(".json") {
            file = normalizedLocale(only.dropLast(5)) + ".json"
        } else {
            file = String(rest[rest.startIndex])
        }
        return Address(organization: parts[0], project: parts[1], version: version, file: file, batchLocale: batchLocale)
    }

    /// `pt_BR` → `pt-br`; untouched (and not copied twice) when already in that form.
    static func normalizedLocale(_ segment: Substring) -> String {
        guard segment.utf8.contains(where: { ($0 >= 65 && $0 <= 90) || $0 == UInt8(ascii: "_") }) else { return String(segment) }
        return segment.lowercased().replacingOccurrences(of: "_", with: "-")
    }

    /// The names of `ns=a,b` (percent-decoded, repeated `ns` parameters joined), or why not.
    static func batchNames(_ query: Substring?) -> Result<[String], BatchQueryError> {
        var names: [String] = []
        for parameter in (query ?? "").split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.first == "ns" else { continue }
            guard let value = pair.count == 2 ? String(pair[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding : "" else {
                return .failure(BatchQueryError("ns is not valid percent-encoding."))
            }
            names += value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard names.count <= maximumBatchNames else {
                return .failure(BatchQueryError("ns names at most \(maximumBatchNames) namespaces; fetch the others one by one."))
            }
        }
        guard !names.isEmpty else { return .failure(BatchQueryError("ns must name at least one namespace: batch.json?ns=a,b.")) }
        return .success(names)
    }

    public struct BatchQueryError: Error, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    /// `path` is relative to the CDN base, without a leading slash (`acme/web/de.json`);
    /// `query` matters only to `batch.json` (other files ignore it, as static hosts do).
    public func lookup(_ path: Substring, query: Substring? = nil) async throws -> Lookup {
        guard let address = Self.address(path) else { return .notFound }
        var names: [String] = []
        if address.batchLocale != nil {
            switch Self.batchNames(query) {
            case .success(let found): names = found
            case .failure(let error): return .badRequest(error.message)
            }
        }
        guard let project = try await project(organization: address.organization, project: address.project) else { return .notFound }
        let newest = try await latestVersion(project.id)
        let wanted = address.version ?? newest
        guard wanted >= 1, wanted <= newest, let bundle = try await bundle(project, version: wanted),
              let file = Self.file(address, names, in: bundle)
        else { return .notFound }
        return .hit(Hit(file: file, immutable: address.version != nil))
    }

    /// The answer ``lookup(_:query:)`` would give, when everything it needs is in memory and
    /// fresh; nil means "ask ``lookup(_:query:)``", never "not found". Synchronous, for the
    /// event loop.
    public func cachedLookup(_ path: Substring, query: Substring? = nil) -> Hit? {
        guard let address = Self.address(path),
              case .found(let project) = projects.value(for: "\(address.organization)/\(address.project)"),
              let newest = latest.value(for: project.id)
        else { return nil }
        var names: [String] = []
        if address.batchLocale != nil {
            guard case .success(let found) = Self.batchNames(query) else { return nil }
            names = found
        }
        let wanted = address.version ?? newest
        guard wanted >= 1, wanted <= newest,
              let bundle = bundles.withLock({ $0.ready[BundleKey(project: project.id, version: wanted)] }),
              let file = Self.file(address, names, in: bundle)
        else { return nil }
        return Hit(file: file, immutable: address.version != nil)
    }

    private static func file(_ address: Address, _ batchNames: [String], in bundle: CDNBundle) -> CDNFile? {
        if let locale = address.batchLocale { return bundle.batch(locale: locale, namespaces: batchNames) }
        return bundle.files[address.file]
    }

    /// After a publish through this instance: the next request sees the new release.
    public func published(_ project: ProjectID) {
        latest.remove(project)
    }

    /// Every file of a release, rendered once and kept.
    public func bundle(_ project: CDNProject, version: Int) async throws -> CDNBundle? {
        let key = BundleKey(project: project.id, version: version)
        let task = bundles.withLock { bundles -> Task<CDNBundle?, any Error> in
            if let running = bundles.tasks[key] { return running }
            let task = Task { [storage, cdnURL] () -> CDNBundle? in
                guard let release = try await storage.release(of: project.id, version: version) else { return nil }
                let languages = try await storage.releaseLanguages(release.id)
                return try CDNBundle.render(project: project, release: release, languages: languages, cdnURL: cdnURL)
            }
            bundles.tasks[key] = task
            bundles.order.append(key)
            if bundles.order.count > Self.bundleCapacity {
                let evicted = bundles.order.removeFirst()
                bundles.tasks[evicted] = nil
                bundles.ready[evicted] = nil
            }
            return task
        }
        do {
            let bundle = try await task.value
            if let bundle {
                bundles.withLock { bundles in
                    guard bundles.tasks[key] != nil else { return }
                    bundles.ready[key] = bundle
                    // Oldest first, never the one just loaded.
                    while bundles.ready.values.reduce(0, { $0 + $1.byteCount }) > Self.bundleByteBudget,
                          let oldest = bundles.order.first(where: { $0 != key && bundles.ready[$0] != nil }) {
                        bundles.evict(oldest)
                    }
                }
            }
            return bundle
        } catch {
            // A failed load (database away) is not remembered; the next request tries again.
            bundles.withLock { bundles in
                bundles.tasks[key] = nil
                bundles.order.removeAll { $0 == key }
            }
            throw error
        }
    }

    private func project(organization: Substring, project: Substring) async throws -> CDNProject? {
        let cacheKey = "\(organization)/\(project)"
        switch projects.value(for: cacheKey) {
        case .found(let found): return found
        case .missing: return nil
        case nil: break
        }
        guard let orgSlug = try? Slug(String(organization)), let projectSlug = try? Slug(String(project)) else { return nil }
        var resolved = Resolved.missing
        if let org = try await storage.organization(slug: orgSlug),
           let found = try await storage.project(organization: org.id, slug: projectSlug) {
            resolved = .found(CDNProject(
                id: found.id, organizationSlug: org.slug.value, projectSlug: found.slug.value, sourceLanguage: found.sourceLanguage
            ))
        }
        projects.store(resolved, for: cacheKey)
        if case .found(let found) = resolved { return found }
        return nil
    }

    private func latestVersion(_ project: ProjectID) async throws -> Int {
        if let known = latest.value(for: project) { return known }
        let version = try await storage.latestReleaseVersion(of: project)
        latest.store(version, for: project)
        return version
    }

    /// `v12` → 12; no sign, no leading zero, so each release has one URL.
    static func version(_ segment: Substring) -> Int? {
        guard segment.count >= 2, segment.count <= 10, segment.first == "v" else { return nil }
        let digits = segment.dropFirst()
        guard digits.first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }
}
