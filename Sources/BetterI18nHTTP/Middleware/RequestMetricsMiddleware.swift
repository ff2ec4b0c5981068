import Hummingbird
import Prometheus
import Synchronization

/// Counts requests and records their duration in the Prometheus registry `/metrics` serves.
///
/// Labels are the route pattern (`/api/…/{id}`), never the concrete path, so ids cannot blow
/// up the number of series and no token in a path can reach the metrics.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    /// Metric handles by label set, so a request does one dictionary lookup, not a registry call.
    private let handles = Handles()

    private final class Handles: Sendable {
        let counters = Mutex<[String: Counter]>([:])
        let histograms = Mutex<[String: DurationHistogram]>([:])
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            let method = request.method.rawValue
            let counterKey = "\(method) \(route) \(status)"
            let counter = handles.counters.withLock { counters in
                if let counter = counters[counterKey] { return counter }
                let counter = registry.makeCounter(
                    name: "better_i18n_http_requests_total", labels: [("method", method), ("route", route), ("status", String(status))]
                )
                counters[counterKey] = counter
                return counter
            }
            counter.increment()
            let histogramKey = "\(method) \(route)"
            let histogram = handles.histograms.withLock { histograms in
                if let histogram = histograms[histogramKey] { return histogram }
                let histogram = registry.makeDurationHistogram(
                    name: "better_i18n_http_request_duration_seconds", labels: [("method", method), ("route", route)],
                    buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                              .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
                )
                histograms[histogramKey] = histogram
                return histogram
            }
            let elapsed = ContinuousClock.now - start
            histogram.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
