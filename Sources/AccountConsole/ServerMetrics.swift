import Directory
import DirectorySQL
import Metrics
import Prometheus
import Synchronization

/// The server's metrics: swift-metrics over a swift-prometheus registry, rendered at `/metrics`.
///
/// Request counts and latency histograms by route pattern and status come from Hummingbird's
/// `MetricsMiddleware`, which records through the process-wide `MetricsSystem`; ``bootstrap()``
/// points that at ``shared`` once per process. What only this server knows — provisioning
/// operations by connection and kind, deprovisions and what the deletion guard held — is counted
/// here, and the gauges (the database pool, the activity writer's queue) are read at each scrape.
public final class ServerMetrics: Sendable {
    /// The process's registry.
    public static let shared = ServerMetrics()

    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private static let bootstrapped = Mutex(false)

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // Milliseconds to seconds: the SCIM API answers in a few milliseconds, a slow page in a second.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// Makes ``shared`` the process's metrics back end (once; later calls do nothing), so
    /// Hummingbird's request metrics land in it.
    public static func bootstrap() {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { MetricsSystem.bootstrap(shared.factory) }
    }

    /// One SCIM request of a connection: `kind` is the operation (`create`, `replace`, `patch`,
    /// `delete`, `read`, `bulk`), with the resource type.
    func provisioning(connection: String, kind: String, resource: String, status: Int) {
        Counter(
            label: "account_console_provisioning_operations_total",
            dimensions: [
                ("connection", connection), ("kind", kind), ("resource", resource),
                ("outcome", status < 400 ? "ok" : "error"),
            ], factory: factory
        ).increment()
    }

    /// The deprovisions a request made or had held.
    func deprovisions(connection: String, _ noted: [NotedDeprovision]) {
        for deprovision in noted {
            Counter(
                label: "account_console_deprovisions_total",
                dimensions: [
                    ("connection", connection), ("action", deprovision.action.rawValue),
                    ("held", deprovision.held ? "true" : "false"),
                ], factory: factory
            ).increment()
        }
    }

    /// Reads the gauges: called by `/metrics` just before it renders.
    func sample(pool: SQLPoolUsage, activityQueue: Int) {
        Gauge(label: "account_console_database_pool_connections", dimensions: [("state", "capacity")], factory: factory)
            .record(pool.capacity)
        Gauge(label: "account_console_database_pool_connections", dimensions: [("state", "busy")], factory: factory)
            .record(pool.inUse)
        Gauge(label: "account_console_activity_queue_rows", factory: factory).record(activityQueue)
    }

    /// The Prometheus text exposition of everything recorded.
    func render() -> String { registry.emitToString() }
}
