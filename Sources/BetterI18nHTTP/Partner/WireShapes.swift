import BetterI18nAPI
import BetterI18nCDN
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import Foundation

/// Domain values as the API's wire types (`BetterI18nAPI`): the one place each shape is filled.
enum Wire {
    static func organization(_ organization: BetterI18nCore.Organization) -> BetterI18nAPI.Organization {
        .init(id: organization.id.rawValue, slug: organization.slug.value, name: organization.name, createdAt: organization.createdAt.iso8601)
    }

    static func project(_ view: ProjectView, cdnURL: String) -> BetterI18nAPI.Project {
        let project = view.project
        let manifest = CDNBundle.baseURL(cdnURL: cdnURL, organization: view.organizationSlug, project: project.slug.value) + "/manifest.json"
        return .init(
            id: project.id.rawValue, slug: project.slug.value, name: project.name, organizationID: project.organizationID.rawValue,
            sourceLanguage: project.sourceLanguage.value,
            languages: view.languages.map {
                BetterI18nAPI.ProjectLanguage(code: $0.code.value, name: $0.name, status: $0.status.rawValue, isSource: $0.isSource)
            },
            namespaces: view.namespaces.map(\.value), keyCount: view.keyCount, cdn: .init(manifestURL: manifest),
            createdAt: project.createdAt.iso8601, updatedAt: project.updatedAt.iso8601
        )
    }

    static func key(_ key: TranslationKey) -> BetterI18nAPI.Key {
        .init(id: key.id.rawValue, name: key.name.value, namespace: key.namespace.value, description: key.description,
              createdAt: key.createdAt.iso8601, updatedAt: key.updatedAt.iso8601)
    }

    static func translation(_ key: TranslationKey, _ value: BetterI18nCore.Translation) -> BetterI18nAPI.Translation {
        .init(keyID: key.id.rawValue, key: key.name.value, namespace: key.namespace.value, language: value.language.value,
              value: value.value, updatedAt: value.updatedAt.iso8601)
    }

    static func term(_ term: BetterI18nCore.GlossaryTerm) -> BetterI18nAPI.GlossaryTerm {
        .init(term: term.term, description: term.description,
              translations: Dictionary(uniqueKeysWithValues: term.translations.map { ($0.key.value, $0.value) }),
              updatedAt: term.updatedAt.iso8601)
    }

    static func release(_ release: BetterI18nCore.Release, organizationSlug: String, projectSlug: String, cdnURL: String) -> BetterI18nAPI.Release {
        .init(
            id: release.id.rawValue, version: release.version, publishedAt: release.publishedAt.iso8601,
            languages: release.languages.map(\.value),
            manifestURL: CDNBundle.baseURL(cdnURL: cdnURL, organization: organizationSlug, project: projectSlug, version: release.version)
                + "/manifest.json"
        )
    }

    static func warning(_ warning: BetterI18nCore.PublishWarning) -> BetterI18nAPI.PublishWarning {
        .init(namespace: warning.namespace, key: warning.key, conflictsWith: warning.conflictsWith, languages: warning.languages.map(\.value),
              message: "'\(warning.key)' was left out of the CDN files because '\(warning.conflictsWith)' nests below it; rename one of them.")
    }

    static func pendingChanges(_ changes: [LanguageCode: ReleaseService.PendingChanges]) -> BetterI18nAPI.PendingChanges {
        .init(languages: Dictionary(uniqueKeysWithValues: changes.map {
            ($0.key.value, .init(added: $0.value.added, changed: $0.value.changed, deleted: $0.value.deleted))
        }))
    }
}
