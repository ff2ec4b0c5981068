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
/// with the same ``CDNAnswer``. It answers only while the router owes no earlier answer on the
/// connection, so pipelined responses keep their order. ``CDNRawFastPath``, which it installs
/// at the front of the pipeline, takes most hits before they are even decoded.
final class CDNFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let catalog: CDNCatalog
    private let mount: CDNMount
    private let metrics: CDNMetrics
    /// The answer to the request whose head was read, sent when its end arrives.
    private var pending: CDNAnswer?
    /// Requests the raw path in front forwarded and that are not answered yet.
    private let outstanding = CDNRawFastPath.Outstanding()

    init(catalog: CDNCatalog, mount: CDNMount, metrics: CDNMetrics) {
        self.catalog = catalog
        self.mount = mount
        self.metrics = metrics
    }

    /// Puts ``CDNRawFastPath`` at the front of the pipeline, before HTTP decoding.
    func handlerAdded(context: ChannelHandlerContext) {
        let raw = CDNRawFastPath(catalog: catalog, mount: mount, metrics: metrics, outstanding: outstanding)
        try? context.pipeline.syncOperations.addHandler(raw, position: .first)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Only the router's answers pass through here; this handler's own are written past it.
        if case .end = unwrapOutboundIn(data), outstanding.count > 0 { outstanding.count -= 1 }
        context.write(data, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            // Hummingbird answers pipelined requests one after another; answering here while it
            // still owes an earlier answer would put this one first.
            if outstanding.count == 0, let answer = answer(request) {
                pending = answer
                metrics.count(method: request.method.rawValue, status: answer.status.code)
            } else {
                outstanding.count += 1
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
            var headers = answer.headers
            headers[.date] = HTTPDateHeader.now
            headers[.server] = "better-i18n"
            context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: headers))), promise: nil)
            if let body = answer.body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    private func answer(_ request: HTTPRequest) -> CDNAnswer? {
        guard request.method == .get || request.method == .head,
              request.headerFields[.connection] == nil,
              let target = request.path,
              !target.contains("#")
        else { return nil }
        let query = target.firstIndex(of: "?")
        let path = query.map { String(target[..<$0]) } ?? target
        guard let relative = mount.relativePath(path: path, authority: request.authority),
              let hit = catalog.cachedLookup(relative, query: query.map { target[target.index(after: $0)...] })
        else { return nil }
        return CDNAnswer(hit, method: request.method, headers: request.headerFields)
    }
}
