import BetterI18nAPI
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import Foundation
import Hummingbird

/// The Content CMS of the partner API (SPEC §10), under
/// `/api/oauth-client/v1/projects/{projectId}/content`: decode, one ``ContentService`` call,
/// encode. Reads need `content:read`, writes `content:write`, publishing `content:publish` —
/// also a create or update that sets `"status":"published"`.
struct ContentRoutes {
    let content: ContentService
    let projects: ProjectService
    let views: ProjectViews

    func register(on api: RouterGroup<AppRequestContext>) {
        let prefix = PartnerResources.prefix
        api.on(Endpoints.listContentModels, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentRead)
            return try listModels(request, try await content.models(in: project))
        }
        api.on(Endpoints.listContentModelsBySlug, below: prefix) { request, context in
            let token = try context.partnerToken(requiring: .contentRead)
            let project = try await projectBySlug(token, context.parameters.value("orgId"), context.parameters.value("projectSlug"))
            return try listModels(request, try await content.models(in: project))
        }
        api.on(Endpoints.createContentModel, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentWrite)
            let body = try await PartnerJSON.body(NewContentModel.self, from: request)
            return JSONResponse.make(Wire.model(try await content.createModel(body, in: project)), status: .created)
        }
        api.on(Endpoints.getContentModel, below: prefix) { _, context in
            let (_, project) = try await project(context, .contentRead)
            return JSONResponse.make(Wire.model(try await content.model(context.parameters.value("model"), in: project)), status: .ok)
        }
        api.on(Endpoints.updateContentModel, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentWrite)
            let body = try await PartnerJSON.body(ContentModelUpdate.self, from: request)
            return JSONResponse.make(Wire.model(try await content.updateModel(context.parameters.value("model"), body, in: project)), status: .ok)
        }
        api.on(Endpoints.deleteContentModel, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentWrite)
            let cascade = request.uri.queryParameters["cascade"].map { $0 == "true" } ?? false
            try await content.deleteModel(context.parameters.value("model"), cascade: cascade, in: project)
            return Response(status: .noContent)
        }
        api.on(Endpoints.addContentField, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentWrite)
            let body = try await PartnerJSON.body(NewContentField.self, from: request)
            return JSONResponse.make(Wire.model(try await content.addField(body, to: context.parameters.value("model"), in: project)),
                                     status: .created)
        }
        api.on(Endpoints.updateContentField, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentWrite)
            let body = try await PartnerJSON.body(ContentFieldUpdate.self, from: request)
            let model = try await content.updateField(context.parameters.value("name"), of: context.parameters.value("model"), body, in: project)
            return JSONResponse.make(Wire.model(model), status: .ok)
        }
        api.on(Endpoints.deleteContentField, below: prefix) { _, context in
            let (_, project) = try await project(context, .contentWrite)
            let model = try await content.deleteField(context.parameters.value("name"), of: context.parameters.value("model"), in: project)
            return JSONResponse.make(Wire.model(model), status: .ok)
        }
        api.on(Endpoints.listContentEntries, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentRead)
            return try await listEntries(request, context, project)
        }
        api.on(Endpoints.createContentEntry, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentWrite)
            let body = try await PartnerJSON.body(ContentEntryWrite.self, from: request)
            if body.status == "published" { _ = try context.partnerToken(requiring: .contentPublish) }
            let view = try await content.createEntry(body, in: context.parameters.value("model"), project: project)
            return JSONResponse.make(Wire.entry(view), status: .created)
        }
        api.on(Endpoints.getContentEntry, below: prefix) { _, context in
            let (_, project) = try await project(context, .contentRead)
            return JSONResponse.make(Wire.entry(try await content.entry(context.parameters.value("entryId"), in: project)), status: .ok)
        }
        api.on(Endpoints.updateContentEntry, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentWrite)
            let body = try await PartnerJSON.body(ContentEntryWrite.self, from: request)
            if body.status == "published" { _ = try context.partnerToken(requiring: .contentPublish) }
            let view = try await content.updateEntry(context.parameters.value("entryId"), body, in: project)
            return JSONResponse.make(Wire.entry(view), status: .ok)
        }
        api.on(Endpoints.deleteContentEntry, below: prefix) { _, context in
            let (_, project) = try await project(context, .contentWrite)
            try await content.deleteEntry(context.parameters.value("entryId"), in: project)
            return Response(status: .noContent)
        }
        api.on(Endpoints.publishContentEntry, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentPublish)
            let body = try await PartnerJSON.decode(ContentLanguagesRequest.self, from: request, optional: true)
            let view = try await content.publishEntry(context.parameters.value("entryId"), languages: body?.languages, in: project)
            return JSONResponse.make(Wire.entry(view), status: .ok)
        }
        api.on(Endpoints.unpublishContentEntry, below: prefix) { request, context in
            let (_, project) = try await project(context, .contentPublish)
            let body = try await PartnerJSON.decode(ContentLanguagesRequest.self, from: request, optional: true)
            let view = try await content.unpublishEntry(context.parameters.value("entryId"), languages: body?.languages, in: project)
            return JSONResponse.make(Wire.entry(view), status: .ok)
        }
    }

    private func project(_ context: AppRequestContext, _ scope: Scope) async throws -> (AuthenticatedToken, BetterI18nCore.Project) {
        let token = try context.partnerToken(requiring: scope)
        let project = try await ResourceAccess(token: token, views: views).project(context.parameters.value("projectId"))
        return (token, project)
    }

    /// Better i18n's own route names the project by organization and project slug.
    private func projectBySlug(_ token: AuthenticatedToken, _ orgSlug: String, _ projectSlug: String) async throws -> BetterI18nCore.Project {
        guard let organization = try await projects.organization(token.grant.organizationID) else { throw APIError.notFound }
        guard organization.slug.value == orgSlug.lowercased() || organization.id.rawValue == orgSlug else {
            throw APIError(.wrongOrganization, "This token is for another organization.")
        }
        guard let found = try await projects.projects(in: organization.id).first(where: { $0.slug.value == projectSlug.lowercased() }) else {
            throw APIError.notFound
        }
        return try await ResourceAccess(token: token, views: views).project(found.id.rawValue)
    }

    private func listModels(_ request: Request, _ models: [ContentService.ModelSummary]) throws -> Response {
        let page = try Page(request).slice(models)
        return JSONResponse.make(ListPage(items: page.items.map(Wire.model), nextCursor: page.nextCursor), status: .ok)
    }

    private func listEntries(_ request: Request, _ context: AppRequestContext, _ project: BetterI18nCore.Project) async throws -> Response {
        let query = request.uri.queryParameters
        let page = try Page(request)
        let found = try await content.entries(of: context.parameters.value("model"), in: project, .init(
            language: query["language"].map(String.init), status: query["status"].map(String.init),
            search: query["search"].map(String.init), filters: ContentQuery.filters(request),
            sort: query["sort"].map(String.init), order: query["order"].map(String.init)
        ))
        let slice = try page.slice(found.entries)
        return JSONResponse.make(ListPage(items: slice.items.map { Wire.entry(.init(entry: $0, model: found.model)) }, nextCursor: slice.nextCursor),
                                 status: .ok)
    }
}

/// Query parameters shared by the partner and public content routes.
enum ContentQuery {
    /// `filter[<field>]=<value>` parameters, by field name.
    static func filters(_ request: Request) -> [String: String] {
        var filters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            let name = String(name).removingPercentEncoding ?? String(name)
            guard name.hasPrefix("filter[") && name.hasSuffix("]") else { continue }
            filters[String(name.dropFirst(7).dropLast())] = String(value)
        }
        return filters
    }
}

extension Wire {
    static func model(_ summary: ContentService.ModelSummary) -> BetterI18nAPI.ContentModel {
        model(summary.model, entryCount: summary.entries.all, slugs: summary.slugs)
    }

    static func model(_ model: ContentModelRecord, entryCount: Int, slugs: [ContentModelID: String]) -> BetterI18nAPI.ContentModel {
        .init(
            id: model.id.rawValue, slug: model.slug, displayName: model.displayName, description: model.description,
            kind: model.kind.rawValue, includeBody: model.includeBody,
            fields: model.fields.map { field in
                BetterI18nAPI.ContentField(
                    name: field.name, displayName: field.displayName, type: field.type.rawValue, localized: field.localized,
                    required: field.required, helpText: field.helpText, enumValues: field.enumValues,
                    targetModel: field.targetModel.map { slugs[$0] ?? $0.rawValue }, multiple: field.multiple
                )
            },
            entryCount: entryCount, createdAt: model.createdAt.iso8601, updatedAt: model.updatedAt.iso8601
        )
    }

    /// An entry as the partner API shows it: only values of the model's current fields.
    static func entry(_ view: ContentService.EntryView) -> BetterI18nAPI.ContentEntry {
        let entry = view.entry, model = view.model
        let shared = entry.fields.filter { name, _ in model.field(named: name).map { !$0.localized } ?? false }
        return .init(
            id: entry.id.rawValue, model: model.slug, slug: entry.slug, status: entry.status.rawValue,
            sourceLanguage: entry.sourceLanguage.value, publishedAt: entry.publishedAt?.iso8601,
            createdAt: entry.createdAt.iso8601, updatedAt: entry.updatedAt.iso8601, fields: shared,
            translations: Dictionary(uniqueKeysWithValues: entry.languages.map { language in
                let fields = language.fields.filter { name, _ in model.field(named: name)?.localized ?? false }
                let snapshot = language.published
                let current = snapshot.map { $0.title == language.title && $0.body == (model.includeBody ? language.body : nil)
                    && $0.fields == language.fields && $0.shared == entry.fields } ?? false
                return (language.language.value, BetterI18nAPI.ContentEntryTranslation(
                    title: language.title, body: language.body, fields: fields, status: current ? "published" : "draft",
                    publishedAt: snapshot?.publishedAt.iso8601, updatedAt: language.updatedAt.iso8601
                ))
            })
        )
    }
}
