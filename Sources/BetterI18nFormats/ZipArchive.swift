import BetterI18nCore

/// A zip archive (PKWARE APPNOTE 6.3) of stored entries: what an export of several files
/// answers (read back with `BetterI18nAPI.StoredZip`). Deterministic: entries in the order given, every time stamp 1980-01-01 00:00, no
/// extra fields, so the same files always give the same bytes. Stored rather than deflated: the
/// files are small next to the 5 MiB an import takes, and HTTP compression can do the rest.
public enum ZipArchive {
    /// A whole archive in memory (small archives, tests); exports use ``Writer``.
    public static func make(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var output: [UInt8] = []
        var writer = Writer()
        for file in files { writer.add(file.name, file.bytes) { output += $0 } }
        writer.finish { output += $0 }
        return output
    }

    /// An archive written member by member to `write` as it goes (an export's spool file or
    /// answer): only the central directory is kept, never the archive. Each member's checksum
    /// is taken over its bytes before its header is written, so no data descriptors are needed
    /// and the bytes are those of ``make(_:)``.
    public struct Writer {
        var central: [UInt8] = []
        var offset = 0
        var count = 0

        public init() {}

        public mutating func add(_ name: String, _ bytes: [UInt8], to write: ([UInt8]) throws -> Void) rethrows {
            let name = Array(name.utf8)
            let crc = ZipArchive.checksum(bytes)
            let offset = UInt32(self.offset)
            let size = UInt32(bytes.count)
            count += 1
            let header = le32(0x0403_4B50) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
                + le32(crc) + le32(size) + le32(size) + le16(UInt16(name.count)) + le16(0) + name
            try write(header)
            try write(bytes)
            self.offset += header.count + bytes.count
            // Central directory header.
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
            central += le32(crc) + le32(size) + le32(size) + le16(UInt16(name.count)) + le16(0) + le16(0) + le16(0) + le16(0)
            central += le32(0) + le32(offset) + name
        }

        public mutating func finish(to write: ([UInt8]) throws -> Void) rethrows {
            let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
                + le32(UInt32(central.count)) + le32(UInt32(offset)) + le16(0)
            try write(central + end)
            offset += central.count + end.count
        }
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    /// CRC-32 (the same as Core's and zlib's) over contiguous bytes: the generic sequence
    /// version was a fifth of a large export's time.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        table.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { buffer in
                var crc: UInt32 = 0xFFFF_FFFF
                for byte in buffer { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
                return crc ^ 0xFFFF_FFFF
            }
        }
    }

    fileprivate static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    fileprivate static func le32(_ value: UInt32) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)] }
}
