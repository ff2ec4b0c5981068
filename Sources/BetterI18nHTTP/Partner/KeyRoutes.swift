import BetterI18nAPI
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import Foundation
import Hummingbird

/// Keys, translations and the glossary of the partner API (SPEC §6.2): decode, one service
/// call, encode.
struct KeyRoutes {
    let keys: KeyService
    let glossary: GlossaryService
    let views: ProjectViews

    func register(on api: RouterGroup<AppRequestContext>) {
        let prefix = PartnerResources.prefix
        api.on(Endpoints.listKeys, below: prefix) { request, context in try await listKeys(request, context) }
        api.on(Endpoints.createKeys, below: prefix) { request, context in try await createKeys(request, context) }
        api.on(Endpoints.updateKey, below: prefix) { request, context in try await updateKey(request, context) }
        api.on(Endpoints.deleteKeys, below: prefix) { request, context in try await deleteKeys(request, context) }
        api.on(Endpoints.listTranslations, below: prefix) { request, context in try await listTranslations(request, context) }
        api.on(Endpoints.setTranslations, below: prefix) { request, context in try await setTranslations(request, context) }
        api.on(Endpoints.listGlossary, below: prefix) { request, context in try await listGlossary(request, context) }
        api.on(Endpoints.upsertGlossaryTerms, below: prefix) { request, context in try await upsertTerms(request, context) }
    }

    private func project(_ context: AppRequestContext, _ scope: Scope) async throws -> (AuthenticatedToken, BetterI18nCore.Project) {
        let token = try context.partnerToken(requiring: scope)
        let project = try await ResourceAccess(token: token, views: views).project(context.parameters.value("projectId"))
        return (token, project)
    }

    /// Who wrote a value: the grant, so the dashboard can tell partners' edits apart.
    private func author(_ token: AuthenticatedToken) -> String { token.grant.id.rawValue }

    // MARK: Keys

    private func listKeys(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, project) = try await project(context, .keysRead)
        let query = request.uri.queryParameters
        let page = try Page(request)
        let after: KeyPosition? = try page.position(KeyPosition.self)
        let namespace: String? = query["namespace"].map(String.init)
        let search: String? = query["search"].map(String.init)
        let missing: String? = query["missing_language"].map(String.init)
        let found = try await keys.keys(in: project, namespace: namespace, search: search, missingLanguage: missing, after: after, limit: page.limit)
        let items: [BetterI18nAPI.Key] = found.keys.map(Wire.key)
        let next: String? = found.next.map { Page.cursor($0) }
        return JSONResponse.make(ListPage(items: items, nextCursor: next), status: .ok)
    }

    private func createKeys(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (token, project) = try await project(context, .keysWrite)
        let body = try await PartnerJSON.body(CreateKeysRequest.self, from: request)
        if body.keys.contains(where: { $0.translations?.isEmpty == false }) {
            _ = try context.partnerToken(requiring: .translationsWrite)
        }
        let result = try await keys.createKeys(body.keys, in: project, policy: body.onConflict ?? .skip, author: author(token))
        return JSONResponse.make(KeysResult(
            created: result.created.map(Wire.key), updated: result.updated.map(Wire.key), skipped: result.skipped.map(Wire.key)
        ), status: result.created.isEmpty ? .ok : .created)
    }

    private func updateKey(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, project) = try await project(context, .keysWrite)
        let body = try await PartnerJSON.body(UpdateKeyRequest.self, from: request)
        let key = try await keys.updateKey(
            context.parameters.value("keyId"), in: project, name: body.name, namespace: body.namespace,
            description: body.description.map { Optional($0) }
        )
        return JSONResponse.make(Wire.key(key), status: .ok)
    }

    private func deleteKeys(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, project) = try await project(context, .keysWrite)
        let body = try await PartnerJSON.body(DeleteKeysRequest.self, from: request)
        return JSONResponse.make(DeletedCount(deleted: try await keys.deleteKeys(body.keyIDs, in: project)), status: .ok)
    }

    // MARK: Translations

    private func listTranslations(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, project) = try await project(context, .translationsRead)
        let query = request.uri.queryParameters
        let status = try query["status"].map { raw -> ValueStatus in
            guard let status = ValueStatus(rawValue: String(raw)) else {
                throw APIError.invalidRequest("status must be draft or published.")
            }
            return status
        }
        let page = try Page(request)
        let found = try await keys.translations(
            in: project, languages: query["languages"].map(String.init), namespace: query["namespace"].map(String.init),
            keys: query["keys"].map(String.init), status: status, after: try page.position(TranslationPosition.self), limit: page.limit
        )
        return JSONResponse.make(ListPage(items: found.values.map { Wire.translation($0.key, $0.value) }, nextCursor: found.next.map(Page.cursor)),
                                 status: .ok)
    }

    private func setTranslations(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (token, project) = try await project(context, .translationsWrite)
        let body = try await PartnerJSON.body(SetTranslationsRequest.self, from: request)
        let count = try await keys.setTranslations(body.translations, in: project, author: author(token))
        return JSONResponse.make(UpdatedCount(updated: count), status: .ok)
    }

    // MARK: Glossary

    private func listGlossary(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .glossaryRead)
        let page = try Page(request).slice(try await glossary.terms(of: token.grant.organizationID))
        return JSONResponse.make(ListPage(items: page.items.map(Wire.term), nextCursor: page.nextCursor), status: .ok)
    }

    private func upsertTerms(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .glossaryWrite)
        let body = try await PartnerJSON.body(UpsertTermsRequest.self, from: request)
        let terms = try await glossary.upsert(body.terms, in: token.grant.organizationID)
        return JSONResponse.make(ListPage(items: terms.map(Wire.term), nextCursor: nil), status: .ok)
    }
}
