import BetterI18nCore
import Foundation
import Hummingbird
import Logging

/// Turns every error that escapes a route into the spec's JSON error body
/// `{"error":"…","error_description":"…"}` (SPEC §6.3). Anything unexpected becomes
/// `500 server_error`; its detail goes to the log only, never to the client.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as ValidationError {
            // Bad input that reached a route without its own mapping is the client's error.
            return APIError.invalidRequest("\(error.field): \(error.message)").response()
        } catch let error as HTTPError {
            return APIError(httpError: error).response()
        } catch let error as any HTTPResponseError {
            return APIError(status: error.status).response()
        } catch {
            logger.error("unhandled error", metadata: [
                "path": .string(RequestLogMiddleware.loggablePath(request.uri.path)),
                "error": .string(String(reflecting: error)),
            ])
            return APIError.serverError.response()
        }
    }
}
