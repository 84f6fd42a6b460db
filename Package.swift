// swift-tools-version: 6.2
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode, the upcoming features the house style
/// asks for, and warnings as errors (see `../shared/STYLE.md`).
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "AccountConsole",
    products: [
        .library(name: "SCIM", targets: ["SCIM"])
    ],
    targets: [
        // The pure SCIM protocol library: RFC 7643 / RFC 7644, Foundation only, no I/O.
        .target(
            name: "SCIM",
            swiftSettings: strictSettings,
            // Double rounding calls libm, which nothing else links when Foundation is not imported.
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "SCIMTests",
            dependencies: ["SCIM"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
    ]
)
