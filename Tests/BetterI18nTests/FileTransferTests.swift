import BetterI18nAPI
import BetterI18nCore
import BetterI18nFormats
@testable import BetterI18nCLI
import BetterI18nClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §12 over the partner API: export and import routes, round trips per format, and every
/// kind of bad file refused with its line or key and nothing written.
@Suite struct FileTransferTests {
    static let scopes = "org:read projects:read projects:write keys:read keys:write translations:read translations:write"

    struct Files {
        let partner: PartnerResourceTests.Partner
        let token: String

        func export(_ project: String, _ query: String) async throws -> TestResponse {
            try await partner.call("/api/oauth-client/v1/projects/\(project)/export?\(query)", token: token)
        }

        func importFile(_ project: String, _ query: String, _ bytes: [UInt8], contentType: String = "application/octet-stream",
                        token: String? = nil) async throws -> TestResponse {
            try await partner.client.execute(
                uri: "/api/oauth-client/v1/projects/\(project)/import?\(query)", method: .post,
                headers: [.authorization: "Bearer \(token ?? self.token)", .contentType: contentType], body: ByteBuffer(bytes: bytes)
            )
        }

        func json(_ response: TestResponse) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
        }

        func keyCount(_ project: String) async throws -> Int {
            let body = try json(try await partner.call("/api/oauth-client/v1/projects/\(project)", token: token))
            return body["key_count"] as? Int ?? -1
        }
    }

    func withFiles(backend: Backend = .sqlite, _ body: @Sendable @escaping (Files, OAuthWorld) async throws -> Void) async throws {
        let world = try await OAuthWorld(backend: backend)
        try await world.test { client in
            let tokens = try await OAuthDriver(client: client, world: world).tokens(scope: Self.scopes)
            let partner = PartnerResourceTests.Partner(client: client, world: world, tokens: tokens)
            let token = try await partner.installation()
            try await body(Files(partner: partner, token: token), world)
        }
    }

    /// Values that exercise every mapping: placeholders (one, several, reordered), plurals with
    /// text around them and with ru's four categories, a select, quoting, `%`, newlines,
    /// quotes, descriptions, nested and flat names, a second namespace, a missing value.
    static func seed(_ files: Files, _ world: OAuthWorld) async throws {
        for (index, project) in world.projects.enumerated() {
            for code in (index == 0 ? [] : ["de"]) + ["ru", "ja"] {
                let added = try await files.partner.call("/api/oauth-client/v1/projects/\(project.id.rawValue)/languages", method: .post,
                                                         token: files.token, json: ["code": code])
                #expect(added.status == .created)
            }
        }
        let keys: [[String: Any]] = [
            ["name": "greeting", "description": "Shown on the home page",
             "translations": ["en": "Hello, {name}!", "de": "Hallo, {name}!", "ru": "Привет, {name}!", "ja": "こんにちは、{name}!"]],
            ["name": "files", "translations": [
                "en": "You have {count, plural, one {# file} other {# files}}.",
                "de": "Sie haben {count, plural, one {# Datei} other {# Dateien}}.",
                "ru": "{count, plural, one {# файл} few {# файла} many {# файлов} other {# файлов}}",
                "ja": "{count, plural, other {# ファイル}}",
            ]],
            ["name": "inbox", "translations": [
                "en": "{user} has {count, number} messages in {folder}",
                "de": "In {folder} hat {user} {count, number} Nachrichten",
            ]],
            ["name": "login.title", "translations": ["en": "Sign in", "de": "Anmelden", "ru": "Войти"]],
            ["name": "login.button", "translations": ["en": "Go", "de": "Los"]],
            ["name": "quote", "description": "Quotes, braces and percent",
             "translations": ["en": "Don't use '{braces}' or 100% \"quotes\"\nnext line", "de": "Keine '{Klammern}' oder 100 % \"Zitate\"\nnächste Zeile"]],
            ["name": "gender", "translations": ["en": "{g, select, male {He} female {She} other {They}}"]],
            ["name": "Hello, world!", "translations": ["en": "Hello, world!", "de": "Hallo, Welt!"]],
            ["name": "theme", "namespace": "settings", "translations": ["en": "Theme", "de": "Design"]],
        ]
        let created = try await files.partner.call("/api/oauth-client/v1/projects/\(world.projects[0].id.rawValue)/keys", method: .post,
                                                   token: files.token, json: ["keys": keys])
        #expect(created.status == .created)
    }

    /// The files of an export: the zip's entries, or the one file under its name.
    static func files(_ response: TestResponse) throws -> [(name: String, bytes: [UInt8])] {
        let bytes = Array(response.body.readableBytesView)
        if response.headers[.contentType] == "application/zip" { return try #require(StoredZip.entries(bytes)).map { (name: $0.path, bytes: $0.bytes) } }
        let disposition = response.headers[.contentDisposition] ?? ""
        let name = disposition.components(separatedBy: "filename=\"").last?.dropLast() ?? ""
        return [(String(name), bytes)]
    }

    @Test(arguments: FileFormat.allCases)
    func exportImportIntoAnEmptyProjectAndExportAgainIsByteForByte(_ format: FileFormat) async throws {
        try await withFiles { files, world in
            try await Self.seed(files, world)
            let source = world.projects[0].id.rawValue, target = world.projects[1].id.rawValue
            let first = try await files.export(source, "format=\(format.rawValue)")
            #expect(first.status == .ok)
            #expect(first.headers[.contentDisposition]?.hasPrefix("attachment; filename=") == true)
            let exported = try Self.files(first)
            #expect(exported.count == (format.holdsAllLanguages ? 2 : 8), "\(format): one file per namespace (and language)")
            // Source-language files first, so the others' placeholders are named after it.
            let ordered = exported.sorted { lhs, _ in lhs.name.contains("/en.") }
            for file in ordered {
                let namespace = file.name.hasPrefix("settings") ? "settings" : "default"
                var query = "format=\(format.rawValue)&namespace=\(namespace)"
                if !format.holdsAllLanguages {
                    let language = file.name.split(separator: "/").last!.split(separator: ".").first!
                    query += "&language=\(language)"
                }
                let imported = try await files.importFile(target, query, file.bytes)
                #expect(imported.status == .ok, "\(format) \(file.name): \(String(decoding: imported.body.readableBytesView, as: UTF8.self))")
            }
            let second = try await files.export(target, "format=\(format.rawValue)")
            let again = try Self.files(second)
            #expect(again.map(\.name) == exported.map(\.name))
            for (before, after) in zip(exported, again) {
                #expect(before.bytes == after.bytes, "\(format) \(before.name):\n\(String(decoding: before.bytes, as: UTF8.self))\n---\n\(String(decoding: after.bytes, as: UTF8.self))")
            }
            #expect(Array(first.body.readableBytesView) == Array(second.body.readableBytesView))
            // And importing the same files again into the first project changes nothing.
            for file in exported where !format.holdsAllLanguages && file.name.hasPrefix("default/de") {
                let result = try files.json(try await files.importFile(source, "format=\(format.rawValue)&language=de&on_conflict=update", file.bytes))
                #expect(result["updated"] as? Int == 0, "\(format): \(result)")
                #expect(result["created"] as? Int == 0, "\(format): \(result)")
            }
        }
    }

    @Test func exportsAreOneFileWhenOneIsAskedForAndCarryNoProjectData() async throws {
        try await withFiles { files, world in
            try await Self.seed(files, world)
            let project = world.projects[0].id.rawValue
            let response = try await files.export(project, "format=json&languages=de&namespace=default")
            #expect(response.status == .ok)
            #expect(response.headers[.contentDisposition] == "attachment; filename=\"default.de.json\"")
            let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
            #expect(text.contains("\"login\": {\n    \"button\": \"Los\",\n    \"title\": \"Anmelden\"\n  }"))
            #expect(!text.contains(world.projects[0].name) && !text.contains(project))
            // One target language still carries (and is numbered by) the source values.
            let po = String(decoding: try await files.export(project, "format=po&languages=de").body.readableBytesView, as: UTF8.self)
            #expect(po.contains("msgctxt \"greeting\"\nmsgid \"Hello, {name}!\"\nmsgstr \"Hallo, {name}!\""))
            let strings = String(decoding: try await files.export(project, "format=strings&languages=de&namespace=default").body.readableBytesView, as: UTF8.self)
            #expect(strings.contains("\"inbox\" = \"In %3$@ hat %1$@ %2$lld Nachrichten\";"))
            let android = try await files.export(project, "format=android&languages=en&namespace=default")
            #expect(android.headers[HTTPFields.Element.Name("X-Export-Notes")!] == "2", "gender (select) and 'Hello, world!' (name)")
            #expect(try await files.export(project, "format=yaml").status == .badRequest)
            #expect(try await files.export(project, "format=json&languages=xx").status == .unprocessableContent)
            #expect(try await files.export(project, "format=json&status=published").status == .unprocessableContent)
        }
    }

    @Test func publishedExportsTheLatestRelease() async throws {
        try await withFiles { files, world in
            try await Self.seed(files, world)
            _ = try await world.server.dependencies.releases.publish(world.projects[0], languages: nil, by: .operator)
            let project = world.projects[0].id.rawValue
            _ = try await files.partner.call("/api/oauth-client/v1/projects/\(project)/translations", method: .put, token: files.token,
                                             json: ["translations": [["key": "login.title", "language": "de", "value": "Einloggen"]]])
            let published = String(decoding: try await files.export(project, "format=json-flat&languages=de&namespace=default&status=published").body.readableBytesView, as: UTF8.self)
            let draft = String(decoding: try await files.export(project, "format=json-flat&languages=de&namespace=default").body.readableBytesView, as: UTF8.self)
            #expect(published.contains("\"login.title\": \"Anmelden\""))
            #expect(draft.contains("\"login.title\": \"Einloggen\""))
        }
    }

    @Test(arguments: Backend.available)
    func dryRunCountsAndWritesNothingAndSkipKeepsStoredValues(_ backend: Backend) async throws {
        try await withFiles(backend: backend) { files, world in
            let project = world.projects[0].id.rawValue
            let file = Array("{\"a\": \"A\", \"b\": \"B\"}".utf8)
            let dry = try files.json(try await files.importFile(project, "format=json-flat&language=en&dry_run=true", file))
            #expect(dry["created"] as? Int == 2)
            #expect(dry["dry_run"] as? Bool == true)
            #expect(try await files.keyCount(project) == 0)
            _ = try await files.importFile(project, "format=json-flat&language=en", file)
            #expect(try await files.keyCount(project) == 2)
            let changed = Array("{\"a\": \"A2\", \"b\": \"B\", \"c\": \"C\"}".utf8)
            let skipped = try files.json(try await files.importFile(project, "format=json-flat&language=en", changed))
            #expect(skipped["created"] as? Int == 1 && skipped["skipped"] as? Int == 2 && skipped["updated"] as? Int == 0)
            let updated = try files.json(try await files.importFile(project, "format=json-flat&language=en&on_conflict=update", changed))
            #expect(updated["updated"] as? Int == 1 && updated["skipped"] as? Int == 2)
        }
    }

    /// Past the 1,000 items of a JSON bulk write, in one transaction, on every backend.
    @Test(arguments: Backend.available)
    func largeImportsAreOneWriteOnEveryBackend(_ backend: Backend) async throws {
        try await withFiles(backend: backend) { files, world in
            let project = world.projects[0].id.rawValue
            let entries = (0..<2_500).map { "\"screen.item_\($0)\": \"Item {count, plural, one {#} other {#}} \($0)\"" }
            let file = Array(("{\n" + entries.joined(separator: ",\n") + "\n}").utf8)
            let result = try files.json(try await files.importFile(project, "format=json-flat&language=en", file))
            #expect(result["created"] as? Int == 2_500)
            #expect(try await files.keyCount(project) == 2_500)
            // One bad value among them and nothing of a second file is written.
            let bad = (0..<1_200).map { "\"more.item_\($0)\": \"\($0 == 1_100 ? "{oops" : "fine")\"" }
            let errors = try await rejected(files, project, "format=json-flat&language=en", Array(("{\n" + bad.joined(separator: ",\n") + "\n}").utf8))
            #expect(errors.count == 1 && errors.first?["line"] as? Int == 1_102)
            #expect(try await files.keyCount(project) == 2_500)
        }
    }

    /// Exports far larger than the 256 KiB pieces they are written to the spool and sent in (a
    /// String Catalog handed on many times, zip members each larger than a slice) arrive whole,
    /// with their exact length, and come out the same again after a round trip.
    @Test func largeExportsAreWrittenAndSentInPiecesWhole() async throws {
        try await withFiles { files, world in
            let source = world.projects[0].id.rawValue, target = world.projects[1].id.rawValue
            for project in [source, target] {
                let added = try await files.partner.call("/api/oauth-client/v1/projects/\(project)/languages", method: .post,
                                                         token: files.token, json: ["code": "ja"])
                #expect(added.status == .created)
            }
            let padding = String(repeating: "lorem ipsum ", count: 16)
            for language in ["en", "ja"] {
                let entries = (0..<3_000).map { "\"screen.item_\($0)\": \"\(language) {name} \($0) \(padding)\"" }
                let file = Array(("{\n" + entries.joined(separator: ",\n") + "\n}").utf8)
                let result = try files.json(try await files.importFile(source, "format=json-flat&language=\(language)&on_conflict=update", file))
                #expect(result["created"] as? Int == (language == "en" ? 3_000 : 0), "\(result)")
            }
            // json-flat first: its round trip gives the target the source's values, which the
            // String Catalog's import then finds unchanged.
            for format in [FileFormat.jsonFlat, .xcstrings] {
                let first = try await files.export(source, "format=\(format.rawValue)&languages=en,ja")
                #expect(first.status == .ok)
                #expect(first.headers[.contentLength] == String(first.body.readableBytes))
                let exported = try Self.files(first)
                #expect(exported.count == (format.holdsAllLanguages ? 1 : 2))
                for file in exported.sorted(by: { lhs, _ in lhs.name.contains("/en.") }) {
                    #expect(file.bytes.count > (format.holdsAllLanguages ? 6 : 2) * 256 * 1024, "\(file.name): \(file.bytes.count) bytes")
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(file.bytes)) as? [String: Any], "\(file.name)")
                    let strings = (format.holdsAllLanguages ? object["strings"] as? [String: Any] : object) ?? [:]
                    #expect(strings.count >= 3_000, "\(file.name): \(strings.count) keys")
                    var query = "format=\(format.rawValue)&on_conflict=update"
                    if !format.holdsAllLanguages { query += "&language=" + file.name.split(separator: "/").last!.split(separator: ".").first! }
                    #expect(try await files.importFile(target, query, file.bytes).status == .ok, "\(format) \(file.name)")
                }
                let second = try await files.export(target, "format=\(format.rawValue)&languages=en,ja")
                #expect(second.body.readableBytesView.elementsEqual(first.body.readableBytesView), "\(format)")
            }
        }
    }

    @Test func importNeedsBothKeysAndTranslationsWrite() async throws {
        try await withFiles { files, world in
            let project = world.projects[0].id.rawValue
            let keysOnly = try await files.partner.installation(scopes: ["keys:write"])
            let refused = try await files.importFile(project, "format=json-flat&language=en", Array("{\"a\":\"A\"}".utf8), token: keysOnly)
            #expect(refused.status == .forbidden)
            #expect(try files.json(refused)["required"] as? String == "translations:write")
            let readOnly = try await files.partner.installation(scopes: ["keys:read"])
            let export = try await files.partner.call("/api/oauth-client/v1/projects/\(project)/export?format=json", token: readOnly)
            #expect(try files.json(export)["required"] as? String == "translations:read")
        }
    }

    // MARK: Bad input: a clear error naming the line or key, nothing written

    func refused(_ files: Files, _ project: String, _ query: String, _ bytes: [UInt8]) async throws -> [[String: Any]] {
        let response = try await files.importFile(project, query, bytes)
        #expect(response.status == .unprocessableContent, "\(query): \(response.status)")
        let body = try files.json(response)
        #expect(body["error"] as? String == "validation_failed")
        #expect(try await files.keyCount(project) == 0, "nothing written")
        return body["errors"] as? [[String: Any]] ?? []
    }

    @Test func badFilesAreRefusedWithLineOrKeyAndNothingIsWritten() async throws {
        try await withFiles { files, world in
            let project = world.projects[0].id.rawValue
            // XML given as po.
            var errors = try await refused(files, project, "format=po&language=de", Array("<?xml version=\"1.0\"?>\n<resources/>\n".utf8))
            #expect(errors.first?["line"] as? Int == 1)
            // Truncated XML.
            errors = try await refused(files, project, "format=android&language=en",
                                       Array("<resources>\n<string name=\"a\">A</string>\n<string name=\"b\">".utf8))
            #expect(errors.first?["error"] as? String == "invalid_xml")
            #expect(errors.first?["line"] is Int)
            // An entity-expansion bomb.
            let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE resources [\n<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n]>\n<resources><string name=\"x\">&c;</string></resources>"
            errors = try await refused(files, project, "format=android&language=en", Array(bomb.utf8))
            #expect(errors.first?["error"] as? String == "xml_entity")
            #expect(errors.first?["line"] as? Int == 3)
            // An external entity, never read.
            let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE xliff [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<xliff version=\"1.2\">&x;</xliff>"
            errors = try await refused(files, project, "format=xliff&language=de", Array(external.utf8))
            #expect(errors.first?["error"] as? String == "xml_entity")
            #expect(!"\(errors)".contains("root:"))
            // Invalid UTF-8, with its line.
            errors = try await refused(files, project, "format=json-flat&language=en", Array("{\n\"a\": \"".utf8) + [0xFF] + Array("\"}".utf8))
            #expect(errors.first?["error"] as? String == "invalid_utf8")
            #expect(errors.first?["line"] as? Int == 2)
            // A byte-order mark.
            errors = try await refused(files, project, "format=strings&language=en", [0xEF, 0xBB, 0xBF] + Array("\"a\" = \"A\";".utf8))
            #expect(errors.first?["error"] as? String == "byte_order_mark")
            // Duplicate keys.
            errors = try await refused(files, project, "format=strings&language=en", Array("\"a\" = \"A\";\n\"b\" = \"B\";\n\"a\" = \"C\";\n".utf8))
            #expect(errors.first?["error"] as? String == "duplicate_key")
            #expect(errors.first?["line"] as? Int == 3)
            #expect(errors.first?["key"] as? String == "a")
            // A plural without other, natively and as ICU.
            errors = try await refused(files, project, "format=android&language=en",
                                       Array("<resources>\n<string name=\"ok\">fine</string>\n<plurals name=\"n\"><item quantity=\"one\">%d</item></plurals>\n</resources>".utf8))
            #expect(errors.first?["error"] as? String == "plural_missing_other")
            #expect(errors.first?["key"] as? String == "n")
            errors = try await refused(files, project, "format=json-flat&language=en",
                                       Array("{\n\"ok\": \"fine\",\n\"n\": \"{n, plural, one {# file}}\"\n}".utf8))
            #expect(errors.first?["error"] as? String == "invalid_message_format")
            #expect(errors.first?["key"] as? String == "n")
            #expect(errors.first?["line"] as? Int == 3)
            // Keys that collide under nesting.
            errors = try await refused(files, project, "format=json-flat&language=en", Array("{\n\"a\": \"A\",\n\"a.b\": \"B\"\n}".utf8))
            #expect(errors.first?["error"] as? String == "key_conflict")
            #expect(errors.first?["key"] as? String == "a.b")
            #expect(errors.first?["line"] as? Int == 3)
            // A file over 5 MiB.
            let huge = try await files.importFile(project, "format=json-flat&language=en", Array(repeating: UInt8(ascii: " "), count: 6 * 1024 * 1024))
            #expect(huge.status == .contentTooLarge)
            #expect(try files.json(huge)["error"] as? String == "payload_too_large")
            #expect(try await files.keyCount(project) == 0)
        }
    }

    @Test func placeholdersThatDoNotMatchTheSourceAreRefused() async throws {
        try await withFiles { files, world in
            let project = world.projects[0].id.rawValue
            _ = try await files.importFile(project, "format=json-flat&language=en", Array("{\"greeting\": \"Hello, {name}!\", \"n\": \"%@ and %@\"}".utf8))
            var errors = try await rejected(files, project, "format=json-flat&language=de", Array("{\"greeting\": \"Hallo, {nom}!\"}".utf8))
            #expect(errors.first?["error"] as? String == "placeholder_mismatch")
            #expect(errors.first?["key"] as? String == "greeting")
            errors = try await rejected(files, project, "format=strings&language=de", Array("\"greeting\" = \"Hallo %1$@ %2$@\";".utf8))
            #expect(errors.first?["error"] as? String == "placeholder_mismatch")
            let accepted = try await files.importFile(project, "format=strings&language=de", Array("\"greeting\" = \"Hallo, %@!\";".utf8))
            #expect(accepted.status == .ok)
            let flat = String(decoding: try await files.export(project, "format=json-flat&languages=de").body.readableBytesView, as: UTF8.self)
            #expect(flat.contains("\"greeting\": \"Hallo, {name}!\""))
        }
    }

    func rejected(_ files: Files, _ project: String, _ query: String, _ bytes: [UInt8]) async throws -> [[String: Any]] {
        let response = try await files.importFile(project, query, bytes)
        #expect(response.status == .unprocessableContent)
        return try files.json(response)["errors"] as? [[String: Any]] ?? []
    }

    @Test func bilingualFilesAlsoWriteTheSourceValuesOfKeysTheyCreate() async throws {
        try await withFiles { files, world in
            let project = world.projects[0].id.rawValue
            let po = """
                msgid ""
                msgstr ""
                "Language: de\\n"
                "Plural-Forms: nplurals=2; plural=(n != 1);\\n"

                #. Home title
                msgctxt "home.title"
                msgid "Welcome"
                msgstr "Willkommen"

                msgctxt "files"
                msgid "# file"
                msgid_plural "# files"
                msgstr[0] "# Datei"
                msgstr[1] "# Dateien"
                """
            let result = try files.json(try await files.importFile(project, "format=po", Array(po.utf8), contentType: "text/x-gettext-translation"))
            #expect(result["created"] as? Int == 2)
            let en = String(decoding: try await files.export(project, "format=json-flat&languages=en").body.readableBytesView, as: UTF8.self)
            #expect(en.contains("\"files\": \"{count, plural, one {# file} other {# files}}\""))
            #expect(en.contains("\"home.title\": \"Welcome\""))
            let de = String(decoding: try await files.export(project, "format=json-flat&languages=de").body.readableBytesView, as: UTF8.self)
            #expect(de.contains("\"files\": \"{count, plural, one {# Datei} other {# Dateien}}\""))
        }
    }
}

/// SPEC §12's CLI and client: `pull` writes each exported file under the directory, `push`
/// imports one, both through `BetterI18nClient` against a live server.
@Suite struct FileClientTests {
    @Test func pullWritesFilesAndPushImportsThemThroughTheClient() async throws {
        try await Live.run { live in
            let tokens = try await OAuthDriver(client: live.http, world: live.world).tokens(scope: FileTransferTests.scopes)
            let token = try await PartnerResourceTests.Partner(client: live.http, world: live.world, tokens: tokens).installation()
            let partner = BetterI18nClient(configuration: .init(baseURL: live.base, userAgent: "test")).partner(token: token)
            let reference = "\(live.world.organization.slug.value)/web"
            let projectID = try await RemoteProjectOptions.projectID(reference, partner)
            #expect(projectID == live.world.projects[0].id.rawValue)

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bi-pull-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let pulled = try await PullCommand.pull(partner, projectID: projectID, format: "json", into: directory, languages: nil,
                                                    namespace: nil, status: nil)
            #expect(pulled.paths.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted() == ["de.json", "en.json"])
            let english = try String(contentsOf: directory.appendingPathComponent("default/en.json"), encoding: .utf8)
            #expect(english == "{\n  \"hello\": \"Hello\"\n}\n")

            let german = Data("{\"hello\": \"Hallo\", \"bye\": \"Tschüss\"}".utf8)
            let dry = try await partner.importTranslations(projectID: projectID, format: "json", file: german, language: "de", dryRun: true)
            #expect(dry.created == 1 && dry.updated == 1 && dry.dryRun)
            let done = try await partner.importTranslations(projectID: projectID, format: "json", file: german, language: "de")
            #expect(done.created == 1 && done.updated == 1)
            do {
                try await partner.importTranslations(projectID: projectID, format: "json", file: Data("{\"x\": \"{broken\"}".utf8), language: "de")
                Issue.record("a broken value must be refused")
            } catch BetterI18nError.validationFailed(let items) {
                #expect(items.first?.key == "x" && items.first?.line == 1)
            }
            let single = try await partner.exportTranslations(projectID: projectID, format: "json-flat", languages: ["de"])
            #expect(single.fileName == "default.de.json")
            #expect(String(decoding: single.data, as: UTF8.self).contains("\"bye\": \"Tschüss\""))
        }
    }
}
