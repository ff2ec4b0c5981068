import BetterI18nAPI
import BetterI18nOAuth
import Foundation
import Hummingbird

/// Mapping between HTTP and the OAuth engine: parameters, client credentials, error bodies.
enum OAuthHTTP {
    /// Query parameters in order, duplicates kept.
    static func queryParameters(_ request: Request) -> OAuthParameters {
        OAuthParameters(FormBody(encoded: request.uri.query ?? "").pairs)
    }

    /// A form-encoded body, or a JSON object of strings (SPEC §5.4 accepts both).
    static func bodyParameters(_ request: Request) async throws -> OAuthParameters {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        if type.hasPrefix("application/json") {
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: FormBody.maximumBytes) } catch { throw APIError.payloadTooLarge }
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
                throw OAuthError.invalidRequest("The body is not a JSON object.")
            }
            var pairs: [(name: String, value: String)] = []
            for (name, value) in object.sorted(by: { $0.key < $1.key }) {
                switch value {
                case let string as String: pairs.append((name, string))
                case let number as NSNumber: pairs.append((name, number.stringValue))
                default: throw OAuthError.invalidRequest("The parameter \(name) must be a string.")
                }
            }
            return OAuthParameters(pairs)
        }
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw OAuthError.invalidRequest("Send parameters as application/x-www-form-urlencoded.")
        }
        return OAuthParameters(try await FormBody.read(from: request).pairs)
    }

    /// `client_secret_basic` (RFC 6749 §2.3.1: id and secret are form-encoded, then Base64) or
    /// the body's `client_id` / `client_secret`. Both at once is `invalid_request`.
    static func credentials(_ request: Request, _ parameters: OAuthParameters) throws -> ClientCredentials {
        let bodyID = try parameters.single("client_id")
        let bodySecret = try parameters.single("client_secret")
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard bodySecret == nil else {
                throw OAuthError.invalidRequest("Use one client authentication method, not two.")
            }
            guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                  let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":")
            else {
                throw OAuthError.invalidClient("malformed Basic header")
            }
            let id = formDecode(decoded[..<colon])
            let secret = formDecode(decoded[decoded.index(after: colon)...])
            if let bodyID, bodyID != id {
                throw OAuthError.invalidRequest("client_id in the body differs from the Basic credentials.")
            }
            return ClientCredentials(clientID: id, secret: secret, method: .basic)
        }
        if let bodySecret {
            return ClientCredentials(clientID: bodyID, secret: bodySecret, method: .post)
        }
        return ClientCredentials(clientID: bodyID, secret: nil, method: .none)
    }

    private static func formDecode(_ value: Substring) -> String {
        let spaced = value.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// RFC 6749 §5.2 error response, `no-store`, with `WWW-Authenticate` for a failed Basic
    /// authentication and `Retry-After` for rate limits.
    static func errorResponse(_ error: OAuthError, basicUsed: Bool) -> Response {
        var headers: HTTPFields = [.cacheControl: "no-store", .pragma: "no-cache"]
        if error.status == 401 && basicUsed {
            headers[.wwwAuthenticate] = #"Basic realm="better-i18n""#
        }
        if let retryAfter = error.retryAfter {
            headers[.retryAfter] = String(retryAfter)
        }
        return JSONResponse.make(
            ErrorBody(error: error.error, errorDescription: error.description),
            status: HTTPResponse.Status(code: error.status), headers: headers
        )
    }
}

extension HTTPFields.Element.Name {
    static let pragma = Self("Pragma")!
}
