// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "sessiongate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sessiongate", targets: ["sessiongate"]),
        .library(name: "SessionGateClient", targets: ["SessionGateClient"]),
        .library(name: "FunctionTestKit", targets: ["FunctionTestKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["JSON", "YAML"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        // Already in the graph through swift-configuration's YAML trait; the serve
        // command reads a config file's keys with it to refuse unknown ones.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // The WebSocket edge of the gateway (Gateway/Edge) and the WebSocketFloor benchmark.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // TLS on the edge (--tls-cert, --tls-key); already in the graph through hummingbird-websocket.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // HTTP/1 heads to HTTPTypes for the Hummingbird routes behind the edge; in the graph through Hummingbird.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // The PostgreSQL user store for several instances (Store/Postgres, Cluster).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Scripts' `http` calls (ChatFunctions/HostLibraries/HTTP): pooled connections, TLS, deadlines.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // Lua 5.4 from the system (Debian's liblua5.4-dev).
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // The Lua side's C: macros Swift cannot import, the allocator and hook.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        // Process-wide SQLite settings, for the calls Swift cannot make (sqlite3_config is variadic).
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),

        // A strict JSON value type shared by the wire protocol and the Lua bridge.
        .target(name: "StrictJSON", swiftSettings: strict),

        // The Swift Lua runtime: one owner of a lua_State, conversions, sandbox, limits.
        .target(name: "LuaRuntime", dependencies: ["CLua", "CLuaShim", "StrictJSON"], swiftSettings: strict),

        // IP addresses and ranges: trusted proxies at the edge, egress decisions for `http`.
        .target(name: "NetworkAddresses", swiftSettings: strict),

        // Chat functions: folder loading, chain, verdicts, context, host libraries, pool, reload.
        .target(
            name: "ChatFunctions",
            dependencies: [
                "LuaRuntime", "StrictJSON", "NetworkAddresses",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        // Users, the user store (memory and SQLite) and the start pipeline.
        .target(
            name: "SessionCore",
            dependencies: [
                "ChatFunctions", "StrictJSON", "CSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),

        // The gateway: WebSocket protocol, sessions, HTTP, admin API, metrics.
        .target(
            name: "Gateway",
            dependencies: [
                "SessionCore", "ChatFunctions", "StrictJSON", "NetworkAddresses",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ],
            resources: [.copy("Web")],
            swiftSettings: strict
        ),

        // The Swift client library.
        .target(
            name: "SessionGateClient",
            dependencies: [
                "StrictJSON",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Unit-testing chat functions: the Lua test runner and a Swift helper.
        .target(
            name: "FunctionTestKit",
            dependencies: ["SessionCore", "ChatFunctions", "LuaRuntime", "StrictJSON"],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "sessiongate",
            dependencies: [
                "Gateway", "SessionCore", "ChatFunctions", "FunctionTestKit", "SessionGateClient", "StrictJSON",
                "NetworkAddresses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            // The gateway's allocator: gperftools' tcmalloc (Debian's libtcmalloc-minimal4), in
            // place of glibc's malloc. Objects made on an event loop and freed on a Lua worker
            // (and back) cost glibc an arena lock each; tcmalloc's per-thread caches do not.
            // Measured in BENCHMARKS.md §3 ("The allocator"). Named by file: Debian ships the
            // unversioned link name only in libgoogle-perftools-dev, which brings libunwind-dev.
            linkerSettings: [.linkedLibrary(":libtcmalloc_minimal.so.4", .when(platforms: [.linux]))]
        ),

        // Benchmarks (run in release builds; see BENCHMARKS.md).
        .executableTarget(name: "RuntimeBenchmark", dependencies: ["LuaRuntime", "StrictJSON"], swiftSettings: strict),
        .executableTarget(
            name: "LoadBenchmark",
            dependencies: [
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "WebSocketFloor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "NetworkAddressesTests", dependencies: ["NetworkAddresses"], swiftSettings: strict),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON"], swiftSettings: strict),
        .testTarget(name: "LuaRuntimeTests", dependencies: ["LuaRuntime", "StrictJSON"], swiftSettings: strict),
        .testTarget(
            name: "ChatFunctionsTests",
            dependencies: [
                "ChatFunctions", "LuaRuntime", "StrictJSON", "NetworkAddresses",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SessionCoreTests",
            dependencies: [
                "SessionCore", "ChatFunctions", "StrictJSON", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "FunctionTestKitTests", dependencies: ["FunctionTestKit", "SessionCore", "ChatFunctions"], swiftSettings: strict),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "SessionCore", "ChatFunctions", "SessionGateClient", "StrictJSON", "NetworkAddresses",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
