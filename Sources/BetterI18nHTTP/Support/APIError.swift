import BetterI18nCore
import Foundation
import Hummingbird

/// A JSON error answer in the spec's format (SPEC §6.3): a fixed, client-safe code and
/// description. The precise reason, when there is one, is logged by the caller, never sent.
public struct APIError: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let description: String
    public var headers: HTTPFields = [:]
    /// The scope a `missing_scope` error names (SPEC §6.3).
    public var required: String?
    /// Per-item errors of `validation_failed` (SPEC §6.2).
    public var errors: [ItemError]?

    /// One refused item of a request: its index, a code and a message (and, for message-format
    /// errors, the character offset).
    public struct ItemError: Encodable, Sendable, Equatable {
        public let index: Int
        public let error: String
        public let message: String
        public var offset: Int?

        public init(index: Int, error: String, message: String, offset: Int? = nil) {
            self.index = index
            self.error = error
            self.message = SecretRedaction.redact(message)
            self.offset = offset
        }
    }

    public static func validationFailed(_ errors: [ItemError]) -> APIError {
        var error = APIError(status: .unprocessableContent, code: "validation_failed",
                             description: "\(errors.count) item(s) are invalid; nothing was written.")
        error.errors = errors
        return error
    }

    public init(status: HTTPResponse.Status, code: String, description: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        // Descriptions may quote client input; a pasted token stays masked.
        self.description = SecretRedaction.redact(description)
        self.headers = headers
    }

    public static let notFound = APIError(status: .notFound, code: "not_found", description: "No such resource.")
    public static let serverError = APIError(status: .internalServerError, code: "server_error", description: "Something went wrong on our side.")
    public static let payloadTooLarge = APIError(status: .contentTooLarge, code: "payload_too_large", description: "The request body is larger than 5 MiB.")
    public static func invalidRequest(_ description: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_request", description: description)
    }

    /// Maps Hummingbird's own errors (unknown route, body too large, …) to spec codes.
    init(httpError: HTTPError) {
        self.init(status: httpError.status)
        self.headers = httpError.headers
    }

    init(status: HTTPResponse.Status) {
        switch status {
        case .notFound: self = .notFound
        case .contentTooLarge: self = .payloadTooLarge
        case .methodNotAllowed: self = APIError(status: status, code: "method_not_allowed", description: "This method is not allowed here.")
        case .unsupportedMediaType: self = APIError(status: status, code: "unsupported_media_type", description: "Unsupported content type.")
        case .badRequest: self = .invalidRequest("The request is malformed.")
        default:
            self = status.code >= 500 ? .serverError : APIError(status: status, code: "invalid_request", description: status.reasonPhrase)
        }
    }

    private struct Body: Encodable {
        let error: String
        let error_description: String
        let required: String?
        let errors: [ItemError]?
    }

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(Body(error: code, error_description: description, required: required, errors: errors))) ?? Data()
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code
    }
}
