import CCompression

/// gzip and brotli for the CDN's files, through the system's zlib and libbrotli (one-shot).
/// Output depends only on the input, so the server and `cdn export` produce the same bytes.
public enum Compression {
    /// Brotli at quality 11 is slow (about 1 MB/s); past this size files get quality 5, which
    /// compresses at tens of MB/s and loses a few percent.
    static let maximumQuality11Size = 64 * 1024

    public static func gzip(_ input: [UInt8]) -> [UInt8] {
        run { out, length in input.withUnsafeBufferPointer { bi_gzip($0.baseAddress, $0.count, 9, out, length) } }
    }

    public static func brotli(_ input: [UInt8]) -> [UInt8] {
        let quality: Int32 = input.count <= maximumQuality11Size ? 11 : 5
        return run { out, length in input.withUnsafeBufferPointer { bi_brotli($0.baseAddress, $0.count, quality, out, length) } }
    }

    /// For tests and tools that check what a client will decode; nil when the input is not valid.
    public static func gunzip(_ input: [UInt8]) -> [UInt8]? {
        try? runThrowing { out, length in input.withUnsafeBufferPointer { bi_gunzip($0.baseAddress, $0.count, out, length) } }
    }

    public static func unbrotli(_ input: [UInt8]) -> [UInt8]? {
        try? runThrowing { out, length in input.withUnsafeBufferPointer { bi_unbrotli($0.baseAddress, $0.count, out, length) } }
    }

    private struct Failed: Error {}

    private static func run(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>) -> Int32) -> [UInt8] {
        // Compressing bytes in memory only fails when memory runs out.
        guard let bytes = try? runThrowing(body) else { fatalError("compression failed: out of memory") }
        return bytes
    }

    private static func runThrowing(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>) -> Int32) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard body(&out, &length) == 0, let out else { throw Failed() }
        defer { bi_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}
