import BetterI18nAPI
import BetterI18nFormats
import Testing

/// The one zip reader (the client library's and the tests'): it reads back what the server's
/// writer makes, and refuses what it cannot take or what would write outside its directory.
@Suite struct StoredZipTests {
    @Test func readsBackWhatTheServerWrites() throws {
        let files: [(name: String, bytes: [UInt8])] = [("default/de.json", Array("{\"a\":\"b\"}".utf8)), ("default/fr.json", []), ("x.strings", [0, 255])]
        let entries = try #require(StoredZip.entries(ZipArchive.make(files)))
        #expect(entries.map(\.path) == files.map(\.name))
        #expect(entries.map(\.bytes) == files.map(\.bytes))
        #expect(StoredZip.entries([])?.isEmpty == true)
    }

    @Test func refusesPathsOutsideItsDirectoryCompressionAndTruncation() {
        for name in ["../evil.json", "default/../../evil.json", "/etc/passwd"] {
            #expect(StoredZip.entries(ZipArchive.make([(name, [1, 2, 3])])) == nil, "\(name)")
        }
        var compressed = ZipArchive.make([("a.json", [1, 2, 3])])
        compressed[8] = 8  // deflate
        #expect(StoredZip.entries(compressed) == nil)
        let whole = ZipArchive.make([("a.json", Array(repeating: 7, count: 100))])
        #expect(StoredZip.entries(Array(whole.prefix(60))) == nil)
    }
}
