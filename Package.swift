// swift-tools-version: 6.2
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode, the stricter upcoming features
/// (`ExistentialAny`, `MemberImportVisibility`), and warnings as errors.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

// The target dependencies below are the module graph of docs/architecture.md; scripts/test.sh
// builds with --explicit-target-dependency-import-check error, so an import against it fails.
let package = Package(
    name: "AccountConsole",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SCIM", targets: ["SCIM"]),
        .library(name: "Directory", targets: ["Directory"]),
        .library(name: "DirectorySQL", targets: ["DirectorySQL"]),
        .library(name: "DirectorySQLite", targets: ["DirectorySQLite"]),
        .library(name: "DirectoryPostgres", targets: ["DirectoryPostgres"]),
        .library(name: "SCIMHTTP", targets: ["SCIMHTTP"]),
        .library(name: "SAML", targets: ["SAML"]),
        .library(name: "OIDC", targets: ["OIDC"]),
        .library(name: "Console", targets: ["Console"]),
        .library(name: "AccountConsole", targets: ["AccountConsole"]),
        .executable(name: "account-console", targets: ["account-console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
    ],
    targets: [
        // The pure SCIM protocol library: RFC 7643 / RFC 7644, Foundation only, no I/O.
        .target(
            name: "SCIM",
            swiftSettings: strictSettings,
            // Double rounding calls libm, which nothing else links when Foundation is not imported.
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]
        ),
        // The domain and its rules; knows no HTTP and no SQL driver.
        .target(
            name: "Directory",
            dependencies: [
                "SCIM", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: strictSettings
        ),
        // Pure SQL text: dialects, migrations, the filter → SQL compiler, and the store logic
        // shared by both back ends over an execution-only `SQLDatabase` protocol.
        .target(
            name: "DirectorySQL",
            dependencies: ["Directory", "SCIM"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "DirectorySQLite",
            dependencies: [
                "Directory", "DirectorySQL", "SCIM",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "DirectoryPostgres",
            dependencies: [
                "Directory", "DirectorySQL", "SCIM",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The SCIM API: routes, bearer-token auth, media types, ETags, error rendering, activity.
        .target(
            name: "SCIMHTTP",
            dependencies: [
                "Directory", "SCIM",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Debian's libxmlsec1 (OpenSSL back end) and libxml2, seen by the SAML module only.
        .systemLibrary(
            name: "CXMLSec",
            pkgConfig: "xmlsec1-openssl",
            providers: [.apt(["libxmlsec1-dev", "pkg-config"])]
        ),
        // SAML 2.0 for the service provider: response verification through libxmlsec1, the
        // AuthnRequest, metadata. Swift types out; FoundationEssentials only (libxml2's ICU
        // headers clash with Foundation's).
        .target(
            name: "SAML",
            dependencies: [
                "CXMLSec",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // OpenID Connect for the relying party: discovery, PKCE, ID tokens verified with jwt-kit.
        // The HTTP transport is the wiring's (async-http-client).
        .target(
            name: "OIDC",
            dependencies: [
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The admin console: server-rendered pages over DirectoryService, sessions, CSRF.
        .target(
            name: "Console",
            dependencies: [
                "Directory", "SCIM", "SAML", "OIDC",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Templates"), .embedInCode("Assets")],
            swiftSettings: strictSettings
        ),
        // Wiring: configuration → store → service → routers → Application.
        .target(
            name: "AccountConsole",
            dependencies: [
                "SCIMHTTP", "Console", "Directory", "DirectorySQL", "DirectorySQLite", "DirectoryPostgres", "SCIM",
                "SAML",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            // The IdPs' flows that `account-console replay` and the replay tests play.
            resources: [
                .embedInCode("Replay/okta.json"), .embedInCode("Replay/entra.json"),
                .embedInCode("Replay/onelogin.json"),
                // Served at /openapi.yaml; docs/openapi.yaml links to it.
                .embedInCode("openapi.yaml"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "account-console",
            dependencies: [
                "AccountConsole", "Directory", "DirectorySQL", "SCIMHTTP", "SCIM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Fixtures, fixed clock and ids, the store conformance suite every back end runs.
        .target(
            name: "TestSupport",
            dependencies: ["Directory", "DirectorySQL", "DirectorySQLite", "DirectoryPostgres", "SCIM"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SCIMTests",
            dependencies: ["SCIM", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DirectoryTests",
            dependencies: ["Directory", "DirectorySQL", "SCIM", "TestSupport"],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SCIMHTTPTests",
            dependencies: [
                "AccountConsole", "SCIMHTTP", "Directory", "DirectorySQL", "DirectorySQLite", "DirectoryPostgres",
                "SCIM",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "AccountConsole", "Console", "Directory", "SCIM", "SCIMHTTP", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "OIDCTests",
            dependencies: [
                "OIDC", .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SAMLTests",
            dependencies: ["SAML"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DirectoryServiceTests",
            dependencies: ["Directory", "SCIM", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DirectoryStoreTests",
            dependencies: [
                "Directory", "DirectorySQL", "DirectorySQLite", "DirectoryPostgres", "SCIM", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
