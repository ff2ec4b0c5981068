import BetterI18nAPI
import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body as the browser sent it.
///
/// Parsed by hand rather than decoded into a struct so that a field given twice is visible
/// (OAuth treats that as `invalid_request`) and repeated checkboxes keep their order.
struct FormBody: Sendable {
    /// Every pair, in order.
    let pairs: [(name: String, value: String)]

    static let maximumBytes = 64 * 1024

    init(pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    init(encoded: String) {
        pairs = encoded.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// Reads a form body, refusing other content types and oversized bodies.
    static func read(from request: Request) async throws -> FormBody {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(.unsupportedMediaType,
                           "Send the form as application/x-www-form-urlencoded.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw APIError.payloadTooLarge
        }
        // Invalid UTF-8 becomes replacement characters, which then fail validation normally.
        return FormBody(encoded: String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// The first value of a field, or nil when absent.
    subscript(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    private static func decode(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
