import ArgumentParser
import BetterI18nAccounts
import BetterI18nCore
import BetterI18nProjects
import BetterI18nHTTP
import BetterI18nStorage
import BetterI18nWebhooks
import Foundation
import Logging
import Metrics
import Prometheus

/// `better-i18n serve [--demo]`: dashboard, authorization server, API, MCP and CDN on one listener.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server. With --demo, seed an empty database with demo data and print how to sign in."
    )

    @Flag(help: "Seed an empty database with a demo user, organization, project and OAuth clients.")
    var demo = false

    @Option(help: "Address to listen on. Env: BETTER_I18N_HOST (default \(ServerConfiguration.defaults.host))") var host: String?
    @Option(help: "Port to listen on. Env: BETTER_I18N_PORT (default \(ServerConfiguration.defaults.port))") var port: Int?
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Dashboard origin and OAuth issuer. Env: BETTER_I18N_PUBLIC_URL (default http://<host>:<port>)") var publicUrl: String?
    @Option(help: "API origin. Env: BETTER_I18N_API_URL (default the public URL)") var apiUrl: String?
    @Option(help: "CDN base URL. Env: BETTER_I18N_CDN_URL (default <public-url>/cdn)") var cdnUrl: String?
    @Option(help: "Authorization code lifetime in seconds (default \(Int(ServerConfiguration.defaults.codeTTL))).") var codeTtl: Int?
    @Option(help: "Access token lifetime in seconds (default \(Int(ServerConfiguration.defaults.accessTokenTTL))).") var accessTokenTtl: Int?
    @Option(help: "Refresh token lifetime in seconds (default \(Int(ServerConfiguration.defaults.refreshTokenTTL))).") var refreshTokenTtl: Int?
    @Option(help: "Installation token lifetime in seconds (default \(Int(ServerConfiguration.defaults.installationTokenTTL))).") var installationTokenTtl: Int?
    @Option(help: "Seconds a just-rotated refresh token is still accepted once (default \(Int(ServerConfiguration.defaults.refreshReuseGrace))).") var refreshReuseGrace: Int?
    @Option(help: "Requests per minute per installation token (default \(ServerConfiguration.defaults.rateLimitPerMinute)).") var rateLimitPerMinute: Int?
    @Option(help: "Public Content API requests per minute per bi_pub_ key (default \(ServerConfiguration.defaults.contentRateLimitPerMinute)).") var contentRateLimitPerMinute: Int?
    @Option(help: "Token-endpoint requests per minute per client (default \(ServerConfiguration.defaults.tokenRateLimitPerMinute)).") var tokenRateLimitPerMinute: Int?
    @Option(help: "bcrypt cost for passwords (default \(ServerConfiguration.defaults.bcryptCost)).") var bcryptCost: Int?
    @Option(help: "Seconds a connection may stay idle, or take to send a request head, before it is closed (default \(Int(ServerConfiguration.defaults.idleTimeout))).") var idleTimeout: Int?
    @Option(help: "Addresses or CIDR ranges (comma list) whose X-Forwarded-For/Forwarded header names the client. Env: BETTER_I18N_TRUSTED_PROXIES (default none)") var trustedProxies: String?
    @Option(help: "Dynamic client registration: open, token or off (default \(ServerConfiguration.defaults.registration.rawValue)).") var registration: String?
    @Option(help: "Log format: text or json (default \(ServerConfiguration.defaults.logFormat.rawValue)).") var logFormat: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default \(ServerConfiguration.defaults.logLevel)).") var logLevel: String?
    @Flag(help: "Allow http webhook URLs, not only https. Env: BETTER_I18N_WEBHOOK_ALLOW_HTTP") var webhookAllowHttp = false
    @Flag(help: "Allow webhook URLs that resolve to loopback, private or link-local addresses. Env: BETTER_I18N_WEBHOOK_ALLOW_PRIVATE") var webhookAllowPrivate = false
    @OptionGroup var secretKeyOptions: SecretKeyOptions

    func run() async throws {
        try await Self.reportingFailures {
            let configuration = try resolveConfiguration()
            LogBootstrap.bootstrap(format: configuration.logFormat, level: Logger.Level(rawValue: configuration.logLevel) ?? .info)
            let logger = Logger(label: "better-i18n")
            let started = ContinuousClock.now
            let secretKey = try secretKeyOptions.load(databaseURL: configuration.databaseURL)
            let storage = try await database.open(logger: logger)
            if demo {
                try await seedDemo(storage: storage, configuration: configuration)
            }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let dependencies = AppDependencies(
                configuration: configuration, storage: storage, secretKey: secretKey, metrics: registry, logger: logger
            )
            let sender = WebhookSender()
            var delivery = WebhookDispatcher.Settings()
            delivery.policy = dependencies.webhookPolicy
            let app = BetterI18nServer.buildApplication(dependencies, services: [
                Housekeeping(storage: storage, clock: SystemWallClock(), logger: logger, mcpSessions: dependencies.mcpSessions),
                WebhookDispatcher(
                    storage: storage, sender: sender, secretKey: secretKey, settings: delivery, clock: SystemWallClock(),
                    metrics: WebhookMetrics(registry: registry), traffic: dependencies.requestTraffic, logger: logger
                ),
            ])
            logger.info("ready", metadata: [
                "database": .string(storage.backendName),
                "startup_ms": .stringConvertible((ContinuousClock.now - started).components.attoseconds / 1_000_000_000_000_000
                    + (ContinuousClock.now - started).components.seconds * 1000),
                "public_url": .string(configuration.publicURL.absoluteString),
            ])
            do {
                try await app.runService()
            } catch {
                try? await storage.close()
                throw CommandFailure(message: "the server stopped: \(error)")
            }
            try? await storage.close()
        }
    }

    private func seedDemo(storage: SQLStorage, configuration: ServerConfiguration) async throws {
        let admin = AdminService(storage: storage, hasher: PasswordHasher(cost: configuration.bcryptCost), clock: SystemWallClock())
        let dashboard = configuration.publicURL.absoluteString
        guard let credentials = try await DemoSeed(admin: admin).seedIfEmpty() else {
            print("""
                Better i18n demo: the database already has data, so nothing was seeded.
                  Dashboard: \(dashboard)/
                  Sign in as \(DemoSeed.email) with the password printed when the demo was first seeded.
                """)
            fflush(nil)
            return
        }
        // A first release, so the demo's CDN serves files from the start.
        var cdnLine = ""
        if let organization = try await storage.organization(slug: try Slug(credentials.organizationSlug)),
           let project = try await storage.project(organization: organization.id, slug: try Slug(credentials.projectSlug)) {
            _ = try await ReleaseService(storage: storage, clock: SystemWallClock(), random: SystemRandomSource())
                .publish(project, languages: nil, by: .operator)
            cdnLine = "\n  CDN manifest:   \(configuration.cdnURL.absoluteString)/\(credentials.organizationSlug)/\(credentials.projectSlug)/manifest.json"
            let key = try await DemoContent(
                content: ContentService(storage: storage, clock: SystemWallClock()), keys: PublicKeyService(storage: storage, clock: SystemWallClock())
            ).seed(in: project)
            let entry = "\(configuration.apiURL.absoluteString)/v1/content/\(credentials.organizationSlug)/\(credentials.projectSlug)"
                + "/models/\(DemoContent.modelSlug)/entries/\(DemoContent.publishedSlug)?language=de"
            cdnLine += """

                  Content API key: \(key.value)   (public, read-only: published content of \(credentials.projectSlug))
                  Read a post:    curl -H 'x-api-key: \(key.value)' '\(entry)'
                """
        }
        print("""
            Better i18n demo data seeded.
              Dashboard:      \(dashboard)/
              Email:          \(credentials.email)
              Password:       \(credentials.password)
              Organization:   \(credentials.organizationSlug)   Project: \(credentials.projectSlug)\(cdnLine)

              Confidential OAuth client (web)
                client_id:     \(credentials.confidentialClientID)
                client_secret: \(credentials.confidentialClientSecret.value)
                redirect URIs: \(credentials.redirectURIs.joined(separator: ", "))
              Public OAuth client (native)
                client_id:     \(credentials.publicClientID)

            These secrets are shown once; only their digests are stored.
            """)
        // stdout is block-buffered when redirected; the operator needs this now, not at exit.
        fflush(nil)
    }

    /// Flags, then `BETTER_I18N_*` variables, then defaults.
    func resolveConfiguration() throws -> ServerConfiguration {
        let defaults = ServerConfiguration.defaults
        let host = Settings.string(self.host, env: "HOST", default: defaults.host)
        let port = try Settings.int(self.port, env: "PORT", default: defaults.port, range: 0...65535)
        var configuration = ServerConfiguration(host: host, port: port)
        configuration.databaseURL = database.resolvedURL
        if let raw = Settings.optionalString(publicUrl, env: "PUBLIC_URL") {
            configuration.publicURL = try ServerConfiguration.parseBaseURL(raw, setting: "--public-url")
        }
        configuration.apiURL = configuration.publicURL
        configuration.cdnURL = configuration.publicURL.appendingPathComponent("cdn")
        if let raw = Settings.optionalString(apiUrl, env: "API_URL") {
            configuration.apiURL = try ServerConfiguration.parseBaseURL(raw, setting: "--api-url")
        }
        if let raw = Settings.optionalString(cdnUrl, env: "CDN_URL") {
            configuration.cdnURL = try ServerConfiguration.parseBaseURL(raw, setting: "--cdn-url")
        }
        let day = 86_400
        configuration.codeTTL = TimeInterval(try Settings.int(codeTtl, env: "CODE_TTL", default: Int(defaults.codeTTL), range: 1...day))
        configuration.accessTokenTTL = TimeInterval(try Settings.int(accessTokenTtl, env: "ACCESS_TOKEN_TTL", default: Int(defaults.accessTokenTTL), range: 1...day))
        configuration.refreshTokenTTL = TimeInterval(try Settings.int(refreshTokenTtl, env: "REFRESH_TOKEN_TTL", default: Int(defaults.refreshTokenTTL), range: 1...(365 * day)))
        configuration.installationTokenTTL = TimeInterval(try Settings.int(installationTokenTtl, env: "INSTALLATION_TOKEN_TTL", default: Int(defaults.installationTokenTTL), range: 1...day))
        configuration.refreshReuseGrace = TimeInterval(try Settings.int(refreshReuseGrace, env: "REFRESH_REUSE_GRACE", default: Int(defaults.refreshReuseGrace), range: 0...300))
        configuration.rateLimitPerMinute = try Settings.int(rateLimitPerMinute, env: "RATE_LIMIT_PER_MINUTE", default: defaults.rateLimitPerMinute, range: 1...10_000_000)
        configuration.contentRateLimitPerMinute = try Settings.int(
            contentRateLimitPerMinute, env: "CONTENT_RATE_LIMIT_PER_MINUTE", default: defaults.contentRateLimitPerMinute, range: 1...10_000_000)
        configuration.tokenRateLimitPerMinute = try Settings.int(tokenRateLimitPerMinute, env: "TOKEN_RATE_LIMIT_PER_MINUTE", default: defaults.tokenRateLimitPerMinute, range: 1...10_000_000)
        configuration.bcryptCost = try Settings.int(bcryptCost, env: "BCRYPT_COST", default: defaults.bcryptCost, range: 4...31)
        configuration.idleTimeout = TimeInterval(try Settings.int(idleTimeout, env: "IDLE_TIMEOUT", default: Int(defaults.idleTimeout), range: 1...3600))
        if let raw = Settings.optionalString(trustedProxies, env: "TRUSTED_PROXIES") {
            guard let proxies = TrustedProxies(parsing: raw) else {
                throw BetterI18nCore.ValidationError(field: "--trusted-proxies", message: "'\(raw)' is not a comma list of addresses or CIDR ranges")
            }
            configuration.trustedProxies = proxies
        }
        let registrationRaw = Settings.string(registration, env: "REGISTRATION", default: defaults.registration.rawValue)
        guard let policy = ServerConfiguration.RegistrationPolicy(rawValue: registrationRaw) else {
            throw BetterI18nCore.ValidationError(field: "--registration", message: "'\(registrationRaw)' is not open, token or off")
        }
        configuration.registration = policy
        let formatRaw = Settings.string(logFormat, env: "LOG_FORMAT", default: defaults.logFormat.rawValue)
        guard let format = ServerConfiguration.LogFormat(rawValue: formatRaw) else {
            throw BetterI18nCore.ValidationError(field: "--log-format", message: "'\(formatRaw)' is not text or json")
        }
        configuration.logFormat = format
        let levelRaw = Settings.string(logLevel, env: "LOG_LEVEL", default: defaults.logLevel)
        guard Logger.Level(rawValue: levelRaw) != nil else {
            throw BetterI18nCore.ValidationError(field: "--log-level", message: "'\(levelRaw)' is not a log level")
        }
        configuration.logLevel = levelRaw
        configuration.webhookAllowHTTP = Settings.bool(webhookAllowHttp, env: "WEBHOOK_ALLOW_HTTP")
        configuration.webhookAllowPrivate = Settings.bool(webhookAllowPrivate, env: "WEBHOOK_ALLOW_PRIVATE")
        return configuration
    }
}
