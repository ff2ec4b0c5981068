import BetterI18nAPI
import BetterI18nCore
import BetterI18nFormats
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC §12 at the level of the formats: plurals and placeholders both ways, and files that
/// must be refused with the line or key that is wrong.
@Suite struct FileFormatTests {
    func document(_ entries: [ExportEntry], languages: [String] = ["en"]) -> ExportDocument {
        ExportDocument(sourceLanguage: "en", languages: languages, namespace: "default", entries: entries)
    }

    func text(_ file: ExportedFile) -> String { String(decoding: file.bytes, as: UTF8.self) }

    func failure(_ format: FileFormat, _ text: String) -> FormatFailure? {
        failure(format, Array(text.utf8))
    }

    func failure(_ format: FileFormat, _ bytes: [UInt8]) -> FormatFailure? {
        do {
            _ = try FileFormats.read(format, bytes)
            return nil
        } catch let failure as FormatFailure {
            return failure
        } catch {
            return FormatFailure([FormatProblem(code: "unexpected", message: "\(error)")])
        }
    }

    @Test func icuPlaceholdersBecomeApplePositionalSpecifiersInSourceOrder() {
        let entry = ExportEntry(key: "inbox", values: [
            "en": "{user} has {count, number} messages in {folder}",
            "de": "In {folder} hat {user} {count, number} Nachrichten",
        ])
        let de = text(FileFormats.write(.strings, document([entry], languages: ["de"])))
        #expect(de == "\"inbox\" = \"In %3$@ hat %1$@ %2$lld Nachrichten\";\n\n")
        let android = text(FileFormats.write(.android, document([entry], languages: ["de"])))
        #expect(android.contains(">In %3$s hat %1$s %2$d Nachrichten</string>"))
        let one = ExportEntry(key: "hi", values: ["en": "Hi {name}, 100%"])
        #expect(text(FileFormats.write(.strings, document([one]))) == "\"hi\" = \"Hi %@, 100%%\";\n\n")
        #expect(text(FileFormats.write(.android, document([one]))).contains(">Hi %s, 100%%</string>"))
    }

    @Test func appleSpecifiersReadBackAsTheSourceValuesNames() throws {
        let read = try FileFormats.read(.strings, Array("\"inbox\" = \"In %3$@ hat %1$@ %2$lld Nachrichten\";".utf8))
        let raw = try #require(read.entries.first?.values[""])
        #expect(raw == "In {2} hat {0} {1, number} Nachrichten")
        let named = FileFormats.nameArguments(raw, format: .strings, source: "{user} has {count, number} messages in {folder}")
        #expect(named == "In {folder} hat {user} {count, number} Nachrichten")
        #expect(FileFormats.nameArguments("%4$@", format: .strings, source: "{a}") == "%4$@")
        #expect(FileFormats.nameArguments("{3}", format: .strings, source: "{a}") == nil)
    }

    @Test func pluralsBecomeStringCatalogVariationsStringsdictAndroidPluralsAndGettextForms() throws {
        let entry = ExportEntry(key: "files", values: [
            "en": "You have {count, plural, one {# file} other {# files}}.",
            "ru": "{count, plural, one {# файл} few {# файла} many {# файлов} other {# файла}}",
        ])
        let catalog = text(FileFormats.write(.xcstrings, document([entry], languages: ["en", "ru"])))
        #expect(catalog.contains("\"value\" : \"You have %lld file.\""))
        #expect(catalog.contains("\"variations\" : {\n"))
        let dict = text(FileFormats.write(.stringsdict, document([entry], languages: ["ru"])))
        #expect(dict.contains("<string>NSStringPluralRuleType</string>"))
        #expect(dict.contains("<key>few</key>\n\t\t\t<string>%lld файла</string>"))
        let android = text(FileFormats.write(.android, document([entry], languages: ["ru"])))
        #expect(android.contains("<item quantity=\"many\">%d файлов</item>"))
        let po = text(FileFormats.write(.po, document([entry], languages: ["ru"])))
        #expect(po.contains("\"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2);\\n\""))
        #expect(po.contains("msgid \"You have # file.\"\nmsgid_plural \"You have # files.\"\nmsgstr[0] \"# файл\"\nmsgstr[1] \"# файла\"\nmsgstr[2] \"# файлов\"\n"))
        // ru's `other` (fractions) differs from `many` and has no gettext form: said, per key.
        #expect(FileFormats.write(.po, document([entry], languages: ["ru"])).notes.map(\.key) == ["files"])

        let back = try FileFormats.read(.android, Array(android.utf8))
        #expect(back.entries.first?.values[""] == "{0, plural, one {# файл} few {# файла} many {# файлов} other {# файла}}")
        #expect(FileFormats.nameArguments(back.entries[0].values[""]!, format: .android, source: entry.values["en"]) ==
                "{count, plural, one {# файл} few {# файла} many {# файлов} other {# файла}}")
        let fromPO = try FileFormats.read(.po, Array(po.utf8))
        #expect(fromPO.language == "ru")
        #expect(fromPO.entries.first?.values[""] == "{__plural, plural, one {# файл} few {# файла} many {# файлов} other {# файлов}}")
    }

    @Test func selectIsWrittenAsICUTextAndNoted() {
        let entry = ExportEntry(key: "who", values: ["en": "{g, select, male {He} other {They}}"])
        let file = FileFormats.write(.android, document([entry]))
        #expect(text(file).contains("{g, select, male {He} other {They}}"))
        #expect(file.notes.count == 1)
    }

    // MARK: Bad input

    @Test func xmlGivenAsPOIsRefusedAtLineOne() throws {
        let problem = try #require(failure(.po, "<?xml version=\"1.0\"?>\n<resources/>\n")?.problems.first)
        #expect(problem.line == 1)
        #expect(problem.code == "invalid_po")
    }

    @Test func truncatedXMLIsRefusedWithItsLine() throws {
        let problem = try #require(failure(.android, "<?xml version=\"1.0\"?>\n<resources>\n  <string name=\"a\">A</string>\n  <string name=\"b\">B")?.problems.first)
        #expect(problem.code == "invalid_xml")
        #expect(problem.line != nil)
    }

    @Test func entityExpansionBombIsRefused() throws {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE resources [
              <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
              <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
              <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
              <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
              <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
              <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
            ]>
            <resources><string name="bomb">&f;</string></resources>
            """
        let problem = try #require(failure(.android, bomb)?.problems.first)
        #expect(problem.code == "xml_entity")
        #expect(problem.line == 3)
    }

    @Test func externalEntitiesAreNeverResolved() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("bi-xxe-\(UUID().uuidString).txt")
        try "TOP-SECRET-CONTENT".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        for (format, root) in [(FileFormat.android, "resources"), (.xliff, "xliff")] {
            let file = """
                <?xml version="1.0"?>
                <!DOCTYPE \(root) [<!ENTITY leak SYSTEM "\(secret.absoluteString)">]>
                <\(root)><string name="x">&leak;</string></\(root)>
                """
            let found = try #require(failure(format, file))
            #expect(found.problems.first?.code == "xml_entity")
            #expect(!"\(found)".contains("TOP-SECRET"))
        }
        // A property list's DOCTYPE names a DTD and is read without fetching it.
        let plist = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0"><dict><key>a</key><dict><key>NSStringLocalizedFormatKey</key><string>A</string></dict></dict></plist>
            """
        #expect(try FileFormats.read(.stringsdict, Array(plist.utf8)).entries.first?.values[""] == "A")
    }

    @Test func invalidUTF8AndByteOrderMarksAreRefusedWithTheirLine() throws {
        var bytes = Array("{\n\"a\": \"ok\",\n\"b\": \"".utf8)
        bytes += [0xC3, 0x28] + Array("\"\n}".utf8)
        let invalid = try #require(failure(.jsonFlat, bytes)?.problems.first)
        #expect(invalid.code == "invalid_utf8")
        #expect(invalid.line == 3)
        let bom = try #require(failure(.jsonFlat, [0xEF, 0xBB, 0xBF] + Array("{}".utf8))?.problems.first)
        #expect(bom.code == "byte_order_mark")
        #expect(bom.line == 1)
    }

    @Test func duplicateKeysAreRefusedInEveryFormatWithTheirLine() throws {
        let files: [(FileFormat, String)] = [
            (.jsonFlat, "{\n  \"a\": \"1\",\n  \"a\": \"2\"\n}\n"),
            (.json, "{\n  \"a\": {\"b\": \"1\"},\n  \"a\": {\"c\": \"2\"}\n}\n"),
            (.arb, "{\n  \"a\": \"1\",\n  \"a\": \"2\"\n}\n"),
            (.xcstrings, "{\n\"sourceLanguage\": \"en\", \"strings\": {\n\"a\": {},\n\"a\": {}\n}}"),
            (.strings, "\"a\" = \"1\";\n\n\"a\" = \"2\";\n"),
            (.android, "<resources>\n<string name=\"a\">1</string>\n\n<string name=\"a\">2</string>\n</resources>"),
            (.xliff, "<xliff version=\"1.2\"><file><body>\n<trans-unit id=\"a\"><source>1</source></trans-unit>\n<trans-unit id=\"a\"><source>2</source></trans-unit>\n</body></file></xliff>"),
            (.xliff2, "<xliff version=\"2.0\"><file id=\"f\">\n<unit id=\"a\"><segment><source>1</source></segment></unit>\n<unit id=\"a\"><segment><source>2</source></segment></unit>\n</file></xliff>"),
            (.po, "msgctxt \"a\"\nmsgid \"1\"\nmsgstr \"\"\n\nmsgctxt \"a\"\nmsgid \"2\"\nmsgstr \"\"\n"),
            (.stringsdict, "<plist version=\"1.0\"><dict>\n<key>a</key><dict><key>NSStringLocalizedFormatKey</key><string>1</string></dict>\n<key>a</key><dict><key>NSStringLocalizedFormatKey</key><string>2</string></dict>\n</dict></plist>"),
        ]
        for (format, file) in files {
            let problem = try #require(failure(format, file)?.problems.first, "\(format)")
            #expect(problem.code == "duplicate_key", "\(format)")
            #expect(problem.key?.hasSuffix("a") == true, "\(format)")
            #expect(problem.line != nil && problem.line! > 1, "\(format)")
        }
    }

    @Test func pluralsWithoutOtherAreRefusedByKey() throws {
        let files: [(FileFormat, String)] = [
            (.android, "<resources>\n<plurals name=\"n\"><item quantity=\"one\">%d file</item></plurals>\n</resources>"),
            (.xcstrings, "{\"sourceLanguage\":\"en\",\"strings\":{\"n\":{\"localizations\":{\"en\":{\"variations\":{\"plural\":{\"one\":{\"stringUnit\":{\"state\":\"translated\",\"value\":\"%lld file\"}}}}}}}}}"),
            (.stringsdict, "<plist version=\"1.0\"><dict><key>n</key><dict><key>NSStringLocalizedFormatKey</key><string>%#@c@</string><key>c</key><dict><key>NSStringFormatSpecTypeKey</key><string>NSStringPluralRuleType</string><key>one</key><string>%lld file</string></dict></dict></dict></plist>"),
        ]
        for (format, file) in files {
            let problem = try #require(failure(format, file)?.problems.first, "\(format)")
            #expect(problem.code == "plural_missing_other", "\(format)")
            #expect(problem.key == "n", "\(format)")
        }
    }
}
