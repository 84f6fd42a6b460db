// swift-tools-version: 6.2
import PackageDescription

// libFuzzer targets for the parsers that read what clients send. Built by scripts/fuzz.sh with
// `-sanitize=fuzzer,address`; each target's `main` hands its input function to libFuzzer's driver
// (SwiftPM gives every executable its own entry point, so libFuzzer's `main` cannot be used). A
// separate package, so the sanitizer flags never reach the product.
let package = Package(
    name: "AccountConsoleFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "AccountConsole", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver", .product(name: "SCIM", package: "AccountConsole")]),
        .executableTarget(
            name: "FuzzFilter", dependencies: ["FuzzSupport", .product(name: "SCIM", package: "AccountConsole")]),
        .executableTarget(
            name: "FuzzJSON", dependencies: ["FuzzSupport", .product(name: "SCIM", package: "AccountConsole")]),
        .executableTarget(
            name: "FuzzPatch", dependencies: ["FuzzSupport", .product(name: "SCIM", package: "AccountConsole")]),
        .executableTarget(
            name: "FuzzValidation", dependencies: ["FuzzSupport", .product(name: "SCIM", package: "AccountConsole")]
        ),
        .executableTarget(
            name: "FuzzSAML", dependencies: ["FuzzSupport", .product(name: "SAML", package: "AccountConsole")]),
    ]
)
