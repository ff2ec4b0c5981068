import BetterI18nCDN
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers CDN requests for files already in memory straight from the event loop, before the
/// request reaches the async router: the CDN's hot path is a dictionary lookup, and the hop to
/// a task and back cost more than everything else together (see `bench/cdn_bench.py`).
///
/// Anything it cannot answer from memory — the first request after a publish, unknown paths,
/// other methods, `Connection: close` — goes on to ``CDNMiddleware`` unchanged, which answers
/// with the same ``CDNAnswer``. NIO's pipelining handler, upstream of this one, hands over one
/// request at a time, so answering here never reorders responses on a connection.
final class CDNFastPath: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let catalog: CDNCatalog
    private let mount: CDNMount
    /// The answer to the request whose head was read, sent when its end arrives.
    private var pending: CDNAnswer?

    init(catalog: CDNCatalog, mount: CDNMount) {
        self.catalog = catalog
        self.mount = mount
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if let answer = answer(request) {
                pending = answer
            } else {
                context.fireChannelRead(data)
            }
        case .body:
            if pending == nil { context.fireChannelRead(data) }
        case .end:
            guard let answer = pending else {
                context.fireChannelRead(data)
                return
            }
            pending = nil
            context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: answer.headers))), promise: nil)
            if let body = answer.body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    private func answer(_ request: HTTPRequest) -> CDNAnswer? {
        guard request.method == .get || request.method == .head,
              request.headerFields[.connection] == nil,
              let path = request.path,
              !path.contains("?"),
              let relative = mount.relativePath(path: path, authority: request.authority),
              let hit = catalog.cachedLookup(relative)
        else { return nil }
        return CDNAnswer(hit, method: request.method, headers: request.headerFields)
    }
}
