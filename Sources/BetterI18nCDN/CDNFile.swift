import BetterI18nCore
import Crypto
import NIOCore
import NIOPosix
import Synchronization

/// One file of the CDN tree: its bytes, their SHA-256 and its compressed forms.
///
/// Compressed forms are made once per file and encoding and kept, always on
/// ``compressionPool`` — never on an event loop, where a burst of first requests for large
/// files would stall every other connection, and never on Swift's two cooperative threads,
/// which every request handler needs. Until a form is made, ``ready(_:)`` says nil and the
/// fast paths leave the request to the router, which awaits ``prepared(_:)``.
public final class CDNFile: Sendable {
    public let body: ByteBuffer
    /// Lowercase hex SHA-256 of `body`, as the manifest lists it.
    public let sha256: String
    /// Strong validator from the content hash. The compressed forms carry their own suffix,
    /// as RFC 9110 §8.8.3 asks of strong validators for different representations.
    public let etag: String
    private let heads = Mutex<[Int: ByteBuffer]>([:])
    private let gzipped = Mutex<ByteBuffer?>(nil)
    private let brotlied = Mutex<ByteBuffer?>(nil)

    public convenience init(_ bytes: [UInt8]) {
        self.init(ByteBuffer(bytes: bytes))
    }

    /// A file over bytes already in memory: a slice of a locale's buffer shares its storage,
    /// so a release's namespace files cost no second copy of their locale.
    public init(_ buffer: ByteBuffer) {
        body = buffer
        sha256 = buffer.withUnsafeReadableBytes { Hex.lowercase(SHA256.hash(data: $0)) }
        etag = "\"\(sha256.prefix(32))\""
    }

    public convenience init(_ text: String) {
        self.init(Array(text.utf8))
    }

    public enum Encoding: String, Sendable, CaseIterable {
        case identity, gzip, br
    }

    /// One thread of its own: compression is CPU work that must not take the event loops', the
    /// cooperative pool's or SQLite's threads.
    public static let compressionPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// The bytes of `encoding` when they are already made; nil means "await ``prepared(_:)``".
    public func ready(_ encoding: Encoding) -> ByteBuffer? {
        switch encoding {
        case .identity: body
        case .gzip: gzipped.withLock { $0 }
        case .br: brotlied.withLock { $0 }
        }
    }

    /// The bytes of `encoding`, compressing them on ``compressionPool`` the first time.
    public func prepared(_ encoding: Encoding) async throws -> ByteBuffer {
        if let done = ready(encoding) { return done }
        return try await Self.compressionPool.runIfActive { self.compressNow(encoding) }
    }

    /// Makes every compressed form now, on the calling thread: for `cdn export` and for the
    /// background pass after a release is loaded.
    @discardableResult
    public func compressNow(_ encoding: Encoding) -> ByteBuffer {
        switch encoding {
        case .identity: body
        case .gzip: cached(gzipped) { Compression.gzip($0) }
        case .br: cached(brotlied) { Compression.brotli($0) }
        }
    }

    public func etag(_ encoding: Encoding) -> String {
        encoding == .identity ? etag : "\"\(sha256.prefix(32))-\(encoding.rawValue)\""
    }

    /// Serialized response heads of this file, kept by the HTTP layer under keys of its own
    /// (encoding, cache lifetime, status), so answering from memory writes no header twice.
    public func head(_ key: Int, make: () -> ByteBuffer) -> ByteBuffer {
        if let done = heads.withLock({ $0[key] }) { return done }
        let made = make()
        heads.withLock { $0[key] = made }
        return made
    }

    private func cached(_ slot: borrowing Mutex<ByteBuffer?>, _ compress: ([UInt8]) -> [UInt8]) -> ByteBuffer {
        if let done = slot.withLock({ $0 }) { return done }
        // Compressed outside the lock; two racing requests compute the same bytes and one wins.
        let made = ByteBuffer(bytes: compress(Array(body.readableBytesView)))
        return slot.withLock { slot in
            if let done = slot { return done }
            slot = made
            return made
        }
    }
}
