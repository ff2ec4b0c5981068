import BetterI18nAccounts
import BetterI18nCore
import BetterI18nStorage
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

    public init(
        configuration: ServerConfiguration, storage: any Storage, clock: any WallClock = SystemWallClock(),
        random: any RandomSource = SystemRandomSource(), metrics: PrometheusCollectorRegistry = .init(),
        logger: Logger = Logger(label: "better-i18n")
    ) {
        self.configuration = configuration
        self.storage = storage
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
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
