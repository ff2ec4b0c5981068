import BetterI18nCore
import BetterI18nWebhooks
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing
@testable import BetterI18nStorage

extension Backend {
    /// A storage of its own: on PostgreSQL a fresh database, so a test's fan-out and claims
    /// never meet another test's deliveries in the shared one.
    func openIsolated() async throws -> SQLStorage {
        switch self {
        case .sqlite:
            return try await open()
        case .postgres:
            let base = try await open()
            let name = "webhooks_" + Unique.suffix()
            _ = try await base.driver.read { database in try await database.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            try await base.close()
            var components = try #require(URLComponents(string: Backend.postgresURL!))
            components.path = "/" + name
            return try await StorageFactory.open(url: try #require(components.string), logger: .quiet)
        }
    }
}

extension SQLStorage {
    /// The outbox's events of these types, oldest first (tests only).
    func outbox(_ types: [EventType]? = nil) async throws -> [(type: EventType, body: String)] {
        try await driver.read { database in
            try await database.raw("SELECT type, body FROM events ORDER BY created_at, id").all().compactMap { row in
                guard let type = EventType(rawValue: try row.decode(column: "type", as: String.self)) else { return nil }
                return (type, try row.decode(column: "body", as: String.self))
            }
        }.filter { types?.contains($0.type) ?? true }
    }
}

/// What a receiver got: one request's headers and body.
struct ReceivedRequest: Sendable {
    let headers: [String: String]
    let body: Data
    /// The request's host and port as the sender named them (`Host`).
    var authority: String? = nil
    var webhookID: String { headers["webhook-id"] ?? "" }
    var type: String { headers["x-better-i18n-event"] ?? "" }
}

/// An HTTP receiver on loopback (Hummingbird): records every POST and answers as the test says.
final class Receiver: Sendable {
    enum Behaviour: Sendable {
        case status(Int)
        case hang(Duration)
        case slow(Duration, Int)
        case redirect(String)
    }

    private let received = Mutex<[ReceivedRequest]>([])
    private let behaviour: Mutex<Behaviour>
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)
    let port: Int

    private init(port: Int, behaviour: Behaviour) {
        self.port = port
        self.behaviour = Mutex(behaviour)
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var requests: [ReceivedRequest] { received.withLock { $0 } }

    func answer(_ behaviour: Behaviour) {
        self.behaviour.withLock { $0 = behaviour }
    }

    static func start(_ behaviour: Behaviour = .status(204), port wanted: Int = 0) async throws -> Receiver {
        let ports = AsyncStream<Int>.makeStream()
        let holder = Mutex<Receiver?>(nil)
        let router = Router()
        router.post("/hook") { request, context -> Response in
            let receiver = holder.withLock { $0 }!
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            receiver.received.withLock {
                $0.append(ReceivedRequest(headers: headers, body: Data(buffer: body), authority: request.head.authority))
            }
            switch receiver.behaviour.withLock({ $0 }) {
            case .status(let code):
                return Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: "answer \(code)")))
            case .hang(let duration):
                try await Task.sleep(for: duration)
                return Response(status: .ok)
            case .slow(let duration, let code):
                try await Task.sleep(for: duration)
                return Response(status: .init(code: code))
            case .redirect(let location):
                return Response(status: .found, headers: [.location: location])
            }
        }
        router.post("/elsewhere") { _, _ -> Response in
            holder.withLock { $0 }!.received.withLock { $0.append(ReceivedRequest(headers: ["redirected": "yes"], body: Data())) }
            return Response(status: .ok)
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: wanted)),
            onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: .quiet
        )
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.stream.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let receiver = Receiver(port: port, behaviour: behaviour)
        holder.withLock { $0 = receiver }
        receiver.task.withLock { $0 = task }
        return receiver
    }

    func stop() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }
}

/// A listener that accepts connections and closes them as soon as the request arrives: a
/// receiver that dies mid-request.
final class ClosingListener: Sendable {
    let channel: any Channel
    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/hook" }

    private final class CloseOnRead: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.close(promise: nil)
        }
    }

    init() async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(CloseOnRead()) }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async {
        try? await channel.close()
    }
}

/// A receiver that sends an answer's head and the start of its body, then nothing more: the
/// attempt's deadline must also cover reading the body (AsyncHTTPClient's own deadline ends
/// with the head).
final class StallingBodyListener: Sendable {
    let channel: any Channel
    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/hook" }

    private final class StallAfterHead: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstarted"
            context.writeAndFlush(NIOAny(ByteBuffer(string: head)), promise: nil)
        }
    }

    init() async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(StallAfterHead()) }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async {
        try? await channel.close()
    }
}
