import Foundation
import Hummingbird

/// A JSON error answer in the spec's format (SPEC §6.3): a fixed, client-safe code and
/// description. The precise reason, when there is one, is logged by the caller, never sent.
public struct APIError: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let description: String
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, code: String, description: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.description = description
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
    }

    func response() -> Response {
        let json = (try? JSONEncoder().encode(Body(error: code, error_description: description))) ?? Data()
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code
    }
}
