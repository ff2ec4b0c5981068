import BetterI18nAccounts
import BetterI18nCDN
import BetterI18nCore
import BetterI18nOAuth
import BetterI18nProjects
import BetterI18nStorage
import BetterI18nWebhooks
import Logging
import Prometheus

/// Everything the HTTP layer needs, built once at start-up and passed down explicitly.
public struct AppDependencies: Sendable {
    public let configuration: ServerConfiguration
    public let storage: any Storage
    public let accounts: AccountService
    public let clock: any WallClock
    public let metrics: PrometheusCollectorRegistry
    public let logger: Logger
    public let random: any RandomSource
    public let oauth: OAuthServices
    /// Project views (languages, namespaces, key count), trusted for half a second and
    /// dropped by every service that changes them.
    public let projectViews: ProjectViews
    public let projects: ProjectService
    public let keys: KeyService
    public let glossary: GlossaryService
    public let releases: ReleaseService
    /// Members and invitations, for the dashboard and the `admin` commands alike.
    public let members: MemberService
    /// The Content CMS (SPEC §10), its public keys, and what the public Content API serves.
    public let content: ContentService
    public let publicKeys: PublicKeyService
    public let publicContent: PublicContentReader
    /// Public Content API answers, trusted for half a second and dropped by every content write.
    let contentAnswers = FreshnessCache<String, CDNFile>(lifetime: .milliseconds(500), capacity: 10_000)
    /// Organization and app webhooks (Settings → Webhooks, Developer apps).
    public let webhooks: WebhookService
    /// `--webhook-allow-http` and `--webhook-allow-private`, for the dashboard and delivery.
    public let webhookPolicy: WebhookURLPolicy
    /// Import and export of files (SPEC §12).
    public let files: FileService
    /// The CDN's files, rendered once per release.
    public let cdn: CDNCatalog
    let cdnMetrics: CDNMetrics
    /// Open Streamable-HTTP MCP sessions.
    public let mcpSessions = MCPSessions()
    /// When the latest request began: webhook delivery gives way while requests keep coming.
    public let requestTraffic = RequestTraffic()

    public init(
        configuration: ServerConfiguration, storage: any Storage, secretKey: SecretKey? = nil, clock: any WallClock = SystemWallClock(),
        random: any RandomSource = SystemRandomSource(), metrics: PrometheusCollectorRegistry = .init(),
        logger: Logger = Logger(label: "better-i18n")
    ) {
        self.configuration = configuration
        self.storage = storage
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.random = random
        self.oauth = OAuthServices(
            configuration: configuration, storage: storage, clock: clock, random: random, logger: logger
        )
        let cdn = CDNCatalog(storage: storage, cdnURL: configuration.cdnURL.absoluteString)
        self.cdn = cdn
        let views = ProjectViews(storage: storage)
        self.projectViews = views
        self.projects = ProjectService(storage: storage, views: views, clock: clock, random: random)
        self.keys = KeyService(storage: storage, views: views, clock: clock, random: random)
        self.glossary = GlossaryService(storage: storage, clock: clock)
        self.files = FileService(storage: storage, views: views, clock: clock, random: random)
        self.releases = ReleaseService(
            storage: storage, clock: clock, random: random, cdnURL: configuration.cdnURL.absoluteString, published: { cdn.published($0) }
        )
        self.cdnMetrics = CDNMetrics(registry: metrics)
        self.members = MemberService(storage: storage, hasher: PasswordHasher(cost: configuration.bcryptCost), clock: clock, random: random)
        let answers = contentAnswers
        self.content = ContentService(storage: storage, clock: clock, random: random, changed: { _ in answers.removeAll() })
        self.publicKeys = PublicKeyService(storage: storage, clock: clock, random: random)
        self.publicContent = PublicContentReader(storage: storage)
        let policy = WebhookURLPolicy(allowHTTP: configuration.webhookAllowHTTP, allowPrivate: configuration.webhookAllowPrivate)
        self.webhookPolicy = policy
        // Without a key (tests that never restart) one is made for this process only.
        self.webhooks = WebhookService(
            storage: storage, secretKey: secretKey ?? (try! SecretKey(bytes: random.bytes(32))), policy: policy, clock: clock, random: random
        )
        self.accounts = AccountService(
            storage: storage,
            hasher: PasswordHasher(cost: configuration.bcryptCost),
            throttle: SignInThrottle(clock: clock),
            clock: clock,
            random: random,
            sessionLifetime: configuration.sessionLifetime
        )
    }
}

/// The authorization server's services, built once (rate limiters inside keep state).
public struct OAuthServices: Sendable {
    public let settings: OAuthSettings
    public let validator: AuthorizationRequestValidator
    public let consent: ConsentService
    public let token: TokenEndpoint
    public let revocation: RevocationEndpoint
    public let introspection: IntrospectionEndpoint
    public let registration: DynamicRegistration
    public let grants: GrantService
    public let clients: ClientRegistry
    public let installations: InstallationTokens
    /// Token states trusted for half a second; cleared by every local revocation.
    public let tokenCache: TokenStateCache
    public let bearer: BearerAuthenticator

    init(configuration: ServerConfiguration, storage: any Storage, clock: any WallClock, random: any RandomSource, logger: Logger) {
        let settings = OAuthSettings(configuration)
        let cache = ClientCache(storage: storage, clock: clock)
        let tokenCache = TokenStateCache.standard()
        self.tokenCache = tokenCache
        bearer = BearerAuthenticator(storage: storage, clock: clock, cache: tokenCache)
        self.settings = settings
        validator = AuthorizationRequestValidator(clients: storage, settings: settings)
        consent = ConsentService(storage: storage, settings: settings, clock: clock, random: random, tokenCache: tokenCache)
        token = TokenEndpoint(
            storage: storage, clients: cache, settings: settings, clock: clock, rateLimitPerMinute: configuration.tokenRateLimitPerMinute,
            random: random, logger: logger, tokenCache: tokenCache
        )
        revocation = RevocationEndpoint(storage: storage, clients: cache, clock: clock, tokenCache: tokenCache)
        introspection = IntrospectionEndpoint(storage: storage, clients: cache, clock: clock)
        registration = DynamicRegistration(storage: storage, settings: settings, clock: clock, random: random)
        grants = GrantService(storage: storage, clock: clock, tokenCache: tokenCache)
        clients = ClientRegistry(storage: storage, clock: clock, random: random, cache: cache, tokenCache: tokenCache)
        installations = InstallationTokens(storage: storage, settings: settings, clock: clock, random: random)
    }
}
