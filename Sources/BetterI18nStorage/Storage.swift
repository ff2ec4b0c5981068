import BetterI18nCore
import Foundation

/// Users and their password hashes. Emails are unique.
public protocol UserStore: Sendable {
    /// Throws ``StorageError/conflict(_:)`` when the email is taken.
    func createUser(_ user: User, passwordHash: String) async throws
    func user(id: UserID) async throws -> User?
    func user(email: EmailAddress) async throws -> User?
    /// The user and their bcrypt hash, for sign-in only.
    func credentials(email: EmailAddress) async throws -> (user: User, passwordHash: String)?
    func userCount() async throws -> Int
}

/// Organizations and who belongs to them.
public protocol OrganizationStore: Sendable {
    /// Creates the organization and makes `owner` its owner, in one transaction.
    func createOrganization(_ organization: Organization, owner: UserID) async throws
    func organization(id: OrganizationID) async throws -> Organization?
    func organization(slug: Slug) async throws -> Organization?
    func allOrganizationIDs() async throws -> [OrganizationID]
    /// Throws ``StorageError/conflict(_:)`` when the user is already a member.
    func addMember(_ membership: Membership) async throws
    func role(of user: UserID, in organization: OrganizationID) async throws -> Role?
    /// Every organization the user belongs to, by name.
    func memberships(of user: UserID) async throws -> [OrganizationMembership]
}

/// Who belongs to an organization and who is invited (the dashboard's Members page).
public protocol MemberStore: Sendable {
    /// Members of the organization with their users, owners first, then by name.
    func members(of organization: OrganizationID) async throws -> [MemberListing]
    /// Changes a member's role in one transaction that refuses to demote the last owner
    /// (concurrent changes of one organization run one after the other).
    func changeRole(of user: UserID, in organization: OrganizationID, to role: Role) async throws -> MembershipChange
    /// Removes a member, refusing the last owner, in one transaction like ``changeRole``.
    func removeMember(_ user: UserID, from organization: OrganizationID) async throws -> MembershipChange
    func createInvitation(_ invitation: Invitation) async throws
    func invitation(digest: SecretDigest) async throws -> Invitation?
    /// Invitations of the organization not yet accepted, newest first (expired ones too).
    func openInvitations(of organization: OrganizationID) async throws -> [Invitation]
    /// Deletes an open invitation of the organization; false when there is none with that id.
    func deleteInvitation(id: String, in organization: OrganizationID) async throws -> Bool
    /// In one transaction: marks the invitation accepted — one conditional statement, so of
    /// concurrent acceptances exactly one wins — creates `user` when `newUserPasswordHash` is
    /// given, and makes the user a member with the invitation's role (an existing member keeps
    /// the higher of the two roles). Nil, writing nothing, when the invitation is unknown,
    /// used or expired at `time`. ``StorageError/conflict(_:)`` when a new user's email is taken.
    func acceptInvitation(digest: SecretDigest, user: User, newUserPasswordHash: String?, at time: Date) async throws -> Invitation?
}

/// Projects, their languages and namespaces.
public protocol ProjectStore: Sendable {
    /// Creates the project, its languages and its `default` namespace in one transaction.
    /// Throws ``StorageError/conflict(_:)`` when the slug is taken in the organization.
    func createProject(_ project: Project, languages: [ProjectLanguage]) async throws
    func project(id: ProjectID) async throws -> Project?
    func project(organization: OrganizationID, slug: Slug) async throws -> Project?
    func projects(in organization: OrganizationID) async throws -> [Project]
    func languages(of project: ProjectID) async throws -> [ProjectLanguage]
    /// Adds a language; throws ``StorageError/conflict(_:)`` when the project has it already.
    func addLanguage(_ language: ProjectLanguage, events: [OutboxEvent]) async throws
    /// Live keys of the project.
    func keyCount(in project: ProjectID) async throws -> Int
    func namespaces(of project: ProjectID) async throws -> [NamespaceName]
}

/// Keys and their translations.
public protocol TranslationStore: Sendable {
    /// Creates keys (and their namespaces when new) with initial translations, all or nothing.
    /// Throws ``StorageError/conflict(_:)`` when a live key with the same name exists.
    func createKeys(_ keys: [TranslationKey], translations: [Translation], events: [OutboxEvent]) async throws
    /// Live keys of a project ordered by namespace and name; soft-deleted ones only when asked.
    func keys(in project: ProjectID, includingDeleted: Bool) async throws -> [TranslationKey]
    /// Soft-deletes the keys, all or nothing; throws ``StorageError/notFound(_:)`` when one of
    /// them is not a live key of the project.
    func deleteKeys(_ ids: [KeyID], in project: ProjectID, at time: Date, events: [OutboxEvent]) async throws
    /// Inserts or replaces values, all or nothing.
    func saveTranslations(_ translations: [Translation], events: [OutboxEvent]) async throws
    /// In one transaction: creates `created` keys, updates the description of `updated` keys,
    /// and saves `translations`. Throws ``StorageError/conflict(_:)`` (nothing written) when a
    /// created key's name is taken.
    func applyKeys(created: [TranslationKey], updated: [TranslationKey], translations: [Translation], events: [OutboxEvent]) async throws
    /// Renames, moves or re-describes a live key; ``StorageError/conflict(_:)`` when the new
    /// name is taken in the namespace.
    func updateKey(_ key: TranslationKey) async throws
    /// Every value of the project's live keys.
    func translations(in project: ProjectID) async throws -> [Translation]
    /// The values of the project's live keys (of one namespace when given) as key id, language
    /// and text only, in no particular order: what an export reads, lean, for 100,000 values.
    func values(in project: ProjectID, namespace: String?) async throws -> [(keyID: KeyID, language: String, value: String)]
    /// Up to `query.limit` live keys after `query.after`, in (namespace, name) order, filtered
    /// in the database; work proportional to the page.
    func keyPage(in project: ProjectID, _ query: KeyPageQuery) async throws -> [TranslationKey]
    /// Up to `query.limit` values of live keys after `query.after`, in (namespace, name,
    /// language) order, with their keys, filtered in the database.
    func translationPage(in project: ProjectID, _ query: TranslationPageQuery) async throws -> [(key: TranslationKey, value: Translation)]
    /// The live keys among these ids and (namespace, name) pairs: what one write request names,
    /// read by index, whatever the project's size.
    func liveKeys(in project: ProjectID, ids: [KeyID], names: [KeyPosition]) async throws -> [TranslationKey]
    /// Names of live keys of `namespace` that are `names`, dot-prefixes of them, or have one of
    /// them as a dot-prefix: what a create or rename must not collide with (SPEC §8).
    func nestingNeighbours(in project: ProjectID, namespace: String, names: [String]) async throws -> [String]
    /// What the next publish of each language would change, from the values' publish marks
    /// (an index of unpublished values), without reading the release.
    func pendingValues(in project: ProjectID) async throws -> [PendingValue]
    /// How many live keys have a value in each language (progress per language).
    func valueCounts(in project: ProjectID) async throws -> [LanguageCode: Int]
}

/// Releases: immutable numbered snapshots of a project's translations, what the CDN serves.
public protocol ReleaseStore: Sendable {
    /// In one write transaction: numbers the project's next release (concurrent publishes get
    /// distinct versions, one after the other), gives it a time strictly after the previous
    /// release's, reads its live keys, the previous release's languages, a digest of each
    /// language's stored values, and the values of those of `languages` whose digest differs
    /// from the one their previous body was made from; asks `render` for the release's
    /// languages, and stores the release. Nothing is stored when `render` throws;
    /// ``StorageError/notFound(_:)`` when the project does not exist.
    func publishRelease(
        id: ReleaseID, project: ProjectID, languages: [LanguageCode], at time: Date, publishedBy: String,
        render: @escaping @Sendable (PublishInput) throws -> RenderedRelease,
        event: (@Sendable (Release) -> OutboxEvent)?
    ) async throws -> Release
    /// Releases of the project, newest first.
    func releases(of project: ProjectID) async throws -> [Release]
    /// The newest release's version, 0 before the first publish: one indexed read, for the
    /// CDN to notice another instance's publish.
    func latestReleaseVersion(of project: ProjectID) async throws -> Int
    func release(of project: ProjectID, version: Int) async throws -> Release?
    /// The languages of a release with their stored bodies, by code.
    func releaseLanguages(_ release: ReleaseID) async throws -> [ReleaseLanguage]
}

/// Organization glossaries.
public protocol GlossaryStore: Sendable {
    /// Terms of the organization ordered by term.
    func glossary(of organization: OrganizationID) async throws -> [GlossaryTerm]
    /// Upserts by term, all or nothing; a term keeps its `createdAt`.
    func saveGlossaryTerms(_ terms: [GlossaryTerm]) async throws
}

/// OAuth clients.
public protocol ClientStore: Sendable {
    func createClient(_ client: OAuthClient) async throws
    func client(id: ClientID) async throws -> OAuthClient?
}

/// Server-side dashboard sessions, keyed by the digest of the cookie.
public protocol SessionStore: Sendable {
    func createSession(_ session: DashboardSession) async throws
    func session(digest: SecretDigest) async throws -> DashboardSession?
    func deleteSession(digest: SecretDigest) async throws
    /// Removes sessions that expired before `time`; returns how many.
    @discardableResult
    func deleteSessions(expiredBefore time: Date) async throws -> Int
}

/// Everything Better i18n stores, behind one protocol with one contract test suite
/// (`StorageContractTests`) run against every backend.
public protocol Storage: UserStore, OrganizationStore, MemberStore, ProjectStore, TranslationStore, ClientStore, SessionStore, OAuthStore, GlossaryStore, ReleaseStore, ContentStore, WebhookStore {
    /// Answers when the database answers; `/healthz` calls it.
    func ping() async throws
    /// Releases connections. The storage must not be used afterwards.
    func close() async throws
    /// How long the database's one writer has been busy since the start, where every write
    /// waits for one (SQLite); nil where writes run side by side. Webhook delivery gives way to
    /// requests when this says the writer is saturated.
    var writerBusyTime: Duration? { get }
}

extension Storage {
    public var writerBusyTime: Duration? { nil }
}

/// The writes without events, for the operator's seed and tests: the same transaction with
/// nothing in the outbox.
extension Storage {
    public func addLanguage(_ language: ProjectLanguage) async throws {
        try await addLanguage(language, events: [])
    }

    public func createKeys(_ keys: [TranslationKey], translations: [Translation]) async throws {
        try await createKeys(keys, translations: translations, events: [])
    }

    public func deleteKeys(_ ids: [KeyID], in project: ProjectID, at time: Date) async throws {
        try await deleteKeys(ids, in: project, at: time, events: [])
    }

    public func saveTranslations(_ translations: [Translation]) async throws {
        try await saveTranslations(translations, events: [])
    }

    public func applyKeys(created: [TranslationKey], updated: [TranslationKey], translations: [Translation]) async throws {
        try await applyKeys(created: created, updated: updated, translations: translations, events: [])
    }

    public func publishRelease(
        id: ReleaseID, project: ProjectID, languages: [LanguageCode], at time: Date, publishedBy: String,
        render: @escaping @Sendable (PublishInput) throws -> RenderedRelease
    ) async throws -> Release {
        try await publishRelease(id: id, project: project, languages: languages, at: time, publishedBy: publishedBy,
                                 render: render, event: nil)
    }

    public func approveGrant(
        newID: GrantID, clientID: ClientID, organizationID: OrganizationID, userID: UserID, scopes: ScopeSet,
        projectIDs: [ProjectID], at time: Date
    ) async throws -> (grant: Grant, created: Bool) {
        try await approveGrant(newID: newID, clientID: clientID, organizationID: organizationID, userID: userID,
                               scopes: scopes, projectIDs: projectIDs, at: time, events: { _, _ in [] })
    }

    public func revokeGrant(id: GrantID, at time: Date) async throws -> Grant? {
        try await revokeGrant(id: id, at: time, event: nil)
    }

    public func deleteClient(_ client: ClientID, at time: Date) async throws {
        try await deleteClient(client, at: time, event: nil)
    }

    public func revokeFamily(_ family: FamilyID, at time: Date) async throws {
        try await revokeFamily(family, at: time, event: nil)
    }
}
