import BetterI18nCore
import Foundation
import Hummingbird
import Logging

/// Turns every error that escapes a route into the spec's JSON error body
/// `{"error":"…","error_description":"…"}` (SPEC §6.3), through the one mapping of service
/// refusals (``APIError/init(mapping:)``). Anything unexpected becomes `500 server_error`; its
/// detail goes to the log only, never to the client.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let mapped = APIError(mapping: error) { return mapped.response() }
            if let error = error as? HTTPError { return APIError(httpError: error).response() }
            if let error = error as? any HTTPResponseError { return APIError(status: error.status).response() }
            logger.error("unhandled error", metadata: [
                "path": .string(RequestLogMiddleware.loggablePath(request.uri.path)),
                "error": .string(String(reflecting: error)),
            ])
            return APIError.serverError.response()
        }
    }
}
