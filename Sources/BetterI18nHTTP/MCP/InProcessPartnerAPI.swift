import BetterI18nMCP
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The server's own router, for requests made from inside the server. Set once the router is
/// built (the MCP route that uses it is part of that router).
final class RouterBox: Sendable {
    private let responder = Mutex<RouterResponder<AppRequestContext>?>(nil)

    func set(_ value: RouterResponder<AppRequestContext>) { responder.withLock { $0 = value } }
    var value: RouterResponder<AppRequestContext>? { responder.withLock { $0 } }
}

/// ``PartnerAPI`` for `{api}/mcp`: each tool's REST call goes through this server's own router —
/// the same middleware, token check, rate limit, scope and organization checks as a partner's
/// HTTP call — with the MCP session's current installation token. No network hop.
struct InProcessPartnerAPI: PartnerAPI {
    let router: RouterBox
    let token: @Sendable () -> String
    let logger: Logger

    func send(_ request: PartnerAPIRequest) async throws -> PartnerAPIResponse {
        guard let responder = router.value, let method = HTTPRequest.Method(request.method) else {
            throw PartnerAPIUnreachable(description: "the server is not ready")
        }
        var head = HTTPRequest(method: method, scheme: "http", authority: "in-process", path: request.target)
        head.headerFields[.authorization] = "Bearer \(token())"
        var body = ByteBuffer()
        if let data = request.body {
            head.headerFields[.contentType] = "application/json"
            body = ByteBuffer(bytes: data)
        }
        let response: Response
        do {
            response = try await responder.respond(to: Request(head: head, body: .init(buffer: body)), context: AppRequestContext(inProcess: logger))
        } catch let error as APIError {
            response = error.response()
        } catch let error as HTTPError {
            response = APIError(httpError: error).response()
        }
        let collector = BodyCollector()
        try await response.body.write(collector)
        return PartnerAPIResponse(status: Int(response.status.code), body: collector.data, retryAfter: response.headers[.retryAfter])
    }
}

/// Collects a response body in memory.
private struct BodyCollector: ResponseBodyWriter {
    private final class Storage: @unchecked Sendable {
        var data = Data()
    }

    private let storage = Storage()
    var data: Data { storage.data }

    mutating func write(_ buffer: ByteBuffer) async throws {
        storage.data.append(contentsOf: buffer.readableBytesView)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// The request context of a call from inside the server.
private struct InProcessSource: RequestContextSource {
    let logger: Logger
}

extension AppRequestContext {
    init(inProcess logger: Logger) {
        self.init(coreContext: .init(source: InProcessSource(logger: logger)), clientAddress: "in-process")
    }
}
