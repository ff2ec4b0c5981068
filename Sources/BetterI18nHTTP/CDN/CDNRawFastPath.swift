import BetterI18nCDN
import Hummingbird
import NIOCore
import Synchronization

/// The CDN's hottest path: complete `GET`/`HEAD` requests for files already in memory are read
/// and answered as bytes at the front of the connection's pipeline, before HTTP decoding, with
/// response heads serialized once per file. NIO's HTTP/1 codec and the HTTPTypes conversions
/// cost more than everything else of such a request (measured: a constant answer through them
/// tops out at the same rate as a real lookup; see `bench/cdn_bench.py`).
///
/// It only ever takes or forwards whole requests without a body, so the HTTP decoder behind it
/// always starts at a request boundary; anything it does not fully understand — a body, a
/// `Connection`/`Expect`/`Upgrade` header, HTTP/1.0, a request split oddly across reads beyond
/// 16 KiB — switches the connection to plain pass-through for good. A request it forwards (a
/// miss) is answered by the router; while such an answer is outstanding, later requests are
/// forwarded too, so pipelined responses never overtake each other.
final class CDNRawFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Requests handed to the router and not yet answered, counted by the ``CDNFastPath``
    /// behind the codec (it sees them go in and their answers' ends come out). Event-loop only.
    final class Outstanding {
        var count = 0
    }

    private let catalog: CDNCatalog
    private let mount: CDNMount
    private let metrics: CDNMetrics
    let outstanding: Outstanding
    private var passThrough = false
    private var pending: ByteBuffer?

    static let maximumHead = 16 * 1024

    init(catalog: CDNCatalog, mount: CDNMount, metrics: CDNMetrics, outstanding: Outstanding) {
        self.catalog = catalog
        self.mount = mount
        self.metrics = metrics
        self.outstanding = outstanding
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !passThrough else { return context.fireChannelRead(data) }
        var buffer = unwrapInboundIn(data)
        if var earlier = pending {
            earlier.writeBuffer(&buffer)
            buffer = earlier
            pending = nil
        }
        var wrote = false
        while buffer.readableBytes > 0 {
            guard let headLength = Self.headLength(buffer) else {
                // An incomplete head: wait for the rest, within reason.
                if buffer.readableBytes > Self.maximumHead { return giveUp(context, buffer, flush: wrote) }
                pending = buffer
                break
            }
            guard let request = RawRequest(buffer.getSlice(at: buffer.readerIndex, length: headLength)!) else {
                return giveUp(context, buffer, flush: wrote)
            }
            let whole = buffer.readSlice(length: headLength)!
            if outstanding.count == 0, let hit = lookup(request), answer(hit, request, context) {
                wrote = true
            } else {
                // Decoded at once: by the time this returns, ``CDNFastPath`` has either answered it
                // (nothing was outstanding) or counted it as outstanding for the router.
                context.fireChannelRead(wrapInboundOut(whole))
            }
        }
        if wrote { context.flush() }
    }

    private func giveUp(_ context: ChannelHandlerContext, _ rest: ByteBuffer, flush: Bool) {
        passThrough = true
        if flush { context.flush() }
        context.fireChannelRead(wrapInboundOut(rest))
    }

    private func lookup(_ request: RawRequest) -> CDNCatalog.Hit? {
        guard !request.hasFragment, let relative = mount.relativePath(path: request.path, authority: request.host) else { return nil }
        return catalog.cachedLookup(relative, query: request.query.map { Substring($0) })
    }

    /// Writes the answer when everything it needs is in memory; false leaves the request to
    /// the router (an encoding not compressed yet).
    private func answer(_ hit: CDNCatalog.Hit, _ request: RawRequest, _ context: ChannelHandlerContext) -> Bool {
        let encoding = ContentNegotiation.encoding(request.acceptEncoding)
        let notModified = request.ifNoneMatch.map { ContentNegotiation.matches($0, hit.file) } ?? false
        let representation = hit.file.ready(encoding)
        guard notModified || representation != nil else { return false }
        let key = (notModified ? 1 : 0) | (hit.immutable ? 2 : 0) | (request.isHead ? 4 : 0)
            | (encoding == .br ? 8 : encoding == .gzip ? 16 : 0)
        let head = hit.file.head(key) {
            var fields = HTTPFields()
            if let value = request.acceptEncoding { fields[.acceptEncoding] = value }
            if let value = request.ifNoneMatch { fields[.ifNoneMatch] = value }
            // Ready (or 304) as checked above, so the answer exists.
            return CDNAnswer(hit, method: request.isHead ? .head : .get, headers: fields).map(Self.serialize) ?? ByteBuffer()
        }
        context.write(wrapOutboundOut(head), promise: nil)
        context.write(wrapOutboundOut(Self.tail), promise: nil)
        if !notModified, !request.isHead, let representation {
            context.write(wrapOutboundOut(representation), promise: nil)
        }
        metrics.count(method: request.isHead ? "HEAD" : "GET", status: notModified ? 304 : 200)
        return true
    }

    /// `Date` and `Server` and the blank line, remade once a second.
    private static var tail: ByteBuffer {
        let date = HTTPDateHeader.now
        return tails.withLock { cached in
            if cached.date == date { return cached.buffer }
            var buffer = ByteBuffer()
            buffer.writeString("Date: \(date)\r\nServer: better-i18n\r\n\r\n")
            cached = (date, buffer)
            return buffer
        }
    }

    private static let tails = Mutex<(date: String, buffer: ByteBuffer)>(("", ByteBuffer()))

    /// Status line and fields, without the `Date` and `Server` lines and the blank line.
    static func serialize(_ answer: CDNAnswer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("HTTP/1.1 \(answer.status.code) \(answer.status.reasonPhrase)\r\n")
        for field in answer.headers {
            buffer.writeString(field.name.rawName)
            buffer.writeString(": ")
            buffer.writeString(field.value)
            buffer.writeString("\r\n")
        }
        return buffer
    }

    /// Bytes up to and including the blank line that ends the head, when it has arrived.
    static func headLength(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard bytes.count >= 4 else { return nil }
            var index = 3
            while index < bytes.count {
                if bytes[index] == 0x0A, bytes[index - 1] == 0x0D, bytes[index - 2] == 0x0A, bytes[index - 3] == 0x0D {
                    return index + 1
                }
                index += 1
            }
            return nil
        }
    }
}

/// A request head this handler is willing to take: a plain, well-formed `GET`/`HEAD`, HTTP/1.1,
/// no framing headers (so no body), no connection management. Everything else — a malformed
/// field line, a stray CR or LF, a control character — fails to parse and goes the normal way. Parsed on
/// bytes: only the path and the three header values it needs become strings.
struct RawRequest {
    let isHead: Bool
    /// The target's path, without the query.
    let path: String
    /// What follows `?` in the target, if anything.
    let query: String?
    let hasFragment: Bool
    var host: String?
    var acceptEncoding: String?
    var ifNoneMatch: String?

    init?(_ head: ByteBuffer) {
        let parsed: RawRequest? = head.withUnsafeReadableBytes { bytes in Self.parse(bytes) }
        guard let parsed else { return nil }
        self = parsed
    }

    private init(isHead: Bool, path: String, query: String?, hasFragment: Bool) {
        self.isHead = isHead
        self.path = path
        self.query = query
        self.hasFragment = hasFragment
    }

    private static let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, colon: UInt8 = 58, tab: UInt8 = 9

    private static func parse(_ bytes: UnsafeRawBufferPointer) -> RawRequest? {
        // Request line: METHOD SP TARGET SP HTTP/1.1 CRLF
        guard let lineEnd = index(of: cr, in: bytes, from: 0), lineEnd + 1 < bytes.count, bytes[lineEnd + 1] == lf,
              let firstSpace = index(of: space, in: bytes, from: 0, before: lineEnd),
              let secondSpace = index(of: space, in: bytes, from: firstSpace + 1, before: lineEnd)
        else { return nil }
        let isHead: Bool
        if equals(bytes, 0, firstSpace, "GET") { isHead = false } else if equals(bytes, 0, firstSpace, "HEAD") { isHead = true } else { return nil }
        guard equals(bytes, secondSpace + 1, lineEnd, "HTTP/1.1"), secondSpace > firstSpace + 1, bytes[firstSpace + 1] == UInt8(ascii: "/")
        else { return nil }
        let target = UnsafeRawBufferPointer(rebasing: bytes[(firstSpace + 1)..<secondSpace])
        guard target.allSatisfy({ $0 > space && $0 < 0x7F }) else { return nil }
        let hasFragment = target.contains(UInt8(ascii: "#"))
        var request: RawRequest
        if let mark = target.firstIndex(of: UInt8(ascii: "?")) {
            request = RawRequest(
                isHead: isHead, path: String(decoding: UnsafeRawBufferPointer(rebasing: target[..<mark]), as: UTF8.self),
                query: String(decoding: UnsafeRawBufferPointer(rebasing: target[(mark + 1)...]), as: UTF8.self), hasFragment: hasFragment
            )
        } else {
            request = RawRequest(isHead: isHead, path: String(decoding: target, as: UTF8.self), query: nil, hasFragment: hasFragment)
        }
        var start = lineEnd + 2
        while start + 1 < bytes.count, !(bytes[start] == cr && bytes[start + 1] == lf) {
            guard let end = index(of: cr, in: bytes, from: start), end + 1 < bytes.count, bytes[end + 1] == lf,
                  let separator = index(of: colon, in: bytes, from: start, before: end),
                  // A field name is a non-empty token right before the colon (RFC 9112 §5.1): this
                  // refuses `Content-Length : 5` and obs-fold continuation lines alike.
                  separator > start, (start..<separator).allSatisfy({ isTokenCharacter(bytes[$0]) }),
                  // A value holds no CR, LF, NUL or other controls but HTAB (RFC 9110 §5.5).
                  ((separator + 1)..<end).allSatisfy({ bytes[$0] == tab || (bytes[$0] >= space && bytes[$0] != 0x7F) })
            else { return nil }
            var valueStart = separator + 1
            while valueStart < end, bytes[valueStart] == space || bytes[valueStart] == tab { valueStart += 1 }
            var valueEnd = end
            while valueEnd > valueStart, bytes[valueEnd - 1] == space || bytes[valueEnd - 1] == tab { valueEnd -= 1 }
            func value() -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self) }
            switch separator - start {
            case 4 where equalsIgnoringCase(bytes, start, separator, "host"): request.host = value()
            case 15 where equalsIgnoringCase(bytes, start, separator, "accept-encoding"):
                request.acceptEncoding = request.acceptEncoding.map { $0 + ", " + value() } ?? value()
            case 13 where equalsIgnoringCase(bytes, start, separator, "if-none-match"):
                request.ifNoneMatch = request.ifNoneMatch.map { $0 + ", " + value() } ?? value()
            // Any framing header, even `Content-Length: 0` (or two of them), is the HTTP parser's
            // business: a proxy in front may read it differently (request smuggling).
            case 14 where equalsIgnoringCase(bytes, start, separator, "content-length"): return nil
            case 17 where equalsIgnoringCase(bytes, start, separator, "transfer-encoding"): return nil
            case 10 where equalsIgnoringCase(bytes, start, separator, "connection"),
                 10 where equalsIgnoringCase(bytes, start, separator, "keep-alive"): return nil
            case 6 where equalsIgnoringCase(bytes, start, separator, "expect"): return nil
            case 7 where equalsIgnoringCase(bytes, start, separator, "upgrade"): return nil
            case 16 where equalsIgnoringCase(bytes, start, separator, "proxy-connection"): return nil
            default: break
            }
            start = end + 2
        }
        return request
    }

    /// `tchar` of RFC 9110 §5.6.2.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }

    private static func index(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int, before end: Int? = nil) -> Int? {
        var index = start
        let limit = end ?? bytes.count
        while index < limit {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ text: StaticString) -> Bool {
        guard end - start == text.utf8CodeUnitCount else { return false }
        let expected = text.utf8Start
        for offset in 0..<(end - start) where bytes[start + offset] != expected[offset] { return false }
        return true
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lowercase: StaticString) -> Bool {
        guard end - start == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for offset in 0..<(end - start) {
            var byte = bytes[start + offset]
            if byte >= 65, byte <= 90 { byte += 32 }
            if byte != expected[offset] { return false }
        }
        return true
    }
}
