import Prometheus
import Synchronization

/// Counts CDN answers in `/metrics` as `better_i18n_http_requests_total{method,route="cdn",status}`,
/// the series every other route uses, whichever path answered: the raw and event-loop fast
/// paths as well as ``CDNMiddleware``, which sit in front of the router's metrics middleware.
///
/// The common answers (GET and HEAD with 200 or 304) have their counters made up front, so the
/// fast paths count with one atomic increment and no lock.
final class CDNMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let getOK: Counter
    private let getNotModified: Counter
    private let headOK: Counter
    private let headNotModified: Counter
    private let others = Mutex<[String: Counter]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        func make(_ method: String, _ status: Int) -> Counter {
            registry.makeCounter(
                name: "better_i18n_http_requests_total", labels: [("method", method), ("route", "cdn"), ("status", String(status))]
            )
        }
        getOK = make("GET", 200)
        getNotModified = make("GET", 304)
        headOK = make("HEAD", 200)
        headNotModified = make("HEAD", 304)
    }

    func count(method: String, status: Int) {
        switch (method, status) {
        case ("GET", 200): getOK.increment()
        case ("GET", 304): getNotModified.increment()
        case ("HEAD", 200): headOK.increment()
        case ("HEAD", 304): headNotModified.increment()
        default:
            // Methods are few (anything else is 405), but bound the label set anyway.
            let known = ["GET", "HEAD", "OPTIONS"].contains(method) ? method : "other"
            let key = "\(known) \(status)"
            let counter = others.withLock { others in
                if let counter = others[key] { return counter }
                let counter = registry.makeCounter(
                    name: "better_i18n_http_requests_total", labels: [("method", known), ("route", "cdn"), ("status", String(status))]
                )
                others[key] = counter
                return counter
            }
            counter.increment()
        }
    }
}
