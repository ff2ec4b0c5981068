import ArgumentParser
import BetterI18nAccounts
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import BetterI18nStorage
import BetterI18nWebhooks
import Foundation
import Logging

/// `better-i18n admin …`: operator commands straight on the database (SPEC §2). Each prints
/// the created id, or a JSON object with `--json`, and refuses bad input with one line on stderr
/// and a non-zero status, writing nothing.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator commands on the database; safe to run beside a running server.",
        subcommands: [
            CreateUser.self, CreateOrg.self, AddMember.self, ChangeRole.self, RemoveMember.self, Invite.self, CreateProject.self, CreateClient.self,
            ListGrants.self, RevokeGrant.self, CreatePublicKey.self, ListPublicKeys.self, RevokePublicKey.self,
            CreateWebhook.self, CreateRegistrationToken.self, Audit.self,
        ]
    )

    /// Options every admin subcommand shares.
    struct Common: ParsableArguments {
        @OptionGroup var database: DatabaseOptions

        @Flag(help: "Print a JSON object instead of the bare id.")
        var json = false

        @Option(help: "bcrypt cost for new passwords (4–31). Env: BETTER_I18N_BCRYPT_COST")
        var bcryptCost: Int?

        /// Opens the database and runs `body` with an ``AdminService`` on it.
        func withAdmin(_ body: (AdminService) async throws -> Void) async throws {
            let logger = Logger(label: "better-i18n.admin")
            let storage = try await database.open(logger: logger)
            do {
                let cost = try Settings.int(bcryptCost, env: "BCRYPT_COST", default: 12, range: 4...31)
                try await body(AdminService(storage: storage, hasher: PasswordHasher(cost: cost), clock: SystemWallClock()))
                try? await storage.close()
            } catch {
                try? await storage.close()
                throw error
            }
        }

        func output(id: String, fields: [String: JSONValue]) {
            if json {
                var object = fields
                object["id"] = .string(id)
                print(JSONValue.object(object).serialized)
            } else {
                print(id)
            }
        }
    }

    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a dashboard user.")
        @OptionGroup var common: Common
        @Option(help: "Email address; used to sign in.") var email: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Password (at least 10 characters). Prefer --password-stdin: arguments show up in ps.") var password: String?
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false

        func run() async throws {
            try await Self.reportingFailures {
                let secret = try readPassword()
                try await common.withAdmin { admin in
                    let user = try await admin.createUser(email: email, name: name, password: secret)
                    common.output(id: user.id.rawValue, fields: ["email": .string(user.email.value), "name": .string(user.name)])
                }
            }
        }

        private func readPassword() throws -> String {
            switch (password, passwordStdin) {
            case (let password?, false):
                return password
            case (nil, true):
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw CommandFailure(message: "--password-stdin: no password on standard input")
                }
                return line
            case (nil, false):
                throw CommandFailure(message: "give --password or --password-stdin")
            case (_?, true):
                throw CommandFailure(message: "give either --password or --password-stdin, not both")
            }
        }
    }

    struct CreateOrg: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organization with its owner.")
        @OptionGroup var common: Common
        @Option(help: "URL-safe slug, e.g. acme.") var slug: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Email of the existing user who will own it.") var owner: String

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    let organization = try await admin.createOrganization(slug: slug, name: name, ownerEmail: owner)
                    common.output(id: organization.id.rawValue, fields: [
                        "slug": .string(organization.slug.value), "name": .string(organization.name),
                    ])
                }
            }
        }
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an existing user to an organization.")
        @OptionGroup var common: Common
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Email of the existing user.") var email: String
        @Option(help: "owner, admin or member.") var role: String

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    let membership = try await admin.addMember(organizationSlug: org, email: email, role: role)
                    common.output(id: membership.userID.rawValue, fields: [
                        "organization_id": .string(membership.organizationID.rawValue), "role": .string(membership.role.rawValue),
                    ])
                }
            }
        }
    }

    struct ChangeRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a member's role (the last owner stays an owner).")
        @OptionGroup var common: Common
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Email of the member.") var email: String
        @Option(help: "owner, admin or member.") var role: String

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    let membership = try await admin.changeRole(organizationSlug: org, email: email, role: role)
                    common.output(id: membership.userID.rawValue, fields: [
                        "organization_id": .string(membership.organizationID.rawValue), "role": .string(membership.role.rawValue),
                    ])
                }
            }
        }
    }

    struct RemoveMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a member from an organization (never its last owner).")
        @OptionGroup var common: Common
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Email of the member.") var email: String

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    let user = try await admin.removeMember(organizationSlug: org, email: email)
                    common.output(id: user.id.rawValue, fields: ["removed": .bool(true)])
                }
            }
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite someone by email; prints the invitation link once (valid 7 days, single use)."
        )
        @OptionGroup var common: Common
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Email to invite.") var email: String
        @Option(help: "owner, admin or member.") var role: String = "member"
        @Option(help: "The server's public URL, which the link starts with. Env: BETTER_I18N_PUBLIC_URL (default http://127.0.0.1:8080)")
        var publicUrl: String?

        func run() async throws {
            try await Self.reportingFailures {
                let raw = Settings.optionalString(publicUrl, env: "PUBLIC_URL") ?? "http://127.0.0.1:8080"
                let base = try ServerConfiguration.parseBaseURL(raw, setting: "--public-url")
                try await common.withAdmin { admin in
                    let (invitation, link) = try await admin.invite(organizationSlug: org, email: email, role: role, publicURL: base)
                    if common.json {
                        common.output(id: invitation.id, fields: [
                            "link": .string(link), "email": .string(invitation.email.value), "role": .string(invitation.role.rawValue),
                            "expires_at": .string(invitation.expiresAt.iso8601),
                        ])
                    } else {
                        print(link)
                    }
                }
            }
        }
    }

    struct CreateProject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a project with its languages.")
        @OptionGroup var common: Common
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Project slug, unique in the organization.") var slug: String
        @Option(help: "Display name.") var name: String
        @Option(help: "BCP 47 code of the source language, e.g. en.") var sourceLanguage: String
        @Option(help: "Comma-separated target languages, e.g. de,fr,pt-BR.") var languages: String = ""

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    let (project, languages) = try await admin.createProject(
                        organizationSlug: org, slug: slug, name: name, sourceLanguage: sourceLanguage,
                        languages: self.languages.split(separator: ",").map(String.init)
                    )
                    common.output(id: project.id.rawValue, fields: [
                        "slug": .string(project.slug.value), "organization_id": .string(project.organizationID.rawValue),
                        "source_language": .string(project.sourceLanguage.value),
                        "languages": .array(languages.map { .string($0.code.value) }),
                    ])
                }
            }
        }
    }

    struct CreateClient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an OAuth client; prints client_id and, for web clients, the client_secret (shown once)."
        )
        @OptionGroup var common: Common
        @Option(help: "Application name shown on the consent screen.") var name: String
        @Option(help: "web (confidential), native or spa (public).") var type: String
        @Option(name: .customLong("redirect-uri"), help: "Allowed redirect URI; repeat for several.") var redirectURIs: [String] = []
        @Option(help: "Email of the user who owns the app.") var owner: String?
        @Option(help: "The app's webhook URL (grant.* events and what its grants may read); prints its whsec_ secret once.")
        var webhookUrl: String?
        @OptionGroup var secretKeyOptions: SecretKeyOptions

        func run() async throws {
            try await Self.reportingFailures {
                // Checked before anything is written: a bad URL leaves no half-made app.
                let webhookKey = try webhookUrl.map { url in
                    try WebhookURLPolicy.checkWellFormed(url)
                    return try secretKeyOptions.load(databaseURL: common.database.resolvedURL)
                }
                try await common.withAdmin { admin in
                    let (client, secret) = try await admin.createClient(
                        name: name, type: type, redirectURIs: redirectURIs, ownerEmail: owner
                    )
                    var webhookSecret: WebhookSecret?
                    if let webhookUrl, let webhookKey {
                        webhookSecret = try await WebhookService(
                            storage: admin.storage, secretKey: webhookKey, policy: nil, clock: admin.clock
                        ).setAppWebhook(client: client.id, url: webhookUrl, by: .operator)
                    }
                    if common.json {
                        var fields: [String: JSONValue] = [
                            "client_id": .string(client.id.rawValue), "name": .string(client.name),
                            "type": .string(client.type.rawValue), "redirect_uris": .array(client.redirectURIs.map(JSONValue.string)),
                        ]
                        if let secret { fields["client_secret"] = .string(secret.value) }
                        if let webhookSecret {
                            fields["webhook_url"] = .string(webhookUrl ?? "")
                            fields["webhook_secret"] = .string(webhookSecret.value)
                        }
                        common.output(id: client.id.rawValue, fields: fields)
                    } else {
                        print("client_id: \(client.id.rawValue)")
                        if let secret { print("client_secret: \(secret.value)") }
                        if let webhookSecret { print("webhook_secret: \(webhookSecret.value)") }
                    }
                }
            }
        }
    }

    struct ListGrants: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List OAuth grants as JSON lines, newest first.")
        @OptionGroup var common: Common
        @Option(help: "Only this organization's grants.") var org: String?

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    for listing in try await admin.listGrants(organizationSlug: org) {
                        print(AdminJSON.grant(listing).serialized)
                    }
                }
            }
        }
    }

    struct RevokeGrant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a grant: every token of it stops working on every server within a second."
        )
        @OptionGroup var common: Common
        @Argument(help: "The grant id (grt_…).") var grantID: String

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    let grant = try await admin.revokeGrant(grantID)
                    common.output(id: grant.id.rawValue, fields: [
                        "revoked_at": .string(grant.revokedAt.map(\.iso8601) ?? ""),
                    ])
                }
            }
        }
    }

    /// Runs `body` with the public-key service on the admin's database, naming refusals.
    static func withPublicKeys(_ common: Common, _ body: @escaping (PublicKeyService) async throws -> Void) async throws {
        try await common.withAdmin { admin in
            do {
                try await body(PublicKeyService(storage: admin.storage, clock: admin.clock))
            } catch let failure as PublicKeyService.Failure {
                switch failure {
                case .unknownOrganization: throw CommandFailure(message: "no organization with that slug")
                case .unknownProject: throw CommandFailure(message: "no project with that slug in the organization")
                case .unknownKey: throw CommandFailure(message: "no public key with that id")
                case .invalidName(let why): throw CommandFailure(message: "--name: \(why)")
                case .forbidden: throw CommandFailure(message: "not allowed")
                }
            }
        }
    }

    struct CreatePublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a bi_pub_ public Content API key for one project; printed once, only its digest is stored."
        )
        @OptionGroup var common: Common
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Project slug.") var project: String
        @Option(help: "A name to recognise the key by (default: Public key).") var name: String?

        func run() async throws {
            try await Self.reportingFailures {
                let orgSlug = try Slug(org), projectSlug = try Slug(project)
                try await AdminCommand.withPublicKeys(common) { keys in
                    let (key, secret) = try await keys.create(organization: orgSlug, project: projectSlug, name: name)
                    if common.json {
                        print(JSONValue.object([
                            "id": .string(key.id.rawValue), "key": .string(secret.value), "name": .string(key.name),
                            "project_id": .string(key.projectID.rawValue), "organization_id": .string(key.organizationID.rawValue),
                        ]).serialized)
                    } else {
                        print("id: \(key.id.rawValue)")
                        print("key: \(secret.value)")
                    }
                }
            }
        }
    }

    struct ListPublicKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List public Content API keys as JSON lines, newest first (never the keys themselves).")
        @OptionGroup var common: Common
        @Option(help: "Only this organization's keys.") var org: String?

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    var organization: OrganizationID?
                    if let org {
                        guard let found = try await admin.storage.organization(slug: try Slug(org)) else {
                            throw CommandFailure(message: "no organization with that slug")
                        }
                        organization = found.id
                    }
                    for key in try await PublicKeyService(storage: admin.storage, clock: admin.clock).keys(in: organization) {
                        var object: [String: JSONValue] = [
                            "id": .string(key.id.rawValue), "name": .string(key.name), "organization_id": .string(key.organizationID.rawValue),
                            "project_id": .string(key.projectID.rawValue), "created_at": .string(key.createdAt.iso8601),
                            "status": .string(key.revokedAt == nil ? "active" : "revoked"),
                        ]
                        if let used = key.lastUsedAt { object["last_used_at"] = .string(used.iso8601) }
                        if let revoked = key.revokedAt { object["revoked_at"] = .string(revoked.iso8601) }
                        print(JSONValue.object(object).serialized)
                    }
                }
            }
        }
    }

    struct RevokePublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a public Content API key: it stops working on every server within a second."
        )
        @OptionGroup var common: Common
        @Argument(help: "The key id (pk_…).") var keyID: String

        func run() async throws {
            try await Self.reportingFailures {
                try await AdminCommand.withPublicKeys(common) { keys in
                    let key = try await keys.revoke(keyID)
                    common.output(id: key.id.rawValue, fields: ["status": .string("revoked")])
                }
            }
        }
    }

    struct CreateRegistrationToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a single-use bi_iat_ initial access token (24 h) for --registration token."
        )
        @OptionGroup var common: Common

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    let registration = DynamicRegistration(
                        storage: admin.storage, settings: OAuthSettings(ServerConfiguration()), clock: admin.clock
                    )
                    let token = try await registration.createInitialAccessToken()
                    if common.json {
                        print(JSONValue.object(["token": .string(token.value), "expires_in": .int(86_400)]).serialized)
                    } else {
                        print(token.value)
                    }
                }
            }
        }
    }

    struct CreateWebhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organization webhook; prints its id and whsec_ signing secret (shown once)."
        )
        @OptionGroup var common: Common
        @Option(help: "Organization slug.") var org: String
        @Option(help: "The https URL to POST events to (the server applies its --webhook-allow-* flags when delivering).")
        var url: String
        @Option(help: "Comma-separated event types (default: all).") var events: String?
        @Option(help: "Only this project's events (slug).") var project: String?
        @OptionGroup var secretKeyOptions: SecretKeyOptions

        func run() async throws {
            try await Self.reportingFailures {
                let types = try events.map(EventType.list) ?? []
                try WebhookURLPolicy.checkWellFormed(url)
                let key = try secretKeyOptions.load(databaseURL: common.database.resolvedURL)
                try await common.withAdmin { admin in
                    guard let organization = try await admin.storage.organization(slug: try Slug(org)) else {
                        throw AdminError.notFound("no organization \(org)")
                    }
                    var projectID: ProjectID?
                    if let project {
                        guard let found = try await admin.storage.project(organization: organization.id, slug: try Slug(project)) else {
                            throw AdminError.notFound("no project \(project) in \(org)")
                        }
                        projectID = found.id
                    }
                    let service = WebhookService(storage: admin.storage, secretKey: key, policy: nil, clock: admin.clock)
                    let created: (webhook: Webhook, secret: WebhookSecret)
                    do {
                        created = try await service.create(
                            organization: organization.id, url: url, events: types, project: projectID, by: .operator
                        )
                    } catch WebhookService.Failure.invalid(let error) {
                        throw error
                    }
                    if common.json {
                        common.output(id: created.webhook.id.rawValue, fields: [
                            "url": .string(created.webhook.url), "secret": .string(created.secret.value),
                            "events": .array(types.map { .string($0.rawValue) }),
                            "project_id": projectID.map { .string($0.rawValue) } ?? .null,
                        ])
                    } else {
                        print(created.webhook.id.rawValue)
                        print("secret: \(created.secret.value)")
                    }
                }
            }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print audit events as JSON lines, newest first.")
        @OptionGroup var common: Common
        @Option(help: "Only this organization's events.") var org: String?
        @Option(help: "At most this many events.") var limit: Int = 1000

        func run() async throws {
            try await Self.reportingFailures {
                try await common.withAdmin { admin in
                    for event in try await admin.auditEvents(organizationSlug: org, limit: max(1, min(limit, 100_000))) {
                        print(AdminJSON.audit(event).serialized)
                    }
                }
            }
        }
    }
}

/// JSON shapes of `list-grants` and `audit` lines.
enum AdminJSON {
    static func grant(_ listing: GrantListing) -> JSONValue {
        let grant = listing.grant
        var object: [String: JSONValue] = [
            "grant_id": .string(grant.id.rawValue), "client_id": .string(grant.clientID.rawValue),
            "client_name": .string(listing.clientName), "organization_id": .string(grant.organizationID.rawValue),
            "organization": .string(listing.organizationSlug), "approved_by": .string(listing.approvedByEmail),
            "scopes": .array(grant.scopes.sorted.map { .string($0.rawValue) }),
            "project_ids": .array(grant.projectIDs.map { .string($0.rawValue) }),
            "created_at": .string(grant.createdAt.iso8601), "updated_at": .string(grant.updatedAt.iso8601),
            "status": .string(grant.isRevoked ? "revoked" : "active"),
        ]
        if let used = grant.lastUsedAt { object["last_used_at"] = .string(used.iso8601) }
        if let revoked = grant.revokedAt { object["revoked_at"] = .string(revoked.iso8601) }
        return .object(object)
    }

    static func audit(_ event: AuditEvent) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(event.id), "event": .string(event.kind.rawValue), "actor": .string(event.actor),
            "at": .string(event.createdAt.iso8601), "details": .object(event.details.mapValues(JSONValue.string)),
        ]
        if let organization = event.organizationID { object["organization_id"] = .string(organization.rawValue) }
        if let client = event.clientID { object["client_id"] = .string(client.rawValue) }
        if let grant = event.grantID { object["grant_id"] = .string(grant.rawValue) }
        return .object(object)
    }
}
