import BetterI18nStorage
import Hummingbird
import Prometheus

/// `GET /healthz` and `GET /metrics` (SPEC §2).
struct OperationsRoutes {
    let dependencies: AppDependencies

    func register(on router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ in
            await health()
        }
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            dependencies.metrics.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }

    /// 200 when the database answers a query, 503 otherwise. The cause is logged, not shown.
    private func health() async -> Response {
        do {
            try await dependencies.storage.ping()
            return JSONResponse.make(["status": "ok"], status: .ok, headers: [.cacheControl: "no-store"])
        } catch {
            dependencies.logger.error("health check failed", metadata: ["error": .string(String(describing: error))])
            return JSONResponse.make(["status": "unavailable"], status: .serviceUnavailable, headers: [.cacheControl: "no-store"])
        }
    }
}
