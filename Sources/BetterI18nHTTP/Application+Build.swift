import Hummingbird
import Logging
import ServiceLifecycle

/// Assembles the one listener of `better-i18n serve` (SPEC §2): dashboard, operations
/// endpoints and, as later issues add them, the authorization server, partner API, MCP and CDN.
public enum BetterI18nServer {
    public static func buildRouter(_ dependencies: AppDependencies) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        // First: the CDN answers from memory, without sessions, cookies or request logs.
        router.add(middleware: CDNMiddleware(
            catalog: dependencies.cdn,
            mount: CDNMount(cdnURL: dependencies.configuration.cdnURL, publicURL: dependencies.configuration.publicURL),
            metrics: dependencies.cdnMetrics,
            logger: dependencies.logger
        ))
        // (Files already in memory are answered earlier still, on the event loop: CDNFastPath.)
        router.add(middleware: ClientAddressMiddleware(trusted: dependencies.configuration.trustedProxies))
        router.add(middleware: RequestTrafficMiddleware(traffic: dependencies.requestTraffic))
        router.add(middleware: RequestMetricsMiddleware(registry: dependencies.metrics))
        router.add(middleware: RequestLogMiddleware(logger: dependencies.logger))
        router.add(middleware: ErrorBodyMiddleware(logger: dependencies.logger))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: SessionMiddleware(accounts: dependencies.accounts, logger: dependencies.logger))
        OperationsRoutes(dependencies: dependencies).register(on: router)
        StaticRoutes().register(on: router)
        SignInRoutes(dependencies: dependencies).register(on: router)
        HomeRoutes(storage: dependencies.storage, projectViews: dependencies.projectViews, keys: dependencies.keys).register(on: router)
        OAuthRoutes(dependencies: dependencies).register(on: router)
        SettingsRoutes(dependencies: dependencies).register(on: router)
        let access = DashboardAccess(storage: dependencies.storage)
        ProjectPageRoutes(
            access: access, views: dependencies.projectViews, projects: dependencies.projects, keys: dependencies.keys,
            releases: dependencies.releases, cdnURL: dependencies.configuration.cdnURL.absoluteString
        ).register(on: router)
        MemberRoutes(
            access: access, members: dependencies.members, accounts: dependencies.accounts,
            cookies: SessionCookies(configuration: dependencies.configuration), publicURL: dependencies.configuration.publicURL
        ).register(on: router)
        APIKeysPage(dependencies: dependencies).register(on: router)
        WebhookRoutes(dependencies: dependencies).register(on: router)
        PartnerRoutes(dependencies: dependencies).register(on: router)
        PartnerResources.register(on: router, dependencies)
        PublicContentRoutes(dependencies: dependencies).register(on: router)
        let box = RouterBox()
        MCPRoutes(dependencies: dependencies, router: box).register(on: router)
        box.set(router.buildResponder())
        return router
    }

    public static func buildApplication(
        _ dependencies: AppDependencies, services: [any Service] = []
    ) -> some ApplicationProtocol {
        let configuration = dependencies.configuration
        let mount = CDNMount(cdnURL: configuration.cdnURL, publicURL: configuration.publicURL)
        return Application(
            router: buildRouter(dependencies),
            // The idle timeout doubles as the header and body timeout: a head arriving byte by byte
            // produces no HTTP part until it is complete, so the connection is closed when the whole
            // head has not arrived within it (Hummingbird counts from the last part read or written).
            server: .http1(configuration: .init(
                additionalChannelHandlers: [CDNFastPath(catalog: dependencies.cdn, mount: mount, metrics: dependencies.cdnMetrics)],
                idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000))
            )),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "better-i18n"),
            services: services,
            logger: dependencies.logger
        )
    }
}
