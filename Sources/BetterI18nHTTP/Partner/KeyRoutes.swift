import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import BetterI18nStorage
import Foundation
import Hummingbird

/// Keys and translations of the partner API (SPEC §6.2), on the guarded `/api/oauth-client` group.
struct KeyRoutes {
    let dependencies: AppDependencies

    private var storage: any Storage { dependencies.storage }
    private var service: KeyService { KeyService(storage: storage, clock: dependencies.clock, random: dependencies.random) }
    private var snapshots: ProjectSnapshots { ProjectSnapshots(storage: storage, cache: dependencies.projectCache) }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("/v1/projects/:projectID/keys") { request, context in try await listKeys(request, context) }
        api.post("/v1/projects/:projectID/keys") { request, context in try await createKeys(request, context) }
        api.patch("/v1/projects/:projectID/keys/:keyID") { request, context in try await updateKey(request, context) }
        api.delete("/v1/projects/:projectID/keys") { request, context in try await deleteKeys(request, context) }
        api.get("/v1/projects/:projectID/translations") { request, context in try await listTranslations(request, context) }
        api.put("/v1/projects/:projectID/translations") { request, context in try await setTranslations(request, context) }
        api.get("/v1/glossary") { request, context in try await glossary(request, context) }
        api.put("/v1/glossary/terms") { request, context in try await upsertTerms(request, context) }
    }

    private func project(_ context: AppRequestContext, _ scope: Scope) async throws -> (AuthenticatedToken, Project) {
        let token = try context.partnerToken(requiring: scope)
        let project = try await ResourceAccess(token: token, snapshots: snapshots).project(context.parameters.get("projectID") ?? "")
        return (token, project)
    }

    /// Who wrote a value: the grant, so the dashboard can tell partners' edits apart.
    private func author(_ token: AuthenticatedToken) -> String { token.grant.id.rawValue }

    // MARK: Shapes

    struct KeyJSON: Encodable {
        let id, name, namespace: String
        let description: String?
        let created_at, updated_at: String

        init(_ key: TranslationKey) {
            id = key.id.rawValue
            name = key.name.value
            namespace = key.namespace.value
            description = key.description
            created_at = key.createdAt.iso8601
            updated_at = key.updatedAt.iso8601
        }
    }

    struct TranslationJSON: Encodable {
        let key_id, key, namespace, language, value, updated_at: String
    }

    private struct KeyResultJSON: Encodable {
        let created, updated, skipped: [KeyJSON]
    }

    /// Maps the service's refusals to SPEC §6.3.
    private func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as KeyFailure {
            switch failure {
            case .invalidItems(let problems):
                throw APIError.validationFailed(problems.map {
                    APIError.ItemError(index: $0.index, error: $0.code, message: $0.message, offset: $0.offset)
                })
            case .conflict(let message):
                throw APIError(status: .conflict, code: "conflict", description: message)
            case .notFound:
                throw APIError.notFound
            }
        }
    }

    // MARK: Keys

    private func listKeys(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, project) = try await project(context, .keysRead)
        let query = request.uri.queryParameters
        var keys = try await storage.keys(in: project.id, includingDeleted: false)
        if let namespace = query["namespace"] { keys = keys.filter { $0.namespace.value == String(namespace) } }
        if let search = query["search"].map(String.init), !search.isEmpty {
            keys = keys.filter { $0.name.value.localizedCaseInsensitiveContains(search) }
        }
        if let raw = query["missing_language"] {
            let language = try LanguageCode(String(raw))
            let translated = Set(try await storage.translations(in: project.id).filter { $0.language == language }.map(\.keyID))
            keys = keys.filter { !translated.contains($0.id) }
        }
        let page = try Page(request).slice(keys)
        return JSONResponse.make(ListResponse(name: "keys", items: page.items.map(KeyJSON.init), nextCursor: page.nextCursor), status: .ok)
    }

    private struct CreateKeys: Decodable {
        let keys: [KeyService.NewKey]
        let on_conflict: KeyService.ConflictPolicy?
    }

    private func createKeys(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (token, project) = try await project(context, .keysWrite)
        guard let body = try await PartnerJSON.decode(CreateKeys.self, from: request) else { throw APIError.invalidRequest("A body is required.") }
        if body.keys.contains(where: { $0.translations?.isEmpty == false }) {
            _ = try context.partnerToken(requiring: .translationsWrite)
        }
        let result = try await mapping {
            try await service.createKeys(body.keys, in: project, policy: body.on_conflict ?? .skip, author: author(token))
        }
        snapshots.changed(project.id)
        return JSONResponse.make(KeyResultJSON(
            created: result.created.map(KeyJSON.init), updated: result.updated.map(KeyJSON.init), skipped: result.skipped.map(KeyJSON.init)
        ), status: result.created.isEmpty ? .ok : .created)
    }

    private struct UpdateKey: Decodable {
        let name: String?
        let namespace: String?
        let description: String?
    }

    private func updateKey(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, project) = try await project(context, .keysWrite)
        guard let body = try await PartnerJSON.decode(UpdateKey.self, from: request) else { throw APIError.invalidRequest("A body is required.") }
        let key = try await mapping {
            try await service.updateKey(
                context.parameters.get("keyID") ?? "", in: project, name: body.name, namespace: body.namespace,
                description: body.description.map { Optional($0) }
            )
        }
        snapshots.changed(project.id)
        return JSONResponse.make(KeyJSON(key), status: .ok)
    }

    private struct DeleteKeys: Decodable {
        let key_ids: [String]
    }

    private struct Deleted: Encodable {
        let deleted: Int
    }

    private func deleteKeys(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, project) = try await project(context, .keysWrite)
        guard let body = try await PartnerJSON.decode(DeleteKeys.self, from: request) else { throw APIError.invalidRequest("A body is required.") }
        let count = try await mapping { try await service.deleteKeys(body.key_ids, in: project) }
        snapshots.changed(project.id)
        return JSONResponse.make(Deleted(deleted: count), status: .ok)
    }

    // MARK: Translations

    private func listTranslations(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, project) = try await project(context, .translationsRead)
        let query = request.uri.queryParameters
        let keys = Dictionary(try await storage.keys(in: project.id, includingDeleted: false).map { ($0.id, $0) },
                              uniquingKeysWith: { first, _ in first })
        var values = try await storage.translations(in: project.id)
        if let raw = query["languages"] {
            let languages = Set(try String(raw).split(separator: ",").map { try LanguageCode(String($0)) })
            values = values.filter { languages.contains($0.language) }
        }
        if let namespace = query["namespace"].map(String.init) {
            values = values.filter { keys[$0.keyID]?.namespace.value == namespace }
        }
        if let raw = query["keys"] {
            let names = Set(String(raw).split(separator: ",").map(String.init))
            values = values.filter { keys[$0.keyID].map { names.contains($0.name.value) || names.contains($0.id.rawValue) } ?? false }
        }
        if let raw = query["status"].map(String.init) {
            // Statuses are not stored: a value is published when the latest release has it.
            guard raw == "draft" || raw == "published" else { throw APIError.invalidRequest("status must be draft or published.") }
            let released = try await dependencies.releases.publishedValues(project)
            values = values.filter { value in
                guard let key = keys[value.keyID] else { return false }
                let isPublished = released[value.language]?[key.namespace.value]?[key.name.value] == value.value
                return isPublished == (raw == "published")
            }
        }
        let page = try Page(request).slice(values)
        let items = page.items.compactMap { value -> TranslationJSON? in
            guard let key = keys[value.keyID] else { return nil }
            return TranslationJSON(key_id: key.id.rawValue, key: key.name.value, namespace: key.namespace.value,
                                   language: value.language.value, value: value.value, updated_at: value.updatedAt.iso8601)
        }
        return JSONResponse.make(ListResponse(name: "translations", items: items, nextCursor: page.nextCursor), status: .ok)
    }

    private struct SetTranslations: Decodable {
        let translations: [KeyService.NewValue]
    }

    private struct Updated: Encodable {
        let updated: Int
    }

    private func setTranslations(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (token, project) = try await project(context, .translationsWrite)
        guard let body = try await PartnerJSON.decode(SetTranslations.self, from: request) else { throw APIError.invalidRequest("A body is required.") }
        let count = try await mapping { try await service.setTranslations(body.translations, in: project, author: author(token)) }
        return JSONResponse.make(Updated(updated: count), status: .ok)
    }

    // MARK: Glossary

    struct TermJSON: Encodable {
        let term: String
        let description: String?
        let translations: [String: String]
        let updated_at: String

        init(_ term: GlossaryTerm) {
            self.term = term.term
            description = term.description
            translations = Dictionary(uniqueKeysWithValues: term.translations.map { ($0.key.value, $0.value) })
            updated_at = term.updatedAt.iso8601
        }
    }

    private func glossary(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .glossaryRead)
        let page = try Page(request).slice(try await storage.glossary(of: token.grant.organizationID))
        return JSONResponse.make(ListResponse(name: "terms", items: page.items.map(TermJSON.init), nextCursor: page.nextCursor), status: .ok)
    }

    private struct UpsertTerms: Decodable {
        let terms: [GlossaryService.NewTerm]
    }

    private func upsertTerms(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .glossaryWrite)
        guard let body = try await PartnerJSON.decode(UpsertTerms.self, from: request) else { throw APIError.invalidRequest("A body is required.") }
        let terms = try await mapping {
            try await GlossaryService(storage: storage, clock: dependencies.clock).upsert(body.terms, in: token.grant.organizationID)
        }
        return JSONResponse.make(ListResponse(name: "terms", items: terms.map(TermJSON.init), nextCursor: nil), status: .ok)
    }
}
