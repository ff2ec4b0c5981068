import Foundation

/// Who made a write and through which surface, for the audit log: the services that enforce
/// the rules (keys, projects, releases, members) record it, so the dashboard, the partner API,
/// MCP and the CLI are audited by the same code.
public struct WriteOrigin: Sendable, Equatable {
    /// `usr_…` for a person, `grt_…` for a partner's grant, `operator` for the CLI.
    public let actor: String
    /// `dashboard`, `api`, `mcp` or `cli`: the audit entry's `via` detail.
    public let via: String
    public let clientID: ClientID?
    public let grantID: GrantID?

    public init(actor: String, via: String, clientID: ClientID? = nil, grantID: GrantID? = nil) {
        self.actor = actor
        self.via = via
        self.clientID = clientID
        self.grantID = grantID
    }

    /// A signed-in person on the dashboard.
    public static func dashboard(_ user: UserID) -> WriteOrigin {
        WriteOrigin(actor: user.rawValue, via: "dashboard")
    }

    /// The operator's `admin` commands.
    public static let cli = WriteOrigin(actor: "operator", via: "cli")

    /// An audit event in `organization` from this origin, with `via` among its details.
    public func event(_ kind: AuditEvent.Kind, in organization: OrganizationID, details: [String: String], at time: Date) -> AuditEvent {
        var details = details
        details["via"] = via
        return AuditEvent(
            kind: kind, organizationID: organization, clientID: clientID, grantID: grantID, actor: actor, details: details, createdAt: time
        )
    }
}
