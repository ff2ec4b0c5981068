import BetterI18nAccounts
import BetterI18nCore
import Foundation
import Hummingbird

/// Members (SPEC §4, owners and admins): invite by email — the link is shown once — change
/// roles, remove members, withdraw invitations; and the invitation page, where a new user sets
/// a name and password and an existing one signs in and accepts. Rules live in
/// ``MemberService``, the same one the `admin` commands use.
struct MemberRoutes {
    let access: DashboardAccess
    let members: MemberService
    let accounts: AccountService
    let cookies: SessionCookies
    let publicURL: URL

    func register(on router: Router<AppRequestContext>) {
        router.get("/orgs/:org/members") { request, context in
            try await DashboardGuards.signedIn(request, context) { user in
                try await DashboardAccess.answering {
                    let membership = try await access.administrator(context.parameters.get("org"), user: user)
                    return try await page(membership, user: user, context: context, feedback: .after(request))
                }
            }
        }
        router.post("/orgs/:org/members/invite") { request, context in
            try await administering(request, context) { user, membership, form in
                do {
                    let (invitation, token) = try await members.invite(
                        email: form["email"] ?? "", role: form["role"] ?? "member", to: membership.organization, by: .person(user)
                    )
                    var feedback = Feedback()
                    feedback.link = MemberService.link(publicURL: publicURL, token: token)
                    feedback.invitedEmail = invitation.email.value
                    return try await page(membership, user: user, context: context, feedback: feedback, status: .created)
                } catch let failure as MemberFailure {
                    var feedback = try Self.feedback(for: failure)
                    feedback.email = String((form["email"] ?? "").prefix(254))
                    return try await page(membership, user: user, context: context, feedback: feedback, status: Self.status(of: failure))
                }
            }
        }
        router.post("/orgs/:org/members/:user/role") { request, context in
            try await administering(request, context) { user, membership, form in
                try await change(membership, user: user, context: context) { member in
                    try await members.changeRole(of: member, in: membership.organization.id, to: form["role"] ?? "", by: .person(user))
                }
            }
        }
        router.post("/orgs/:org/members/:user/remove") { request, context in
            try await administering(request, context) { user, membership, _ in
                try await change(membership, user: user, context: context) { member in
                    try await members.remove(member, from: membership.organization.id, by: .person(user))
                }
            }
        }
        router.post("/orgs/:org/invitations/:invitation/revoke") { request, context in
            try await administering(request, context) { user, membership, _ in
                do {
                    try await members.revokeInvitation(
                        context.parameters.get("invitation") ?? "", in: membership.organization.id, by: .person(user)
                    )
                } catch MemberFailure.notFound {
                    throw DashboardRefusal.notFound
                }
                return HTMLResponse.seeOther("/orgs/\(membership.organization.slug.value)/members?withdrawn=1")
            }
        }
        router.get("/invitations/:token") { request, context in
            try await invitationPage(request, token: context.parameters.get("token") ?? "", context: context)
        }
        router.post("/invitations/:token") { request, context in
            try await accept(request, context)
        }
    }

    private func administering(
        _ request: Request, _ context: AppRequestContext, _ body: (User, DashboardAccess.Membership, FormBody) async throws -> Response
    ) async throws -> Response {
        try await DashboardGuards.signedInForm(request, context) { user, _, form in
            try await DashboardAccess.answering {
                try await body(user, try await access.administrator(context.parameters.get("org"), user: user), form)
            }
        }
    }

    /// A role change or removal of the member the URL names; refusals are shown on the page.
    private func change(
        _ membership: DashboardAccess.Membership, user: User, context: AppRequestContext, _ body: (UserID) async throws -> Void
    ) async throws -> Response {
        guard let member = context.parameters.get("user").flatMap(UserID.init) else { throw DashboardRefusal.notFound }
        do {
            try await body(member)
        } catch let failure as MemberFailure {
            if failure == .notFound { throw DashboardRefusal.notFound }
            let feedback = try Self.feedback(for: failure)
            return try await page(membership, user: user, context: context, feedback: feedback, status: Self.status(of: failure))
        }
        if member == user.id, try await access.storage.role(of: user.id, in: membership.organization.id)?.canAdminister != true {
            return HTMLResponse.seeOther("/")
        }
        return HTMLResponse.seeOther("/orgs/\(membership.organization.slug.value)/members?changed=1")
    }

    static func status(of failure: MemberFailure) -> HTTPResponse.Status {
        switch failure {
        case .forbidden: .forbidden
        case .lastOwner: .conflict
        default: .unprocessableContent
        }
    }

    static func feedback(for failure: MemberFailure) throws -> Feedback {
        var feedback = Feedback()
        switch failure {
        case .invalid(let field, let message):
            if field == "email" { feedback.emailError = message } else { feedback.error = message }
        case .forbidden(let message): feedback.error = message
        case .lastOwner: feedback.error = "The organization's last owner cannot be removed or demoted. Make someone else an owner first."
        case .notFound: throw DashboardRefusal.notFound
        default: feedback.error = "That did not work."
        }
        return feedback
    }

    // MARK: Members page

    struct Feedback {
        var link: String?
        var invitedEmail: String?
        var email = ""
        var emailError: String?
        var error: String?
        var flash: String?

        static func after(_ request: Request) -> Feedback {
            let query = request.uri.queryParameters
            var feedback = Feedback()
            if query["changed"] != nil { feedback.flash = "Saved." }
            if query["withdrawn"] != nil { feedback.flash = "The invitation was withdrawn; its link no longer works." }
            return feedback
        }
    }

    private struct MembersView {
        let organizationName: String
        let organizationSlug: String
        let csrf: String
        let isOwner: Bool
        let members: [MemberView]
        let invitations: [InvitationView]
        let hasInvitations: Bool
        let link: String?
        let invitedEmail: String?
        let email: String
        let emailError: String?
        let error: String?
        let flash: String?
        let roles: [RoleOption]
    }

    private struct MemberView {
        let id: String
        let name: String
        let email: String
        let role: String
        let joined: String
        let isYou: Bool
        let roles: [RoleOption]
    }

    private struct RoleOption {
        let value: String
        let selected: Bool
    }

    private struct InvitationView {
        let id: String
        let email: String
        let role: String
        let expires: String
        let expired: Bool
    }

    private func page(
        _ membership: DashboardAccess.Membership, user: User, context: AppRequestContext, feedback: Feedback,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let organization = membership.organization
        let isOwner = membership.role == .owner
        let assignable = isOwner ? Role.allCases : [.admin, .member]
        let list = try await members.members(of: organization.id).map { member in
            MemberView(
                id: member.user.id.rawValue, name: member.user.name, email: member.user.email.value, role: member.role.rawValue,
                joined: SettingsRoutes.display(member.joinedAt), isYou: member.user.id == user.id,
                roles: Role.allCases.map { RoleOption(value: $0.rawValue, selected: $0 == member.role) }
            )
        }
        let invitations = try await members.openInvitations(of: organization.id).map { invitation in
            InvitationView(
                id: invitation.id, email: invitation.email.value, role: invitation.role.rawValue,
                expires: SettingsRoutes.display(invitation.expiresAt), expired: members.hasExpired(invitation)
            )
        }
        let view = MembersView(
            organizationName: organization.name, organizationSlug: organization.slug.value,
            csrf: context.sessionSecret.map(CSRFToken.derive(from:)) ?? "", isOwner: isOwner, members: list,
            invitations: invitations, hasInvitations: !invitations.isEmpty, link: feedback.link, invitedEmail: feedback.invitedEmail,
            email: feedback.email, emailError: feedback.emailError, error: feedback.error, flash: feedback.flash,
            roles: assignable.reversed().map { RoleOption(value: $0.rawValue, selected: $0 == .member) }
        )
        return HTMLResponse.make(
            PageRenderer.shared.render("members", title: "Members · \(organization.name)", context: view, user: context.signedInUser),
            status: status
        )
    }

    // MARK: Invitation page

    private struct InvitationPageView {
        let token: String
        let organizationName: String
        let email: String
        let role: String
        let expires: String
        let signedIn: Bool
        let signedInEmail: String
        let matches: Bool
        let csrf: String
        let name: String
        let error: String?
        let nameError: String?
        let passwordError: String?
        let signInURL: String
    }

    private func invitationPage(
        _ request: Request, token: String, context: AppRequestContext, name: String = "", error: String? = nil, nameError: String? = nil,
        passwordError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        switch try await members.invitation(token: token) {
        case .unusable(let reason):
            return Self.unusable(reason)
        case .open(let invitation, let organization):
            let user = context.user
            // Signed in: the session's token. Not yet: a double-submit cookie, as on sign-in.
            var cookieSecret = context.sessionSecret ?? request.cookies[SessionCookies.invitationCSRF]?.value ?? ""
            let freshCookie = context.sessionSecret == nil && (cookieSecret.count != 32 || !Base62.isBase62(Substring(cookieSecret)))
            if freshCookie { cookieSecret = Base62.random(count: 32, from: SystemRandomSource()) }
            let view = InvitationPageView(
                token: token, organizationName: organization.name, email: invitation.email.value, role: invitation.role.rawValue,
                expires: SettingsRoutes.display(invitation.expiresAt), signedIn: user != nil, signedInEmail: user?.email.value ?? "",
                matches: user?.email == invitation.email,
                csrf: CSRFToken.derive(from: cookieSecret), name: name, error: error, nameError: nameError,
                passwordError: passwordError,
                signInURL: "/login?return_to=" + ("/invitations/" + token).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            )
            var response = HTMLResponse.make(
                PageRenderer.shared.render(
                    "invitation", title: "Join \(organization.name)", context: view, user: context.signedInUser, narrow: true
                ),
                status: status
            )
            if freshCookie { response.setCookie(cookies.invitationCSRF(cookieSecret)) }
            return response
        }
    }

    static func unusable(_ reason: InvitationState.Unusable) -> Response {
        switch reason {
        case .unknown:
            ErrorPage.response(heading: "Invitation not found", message: "This invitation link is not valid. Ask for a new one.", status: .notFound)
        case .used:
            ErrorPage.response(heading: "Invitation already used", message: "This invitation has been accepted. Sign in to continue.", status: .gone)
        case .expired:
            ErrorPage.response(heading: "Invitation expired", message: "Invitations are valid for 7 days. Ask for a new one.", status: .gone)
        }
    }

    /// Accepting: a signed-in user with the invited email accepts (the form's CSRF token is
    /// bound to their session); anyone else sets a name and password for a new account with
    /// the invited email — the secret link is what proves the invitation — and is signed in.
    private func accept(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let form = try await FormBody.read(from: request)
        if let user = context.user, let session = context.sessionSecret {
            guard CSRFToken.verify(form["csrf_token"], cookieSecret: session) else { return DashboardGuards.csrfRefused() }
            do {
                let invitation = try await members.accept(token: token, as: user)
                return HTMLResponse.seeOther("/?joined=\(invitation.organizationID.rawValue)")
            } catch let failure as MemberFailure {
                return try await refused(failure, request, token: token, context: context)
            }
        }
        guard CSRFToken.verify(form["csrf_token"], cookieSecret: request.cookies[SessionCookies.invitationCSRF]?.value) else {
            return DashboardGuards.csrfRefused()
        }
        do {
            let (user, _) = try await members.acceptAsNewUser(token: token, name: form["name"] ?? "", password: form["password"] ?? "")
            let secret = try await accounts.startSession(for: user)
            var response = HTMLResponse.seeOther("/")
            response.setCookie(cookies.session(secret))
            response.setCookie(cookies.expired(SessionCookies.invitationCSRF, path: "/invitations"))
            return response
        } catch let failure as MemberFailure {
            return try await refused(failure, request, token: token, context: context, name: String((form["name"] ?? "").prefix(200)))
        }
    }

    private func refused(
        _ failure: MemberFailure, _ request: Request, token: String, context: AppRequestContext, name: String = ""
    ) async throws -> Response {
        switch failure {
        case .invitationUnusable(let reason):
            return Self.unusable(reason)
        case .invalid(let field, let message):
            return try await invitationPage(
                request, token: token, context: context, name: name, nameError: field == "name" ? message : nil,
                passwordError: field == "password" ? message : nil, status: .unprocessableContent
            )
        case .accountExists:
            return try await invitationPage(
                request, token: token, context: context, name: name,
                error: "There is already an account with this email. Sign in to accept.", status: .conflict
            )
        case .wrongAccount(let invited):
            return try await invitationPage(
                request, token: token, context: context,
                error: "This invitation is for \(invited). Sign out and sign in as \(invited) to accept it.", status: .forbidden
            )
        default:
            return Self.unusable(.unknown)
        }
    }
}
