import BetterI18nAPI
import Foundation

// MARK: - Content CMS (SPEC §10) through the partner API

extension PartnerClient {
    /// The content operations of ``Endpoints/all`` with a typed call below.
    static let contentOperations: Set<String> = [
        Endpoints.listContentModels, Endpoints.listContentModelsBySlug, Endpoints.createContentModel, Endpoints.getContentModel,
        Endpoints.updateContentModel, Endpoints.deleteContentModel, Endpoints.addContentField, Endpoints.updateContentField,
        Endpoints.deleteContentField, Endpoints.listContentEntries, Endpoints.createContentEntry, Endpoints.getContentEntry,
        Endpoints.updateContentEntry, Endpoints.deleteContentEntry, Endpoints.publishContentEntry, Endpoints.unpublishContentEntry,
    ].reduce(into: Set<String>()) { $0.insert($1.operationID) }

    public func listContentModels(projectID: String, cursor: String? = nil, limit: Int? = nil) async throws -> ListPage<ContentModel> {
        try await get(Endpoints.listContentModels, ["projectId": projectID], query: Self.page(cursor, limit))
    }

    /// Better i18n's own route: the project named by organization slug (or id) and project slug.
    public func listContentModels(organization: String, project: String, cursor: String? = nil, limit: Int? = nil) async throws -> ListPage<ContentModel> {
        try await get(Endpoints.listContentModelsBySlug, ["orgId": organization, "projectSlug": project], query: Self.page(cursor, limit))
    }

    @discardableResult
    public func createContentModel(projectID: String, _ model: NewContentModel) async throws -> ContentModel {
        try await send(Endpoints.createContentModel, ["projectId": projectID], body: model)
    }

    /// A model by slug or `cmd_` id.
    public func contentModel(projectID: String, model: String) async throws -> ContentModel {
        try await get(Endpoints.getContentModel, ["projectId": projectID, "model": model])
    }

    @discardableResult
    public func updateContentModel(projectID: String, model: String, _ change: ContentModelUpdate) async throws -> ContentModel {
        try await send(Endpoints.updateContentModel, ["projectId": projectID, "model": model], body: change)
    }

    /// Deletes a model; one with entries only with `cascade`.
    public func deleteContentModel(projectID: String, model: String, cascade: Bool = false) async throws {
        try await sendWithoutAnswer(Endpoints.deleteContentModel, ["projectId": projectID, "model": model],
                                    query: [("cascade", cascade ? "true" : nil)])
    }

    @discardableResult
    public func addContentField(projectID: String, model: String, _ field: NewContentField) async throws -> ContentModel {
        try await send(Endpoints.addContentField, ["projectId": projectID, "model": model], body: field)
    }

    @discardableResult
    public func updateContentField(projectID: String, model: String, name: String, _ change: ContentFieldUpdate) async throws -> ContentModel {
        try await send(Endpoints.updateContentField, ["projectId": projectID, "model": model, "name": name], body: change)
    }

    @discardableResult
    public func deleteContentField(projectID: String, model: String, name: String) async throws -> ContentModel {
        try await send(Endpoints.deleteContentField, ["projectId": projectID, "model": model, "name": name], body: nil)
    }

    /// Entries of a model; `filters` are `filter[<field>]=<value>` pairs.
    public func listContentEntries(projectID: String, model: String, language: String? = nil, status: String? = nil,
                                   search: String? = nil, filters: [String: String] = [:], sort: String? = nil, order: String? = nil,
                                   cursor: String? = nil, limit: Int? = nil) async throws -> ListPage<ContentEntry> {
        let filterQuery: [(String, String?)] = filters.sorted { $0.key < $1.key }.map { ("filter[\($0.key)]", $0.value) }
        return try await get(Endpoints.listContentEntries, ["projectId": projectID, "model": model], query: [
            ("language", language), ("status", status), ("search", search), ("sort", sort), ("order", order),
        ] + filterQuery + Self.page(cursor, limit))
    }

    /// Creates an entry; `status: "published"` needs `content:publish` too.
    @discardableResult
    public func createContentEntry(projectID: String, model: String, _ entry: ContentEntryWrite) async throws -> ContentEntry {
        try await send(Endpoints.createContentEntry, ["projectId": projectID, "model": model], body: entry)
    }

    public func contentEntry(projectID: String, entryID: String) async throws -> ContentEntry {
        try await get(Endpoints.getContentEntry, ["projectId": projectID, "entryId": entryID])
    }

    @discardableResult
    public func updateContentEntry(projectID: String, entryID: String, _ change: ContentEntryWrite) async throws -> ContentEntry {
        try await send(Endpoints.updateContentEntry, ["projectId": projectID, "entryId": entryID], body: change)
    }

    public func deleteContentEntry(projectID: String, entryID: String) async throws {
        try await sendWithoutAnswer(Endpoints.deleteContentEntry, ["projectId": projectID, "entryId": entryID])
    }

    /// Publishes the entry's languages (all, or the listed ones).
    @discardableResult
    public func publishContentEntry(projectID: String, entryID: String, languages: [String]? = nil) async throws -> ContentEntry {
        try await send(Endpoints.publishContentEntry, ["projectId": projectID, "entryId": entryID],
                       body: ContentLanguagesRequest(languages: languages))
    }

    @discardableResult
    public func unpublishContentEntry(projectID: String, entryID: String, languages: [String]? = nil) async throws -> ContentEntry {
        try await send(Endpoints.unpublishContentEntry, ["projectId": projectID, "entryId": entryID],
                       body: ContentLanguagesRequest(languages: languages))
    }

    /// A route that answers `204 No Content`.
    func sendWithoutAnswer(_ endpoint: Endpoint, _ parameters: [String: String], query: [(String, String?)] = []) async throws {
        let token: String
        switch credential {
        case .fixed(let fixed): token = fixed
        case .installation(let tokens, let grantID): token = try await tokens.token(for: grantID)
        }
        do {
            _ = try await client.call(endpoint, parameters, query: query, body: nil, token: token)
        } catch let error as BetterI18nError {
            if case .installation(let tokens, let grantID) = credential {
                await tokens.noticed(error, grantID: grantID, token: token)
            }
            throw error
        }
    }
}

// MARK: - The public Content API (SPEC §10)

/// Reads published content the way a website or app does: `GET /v1/content/{org}/{project}/…`
/// with a `bi_pub_` key (sent as `x-api-key`'s equivalent, `Authorization: Bearer`). Items are
/// flat JSON objects (`id`, `slug`, `title`, … and the model's fields by name).
public struct PublicContentClient: Sendable {
    public let client: BetterI18nClient
    public let organization: String
    public let project: String
    let key: String

    public init(client: BetterI18nClient, organization: String, project: String, key: String) {
        self.client = client
        self.organization = organization
        self.project = project
        self.key = key
    }

    /// `{"items","total","hasMore"}`.
    public struct Page: Codable, Sendable, Equatable {
        public var items: [[String: JSONValue]]
        public var total: Int
        public var hasMore: Bool
    }

    public func models() async throws -> [ContentModel] {
        try await get("/models", [])
    }

    /// A page of published entries. `page` starts at 1; `limit` is 1–100.
    public func entries(model: String, language: String? = nil, page: Int? = nil, limit: Int? = nil, sort: String? = nil,
                        order: String? = nil, fields: [String]? = nil, expand: [String]? = nil, search: String? = nil,
                        filters: [String: String] = [:]) async throws -> Page {
        let query: [(String, String?)] = [
            ("language", language), ("page", page.map(String.init)), ("limit", limit.map(String.init)), ("sort", sort), ("order", order),
            ("fields", fields?.joined(separator: ",")), ("expand", expand?.joined(separator: ",")), ("search", search),
        ] + filters.sorted { $0.key < $1.key }.map { ("filter[\($0.key)]", $0.value) }
        return try await get("/models/\(Self.segment(model))/entries", query)
    }

    /// One published entry with its body, in `language` or else its source language.
    public func entry(model: String, slug: String, language: String? = nil, fields: [String]? = nil,
                      expand: [String]? = nil) async throws -> [String: JSONValue] {
        try await get("/models/\(Self.segment(model))/entries/\(Self.segment(slug))", [
            ("language", language), ("fields", fields?.joined(separator: ",")), ("expand", expand?.joined(separator: ",")),
        ])
    }

    private func get<T: Decodable>(_ path: String, _ query: [(String, String?)]) async throws -> T {
        let request = client.makeRequest(
            method: "GET", base: client.configuration.apiURL,
            path: "/v1/content/\(Self.segment(organization))/\(Self.segment(project))" + path,
            query: query.compactMap { pair in pair.1.map { (pair.0, $0) } }, json: nil, token: key
        )
        return try client.decode(T.self, from: try await client.perform(request))
    }

    private static func segment(_ value: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
