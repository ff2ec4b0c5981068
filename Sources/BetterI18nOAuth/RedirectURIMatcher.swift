import BetterI18nCore
import Foundation

/// Compares a requested `redirect_uri` with the registered ones (SPEC §5.2): exact string match,
/// except that for http loopback URIs the port may differ (RFC 8252 §7.3), because native apps
/// listen on an ephemeral port.
public enum RedirectURIMatcher {
    public static func isRegistered(_ requested: String, in registered: [String]) -> Bool {
        registered.contains { matches(requested: requested, registered: $0) }
    }

    static func matches(requested: String, registered: String) -> Bool {
        if requested == registered { return true }
        guard let want = URLComponents(string: requested), let have = URLComponents(string: registered),
              want.scheme?.lowercased() == "http", have.scheme?.lowercased() == "http",
              let wantHost = want.host, let haveHost = have.host,
              RedirectURI.isLoopback(wantHost), wantHost.lowercased() == haveHost.lowercased(),
              want.fragment == nil
        else { return false }
        return want.percentEncodedPath == have.percentEncodedPath
            && want.percentEncodedQuery == have.percentEncodedQuery
            && want.user == nil && want.password == nil
    }
}
