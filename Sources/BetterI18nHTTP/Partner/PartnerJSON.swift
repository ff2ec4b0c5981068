import BetterI18nAPI
import Foundation
import Hummingbird

/// Reading JSON bodies for the partner API (SPEC §6.3): `415` for another content type, `413`
/// past 5 MiB, `400 invalid_request` for malformed JSON or invalid UTF-8.
enum PartnerJSON {
    static let maximumBytes = 5 * 1024 * 1024

    /// The decoded body, which the route requires.
    static func body<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard let body = try await decode(type, from: request) else { throw APIError.invalidRequest("A body is required.") }
        return body
    }

    /// The decoded body, or nil when the request has no body at all.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, optional: Bool = false) async throws -> T? {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw APIError.payloadTooLarge
        }
        if buffer.readableBytes == 0 && optional { return nil }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw APIError(.unsupportedMediaType, "Send the body as application/json.")
        }
        let data = Data(buffer.readableBytesView)
        guard String(data: data, encoding: .utf8) != nil else {
            throw APIError.invalidRequest("The body is not valid UTF-8.")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw APIError.invalidRequest("Wrong type at \(path(context.codingPath)).")
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError.invalidRequest("Missing field \(path(context.codingPath + [key])).")
        } catch let DecodingError.dataCorrupted(context) where context.debugDescription.hasPrefix("unknown field") {
            throw APIError.invalidRequest("Unknown field at \(path(context.codingPath)).")
        } catch {
            throw APIError.invalidRequest("The body is not valid JSON.")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
