import BetterI18nCore
import Hummingbird
import Logging

/// One log line per request: method, path, status, duration and the client's address (the TCP
/// peer, or the client a trusted proxy names).
///
/// Only the path is logged — never the query string (it carries codes and `state`), headers
/// (they carry tokens and cookies) or bodies (passwords, secrets) — so logs stay free of
/// secrets by construction (SPEC §2).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func log(_ status: Int) {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            logger.info("request", metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(Self.loggablePath(request.uri.path)),
                "status": .stringConvertible(status),
                "ms": .string(String(format: "%.1f", milliseconds)),
                "client": .string(context.clientAddress),
            ])
        }
        do {
            let response = try await next(request, context)
            log(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            log(error.status.code)
            throw error
        } catch {
            log(500)
            throw error
        }
    }

    /// Paths are ours to design and never carry secrets; this caps their length against log
    /// flooding with absurd URLs.
    /// Shortened, and with any secret masked: an invitation link carries its token in the path.
    static func loggablePath(_ path: String) -> String {
        let path = SecretRedaction.redact(path)
        return path.count > 200 ? String(path.prefix(200)) + "…" : path
    }
}
