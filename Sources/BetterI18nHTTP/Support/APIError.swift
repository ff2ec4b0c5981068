import BetterI18nAPI
import BetterI18nCore
import Foundation
import Hummingbird

/// A JSON error answer in the spec's format (SPEC §6.3): one of the API's ``ErrorCode``s and a
/// fixed, client-safe description. The precise reason, when there is one, is logged by the
/// caller, never sent. The status is the code's own unless a surface answers it differently
/// (`{api}/mcp` answers `grant_revoked` with `401`).
public struct APIError: Error, Sendable, Equatable {
    public let code: ErrorCode
    public let status: HTTPResponse.Status
    public let description: String
    public var headers: HTTPFields = [:]
    /// The scope a `missing_scope` error names (SPEC §6.3).
    public var required: String?
    /// Per-item errors of `validation_failed` (SPEC §6.2).
    public var errors: [ItemError]?

    public typealias ItemError = BetterI18nAPI.ItemError

    public init(_ code: ErrorCode, _ description: String, headers: HTTPFields = [:], status: HTTPResponse.Status? = nil) {
        self.code = code
        self.status = status ?? HTTPResponse.Status(code: code.status)
        // Descriptions may quote client input; a pasted token stays masked.
        self.description = SecretRedaction.redact(description)
        self.headers = headers
    }

    public static func validationFailed(_ errors: [ItemError]) -> APIError {
        var error = APIError(.validationFailed, "\(errors.count) item(s) are invalid; nothing was written.")
        // Item messages may quote client input too.
        error.errors = errors.map { item in
            var item = item
            item.message = SecretRedaction.redact(item.message)
            return item
        }
        return error
    }

    public static let notFound = APIError(.notFound, "No such resource.")
    public static let serverError = APIError(.serverError, "Something went wrong on our side.")
    public static let payloadTooLarge = APIError(.payloadTooLarge, "The request body is larger than 5 MiB.")
    public static func invalidRequest(_ description: String) -> APIError { APIError(.invalidRequest, description) }
    public static func conflict(_ description: String) -> APIError { APIError(.conflict, description) }

    /// Maps Hummingbird's own errors (unknown route, body too large, …) to spec codes.
    init(httpError: HTTPError) {
        self.init(status: httpError.status)
        self.headers = httpError.headers
    }

    init(status: HTTPResponse.Status) {
        switch status {
        case .notFound: self = .notFound
        case .contentTooLarge: self = .payloadTooLarge
        case .methodNotAllowed: self = APIError(.methodNotAllowed, "This method is not allowed here.")
        case .unsupportedMediaType: self = APIError(.unsupportedMediaType, "Unsupported content type.")
        case .badRequest: self = .invalidRequest("The request is malformed.")
        default:
            self = status.code >= 500 ? .serverError : APIError(.invalidRequest, status.reasonPhrase, status: status)
        }
    }

    var body: ErrorBody {
        ErrorBody(code, description, required: required, errors: errors)
    }

    func response() -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONResponse.encode(body))))
    }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code
    }
}
