// swift-tools-version: 6.2
import PackageDescription

// Benchmarks live in their own package so the main build stays lean; run them through
// `scripts/bench` (release build).
let package = Package(
    name: "AccountConsoleBenchmarks",
    dependencies: [
        .package(name: "AccountConsole", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "SCIM", package: "AccountConsole"),
                .product(name: "Directory", package: "AccountConsole"),
                .product(name: "DirectorySQL", package: "AccountConsole"),
                .product(name: "DirectorySQLite", package: "AccountConsole"),
                .product(name: "DirectoryPostgres", package: "AccountConsole"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6), .treatAllWarnings(as: .error)]
        ),
        .executableTarget(
            name: "SCIMBenchmarks",
            dependencies: [.product(name: "SCIM", package: "AccountConsole")],
            swiftSettings: [.swiftLanguageMode(.v6), .treatAllWarnings(as: .error)]
        ),
    ]
)
