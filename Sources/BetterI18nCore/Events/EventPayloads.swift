import Foundation

/// The `data` of each event type: ids and names, never a token or secret. Factories on
/// ``OutboxEvent`` so every service raises an event type the same way.
public enum EventPayloads {
    public struct ProjectRef: Encodable, Sendable, Equatable {
        public let id: String
        public let slug: String
        public let name: String
        public init(_ project: Project) {
            id = project.id.rawValue
            slug = project.slug.value
            name = project.name
        }
    }

    public struct KeyRef: Encodable, Sendable, Equatable {
        public let id: String
        public let namespace: String
        public let name: String
        public init(_ key: TranslationKey) {
            id = key.id.rawValue
            namespace = key.namespace.value
            name = key.name.value
        }
    }

    struct ReleasePublished: Encodable, Sendable {
        let project: ProjectRef
        let release_id: String
        let version: Int
        let languages: [String]
        let manifest_url: String
    }

    struct TranslationsUpdated: Encodable, Sendable {
        let project: ProjectRef
        let languages: [String]
        let keys: [KeyRef]
    }

    struct Keys: Encodable, Sendable {
        let project: ProjectRef
        let keys: [KeyRef]
    }

    struct LanguageAdded: Encodable, Sendable {
        let project: ProjectRef
        let language: String
    }

    public struct GrantState: Encodable, Sendable, Equatable {
        public let scopes: [String]
        /// Empty: every project of the organization.
        public let projects: [String]
        init(_ grant: Grant) {
            scopes = grant.scopes.sorted.map(\.rawValue)
            projects = grant.projectIDs.map(\.rawValue).sorted()
        }
    }

    struct GrantSnapshot: Encodable, Sendable {
        let grant_id: String
        let client_id: String
        let scopes: [String]
        let projects: [String]
    }

    struct GrantUpdated: Encodable, Sendable {
        let grant_id: String
        let client_id: String
        let old: GrantState
        let new: GrantState
    }

    struct GrantEnded: Encodable, Sendable {
        let grant_id: String
        let client_id: String
        let reason: String
    }

    struct Ping: Encodable, Sendable {
        let webhook_id: String
        let message: String
    }
}

extension OutboxEvent {
    public static func releasePublished(
        _ project: Project, release: ReleaseID, version: Int, languages: [LanguageCode], manifestURL: String, at time: Date
    ) -> OutboxEvent {
        OutboxEvent(.releasePublished, organization: project.organizationID, project: project.id, data: EventPayloads.ReleasePublished(
            project: .init(project), release_id: release.rawValue, version: version, languages: languages.map(\.value).sorted(),
            manifest_url: manifestURL
        ), at: time)
    }

    /// One event per write request: the languages and keys it wrote.
    public static func translationsUpdated(_ project: Project, keys: [TranslationKey], languages: Set<LanguageCode>, at time: Date) -> OutboxEvent {
        OutboxEvent(.translationsUpdated, organization: project.organizationID, project: project.id, data: EventPayloads.TranslationsUpdated(
            project: .init(project), languages: languages.map(\.value).sorted(), keys: keys.map(EventPayloads.KeyRef.init)
        ), at: time)
    }

    public static func keysCreated(_ project: Project, keys: [TranslationKey], at time: Date) -> OutboxEvent {
        OutboxEvent(.keysCreated, organization: project.organizationID, project: project.id,
                    data: EventPayloads.Keys(project: .init(project), keys: keys.map(EventPayloads.KeyRef.init)), at: time)
    }

    public static func keysDeleted(_ project: Project, keys: [TranslationKey], at time: Date) -> OutboxEvent {
        OutboxEvent(.keysDeleted, organization: project.organizationID, project: project.id,
                    data: EventPayloads.Keys(project: .init(project), keys: keys.map(EventPayloads.KeyRef.init)), at: time)
    }

    public static func languageAdded(_ project: Project, language: LanguageCode, at time: Date) -> OutboxEvent {
        OutboxEvent(.languageAdded, organization: project.organizationID, project: project.id,
                    data: EventPayloads.LanguageAdded(project: .init(project), language: language.value), at: time)
    }

    /// `content.entry.*` (the Content CMS): `data` is whatever names the entry — ids, model and
    /// slugs — never a secret. `type` must be one of the five `content.entry.*` types.
    public static func contentEntry(
        _ type: EventType, project: Project, data: some Encodable & Sendable, at time: Date
    ) -> OutboxEvent {
        precondition(type.requiredScope == .contentRead, "not a content.entry.* event")
        return OutboxEvent(type, organization: project.organizationID, project: project.id, data: data, at: time)
    }

    public static func grantCreated(_ grant: Grant, at time: Date) -> OutboxEvent {
        let state = EventPayloads.GrantState(grant)
        return OutboxEvent(.grantCreated, organization: grant.organizationID, client: grant.clientID, grant: grant.id,
                           data: EventPayloads.GrantSnapshot(grant_id: grant.id.rawValue, client_id: grant.clientID.rawValue,
                                                             scopes: state.scopes, projects: state.projects), at: time)
    }

    /// Scopes or projects changed; nil when neither did (a re-approval with the same choice).
    public static func grantUpdated(from old: Grant, to new: Grant, at time: Date) -> OutboxEvent? {
        let before = EventPayloads.GrantState(old), after = EventPayloads.GrantState(new)
        guard before != after else { return nil }
        return OutboxEvent(.grantUpdated, organization: new.organizationID, client: new.clientID, grant: new.id,
                           data: EventPayloads.GrantUpdated(grant_id: new.id.rawValue, client_id: new.clientID.rawValue,
                                                            old: before, new: after), at: time)
    }

    public static func grantRevoked(_ grant: Grant, reason: GrantRevocationReason, at time: Date) -> OutboxEvent {
        OutboxEvent(.grantRevoked, organization: grant.organizationID, client: grant.clientID, grant: grant.id,
                    data: EventPayloads.GrantEnded(grant_id: grant.id.rawValue, client_id: grant.clientID.rawValue,
                                                   reason: reason.rawValue), at: time)
    }

    public static func grantTokensRevoked(
        grant: GrantID, client: ClientID, organization: OrganizationID, reason: TokenRevocationReason, at time: Date
    ) -> OutboxEvent {
        OutboxEvent(.grantTokensRevoked, organization: organization, client: client, grant: grant,
                    data: EventPayloads.GrantEnded(grant_id: grant.rawValue, client_id: client.rawValue,
                                                   reason: reason.rawValue), at: time)
    }

    /// `Send test` on the dashboard: addressed to one webhook only.
    public static func ping(webhook: WebhookID, organization: OrganizationID, at time: Date) -> OutboxEvent {
        OutboxEvent(.ping, organization: organization, data: EventPayloads.Ping(
            webhook_id: webhook.rawValue, message: "Test event from Better i18n"), at: time)
    }
}
