import Foundation

public enum WebhookKind: IdentifierKind { public static let prefix = "wh_" }
public enum EventKind: IdentifierKind { public static let prefix = "evt_" }
public typealias WebhookID = Identifier<WebhookKind>
public typealias EventID = Identifier<EventKind>

/// The kinds of change a webhook can be told about.
///
/// Resource events are filtered for an app by the scope that could read what changed
/// (`requiredScope`); `grant.*` events go only to the app whose grant it is.
public enum EventType: String, CaseIterable, Sendable, Codable, Comparable {
    case releasePublished = "release.published"
    case translationsUpdated = "translations.updated"
    case keysCreated = "keys.created"
    case keysDeleted = "keys.deleted"
    case languageAdded = "language.added"
    case contentEntryCreated = "content.entry.created"
    case contentEntryUpdated = "content.entry.updated"
    case contentEntryPublished = "content.entry.published"
    case contentEntryUnpublished = "content.entry.unpublished"
    case contentEntryDeleted = "content.entry.deleted"
    case grantCreated = "grant.created"
    case grantUpdated = "grant.updated"
    case grantRevoked = "grant.revoked"
    case grantTokensRevoked = "grant.tokens_revoked"
    case ping

    /// The scope a grant needs for its app to receive this event; nil for `grant.*` and `ping`,
    /// which are addressed, not filtered.
    public var requiredScope: Scope? {
        switch self {
        case .releasePublished, .translationsUpdated: .translationsRead
        case .keysCreated, .keysDeleted: .keysRead
        case .languageAdded: .projectsRead
        case .contentEntryCreated, .contentEntryUpdated, .contentEntryPublished, .contentEntryUnpublished,
             .contentEntryDeleted: .contentRead
        case .grantCreated, .grantUpdated, .grantRevoked, .grantTokensRevoked, .ping: nil
        }
    }

    public var isGrantLifecycle: Bool { rawValue.hasPrefix("grant.") }

    /// What an organization webhook may subscribe to (`ping` is sent on demand, `grant.*` only
    /// to the app concerned).
    public static var subscribable: [EventType] {
        allCases.filter { $0.requiredScope != nil }
    }

    private var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: EventType, rhs: EventType) -> Bool { lhs.order < rhs.order }

    /// Parses `a,b` lists as `admin create-webhook --events` and the dashboard send them.
    public static func list(_ raw: String) throws -> [EventType] {
        var result: [EventType] = []
        for part in raw.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let type = EventType(rawValue: name), type.requiredScope != nil else {
                throw ValidationError(field: "events", message: "unknown event type \"\(name.prefix(60))\"; one of \(subscribable.map(\.rawValue).joined(separator: ", "))")
            }
            if !result.contains(type) { result.append(type) }
        }
        return result.sorted()
    }
}

/// Why `grant.revoked` was raised: the grant has ended.
public enum GrantRevocationReason: String, Sendable {
    case user, partner, admin
}

/// Why `grant.tokens_revoked` was raised: a token family ended while the grant stays.
public enum TokenRevocationReason: String, Sendable {
    case tokenReuse = "token_reuse"
    case codeReplay = "code_replay"
    case revocation
}

/// One change, as recorded in the outbox in the same transaction as the change itself, and
/// as delivered: `body` is the exact JSON every webhook receives (rendered once, so every
/// retry sends the same bytes).
public struct OutboxEvent: Sendable, Equatable {
    public var id: EventID
    public var type: EventType
    public var organizationID: OrganizationID
    public var projectID: ProjectID?
    /// For `grant.*`: the app it concerns and its grant (apps receive only their own).
    public var clientID: ClientID?
    public var grantID: GrantID?
    public var createdAt: Date
    public var body: String

    public init(
        id: EventID, type: EventType, organizationID: OrganizationID, projectID: ProjectID?, clientID: ClientID?,
        grantID: GrantID?, createdAt: Date, body: String
    ) {
        self.id = id
        self.type = type
        self.organizationID = organizationID
        self.projectID = projectID
        self.clientID = clientID
        self.grantID = grantID
        self.createdAt = createdAt
        self.body = body
    }

    /// Builds the event `{"id","type","created_at","organization_id","project_id"?,"data"}`.
    public init(
        _ type: EventType, organization: OrganizationID, project: ProjectID? = nil, client: ClientID? = nil,
        grant: GrantID? = nil, data: some Encodable & Sendable, at time: Date, random: any RandomSource = SystemRandomSource()
    ) {
        let id = EventID.generate(using: random)
        let envelope = Envelope(
            id: id.rawValue, type: type.rawValue, created_at: time.iso8601Milliseconds,
            organization_id: organization.rawValue, project_id: project?.rawValue, data: data
        )
        let body = (try? Self.encoder.encode(envelope)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        self.init(
            id: id, type: type, organizationID: organization, projectID: project, clientID: client, grantID: grant,
            createdAt: time, body: body
        )
    }

    private struct Envelope<Data: Encodable>: Encodable {
        let id: String
        let type: String
        let created_at: String
        let organization_id: String
        let project_id: String?
        let data: Data
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
