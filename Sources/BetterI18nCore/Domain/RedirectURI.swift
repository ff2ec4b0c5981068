import Foundation

/// A redirect URI as SPEC §5.2 allows it, checked when a client registers.
///
/// https anywhere; http only on a loopback host (`localhost`, `127.0.0.1`, `[::1]`), where any
/// port matches at authorization time (RFC 8252 §7.3); a private-use scheme such as
/// `com.example.app:/callback` for native apps (RFC 8252 §7.1). Never a fragment (RFC 6749 §3.1.2).
public struct RedirectURI: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws {
        func invalid(_ why: String) -> ValidationError {
            ValidationError(field: "redirect_uri", message: "'\(SecretRedaction.redact(raw.prefix(200)))' \(why)")
        }
        guard raw.count <= 2000, let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased() else {
            throw invalid("is not an absolute URI")
        }
        guard components.fragment == nil, !raw.contains("#") else {
            throw invalid("must not contain a fragment")
        }
        switch scheme {
        case "https":
            guard let host = components.host, !host.isEmpty else { throw invalid("has no host") }
        case "http":
            guard let host = components.host, Self.isLoopback(host) else {
                throw invalid("uses http on a host that is not loopback; use https")
            }
        default:
            // Private-use schemes must look like reverse domain names (RFC 8252 §7.1), which
            // keeps out `javascript:`, `data:` and friends.
            guard scheme.contains("."), !["javascript", "data", "file", "vbscript"].contains(scheme) else {
                throw invalid("uses a scheme that is neither https, loopback http nor a reverse-domain private-use scheme")
            }
        }
        self.value = raw
    }

    public static func isLoopback(_ host: String) -> Bool {
        ["localhost", "127.0.0.1", "[::1]", "::1"].contains(host.lowercased())
    }

    public var description: String { value }
}
