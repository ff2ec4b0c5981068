#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where an export is written while it is made: an unnamed temporary file (unlinked as soon
/// as it is open, so nothing is left behind even if the process dies), read back in slices
/// as the answer is sent. The answer's headers (`Content-Length`, the notes of what a format
/// could not express) are known only once the whole file is written; spooling it to disk
/// rather than memory keeps a 20 MB export from costing the server 20 MB (or, with the copies
/// a growing buffer makes, several times that) per request.
public final class ExportSpool: @unchecked Sendable {
    // Written by one task while the export is made, then only read with `pread`, which keeps
    // no shared position: safe to hand to the task that sends the answer.
    private let descriptor: Int32
    public private(set) var count = 0

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init() throws {
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
            + Array("better-i18n-export-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw Failure(description: "cannot create an export file in \(directory): errno \(errno)") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        while written < bytes.count {
            let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw Failure(description: "cannot write an export file: errno \(errno)") }
            written += result
        }
        count += bytes.count
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Copies up to `buffer.count` bytes from `offset` into `buffer`; the number copied (0 at
    /// the end).
    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let result = pread(descriptor, buffer.baseAddress!, min(buffer.count, max(0, count - offset)), off_t(offset))
            if result < 0, errno == EINTR { continue }
            guard result >= 0 else { throw Failure(description: "cannot read an export file: errno \(errno)") }
            return result
        }
    }
}
