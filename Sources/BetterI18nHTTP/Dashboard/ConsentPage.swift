import BetterI18nCore
import BetterI18nOAuth
import Foundation
import Hummingbird

/// The consent page (SPEC §5.3 step 4) as the template sees it.
enum ConsentPage {
    private struct View {
        let clientName: String
        let initial: String
        let logoURI: String?
        let verified: Bool
        let redirectHost: String
        let requestID: String
        let csrf: String
        let error: String?
        let hasOrganizations: Bool
        let organizations: [OrganizationView]
        let allProjects: Bool
        let scopes: [ScopeView]
        let userEmail: String
    }

    private struct OrganizationView {
        let id: String
        let name: String
        let slug: String
        let selected: Bool
        let projects: [ProjectView]
    }

    private struct ProjectView {
        let id: String
        let name: String
        let slug: String
        let checked: Bool
    }

    private struct ScopeView {
        let name: String
        let grants: String
        let warning: String?
        let checked: Bool
    }

    /// - Parameter form: the user's previous answer, when the page is shown again after an error.
    static func response(
        _ screen: ConsentScreen, context: AppRequestContext, error: String?, status: HTTPResponse.Status, form: ConsentDecision? = nil
    ) -> Response {
        let checkedProjects = Set(form?.projectIDs ?? [])
        let checkedScopes = form.map { Set($0.scopes) }
        let organizations = screen.organizations.enumerated().map { index, choice in
            OrganizationView(
                id: choice.organization.id.rawValue, name: choice.organization.name, slug: choice.organization.slug.value,
                selected: form?.organizationID.map { $0 == choice.organization.id.rawValue } ?? (index == 0),
                projects: choice.projects.map {
                    ProjectView(id: $0.id.rawValue, name: $0.name, slug: $0.slug.value, checked: checkedProjects.contains($0.id.rawValue))
                }
            )
        }
        let scopes = screen.pending.scopes.sorted.map { scope in
            ScopeView(
                name: scope.rawValue, grants: scope.grants, warning: scope.warning,
                checked: checkedScopes.map { $0.contains(scope.rawValue) } ?? scope.isDefaultOn
            )
        }
        let view = View(
            clientName: screen.client.name, initial: String(screen.client.name.prefix(1)).uppercased(),
            logoURI: screen.client.logoURI, verified: screen.client.isVerified,
            redirectHost: Self.host(of: screen.pending.redirectURI), requestID: screen.pending.id,
            csrf: context.sessionSecret.map(CSRFToken.derive(from:)) ?? "", error: error,
            hasOrganizations: !organizations.isEmpty, organizations: organizations,
            allProjects: form?.projectAccess != "selected", scopes: scopes, userEmail: context.user?.email.value ?? ""
        )
        let html = PageRenderer.shared.render(
            "consent", title: "Authorize \(screen.client.name)", context: view, user: context.signedInUser, narrow: false
        )
        return HTMLResponse.make(html, status: status)
    }

    /// Where the browser goes next: the host for web redirects, the scheme for native apps.
    static func host(of uri: String) -> String {
        guard let components = URLComponents(string: uri) else { return uri }
        if let host = components.host, !host.isEmpty {
            return components.port.map { "\(host):\($0)" } ?? host
        }
        return (components.scheme ?? uri) + ":"
    }
}

/// A plain HTML error page; used wherever redirecting would be unsafe (SPEC §5.3 step 1).
enum ErrorPage {
    private struct View {
        let heading: String
        let message: String
    }

    static func response(heading: String, message: String, status: HTTPResponse.Status) -> Response {
        HTMLResponse.make(
            PageRenderer.shared.render("error", title: heading, context: View(heading: heading, message: message), narrow: true),
            status: status
        )
    }
}
