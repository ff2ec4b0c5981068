import Crypto
import Foundation

/// CSRF tokens bound to a secret the browser already holds in a cookie (SPEC §4).
///
/// The token is HMAC-SHA256(key: cookie secret, "csrf"), so it needs no storage, differs per
/// session, and cannot be computed by a page that cannot read the HttpOnly cookie.
public enum CSRFToken {
    public static func derive(from cookieSecret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("better-i18n csrf v1".utf8), using: SymmetricKey(data: Data(cookieSecret.utf8)))
        return Data(mac).base64URLEncoded
    }

    /// Constant-time check of a submitted token against the one the cookie implies.
    public static func verify(_ submitted: String?, cookieSecret: String?) -> Bool {
        guard let submitted, let cookieSecret, !cookieSecret.isEmpty else { return false }
        return constantTimeEquals(Array(submitted.utf8), Array(derive(from: cookieSecret).utf8))
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5), as PKCE and tokens use it.
    public var base64URLEncoded: String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
