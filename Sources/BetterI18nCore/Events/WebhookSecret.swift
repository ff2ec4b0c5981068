import Crypto
import Foundation

/// A webhook signing secret as Standard Webhooks defines it: `whsec_` + base64 of 32 random
/// bytes. Unlike our other secrets it is not stored as a digest — the server signs with it —
/// but sealed with the ``SecretKey`` (``SealedSecret``).
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "whsec_"
    /// The 32 bytes the HMAC is keyed with.
    public let bytes: [UInt8]

    public init(random: any RandomSource = SystemRandomSource()) {
        bytes = random.bytes(32)
    }

    /// Parses `whsec_<base64>` (32 bytes).
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))),
              data.count == 32
        else { return nil }
        bytes = Array(data)
    }

    /// The full secret, to show once. Never log it.
    public var value: String { Self.prefix + Data(bytes).base64EncodedString() }

    /// Redacted, so interpolating it into a log line cannot leak it.
    public var description: String { "whsec_…" }

    /// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: bytes))
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }
}

/// The server's 32-byte key (`--secret-key`) that seals the secrets it must keep in usable form.
public struct SecretKey: Sendable {
    let key: SymmetricKey

    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw ValidationError(field: "secret_key", message: "the secret key must be 32 bytes") }
        key = SymmetricKey(data: bytes)
    }

    /// 64 hex digits or base64 of 32 bytes, as `--secret-key` and `secret.key` hold it.
    public init(text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let bytes = Hex.decode(trimmed) {
            try self.init(bytes: bytes)
        } else if let data = Data(base64Encoded: trimmed), data.count == 32 {
            try self.init(bytes: Array(data))
        } else {
            throw ValidationError(field: "secret_key", message: "the secret key must be 32 bytes as 64 hex digits or base64")
        }
    }

    /// A fresh key in the form `secret.key` stores it (base64).
    public static func generateText(random: any RandomSource = SystemRandomSource()) -> String {
        Data(random.bytes(32)).base64EncodedString()
    }

    /// AES-256-GCM with the owner's id as associated data, so a sealed secret copied onto
    /// another row does not open. Stored as base64 of nonce ‖ ciphertext ‖ tag.
    public func seal(_ secret: WebhookSecret, for owner: String) throws -> String {
        let box = try AES.GCM.seal(secret.bytes, using: key, authenticating: Array(owner.utf8))
        guard let combined = box.combined else { throw ValidationError(field: "secret_key", message: "sealing failed") }
        return combined.base64EncodedString()
    }

    /// Throws when the text was sealed under another key or for another owner.
    public func open(_ sealed: String, for owner: String) throws -> WebhookSecret {
        guard let data = Data(base64Encoded: sealed) else { throw ValidationError(field: "secret_key", message: "not a sealed secret") }
        let box = try AES.GCM.SealedBox(combined: data)
        let bytes = try AES.GCM.open(box, using: key, authenticating: Array(owner.utf8))
        guard let secret = WebhookSecret(WebhookSecret.prefix + bytes.base64EncodedString()) else {
            throw ValidationError(field: "secret_key", message: "not a webhook secret")
        }
        return secret
    }
}

/// When a failed delivery is tried again: about 1 min, 5 min, 30 min, 2 h, 6 h, 12 h and 24 h
/// after each failure, each within ±20 % so a receiver that was down is not hit by every retry
/// at the same instant; after the last, the delivery has failed.
public struct RetrySchedule: Sendable {
    public static let delays: [TimeInterval] = [60, 300, 1800, 7200, 21600, 43200, 86400]
    public static let jitter = 0.2

    public init() {}

    /// The wait after attempt number `attempts` (1-based) failed; nil when that was the last.
    /// `unit` is a number in [0, 1) (random in production, fixed in tests).
    public func delay(afterAttempt attempts: Int, unit: Double) -> TimeInterval? {
        guard attempts >= 1, attempts <= Self.delays.count else { return nil }
        return Self.delays[attempts - 1] * (1 - Self.jitter + 2 * Self.jitter * unit)
    }
}
