import BetterI18nCore
import BetterI18nStorage
import Foundation

/// Why a publish was refused.
public enum PublishFailure: Error, Equatable, Sendable {
    /// Some requested languages are not languages of the project (`422 validation_failed`).
    case invalidLanguages([ItemProblem])
    case notFound
    /// More than ``ReleaseService/publishesPerMinute`` publishes of one project in a minute
    /// (`429`, retry after this many seconds).
    case rateLimited(retryAfter: Int)
}

/// Who publishes: what the release records as its publisher and what the audit log says.
public struct Publisher: Sendable {
    /// `grt_…` for a partner, `usr_…` for a person, `operator` for the CLI and the demo seed.
    public let publishedBy: String
    /// The audit entry's organization, client and grant; no entry without an organization.
    public let organizationID: OrganizationID?
    public let clientID: ClientID?
    public let grantID: GrantID?
    public let actor: String
    /// The audit entry's `via` (`dashboard`, …) when known.
    public let via: String?

    public init(
        publishedBy: String, organizationID: OrganizationID?, clientID: ClientID? = nil, grantID: GrantID? = nil, actor: String,
        via: String? = nil
    ) {
        self.via = via
        self.publishedBy = publishedBy
        self.organizationID = organizationID
        self.clientID = clientID
        self.grantID = grantID
        self.actor = actor
    }

    /// The operator (CLI, demo seed): recorded on the release, not audited.
    public static let `operator` = Publisher(publishedBy: "operator", organizationID: nil, actor: "operator")

    /// A person publishing from the dashboard.
    public static func dashboard(_ user: UserID, organization: OrganizationID) -> Publisher {
        Publisher(publishedBy: user.rawValue, organizationID: organization, actor: user.rawValue, via: "dashboard")
    }
}

/// Publishing (SPEC §6.2, §8): numbered immutable releases, what the next publish would change,
/// and the list of releases. Knows nothing of HTTP or of how the CDN serves files: whoever
/// serves them is told through `published`.
public struct ReleaseService: Sendable {
    public typealias Stores = OrganizationStore & ProjectStore & TranslationStore & ReleaseStore & AuditStore

    /// Publishes per project and minute (per instance): each one renders and stores every
    /// changed language, so a loop of publishes must not take the writer.
    public static let publishesPerMinute = 60

    let storage: any Stores
    let clock: any WallClock
    let random: any RandomSource
    let published: @Sendable (ProjectID) -> Void
    let limiter: RateLimiter
    /// The CDN's base URL, for `release.published`'s `manifest_url`.
    let cdnURL: String

    public init(
        storage: any Stores, clock: any WallClock, random: any RandomSource, cdnURL: String = "http://127.0.0.1:8080/cdn",
        published: @escaping @Sendable (ProjectID) -> Void = { _ in }
    ) {
        self.storage = storage
        self.cdnURL = cdnURL
        self.clock = clock
        self.random = random
        self.published = published
        limiter = RateLimiter(limit: Self.publishesPerMinute, window: 60, clock: clock, capacity: 10_000)
    }

    /// Snapshots the current values of `languages` (every project language when nil) into the
    /// next release; the project's other languages stay as the previous release had them.
    /// Deleted keys are simply absent from the snapshot, so they leave the CDN now. A key that
    /// another key nests below (`login` beside `login.title`, from before such pairs were
    /// refused) is left out of its language's files and named in the release's `warnings`.
    ///
    /// Audited (`translations.published`) when the publisher names an organization; whoever
    /// serves the CDN is told at once.
    public func publish(_ project: Project, languages requested: [String]?, by publisher: Publisher) async throws -> Release {
        let projectLanguages = try await storage.languages(of: project.id).map(\.code)
        let chosen = try Self.resolve(requested, among: projectLanguages)
        let decision = limiter.record(project.id.rawValue)
        guard decision.allowed else { throw PublishFailure.rateLimited(retryAfter: decision.retryAfter) }
        let release: Release
        let base = "\(cdnURL)/\(try await storage.organization(id: project.organizationID)?.slug.value ?? "")/\(project.slug.value)"
        do {
            release = try await storage.publishRelease(
                id: .generate(using: random), project: project.id, languages: chosen, at: clock.now(), publishedBy: publisher.publishedBy,
                render: { input in Self.render(input) },
                event: { release in
                    .releasePublished(project, release: release.id, version: release.version, languages: release.publishedLanguages,
                                      manifestURL: "\(base)/v\(release.version)/manifest.json", at: release.publishedAt)
                }
            )
        } catch let error as StorageError where error.isNotFound {
            throw PublishFailure.notFound
        }
        published(project.id)
        if let organization = publisher.organizationID {
            try await storage.recordAudit(AuditEvent(
                kind: .translationsPublished, organizationID: organization, clientID: publisher.clientID, grantID: publisher.grantID,
                actor: publisher.actor,
                details: ["project": project.id.rawValue, "version": String(release.version),
                          "languages": release.publishedLanguages.map(\.value).joined(separator: " ")]
                    .merging(publisher.via.map { ["via": $0] } ?? [:]) { first, _ in first },
                createdAt: release.publishedAt
            ))
        }
        return release
    }

    /// The languages to publish, in the project's terms; unknown or repeated codes are refused
    /// item by item, nothing is published.
    static func resolve(_ requested: [String]?, among projectLanguages: [LanguageCode]) throws -> [LanguageCode] {
        guard let requested else { return projectLanguages }
        var problems: [ItemProblem] = []
        var chosen: [LanguageCode] = []
        if requested.isEmpty {
            problems.append(ItemProblem(index: 0, code: "invalid_languages", message: "languages, when given, must name at least one language."))
        }
        for (index, raw) in requested.enumerated() {
            guard let code = try? LanguageCode(raw) else {
                problems.append(ItemProblem(index: index, code: "invalid_language", message: "'\(raw.prefix(40))' is not a BCP 47 language code."))
                continue
            }
            guard projectLanguages.contains(code) else {
                problems.append(ItemProblem(index: index, code: "unknown_language", message: "The project has no language \(code)."))
                continue
            }
            if !chosen.contains(code) { chosen.append(code) }
        }
        guard problems.isEmpty else { throw PublishFailure.invalidLanguages(problems) }
        return chosen
    }

    /// Renders the requested languages whose values changed, reuses the previous release's
    /// body for those whose values did not, and carries every other language of the previous
    /// release over. A file's `lastModified` moves only when its bytes change.
    public static func render(_ input: PublishInput) -> RenderedRelease {
        let layout = NestedLayout(input.keys.enumerated().map { ($1.namespace.value, $1.name.value, $0) })
        let namespaces = layout.namespaces.map(\.name)
        let time = input.publishedAt
        var previous: [LanguageCode: ReleaseLanguage] = [:]
        for language in input.previous { previous[language.language] = language }

        var values: [LanguageCode: [String?]] = [:]
        var slots: [KeyID: Int] = [:]
        for (slot, key) in input.keys.enumerated() { slots[key.id] = slot }
        for translation in input.translations {
            guard let slot = slots[translation.keyID] else { continue }
            values[translation.language, default: Array(repeating: nil, count: input.keys.count)][slot] = translation.value
        }

        var result = previous.mapValues { Self.carried($0, namespaces: namespaces, at: time) }
        var dropped: [NestedLayout.Dropped: [LanguageCode]] = [:]
        for language in input.requested {
            let before = previous[language]
            guard input.toRender.contains(language) || before == nil else {
                result[language]?.sourceDigest = input.digests[language]
                continue
            }
            let languageValues = values[language] ?? []
            var writer = CanonicalJSONWriter()
            let written = layout.write(into: &writer) { slot in languageValues.isEmpty ? nil : languageValues[slot] }
            for item in written.dropped { dropped[item, default: []].append(language) }
            result[language] = Self.rendered(
                language, body: writer.bytes, count: written.count, before: before, at: time, digest: input.digests[language]
            )
        }
        let warnings = dropped.map { PublishWarning(namespace: $0.key.namespace, key: $0.key.key, conflictsWith: $0.key.conflictsWith, languages: $0.value.sorted()) }
            .sorted { ($0.namespace, $0.key) < ($1.namespace, $1.key) }
        return RenderedRelease(languages: result.values.sorted { $0.language < $1.language }, namespaces: namespaces, warnings: warnings)
    }

    /// A freshly rendered language, keeping the previous `lastModified` of every file whose
    /// bytes are the same as before.
    private static func rendered(
        _ language: LanguageCode, body: [UInt8], count: Int, before: ReleaseLanguage?, at time: Date, digest: String?
    ) -> ReleaseLanguage {
        let content = String(decoding: body, as: UTF8.self)
        let previousBody = before.flatMap { $0.format == .nested ? Array($0.content.utf8) : nil }
        let bodyUnchanged = previousBody == body
        var earlier: [String: ArraySlice<UInt8>] = [:]
        if let previousBody, let slices = ReleaseContent.namespaceSlices(previousBody) {
            for slice in slices { earlier[slice.name] = slice.bytes }
        }
        var namespaceModified: [String: Date] = [:]
        for slice in ReleaseContent.namespaceSlices(body) ?? [] {
            if let before, let old = earlier[slice.name], old.elementsEqual(slice.bytes) {
                namespaceModified[slice.name] = before.namespaceModified[slice.name] ?? before.lastModified
            } else {
                namespaceModified[slice.name] = time
            }
        }
        return ReleaseLanguage(
            language: language, content: content, format: .nested, keyCount: count,
            lastModified: bodyUnchanged ? before!.lastModified : time, namespaceModified: namespaceModified, sourceDigest: digest
        )
    }

    /// A language carried over unchanged; a namespace that is new to the project is an empty
    /// file of this release.
    private static func carried(_ language: ReleaseLanguage, namespaces: [String], at time: Date) -> ReleaseLanguage {
        var copy = language
        var inBody: Set<String> = []
        if let slices = ReleaseContent.namespaceSlices(Array(language.content.utf8)) {
            for slice in slices { inBody.insert(slice.name) }
        }
        for namespace in namespaces where copy.namespaceModified[namespace] == nil {
            copy.namespaceModified[namespace] = inBody.contains(namespace) ? language.lastModified : time
        }
        return copy
    }

    // MARK: Pending changes

    /// What the next publish of every language would change against the last release: key
    /// names (`name` in the default namespace, `namespace:name` elsewhere) added, changed and
    /// deleted, each sorted.
    public struct PendingChanges: Sendable, Equatable {
        public var added: [String] = []
        public var changed: [String] = []
        public var deleted: [String] = []
    }

    /// Read from the values' publish marks in storage (work proportional to what changed), not
    /// by comparing every value with the release.
    public func pendingChanges(_ project: Project) async throws -> [LanguageCode: PendingChanges] {
        var result: [LanguageCode: PendingChanges] = [:]
        for language in try await storage.languages(of: project.id) { result[language.code] = PendingChanges() }
        for pending in try await storage.pendingValues(in: project.id) {
            let name = Self.displayName(pending.namespace, pending.name)
            switch pending.change {
            case .added: result[pending.language, default: PendingChanges()].added.append(name)
            case .changed: result[pending.language, default: PendingChanges()].changed.append(name)
            case .deleted: result[pending.language, default: PendingChanges()].deleted.append(name)
            }
        }
        for language in result.keys {
            result[language]?.added.sort(by: ReleaseContent.byteOrder)
            result[language]?.changed.sort(by: ReleaseContent.byteOrder)
            result[language]?.deleted.sort(by: ReleaseContent.byteOrder)
        }
        return result
    }

    static func displayName(_ namespace: String, _ key: String) -> String {
        namespace == NamespaceName.default.value ? key : "\(namespace):\(key)"
    }

    public func releases(_ project: Project) async throws -> [Release] {
        try await storage.releases(of: project.id)
    }
}
