import BetterI18nAPI
import Foundation

/// A typed call for every partner route (SPEC §6), built from the ``Endpoint`` descriptors of
/// `BetterI18nAPI` and decoding into its types.
///
/// Made with a token the caller holds (``BetterI18nClient/partner(token:)``) or with managed
/// installation tokens (``InstallationTokenCache/partner(grantID:)``), which are minted when needed,
/// dropped after `401 invalid_token`, and never minted again after `410 grant_revoked`.
public struct PartnerClient: Sendable, CustomStringConvertible {
    enum Credential: Sendable {
        case fixed(String)
        case installation(InstallationTokenCache, grantID: String)
    }

    public let client: BetterI18nClient
    let credential: Credential

    init(client: BetterI18nClient, credential: Credential) {
        self.client = client
        self.credential = credential
    }

    public var description: String {
        switch credential {
        case .fixed: "PartnerClient(token redacted)"
        case .installation(_, let grantID): "PartnerClient(installation tokens of \(grantID))"
        }
    }

    /// The operation ids of ``Endpoints/all`` this type (with ``BetterI18nClient``'s mint and
    /// uninstall) has a call for; a test keeps it equal to the server's list.
    public static let coveredOperations: Set<String> = [
        Endpoints.mintInstallationToken, Endpoints.uninstall, Endpoints.me, Endpoints.listOrganizations, Endpoints.listProjects,
        Endpoints.createProject, Endpoints.getProject, Endpoints.addLanguage, Endpoints.listKeys, Endpoints.createKeys,
        Endpoints.updateKey, Endpoints.deleteKeys, Endpoints.listTranslations, Endpoints.setTranslations,
        Endpoints.pendingChanges, Endpoints.publish, Endpoints.listReleases, Endpoints.listGlossary,
        Endpoints.upsertGlossaryTerms, Endpoints.exportTranslations, Endpoints.importTranslations,
    ].reduce(into: Set<String>()) { $0.insert($1.operationID) }.union(contentOperations)

    // MARK: - Token

    public func me() async throws -> Me {
        try await get(Endpoints.me)
    }

    // MARK: - Organizations and projects

    public func listOrganizations() async throws -> ListPage<Organization> {
        try await get(Endpoints.listOrganizations)
    }

    public func listProjects(organizationID: String, cursor: String? = nil, limit: Int? = nil) async throws -> ListPage<Project> {
        try await get(Endpoints.listProjects, ["orgId": organizationID], query: Self.page(cursor, limit))
    }

    @discardableResult
    public func createProject(_ request: CreateProjectRequest) async throws -> Project {
        try await send(Endpoints.createProject, body: request)
    }

    public func project(_ projectID: String) async throws -> Project {
        try await get(Endpoints.getProject, ["projectId": projectID])
    }

    @discardableResult
    public func addLanguage(_ code: String, to projectID: String) async throws -> Project {
        try await send(Endpoints.addLanguage, ["projectId": projectID], body: AddLanguageRequest(code: code))
    }

    // MARK: - Keys

    public func listKeys(projectID: String, namespace: String? = nil, search: String? = nil, missingLanguage: String? = nil,
                         cursor: String? = nil, limit: Int? = nil) async throws -> ListPage<Key> {
        try await get(Endpoints.listKeys, ["projectId": projectID],
                      query: [("namespace", namespace), ("search", search), ("missing_language", missingLanguage)] + Self.page(cursor, limit))
    }

    @discardableResult
    public func createKeys(projectID: String, _ keys: [NewKey], onConflict: ConflictPolicy? = nil) async throws -> KeysResult {
        try await send(Endpoints.createKeys, ["projectId": projectID], body: CreateKeysRequest(keys: keys, onConflict: onConflict))
    }

    @discardableResult
    public func updateKey(projectID: String, keyID: String, _ change: UpdateKeyRequest) async throws -> Key {
        try await send(Endpoints.updateKey, ["projectId": projectID, "keyId": keyID], body: change)
    }

    @discardableResult
    public func deleteKeys(projectID: String, keyIDs: [String]) async throws -> DeletedCount {
        try await send(Endpoints.deleteKeys, ["projectId": projectID], body: DeleteKeysRequest(keyIDs: keyIDs))
    }

    // MARK: - Translations and publishing

    public func listTranslations(projectID: String, languages: [String]? = nil, namespace: String? = nil, keys: [String]? = nil,
                                 status: String? = nil, cursor: String? = nil, limit: Int? = nil) async throws -> ListPage<Translation> {
        try await get(Endpoints.listTranslations, ["projectId": projectID], query: [
            ("languages", languages?.joined(separator: ",")), ("namespace", namespace), ("keys", keys?.joined(separator: ",")),
            ("status", status),
        ] + Self.page(cursor, limit))
    }

    @discardableResult
    public func setTranslations(projectID: String, _ values: [TranslationValue]) async throws -> UpdatedCount {
        try await send(Endpoints.setTranslations, ["projectId": projectID], body: SetTranslationsRequest(translations: values))
    }

    public func pendingChanges(projectID: String) async throws -> PendingChanges {
        try await get(Endpoints.pendingChanges, ["projectId": projectID])
    }

    /// Publishes every language, or the ones listed, as the next release on the CDN.
    @discardableResult
    public func publish(projectID: String, languages: [String]? = nil) async throws -> Release {
        try await send(Endpoints.publish, ["projectId": projectID], body: PublishRequest(languages: languages))
    }

    public func listReleases(projectID: String, cursor: String? = nil, limit: Int? = nil) async throws -> ListPage<Release> {
        try await get(Endpoints.listReleases, ["projectId": projectID], query: Self.page(cursor, limit))
    }

    // MARK: - Glossary

    public func listGlossary(cursor: String? = nil, limit: Int? = nil) async throws -> ListPage<GlossaryTerm> {
        try await get(Endpoints.listGlossary, query: Self.page(cursor, limit))
    }

    @discardableResult
    public func upsertGlossaryTerms(_ terms: [NewTerm]) async throws -> ListPage<GlossaryTerm> {
        try await send(Endpoints.upsertGlossaryTerms, body: UpsertTermsRequest(terms: terms))
    }

    // MARK: - Files (SPEC §12)

    /// `GET …/export`: the project's values as a file of `format` (`json`, `xcstrings`, `po` …), or
    /// a zip of several; ``ExportedFiles/files`` lists them either way.
    public func exportTranslations(projectID: String, format: String, languages: [String]? = nil, namespace: String? = nil,
                                   status: String? = nil) async throws -> ExportedFiles {
        let response = try await sendFile(Endpoints.exportTranslations, ["projectId": projectID], query: [
            ("format", format), ("languages", languages?.joined(separator: ",")), ("namespace", namespace), ("status", status),
        ], file: nil)
        return ExportedFiles(response)
    }

    /// `POST …/import`: a file, all or nothing; `dryRun` checks and counts without writing.
    /// A refused file throws ``BetterI18nError`` with every problem (line and key) in its errors.
    @discardableResult
    public func importTranslations(projectID: String, format: String, file: Data, language: String? = nil, namespace: String? = nil,
                                   onConflict: String? = nil, dryRun: Bool = false) async throws -> ImportResult {
        let response = try await sendFile(Endpoints.importTranslations, ["projectId": projectID], query: [
            ("format", format), ("language", language), ("namespace", namespace), ("on_conflict", onConflict),
            ("dry_run", dryRun ? "true" : nil),
        ], file: file)
        return try client.decode(ImportResult.self, from: response)
    }

    // MARK: - Plumbing

    func sendFile(_ endpoint: Endpoint, _ parameters: [String: String], query: [(String, String?)], file: Data?) async throws -> ClientResponse {
        let token = try await currentToken()
        do {
            return try await client.callFile(endpoint, parameters, query: query, file: file, token: token)
        } catch let error as BetterI18nError {
            if case .installation(let tokens, let grantID) = credential {
                await tokens.noticed(error, grantID: grantID, token: token)
            }
            throw error
        }
    }

    func currentToken() async throws -> String {
        switch credential {
        case .fixed(let fixed): fixed
        case .installation(let tokens, let grantID): try await tokens.token(for: grantID)
        }
    }

    static func page(_ cursor: String?, _ limit: Int?) -> [(String, String?)] {
        [("cursor", cursor), ("limit", limit.map(String.init))]
    }

    func get<T: Decodable>(_ endpoint: Endpoint, _ parameters: [String: String] = [:], query: [(String, String?)] = []) async throws -> T {
        try await send(endpoint, parameters, query: query, body: nil)
    }

    func send<T: Decodable>(_ endpoint: Endpoint, _ parameters: [String: String] = [:], query: [(String, String?)] = [],
                            body: (any Encodable)?) async throws -> T {
        let token: String
        switch credential {
        case .fixed(let fixed): token = fixed
        case .installation(let tokens, let grantID): token = try await tokens.token(for: grantID)
        }
        do {
            let response = try await client.call(endpoint, parameters, query: query, body: body, token: token)
            return try client.decode(T.self, from: response)
        } catch let error as BetterI18nError {
            if case .installation(let tokens, let grantID) = credential {
                await tokens.noticed(error, grantID: grantID, token: token)
            }
            throw error
        }
    }
}

extension BetterI18nClient {
    /// `POST /api/oauth-client/installations/{grantId}/tokens` with an OAuth access token: a new
    /// installation token, optionally narrowed. ``InstallationTokenCache`` calls this and caches.
    public func mintInstallationToken(grantID: String, accessToken: String, narrowing: InstallationTokenRequest? = nil) async throws -> InstallationToken {
        let response = try await call(Endpoints.mintInstallationToken, ["grantId": grantID],
                                      body: narrowing ?? InstallationTokenRequest(), token: accessToken)
        return try decode(InstallationToken.self, from: response)
    }

    /// `DELETE /api/oauth-client/installations/{grantId}`: the partner uninstalls; the grant and
    /// every token of it are revoked.
    public func uninstall(grantID: String, accessToken: String) async throws {
        _ = try await call(Endpoints.uninstall, ["grantId": grantID], token: accessToken)
    }

    /// `GET /api/oauth-client/me` with any token (access or installation).
    public func me(token: String) async throws -> Me {
        try decode(Me.self, from: try await call(Endpoints.me, token: token))
    }
}
