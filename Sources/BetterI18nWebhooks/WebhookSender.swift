import AsyncHTTPClient
import BetterI18nCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The signing half of Standard Webhooks: the three headers of one attempt.
public struct WebhookSignature: Sendable, Equatable {
    public let id: String
    public let timestamp: Int64
    /// `v1,…` for the current secret, then `v1,…` for the previous one while it still signs.
    public let signature: String

    /// Every attempt is signed afresh with its own timestamp.
    public init(eventID: EventID, body: [UInt8], at time: Date, secrets: [WebhookSecret]) {
        let seconds = Int64(time.timeIntervalSince1970.rounded(.down))
        id = eventID.rawValue
        timestamp = seconds
        signature = secrets.map { $0.signature(id: eventID.rawValue, timestamp: seconds, body: body) }.joined(separator: " ")
    }
}

/// One POST of an event to a webhook, on AsyncHTTPClient: no redirects, no retry of a refused
/// connection (the retry schedule is ours), a deadline over the whole attempt.
public final class WebhookSender: Sendable {
    /// How much of an answer's body the delivery log keeps.
    public static let responseExcerptBytes = 1024

    /// One client for the process, never shut down (as AsyncHTTPClient's own shared client),
    /// so no path — a test that stops early, a failed start — can drop it un-shut-down.
    private static let sharedClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration())

    /// Clients that connect to one host name at one checked address (``PinnedClients``).
    private static let pinnedClients = PinnedClients()

    /// No redirects, no retry of a refused connection (the retry schedule is ours), HTTP/1.1,
    /// `dnsOverride` for a pinned client.
    static func configuration(dnsOverride: [String: String] = [:]) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(10))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.httpVersion = .http1Only
        configuration.dnsOverride = dnsOverride
        return configuration
    }

    let client: HTTPClient
    let timeout: Duration

    public init(timeout: Duration = .seconds(10)) {
        client = Self.sharedClient
        self.timeout = timeout
    }

    /// What an attempt came to: a status with the first KB of the body, or what went wrong.
    public struct Answer: Sendable, Equatable {
        public var statusCode: Int?
        public var excerpt: String
    }

    /// POSTs `body` under its own deadline; never throws — a refused connection, a timeout or a
    /// closed connection is an answer without a status. With `address`, the connection goes to
    /// that address whatever the URL's host name resolves to now (TLS still checks the name).
    public func send(url: String, address: String? = nil, body: String, type: EventType, signature: WebhookSignature) async -> Answer {
        await answer { [timeout] in
            try await withDeadline(timeout) {
                try await self.exchange(url: url, address: address, body: body, type: type, signature: signature)
            }
        }
    }

    /// ``send(url:address:body:type:signature:)`` whose deadline the caller keeps by cancelling
    /// the task: the dispatcher runs a whole batch, whose attempts all start together, under one
    /// timer instead of a timer and two tasks per attempt. A cancelled attempt is one past its
    /// deadline.
    public func sendWithinCallersDeadline(
        url: String, address: String? = nil, body: String, type: EventType, signature: WebhookSignature
    ) async -> Answer {
        await answer { try await self.exchange(url: url, address: address, body: body, type: type, signature: signature) }
    }

    private func answer(_ exchange: () async throws -> Answer) async -> Answer {
        let late = Answer(statusCode: nil, excerpt: "no answer within \(timeout.components.seconds) s")
        do {
            return try await exchange()
        } catch is DeadlineExceeded {
            return late
        } catch let error as HTTPClientError where error == .deadlineExceeded || (error == .cancelled && Task.isCancelled) {
            return late
        } catch where Task.isCancelled {
            return late
        } catch {
            return Answer(statusCode: nil, excerpt: "request failed: \(Self.describe(error))")
        }
    }

    /// The request and the first KB of its answer. AsyncHTTPClient's own deadline covers only
    /// the wait for the answer's head, so the caller bounds the whole exchange.
    private func exchange(url: String, address: String?, body: String, type: EventType, signature: WebhookSignature) async throws -> Answer {
        var client = self.client
        if let address, let host = URL(string: url)?.host {
            client = Self.pinnedClients.client(host: WebhookURLPolicy.bare(host), address: address)
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "better-i18n-webhooks/1")
        request.headers.add(name: "webhook-id", value: signature.id)
        request.headers.add(name: "webhook-timestamp", value: String(signature.timestamp))
        request.headers.add(name: "webhook-signature", value: signature.signature)
        request.headers.add(name: "X-Better-I18n-Event", value: type.rawValue)
        request.body = .bytes(ByteBuffer(string: body))
        let deadline = TimeAmount.nanoseconds(timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let response = try await client.execute(request, timeout: deadline)
        var excerpt: [UInt8] = []
        for try await chunk in response.body {
            excerpt += chunk.readableBytesView.prefix(Self.responseExcerptBytes - excerpt.count)
            if excerpt.count >= Self.responseExcerptBytes { break }
        }
        return Answer(statusCode: Int(response.status.code), excerpt: String(decoding: excerpt, as: UTF8.self))
    }

    /// A short reason without the URL's query (which might hold something the owner considers
    /// private).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .remoteConnectionClosed: return "connection closed"
            case .connectTimeout: return "connect timeout"
            case .readTimeout: return "read timeout"
            case .deadlineExceeded: return "deadline exceeded"
            default: return String(String(describing: error).prefix(200))
            }
        }
        return String(String(describing: error).prefix(200))
    }
}

struct DeadlineExceeded: Error {}

/// HTTP clients that reach a host name only at the address the URL policy checked
/// (AsyncHTTPClient's `dnsOverride`, which keeps the name for TLS: SNI and the certificate), so
/// a name re-pointed between the check and the connection (DNS rebinding) is not followed.
///
/// `dnsOverride` belongs to a client, not a request, hence a client per name and address. A
/// name keeps its client while it keeps resolving to that address; the `limit` newest stay,
/// and one pushed out is shut down a minute later, when any attempt on it is long past its 10 s
/// deadline. Clients that stay are never shut down, as the shared client.
final class PinnedClients: Sendable {
    private struct Entry {
        var key: String
        var client: HTTPClient
    }

    private let limit: Int
    /// How long a client pushed out is kept before it is shut down.
    private let retireAfter: Duration
    /// Oldest first.
    private let entries = Mutex<[Entry]>([])

    init(limit: Int = 64, retireAfter: Duration = .seconds(60)) {
        self.limit = limit
        self.retireAfter = retireAfter
    }

    func client(host: String, address: String) -> HTTPClient {
        // The name exactly as the URL gives it: AsyncHTTPClient looks its `dnsOverride` up by the
        // URL's host as written, so a client made for another spelling would not pin this one.
        let key = host + " " + address
        let (client, retired) = entries.withLock { entries -> (HTTPClient, [HTTPClient]) in
            if let index = entries.firstIndex(where: { $0.key == key }) {
                let entry = entries.remove(at: index)
                entries.append(entry)
                return (entry.client, [])
            }
            let client = HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                configuration: WebhookSender.configuration(dnsOverride: [host: address])
            )
            entries.append(Entry(key: key, client: client))
            let excess = max(0, entries.count - limit)
            let retired = entries.prefix(excess).map(\.client)
            entries.removeFirst(excess)
            return (client, retired)
        }
        for old in retired {
            Task { [retireAfter] in
                try? await Task.sleep(for: retireAfter)
                try? await old.shutdown()
            }
        }
        return client
    }

    var count: Int { entries.withLock { $0.count } }

    /// Shuts every client down (an instance that is not the process's own, in tests).
    func shutdown() async {
        for entry in entries.withLock({ entries in defer { entries.removeAll() }; return entries }) {
            try? await entry.client.shutdown()
        }
    }
}

/// Runs `body`, cancelling it after `timeout`: the whole attempt — connect, send, answer and
/// the first KB of its body — gets one deadline.
func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
        return value
    }
}
