// swift-tools-version:6.1
import PackageDescription

/// Better i18n: a translation-management platform with an OAuth 2.0 partner integration.
///
/// Targets follow the architecture in `../shared/STYLE.md`:
/// - `BetterI18nAPI`: the wire types (bodies, error codes, endpoints) shared by server and clients.
/// - `BetterI18nCore`: domain values, identifiers, secrets and the clock. No I/O, no HTTP.
/// - `BetterI18nStorage`: the storage protocols and their SQL implementation on SQLite and PostgreSQL.
/// - `BetterI18nAccounts`: sign-in, sessions, throttling and admin operations, on top of storage.
/// - `BetterI18nProjects`: keys and translations as partners write them (bulk rules, ICU checks).
/// - `BetterI18nOAuth`: the authorization server engine (RFC 6749, 7636, 7009, 7662, 7591, 8707).
/// - `BetterI18nCDN`: the CDN's files (rendering, compression, path lookup) and `cdn export`.
/// - `BetterI18nClient`: the Swift client library for partners (SPEC §13), on AsyncHTTPClient.
/// - `BetterI18nMCP`: the MCP tools (SPEC §9) over a partner-API abstraction, for stdio and HTTP.
/// - `BetterI18nHTTP`: the only target that imports Hummingbird; it maps HTTP to the layers below.
/// - `BetterI18nWebhooks`: webhook management and the delivery service (events and webhooks).
/// - `better-i18n`: the command-line executable.
let package = Package(
    name: "better-i18n",
    /// iOS only for the `BetterI18nClient` product (async/await, `Task.sleep(for:)`); the
    /// server targets are built for Linux and macOS.
    platforms: [.macOS(.v15), .iOS(.v16)],
    products: [
        .executable(name: "better-i18n", targets: ["BetterI18nCLI"]),
        .library(name: "BetterI18nClient", targets: ["BetterI18nClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        /// The wire types of the partner API and the token endpoint (SPEC §5.4, §6): request and
        /// response bodies, error codes, the endpoint list. Foundation only, for clients too.
        .target(name: "BetterI18nAPI"),
        .target(
            name: "BetterI18nCore",
            dependencies: [
                "BetterI18nAPI",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "BetterI18nStorage",
            dependencies: [
                "BetterI18nAPI",
                "BetterI18nCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BetterI18nAccounts",
            dependencies: [
                "BetterI18nCore",
                "BetterI18nStorage",
                "BetterI18nOAuth",
                "BetterI18nProjects",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BetterI18nProjects",
            dependencies: [
                "BetterI18nAPI",
                "BetterI18nCore",
                "BetterI18nStorage",
                "BetterI18nFormats",
            ]
        ),
        /// The file formats of import and export (SPEC §12): a reader and a writer each, plurals
        /// and placeholders mapped to and from ICU. No HTTP, no storage.
        .target(
            name: "BetterI18nFormats",
            dependencies: ["BetterI18nCore"]
        ),
        .target(
            name: "BetterI18nOAuth",
            dependencies: [
                "BetterI18nAPI",
                "BetterI18nCore",
                "BetterI18nStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// zlib and libbrotli (Debian's zlib1g-dev and libbrotli-dev) for the CDN's files.
        .target(
            name: "CCompression",
            linkerSettings: [.linkedLibrary("z"), .linkedLibrary("brotlienc"), .linkedLibrary("brotlidec")]
        ),
        .target(
            name: "BetterI18nCDN",
            dependencies: [
                "BetterI18nCore",
                "BetterI18nStorage",
                "BetterI18nProjects",
                "CCompression",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        /// The Swift client library (SPEC §13): OAuth with PKCE, installation tokens, typed partner
        /// API calls, webhook signatures and the CDN reader. No server targets.
        .target(
            name: "BetterI18nClient",
            dependencies: [
                "BetterI18nAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BetterI18nMCP",
            dependencies: [
                "BetterI18nAPI",
                "BetterI18nClient",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// Events and webhooks: managing subscriptions and the delivery service (AsyncHTTPClient).
        .target(
            name: "BetterI18nWebhooks",
            dependencies: [
                "BetterI18nCore",
                "BetterI18nStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BetterI18nHTTP",
            dependencies: [
                "BetterI18nAPI",
                "BetterI18nCore",
                "BetterI18nStorage",
                "BetterI18nAccounts",
                "BetterI18nOAuth",
                "BetterI18nProjects",
                "BetterI18nCDN",
                "BetterI18nMCP",
                "BetterI18nWebhooks",
                "BetterI18nFormats",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "BetterI18nCLI",
            dependencies: [
                "BetterI18nCore",
                "BetterI18nProjects",
                "BetterI18nStorage",
                "BetterI18nAccounts",
                "BetterI18nOAuth",
                "BetterI18nHTTP",
                "BetterI18nCDN",
                "BetterI18nMCP",
                "BetterI18nWebhooks",
                "BetterI18nClient",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "BetterI18nTests",
            dependencies: [
                "BetterI18nAPI",
                "BetterI18nCore",
                "BetterI18nStorage",
                "BetterI18nAccounts",
                "BetterI18nOAuth",
                "BetterI18nProjects",
                "BetterI18nHTTP",
                "BetterI18nCDN",
                "BetterI18nCLI",
                "BetterI18nClient",
                "BetterI18nMCP",
                "BetterI18nWebhooks",
                "BetterI18nFormats",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
