import BetterI18nCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where webhooks may point. https only unless `allowHTTP`; a host that resolves to loopback,
/// private, link-local or unspecified space is refused unless `allowPrivate` — a webhook must
/// not be a way to make the server reach into its own network (SSRF).
///
/// The server checks when the dashboard saves a URL and before each batch of deliveries to it
/// (the name is resolved each batch, so a name re-pointed at an inside address later is caught
/// then), and the batch then connects to the address it checked (``target(_:)``): a name that
/// answers a public address to the check and an inside one a moment later (DNS rebinding)
/// is not followed there. `admin` commands, which do not know the server's flags, use
/// ``checkWellFormed(_:)`` only.
public struct WebhookURLPolicy: Sendable {
    public var allowHTTP: Bool
    public var allowPrivate: Bool
    /// Resolves a host name (getaddrinfo; tests give their own).
    let resolver: @Sendable (String) async -> [IPAddress]

    public init(allowHTTP: Bool = false, allowPrivate: Bool = false) {
        self.init(allowHTTP: allowHTTP, allowPrivate: allowPrivate, resolver: Self.systemResolve)
    }

    init(allowHTTP: Bool, allowPrivate: Bool, resolver: @escaping @Sendable (String) async -> [IPAddress]) {
        self.allowHTTP = allowHTTP
        self.allowPrivate = allowPrivate
        self.resolver = resolver
    }

    /// A well-formed absolute http(s) URL with a host, no credentials and no fragment.
    @discardableResult
    public static func checkWellFormed(_ raw: String) throws -> URL {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard text.count <= 2000, let components = URLComponents(string: text), let url = components.url,
              let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty
        else { throw Self.invalid("is not a well-formed URL") }
        guard scheme == "https" || scheme == "http" else { throw Self.invalid("must be an https (or http) URL") }
        guard components.user == nil, components.password == nil else { throw Self.invalid("must not carry credentials") }
        guard components.fragment == nil else { throw Self.invalid("must not have a fragment") }
        return url
    }

    /// Well-formed, the scheme allowed, and every address the host resolves to allowed.
    @discardableResult
    public func check(_ raw: String) async throws -> URL {
        try await target(raw).url
    }

    /// ``check(_:)``, and the address to connect to: one the check resolved and allowed, or nil
    /// when there is nothing to pin (private targets allowed, or the host is an address).
    public func target(_ raw: String) async throws -> WebhookTarget {
        let url = try Self.checkWellFormed(raw)
        if url.scheme?.lowercased() == "http", !allowHTTP {
            throw Self.invalid("must be https (the server allows http only with --webhook-allow-http)")
        }
        guard !allowPrivate else { return WebhookTarget(url: url, address: nil) }
        let host = Self.bare(url.host ?? "")
        let literal = IPAddress(host)
        let addresses: [IPAddress]
        if let literal { addresses = [literal] } else { addresses = await resolver(host) }
        guard let first = addresses.first else { throw Self.invalid("names a host that does not resolve") }
        if let inside = addresses.first(where: { $0.isInternal }) {
            throw Self.invalid("resolves to \(inside.kind) address \(inside.text), refused (allow with --webhook-allow-private)")
        }
        return WebhookTarget(url: url, address: literal == nil ? first.text : nil)
    }

    static func invalid(_ message: String) -> ValidationError {
        ValidationError(field: "url", message: "the webhook URL \(message)")
    }

    /// A host without the brackets of an IPv6 literal.
    static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// The host's addresses (getaddrinfo, off the caller's thread).
    static func systemResolve(_ bare: String) async -> [IPAddress] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                #else
                hints.ai_socktype = SOCK_STREAM
                #endif
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(bare, nil, &hints, &list) == 0, let first = list else {
                    continuation.resume(returning: [])
                    return
                }
                defer { freeaddrinfo(first) }
                var result: [IPAddress] = []
                var cursor: UnsafeMutablePointer<addrinfo>? = first
                while let entry = cursor {
                    if let address = entry.pointee.ai_addr, let parsed = IPAddress(sockaddr: address) { result.append(parsed) }
                    cursor = entry.pointee.ai_next
                }
                continuation.resume(returning: result)
            }
        }
    }
}

/// A webhook URL the policy allowed, and the address its delivery connects to.
public struct WebhookTarget: Sendable, Equatable {
    public let url: URL
    /// The address the check resolved the host to and allowed; nil when nothing is pinned.
    public let address: String?
}

/// An IPv4 or IPv6 address and the space it lies in.
struct IPAddress: Sendable, Equatable {
    let bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    init?(sockaddr address: UnsafeMutablePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var value = pointer.pointee.sin_addr
                return withUnsafeBytes(of: &value) { Array($0) }
            }
        case AF_INET6:
            bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var value = pointer.pointee.sin6_addr
                return withUnsafeBytes(of: &value) { Array($0) }
            }
        default:
            return nil
        }
    }

    var text: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    /// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) IPv6 one.
    private var v4: [UInt8]? {
        if bytes.count == 4 { return bytes }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes.suffix(4)) }
        return nil
    }

    /// `loopback`, `private`, `link-local`, `unspecified`, or nil for a public address.
    var internalKind: String? {
        if let v4 {
            switch (v4[0], v4[1]) {
            case (127, _): return "loopback"
            case (0, _): return "unspecified"
            case (10, _), (192, 168): return "private"
            case (172, 16...31): return "private"
            case (100, 64...127): return "private" // carrier-grade NAT (RFC 6598)
            case (169, 254): return "link-local"
            default: return nil
            }
        }
        if bytes.allSatisfy({ $0 == 0 }) { return "unspecified" }
        if bytes.prefix(15).allSatisfy({ $0 == 0 }), bytes[15] == 1 { return "loopback" }
        if bytes[0] & 0xFE == 0xFC { return "private" } // fc00::/7, unique local
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 { return "link-local" } // fe80::/10
        return nil
    }

    var isInternal: Bool { internalKind != nil }
    var kind: String { internalKind ?? "public" }
}
