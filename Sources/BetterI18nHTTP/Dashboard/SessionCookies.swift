import BetterI18nCore
import Hummingbird

/// The dashboard's cookies and their attributes (SPEC §4): `HttpOnly`, `SameSite=Lax`, and
/// `Secure` when the public URL is https.
struct SessionCookies: Sendable {
    static let session = "bi_session"
    /// Double-submit cookie protecting the sign-in form, which has no session yet to bind to.
    static let loginCSRF = "bi_login_csrf"
    /// Double-submit cookie of the invitation page's new-account form (no session yet either).
    static let invitationCSRF = "bi_invitation_csrf"

    let secure: Bool
    let sessionLifetime: Int

    init(configuration: ServerConfiguration) {
        self.secure = configuration.usesSecureCookies
        self.sessionLifetime = Int(configuration.sessionLifetime)
    }

    func session(_ secret: Secret) -> Cookie {
        Cookie(name: Self.session, value: secret.value, maxAge: sessionLifetime, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func loginCSRF(_ value: String) -> Cookie {
        Cookie(name: Self.loginCSRF, value: value, maxAge: 3600, path: "/login", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func invitationCSRF(_ value: String) -> Cookie {
        Cookie(name: Self.invitationCSRF, value: value, maxAge: 3600, path: "/invitations", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func expired(_ name: String, path: String = "/") -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: path, secure: secure, httpOnly: true, sameSite: .lax)
    }
}
