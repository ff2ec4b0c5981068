/// Reads the zip an export answers with when it has several files: stored (uncompressed)
/// entries, one local header each, as the server writes them (PKWARE APPNOTE 6.3). Here, beside
/// the other wire types, so the client library and the server's tests read it with one reader.
public enum StoredZip {
    /// The entries by relative path, in order; nil for an archive this reader cannot take (a
    /// compressed entry, a truncated one, or a path that would leave the directory it is written
    /// to: absolute, or with a `..` component).
    public static func entries(_ archive: [UInt8]) -> [(path: String, bytes: [UInt8])]? {
        var result: [(path: String, bytes: [UInt8])] = []
        var index = 0
        func read16(_ at: Int) -> Int { Int(archive[at]) | Int(archive[at + 1]) << 8 }
        func read32(_ at: Int) -> Int { read16(at) | read16(at + 2) << 16 }
        while index + 30 <= archive.count, read32(index) == 0x0403_4B50 {
            guard read16(index + 8) == 0 else { return nil }
            let size = read32(index + 18)
            let nameLength = read16(index + 26)
            let start = index + 30 + nameLength + read16(index + 28)
            guard start + size <= archive.count else { return nil }
            let path = String(decoding: archive[(index + 30)..<(index + 30 + nameLength)], as: UTF8.self)
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return nil }
            result.append((path, Array(archive[start..<(start + size)])))
            index = start + size
        }
        return result
    }
}
