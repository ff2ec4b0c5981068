import BetterI18nCore
import BetterI18nStorage
import Hummingbird

/// A dashboard page or action refused (SPEC §4): `403` for lack of role, `404` for an
/// organization the user is not in or a resource that is not there — an HTML page, never a
/// redirect.
struct DashboardRefusal: Error {
    let status: HTTPResponse.Status
    let message: String

    static let notFound = DashboardRefusal(status: .notFound, message: "There is nothing here, or it belongs to an organization you are not in.")
    static func forbidden(_ message: String) -> DashboardRefusal { DashboardRefusal(status: .forbidden, message: message) }

    var response: Response {
        ErrorPage.response(heading: status == .forbidden ? "Not allowed" : "Not found", message: message, status: status)
    }
}

/// Who the signed-in user is in the organization a dashboard URL names, and which of its
/// projects it names: one check for every organization page.
struct DashboardAccess: Sendable {
    let storage: any OrganizationStore & ProjectStore

    struct Membership {
        let organization: Organization
        let role: Role
    }

    /// The organization `slug` and the user's role there; not a member (or no such slug) is `404`.
    func membership(_ slug: String?, user: User) async throws -> Membership {
        guard let slug, let parsed = try? Slug(slug), let organization = try await storage.organization(slug: parsed),
              let role = try await storage.role(of: user.id, in: organization.id)
        else { throw DashboardRefusal.notFound }
        return Membership(organization: organization, role: role)
    }

    /// The membership, refused with `403` unless the user is an owner or admin.
    func administrator(_ slug: String?, user: User) async throws -> Membership {
        let membership = try await membership(slug, user: user)
        guard membership.role.canAdminister else {
            throw DashboardRefusal.forbidden("Only owners and admins of \(membership.organization.name) can do this.")
        }
        return membership
    }

    func project(_ slug: String?, in organization: Organization) async throws -> Project {
        guard let slug, let parsed = try? Slug(slug), let project = try await storage.project(organization: organization.id, slug: parsed)
        else { throw DashboardRefusal.notFound }
        return project
    }

    /// Runs a page body, answering a refusal with its HTML page.
    static func answering(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let refusal as DashboardRefusal {
            return refusal.response
        }
    }
}
