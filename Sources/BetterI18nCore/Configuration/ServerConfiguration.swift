import Foundation

/// Everything `better-i18n serve` is configured with, read once at start (SPEC §2).
///
/// Each setting comes from a flag, else from the environment variable `BETTER_I18N_<NAME>`,
/// else from its default; flags win. Keys and defaults:
///
/// | flag | variable | default |
/// |---|---|---|
/// | `--host` | `BETTER_I18N_HOST` | `127.0.0.1` |
/// | `--port` | `BETTER_I18N_PORT` | `8080` |
/// | `--database-url` | `BETTER_I18N_DATABASE_URL` | `sqlite://.better-i18n/better-i18n.sqlite` |
/// | `--public-url` | `BETTER_I18N_PUBLIC_URL` | `http://<host>:<port>` |
/// | `--api-url` | `BETTER_I18N_API_URL` | the public URL |
/// | `--cdn-url` | `BETTER_I18N_CDN_URL` | `<public-url>/cdn` |
/// | `--code-ttl` | `BETTER_I18N_CODE_TTL` | 600 s |
/// | `--access-token-ttl` | `BETTER_I18N_ACCESS_TOKEN_TTL` | 1800 s |
/// | `--refresh-token-ttl` | `BETTER_I18N_REFRESH_TOKEN_TTL` | 2592000 s |
/// | `--installation-token-ttl` | `BETTER_I18N_INSTALLATION_TOKEN_TTL` | 3600 s |
/// | `--refresh-reuse-grace` | `BETTER_I18N_REFRESH_REUSE_GRACE` | 0 s |
/// | `--rate-limit-per-minute` | `BETTER_I18N_RATE_LIMIT_PER_MINUTE` | 1000 |
/// | `--token-rate-limit-per-minute` | `BETTER_I18N_TOKEN_RATE_LIMIT_PER_MINUTE` | 6000 |
/// | `--content-rate-limit-per-minute` | `BETTER_I18N_CONTENT_RATE_LIMIT_PER_MINUTE` | 6000 |
/// | `--bcrypt-cost` | `BETTER_I18N_BCRYPT_COST` | 12 |
/// | `--idle-timeout` | `BETTER_I18N_IDLE_TIMEOUT` | 30 s |
/// | `--trusted-proxies` | `BETTER_I18N_TRUSTED_PROXIES` | none |
/// | `--registration` | `BETTER_I18N_REGISTRATION` | `open` |
/// | `--log-format` | `BETTER_I18N_LOG_FORMAT` | `text` |
/// | `--log-level` | `BETTER_I18N_LOG_LEVEL` | `info` |
/// | `--webhook-allow-http` | `BETTER_I18N_WEBHOOK_ALLOW_HTTP` | off |
/// | `--webhook-allow-private` | `BETTER_I18N_WEBHOOK_ALLOW_PRIVATE` | off |
///
/// `--secret-key` is read beside this (it is a secret, not a setting to compare or print).
public struct ServerConfiguration: Sendable, Equatable {
    public enum RegistrationPolicy: String, Sendable, CaseIterable {
        /// RFC 7591 registration by anyone, rate-limited per address.
        case open
        /// Registration needs a `bi_iat_` initial access token.
        case token
        /// The registration endpoint answers `403 registration_disabled`.
        case off
    }

    public enum LogFormat: String, Sendable, CaseIterable {
        case text, json
    }

    public var host = "127.0.0.1"
    public var port = 8080
    public var databaseURL = "sqlite://.better-i18n/better-i18n.sqlite"
    public var publicURL: URL
    public var apiURL: URL
    public var cdnURL: URL
    public var codeTTL: TimeInterval = 600
    public var accessTokenTTL: TimeInterval = 1800
    public var refreshTokenTTL: TimeInterval = 2_592_000
    public var installationTokenTTL: TimeInterval = 3600
    public var refreshReuseGrace: TimeInterval = 0
    public var rateLimitPerMinute = 1000
    public var tokenRateLimitPerMinute = 6000
    /// Public Content API requests per minute per `bi_pub_` key (SPEC §10).
    public var contentRateLimitPerMinute = 6000
    public var bcryptCost = 12
    /// A connection on which no request head, body chunk or answer moved for this long is closed:
    /// idle keep-alive connections, and slow clients dribbling a request head or body.
    public var idleTimeout: TimeInterval = 30
    /// Peers whose `Forwarded`/`X-Forwarded-For` names the client; from anyone else the TCP peer is.
    public var trustedProxies: TrustedProxies = .none
    public var registration: RegistrationPolicy = .open
    public var logFormat: LogFormat = .text
    public var logLevel = "info"
    /// Webhook URLs may be http, not only https.
    public var webhookAllowHTTP = false
    /// Webhook URLs may resolve to loopback, private, link-local or unspecified addresses.
    public var webhookAllowPrivate = false
    /// Session lifetime of the dashboard cookie; not in the spec's table, so not a flag yet.
    public var sessionLifetime: TimeInterval = 7 * 24 * 3600

    /// Every setting at its default: the one place defaults are written (the CLI's flags and
    /// their help read them from here).
    public static let defaults = ServerConfiguration()

    /// The defaults for a host and port, with URLs derived from them.
    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let base = URL(string: "http://\(hostPart):\(port)")!
        self.publicURL = base
        self.apiURL = base
        self.cdnURL = base.appendingPathComponent("cdn")
    }

    /// Cookies get `Secure` when the dashboard is served over https (SPEC §4).
    public var usesSecureCookies: Bool { publicURL.scheme?.lowercased() == "https" }

    /// A URL as given, without a trailing slash, so paths can be appended by string.
    public static func parseBaseURL(_ raw: String, setting: String) throws -> URL {
        let trimmed = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil, url.query == nil, url.fragment == nil
        else {
            throw ValidationError(field: setting, message: "'\(raw)' is not an http(s) URL")
        }
        return url
    }
}
