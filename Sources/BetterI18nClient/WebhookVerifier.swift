import Crypto
import Foundation

/// Checks the Standard Webhooks signature of a delivery (SPEC §11): `webhook-signature` holds
/// one or more space-separated `v1,<base64 HMAC-SHA256>` of `"{webhook-id}.{webhook-timestamp}.{body}"`,
/// keyed with the bytes of the `whsec_` secret; `webhook-timestamp` (Unix seconds) must be within
/// ``tolerance`` of now, so a captured delivery cannot be replayed later.
///
/// Verify the raw body bytes exactly as received, before any JSON parsing.
public struct WebhookVerifier: Sendable, CustomStringConvertible {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The secret is not `whsec_` followed by Base64 (it is never echoed).
        case malformedSecret
        /// `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent.
        case missingHeader(String)
        case malformedTimestamp
        /// Older than the tolerance allows (a replay) or too far in the future.
        case timestampOutOfTolerance
        /// No `v1` signature matches the body with this secret.
        case noMatchingSignature

        public var description: String {
            switch self {
            case .malformedSecret: "the webhook secret is not whsec_ followed by Base64"
            case .missingHeader(let name): "the \(name) header is missing"
            case .malformedTimestamp: "webhook-timestamp is not Unix seconds"
            case .timestampOutOfTolerance: "webhook-timestamp is outside the allowed tolerance"
            case .noMatchingSignature: "no signature matches"
            }
        }
    }

    private let key: SymmetricKey
    public let tolerance: TimeInterval
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - secret: `whsec_` + Base64 (32 bytes as Better i18n makes them); a bare Base64 secret is accepted too.
    ///   - tolerance: how far the timestamp may be from now, either way (Standard Webhooks: 5 minutes).
    public init(secret: String, tolerance: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }) throws {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { throw Failure.malformedSecret }
        key = SymmetricKey(data: bytes)
        self.tolerance = tolerance
        self.now = now
    }

    public var description: String { "WebhookVerifier(tolerance: \(Int(tolerance)) s, secret redacted)" }

    /// Verifies a delivery from its headers (names matched case-insensitively) and raw body.
    public func verify(headers: [String: String], body: Data) throws {
        func header(_ name: String) throws -> String {
            guard let value = headers.first(where: { $0.key.lowercased() == name })?.value else { throw Failure.missingHeader(name) }
            return value
        }
        try verify(id: try header("webhook-id"), timestamp: try header("webhook-timestamp"),
                   signature: try header("webhook-signature"), body: body)
    }

    /// Verifies one delivery: the timestamp first, then each `v1,` signature in constant time.
    public func verify(id: String, timestamp: String, signature: String, body: Data) throws {
        guard let seconds = Int64(timestamp.trimmingCharacters(in: .whitespaces)) else { throw Failure.malformedTimestamp }
        guard abs(now().timeIntervalSince1970 - TimeInterval(seconds)) <= tolerance else { throw Failure.timestampOutOfTolerance }
        let message = Self.signedContent(id: id, timestamp: timestamp, body: body)
        for candidate in signature.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let mac = Data(base64Encoded: String(parts[1])) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: key) { return }
        }
        throw Failure.noMatchingSignature
    }

    /// `v1,<signature>` for a delivery: what a sender puts in `webhook-signature`, and what
    /// tests of a webhook receiver need.
    public func sign(id: String, timestamp: String, body: Data) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Self.signedContent(id: id, timestamp: timestamp, body: body), using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    private static func signedContent(id: String, timestamp: String, body: Data) -> Data {
        Data("\(id).\(timestamp).".utf8) + body
    }
}
