import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The peers whose `Forwarded` / `X-Forwarded-For` header names the client (`--trusted-proxies`,
/// SPEC §2): addresses or CIDR ranges, IPv4 and IPv6. From any other peer those headers are
/// ignored and the TCP peer is the client — otherwise anyone could pick the address that
/// throttles, rate limits and logs see, and spread one flood over made-up addresses.
public struct TrustedProxies: Sendable, Equatable, CustomStringConvertible {
    struct Range: Sendable, Equatable {
        let network: [UInt8]
        let prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == network.count else { return false }
            var remaining = prefix
            for index in 0..<address.count where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[index] & mask != network[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let ranges: [Range]
    public let description: String

    /// Nobody: forwarding headers are never read.
    public static let none = TrustedProxies(ranges: [], description: "")

    init(ranges: [Range], description: String) {
        self.ranges = ranges
        self.description = description
    }

    /// Parses a comma list such as `10.0.0.0/8, 192.0.2.7, fd00::/8`; nil when an entry is not
    /// an address or a range.
    public init?(parsing list: String) {
        var ranges: [Range] = []
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let address = Self.bytes(of: parts[0]) else { return nil }
            let prefix: Int
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...(address.count * 8)).contains(value) else { return nil }
                prefix = value
            } else {
                prefix = address.count * 8
            }
            ranges.append(Range(network: address, prefix: prefix))
        }
        self.init(ranges: ranges, description: list)
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address for a request from `peer` carrying these header values. Walks the
    /// forwarded chain from the nearest hop outwards, skipping trusted proxies; the first address
    /// not trusted is the client. A hop that is not an address (`unknown`, an obfuscated name)
    /// ends the walk at the proxy that reported it.
    public func clientAddress(peer: String, forwarded: [String], xForwardedFor: [String]) -> String {
        guard contains(peer) else { return peer }
        let chain = forwarded.isEmpty ? Self.xForwardedForChain(xForwardedFor) : Self.forwardedChain(forwarded)
        var client = peer
        for hop in chain.reversed() {
            guard let bytes = Self.bytes(of: hop) else { return client }
            client = Self.canonical(bytes)
            if !ranges.contains(where: { $0.contains(bytes) }) { return client }
        }
        return client
    }

    static func xForwardedForChain(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// `for=` of each element of RFC 7239 `Forwarded`, unquoted, without brackets or port.
    static func forwardedChain(_ values: [String]) -> [String] {
        var chain: [String] = []
        for element in values.flatMap({ $0.split(separator: ",") }) {
            var node = "unknown"
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, parts[0].lowercased() == "for" else { continue }
                var value = parts[1]
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                if value.hasPrefix("["), let close = value.firstIndex(of: "]") {
                    value = String(value[value.index(after: value.startIndex)..<close])
                } else if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") {
                    value = String(value[..<colon])
                }
                node = value
            }
            chain.append(node)
        }
        return chain
    }

    /// Network-order bytes of an IPv4 or IPv6 address; an IPv4-mapped IPv6 address becomes IPv4.
    static func bytes(of text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count < 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, trimmed, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, trimmed, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12..<16]) }
        return bytes
    }

    static func canonical(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var copy = bytes
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        return copy.withUnsafeMutableBytes { raw in
            inet_ntop(AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count)).map { String(cString: $0) } ?? "unknown"
        }
    }
}
