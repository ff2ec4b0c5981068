import Hummingbird
import Prometheus

/// Counts requests and records their duration in the Prometheus registry `/metrics` serves.
///
/// Labels are the route pattern (`/api/…/{id}`), never the concrete path, so ids cannot blow
/// up the number of series and no token in a path can reach the metrics.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            let labels = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
            registry.makeCounter(name: "better_i18n_http_requests_total", labels: labels).increment()
            registry.makeDurationHistogram(
                name: "better_i18n_http_request_duration_seconds",
                labels: [("method", request.method.rawValue), ("route", route)],
                buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                          .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
            ).recordNanoseconds(Int64((ContinuousClock.now - start).components.attoseconds / 1_000_000_000)
                + (ContinuousClock.now - start).components.seconds * 1_000_000_000)
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
