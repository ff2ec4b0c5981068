import BetterI18nCore
import BetterI18nProjects
import Foundation
import HummingbirdTesting
import Testing

/// SPEC §4 "Working on translations": the project page and every refusal around it.
@Suite struct DashboardProjectPageTests {
    /// A world with keys in the first project (`web`, en + de).
    struct World {
        let world: OAuthWorld
        var project: Project { world.projects[0] }
        var path: String { "/orgs/\(world.organization.slug.value)/projects/\(project.slug.value)" }

        init() async throws {
            world = try await OAuthWorld()
        }

        @discardableResult
        func keys(_ items: [KeyService.NewKey]) async throws -> [TranslationKey] {
            try await world.server.dependencies.keys.createKeys(items, in: project, policy: .fail, author: "test").created
        }

        func values(_ key: TranslationKey) async throws -> [String: String] {
            let all = try await world.storage.translations(in: project.id).filter { $0.keyID == key.id }
            return Dictionary(uniqueKeysWithValues: all.map { ($0.language.value, $0.value) })
        }

        func member(_ role: String) async throws -> User {
            let user = try await world.server.fixture.admin.createUser(email: Unique.email(role), name: "A \(role)", password: world.password)
            _ = try await world.server.fixture.admin.addMember(organizationSlug: world.organization.slug.value, email: user.email.value, role: role)
            return user
        }
    }

    @Test func pageShowsValuesSideBySideProgressAndTheSecurityHeaders() async throws {
        let w = try await World()
        try await w.keys([
            .init(name: "greeting", translations: ["en": "Hello", "de": "Hallo"]),
            .init(name: "farewell", translations: ["en": "Bye"]),
        ])
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let page = try await client.browse(w.path, jar: driver.jar)
            #expect(page.status == .ok)
            #expect(page.text.contains("name=\"value.de\""))
            #expect(page.text.contains(">\nHallo</textarea>"), "after the newline HTML drops")
            #expect(page.text.contains("aria-label=\"German: 50% of keys have a value\""))
            #expect(page.text.contains("aria-label=\"English: 100% of keys have a value\""))
            #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.init("X-Content-Type-Options")!] == "nosniff")
            #expect(page.headers[.init("Referrer-Policy")!] == "no-referrer")
            // One script of our own origin saves values in place; nothing inline is allowed.
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
            #expect(page.text.contains("<script src=\"/static/dashboard.js\" defer></script>"))
            let script = try await client.execute(uri: "/static/dashboard.js", method: .get)
            #expect(script.status == .ok && script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(String(buffer: script.body).contains("key-form"))
            let home = try await client.browse("/", jar: driver.jar)
            #expect(home.text.contains("href=\"\(w.path)\""))
            #expect(home.text.contains("German: 50% translated"))
            let signedOut = try await client.execute(uri: w.path, method: .get)
            #expect(signedOut.status == .seeOther, "signed out: to sign-in, coming back afterwards")
        }
    }

    @Test func filtersMissingInLanguageSearchAndNamespace() async throws {
        let w = try await World()
        try await w.keys([
            .init(name: "done", translations: ["en": "Done", "de": "Fertig"]),
            .init(name: "todo", translations: ["en": "To do"]),
            .init(name: "login.title", namespace: "auth", translations: ["en": "Sign in"]),
        ])
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let missing = try await client.browse(w.path + "?missing=de", jar: driver.jar).text
            #expect(missing.contains("<code>todo</code>") && missing.contains("<code>auth:login.title</code>"))
            #expect(!missing.contains("<code>done</code>"))
            let search = try await client.browse(w.path + "?q=DON", jar: driver.jar).text
            #expect(search.contains("<code>done</code>") && !search.contains("<code>todo</code>"))
            let namespace = try await client.browse(w.path + "?namespace=auth", jar: driver.jar).text
            #expect(namespace.contains("<code>auth:login.title</code>") && !namespace.contains("<code>done</code>"))
            let none = try await client.browse(w.path + "?q=nothing-like-this", jar: driver.jar)
            #expect(none.status == .ok && none.text.contains("No key matches these filters."))
        }
    }

    @Test func keysetPagesAndAPagePastTheEnd() async throws {
        let w = try await World()
        try await w.keys((0..<30).map { .init(name: String(format: "key%02d", $0)) })
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let first = try await client.browse(w.path, jar: driver.jar).text
            #expect(first.contains("<code>key24</code>") && !first.contains("<code>key25</code>"))
            let next = try #require(first.firstMatch(of: /href="([^"]+)" rel="next"/).map { String($0.output.1) })
                .replacingOccurrences(of: "&amp;", with: "&")
            let second = try await client.browse(next, jar: driver.jar).text
            #expect(second.contains("<code>key25</code>") && second.contains("<code>key29</code>") && !second.contains("<code>key24</code>"))
            #expect(!second.contains("rel=\"next\""))
            // A cursor beyond the last key: an empty page that says so, with a way back.
            let beyond = Data(#"p:{"namespace":"default","name":"zzz"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let past = try await client.browse(w.path + "?cursor=" + beyond, jar: driver.jar)
            #expect(past.status == .ok)
            #expect(past.text.contains("past the end") && past.text.contains("Back to the first page"))
            let forged = try await client.browse(w.path + "?cursor=bm9uc2Vuc2U", jar: driver.jar)
            #expect(forged.status == .ok && forged.text.contains("not valid any more") && forged.text.contains("<code>key00</code>"))
        }
    }

    @Test func savingValuesGoesThroughTheKeyServiceAndIsAuditedViaDashboard() async throws {
        let w = try await World()
        let key = try #require(try await w.keys([.init(name: "title", translations: ["en": "Title"])]).first)
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let page = try await client.browse(w.path + "?missing=de", jar: driver.jar)
            let csrf = try #require(page.hiddenField("csrf_token"))
            let saved = try await client.browse("\(w.path)/keys/\(key.id.rawValue)/values", method: .post, form: [
                ("csrf_token", csrf), ("missing", "de"), ("value.en", "Title"), ("value.de", "Titel"),
            ], jar: driver.jar)
            #expect(saved.status == .seeOther)
            let location = try #require(saved.headers[.location])
            #expect(location.hasPrefix(w.path + "?missing=de&saved=1"))
            #expect(try await w.values(key) == ["en": "Title", "de": "Titel"])
            // A browser sends line breaks as CRLF: stored as typed (LF), and unchanged text is not rewritten.
            let multiline = try await client.browse("\(w.path)/keys/\(key.id.rawValue)/values", method: .post, form: [
                ("csrf_token", csrf), ("value.en", "Title"), ("value.de", "Zeile 1\r\nZeile 2"),
            ], jar: driver.jar)
            #expect(multiline.status == .seeOther)
            #expect(try await w.values(key)["de"] == "Zeile 1\nZeile 2")
            let again = try await client.browse("\(w.path)/keys/\(key.id.rawValue)/values", method: .post, form: [
                ("csrf_token", csrf), ("value.en", "Title"), ("value.de", "Zeile 1\r\nZeile 2"),
            ], jar: driver.jar)
            #expect(again.headers[.location]?.contains("saved=nothing") == true)
            let after = try await client.browse(String(location.split(separator: "#")[0]), jar: driver.jar)
            #expect(after.text.contains("role=\"status\">Saved.</p>"), "the key left the filtered list: the page says it")
            let unfiltered = try await client.browse(w.path + "?saved=1&key=\(key.id.rawValue)", jar: driver.jar)
            #expect(unfiltered.text.contains("aria-live=\"polite\">Saved.</span>"), "beside the key's Save button")
        }
        let events = try await w.world.storage.auditEvents(organization: w.world.organization.id, limit: 10)
        let updated = try #require(events.first { $0.kind == .translationsUpdated })
        #expect(updated.details["via"] == "dashboard")
        #expect(updated.actor == w.world.owner.id.rawValue)
        #expect(updated.details["languages"] == "de", "only the changed value is written")
        #expect(events.filter { $0.kind == .translationsUpdated }.count == 2, "the unchanged resubmission wrote nothing")
    }

    @Test func anICUErrorIsShownAtItsCharacterAndNothingIsSaved() async throws {
        let w = try await World()
        let key = try #require(try await w.keys([.init(name: "welcome", translations: ["en": "Hi {name}"])]).first)
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let csrf = try #require(try await client.browse(w.path, jar: driver.jar).hiddenField("csrf_token"))
            let refused = try await client.browse("\(w.path)/keys/\(key.id.rawValue)/values", method: .post, form: [
                ("csrf_token", csrf), ("value.en", "Hi {name}"), ("value.de", "Hallo {name, select, other {x}"),
            ], jar: driver.jar)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("aria-invalid=\"true\" aria-describedby=\"e-\(key.id.rawValue)-de\""))
            #expect(refused.text.contains("at character"))
            #expect(refused.text.contains("<mark>"))
            #expect(refused.text.contains(">\nHallo {name, select, other {x}</textarea>"), "the typed value stays in the field")
            #expect(try await w.values(key) == ["en": "Hi {name}"])
        }
    }

    @Test func forgedMissingOrOtherSessionsCSRFTokensChangeNothing() async throws {
        let w = try await World()
        let key = try #require(try await w.keys([.init(name: "title")]).first)
        let member = try await w.member("member")
        try await w.world.test { client in
            let owner = OAuthDriver(client: client, world: w.world)
            try await owner.signIn()
            let other = OAuthDriver(client: client, world: w.world)
            try await other.signIn(as: member.email.value, password: w.world.password)
            let othersToken = try #require(try await client.browse(w.path, jar: other.jar).hiddenField("csrf_token"))
            let action = "\(w.path)/keys/\(key.id.rawValue)/values"
            for form in [[("value.de", "X")], [("csrf_token", "forged"), ("value.de", "X")], [("csrf_token", othersToken), ("value.de", "X")]] {
                let response = try await client.browse(action, method: .post, form: form, jar: owner.jar)
                #expect(response.status == .forbidden)
            }
            for suffix in ["/publish", "/languages", "/keys", "/keys/\(key.id.rawValue)/delete", "/keys/\(key.id.rawValue)/rename"] {
                let response = try await client.browse(w.path + suffix, method: .post, form: [("csrf_token", "forged"), ("name", "x"), ("language", "fr")], jar: owner.jar)
                #expect(response.status == .forbidden, "\(suffix)")
            }
        }
        #expect(try await w.values(key).isEmpty)
        #expect(try await w.world.storage.releases(of: w.project.id).isEmpty)
        #expect(try await w.world.storage.languages(of: w.project.id).count == 2)
    }

    @Test func addRenameAndDeleteKeysWithConflictsShownByTheField() async throws {
        let w = try await World()
        try await w.keys([.init(name: "login")])
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let csrf = try #require(try await client.browse(w.path, jar: driver.jar).hiddenField("csrf_token"))
            let nested = try await client.browse(w.path + "/keys", method: .post, form: [("csrf_token", csrf), ("name", "login.title")], jar: driver.jar)
            #expect(nested.status == .unprocessableContent)
            #expect(nested.text.contains("id=\"new-key-name-error\""))
            #expect(nested.text.contains("value=\"login.title\""), "the typed name stays")
            let duplicate = try await client.browse(w.path + "/keys", method: .post, form: [("csrf_token", csrf), ("name", "login")], jar: driver.jar)
            #expect(duplicate.status == .unprocessableContent && duplicate.text.contains("already exists"))
            let badNamespace = try await client.browse(w.path + "/keys", method: .post, form: [
                ("csrf_token", csrf), ("name", "ok"), ("namespace", "bad.ns"),
            ], jar: driver.jar)
            #expect(badNamespace.text.contains("id=\"new-key-namespace-error\""))
            let added = try await client.browse(w.path + "/keys", method: .post, form: [
                ("csrf_token", csrf), ("name", "signup"), ("namespace", ""), ("value", "Sign up"),
            ], jar: driver.jar)
            #expect(added.status == .seeOther)
            let keys = try await w.world.storage.keys(in: w.project.id, includingDeleted: false)
            let signup = try #require(keys.first { $0.name.value == "signup" })
            #expect(try await w.values(signup) == ["en": "Sign up"])
            let clash = try await client.browse("\(w.path)/keys/\(signup.id.rawValue)/rename", method: .post, form: [
                ("csrf_token", csrf), ("name", "login.form"), ("namespace", "default"),
            ], jar: driver.jar)
            #expect(clash.status == .unprocessableContent)
            #expect(clash.text.contains("id=\"rn-\(signup.id.rawValue)-error\""))
            #expect(clash.text.contains("<details class=\"manage\" open>"))
            let renamed = try await client.browse("\(w.path)/keys/\(signup.id.rawValue)/rename", method: .post, form: [
                ("csrf_token", csrf), ("name", "register"), ("namespace", "default"),
            ], jar: driver.jar)
            #expect(renamed.status == .seeOther)
            let deleted = try await client.browse("\(w.path)/keys/\(signup.id.rawValue)/delete", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(deleted.status == .seeOther)
            #expect(try await w.world.storage.keys(in: w.project.id, includingDeleted: false).map(\.name.value) == ["login"])
        }
        let kinds = try await w.world.storage.auditEvents(organization: w.world.organization.id, limit: 20).filter { $0.details["via"] == "dashboard" }.map(\.kind)
        #expect(kinds.contains(.keysCreated) && kinds.contains(.keyUpdated) && kinds.contains(.keysDeleted))
    }

    @Test func htmlAndScriptInEveryFieldAreEscaped() async throws {
        let w = try await World()
        let script = "<script>alert(1)</script>"
        try await w.keys([.init(name: script, description: "<b onmouseover=alert(2)>d</b>", translations: ["en": "<img src=x onerror=alert(3)>", "de": "\"'><svg/onload=alert(4)>"])])
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let csrf = try #require(try await client.browse(w.path, jar: driver.jar).hiddenField("csrf_token"))
            let page = try await client.browse(w.path + "?q=" + script.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, jar: driver.jar)
            let refused = try await client.browse(w.path + "/keys", method: .post, form: [
                ("csrf_token", csrf), ("name", "x"), ("namespace", script), ("value", "<script>"),
            ], jar: driver.jar)
            let language = try await client.browse(w.path + "/languages", method: .post, form: [("csrf_token", csrf), ("language", script)], jar: driver.jar)
            for html in [page.text, refused.text, language.text] {
                #expect(!html.contains("<script>alert"))
                #expect(!html.contains("<img src=x"))
                #expect(!html.contains("<svg/onload"))
                #expect(!html.contains("<b onmouseover"))
            }
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(page.text.contains("&lt;img src=x onerror=alert(3)&gt;"))
        }
    }

    @Test func hugeValuesAreRefusedAndNothingIsWritten() async throws {
        let w = try await World()
        let key = try #require(try await w.keys([.init(name: "long")]).first)
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let csrf = try #require(try await client.browse(w.path, jar: driver.jar).hiddenField("csrf_token"))
            let response = try await client.browse("\(w.path)/keys/\(key.id.rawValue)/values", method: .post, form: [
                ("csrf_token", csrf), ("value.de", String(repeating: "ä", count: 70_000)),
            ], jar: driver.jar)
            #expect(response.status == .contentTooLarge)
            let name = try await client.browse(w.path + "/keys", method: .post, form: [("csrf_token", csrf), ("name", String(repeating: "k", count: 600))], jar: driver.jar)
            #expect(name.status == .unprocessableContent && name.text.contains("id=\"new-key-name-error\""))
        }
        #expect(try await w.values(key).isEmpty)
        #expect(try await w.world.storage.keys(in: w.project.id, includingDeleted: false).count == 1)
    }

    @Test func membersEditButCannotPublishOrAddLanguages() async throws {
        let w = try await World()
        let key = try #require(try await w.keys([.init(name: "title", translations: ["en": "Title"])]).first)
        let member = try await w.member("member")
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn(as: member.email.value, password: w.world.password)
            let page = try await client.browse(w.path, jar: driver.jar)
            #expect(page.status == .ok)
            #expect(!page.text.contains("id=\"publish-form\"") && page.text.contains("Owners and admins publish."))
            let csrf = try #require(page.hiddenField("csrf_token"))
            let publish = try await client.browse(w.path + "/publish", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(publish.status == .forbidden)
            let language = try await client.browse(w.path + "/languages", method: .post, form: [("csrf_token", csrf), ("language", "fr")], jar: driver.jar)
            #expect(language.status == .forbidden)
            let saved = try await client.browse("\(w.path)/keys/\(key.id.rawValue)/values", method: .post, form: [("csrf_token", csrf), ("value.de", "Titel")], jar: driver.jar)
            #expect(saved.status == .seeOther)
        }
        #expect(try await w.world.storage.releases(of: w.project.id).isEmpty)
        #expect(try await w.world.storage.languages(of: w.project.id).count == 2)
        #expect(try await w.values(key)["de"] == "Titel")
    }

    @Test func anotherOrganizationsProjectsAndKeysAre404NeverARedirect() async throws {
        let w = try await World()
        let admin = w.world.server.fixture.admin
        let stranger = try await admin.createUser(email: Unique.email("other"), name: "Other", password: w.world.password)
        let otherOrg = try await admin.createOrganization(slug: Unique.slug("other"), name: "Other", ownerEmail: stranger.email.value)
        let (otherProject, _) = try await admin.createProject(organizationSlug: otherOrg.slug.value, slug: "site", name: "Site", sourceLanguage: "en", languages: ["de"])
        let foreignKey = try #require(try await w.world.server.dependencies.keys.createKeys(
            [.init(name: "secret", translations: ["en": "Secret"])], in: otherProject, policy: .fail, author: "test"
        ).created.first)
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let csrf = try #require(try await client.browse(w.path, jar: driver.jar).hiddenField("csrf_token"))
            for path in ["/orgs/\(otherOrg.slug.value)/projects/site", "/orgs/nope/projects/site", "\(w.path)-missing", "/orgs/\(otherOrg.slug.value)/members"] {
                let response = try await client.browse(path, jar: driver.jar)
                #expect(response.status == .notFound, "\(path)")
            }
            let foreign = try await client.browse("\(w.path)/keys/\(foreignKey.id.rawValue)/values", method: .post, form: [
                ("csrf_token", csrf), ("value.de", "Geheim"),
            ], jar: driver.jar)
            #expect(foreign.status == .notFound)
            let delete = try await client.browse("\(w.path)/keys/\(foreignKey.id.rawValue)/delete", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(delete.status == .notFound)
            let otherPublish = try await client.browse("/orgs/\(otherOrg.slug.value)/projects/site/publish", method: .post, form: [("csrf_token", csrf)], jar: driver.jar)
            #expect(otherPublish.status == .notFound)
        }
        #expect(try await w.world.storage.keys(in: otherProject.id, includingDeleted: false).count == 1)
        #expect(try await w.world.storage.translations(in: otherProject.id).map(\.value) == ["Secret"])
        #expect(try await w.world.storage.releases(of: otherProject.id).isEmpty)
    }

    @Test func publishSaysWhatItChangesAndTheCDNServesIt() async throws {
        let w = try await World()
        try await w.keys([.init(name: "title", translations: ["en": "Title", "de": "Titel"])])
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let page = try await client.browse(w.path, jar: driver.jar)
            #expect(page.text.contains("Publish 2 changes in en, de") || page.text.contains("Publish 2 changes in de, en"))
            #expect(page.text.contains("1 added"))
            let published = try await client.browse(w.path + "/publish", method: .post, form: [("csrf_token", try #require(page.hiddenField("csrf_token")))], jar: driver.jar)
            #expect(published.status == .seeOther)
            #expect(published.headers[.location] == w.path + "?published=1#releases")
            let after = try await client.browse(w.path + "?published=1", jar: driver.jar).text
            #expect(after.contains("Release 1 is published"))
            #expect(after.contains("Nothing to publish"))
            let file = "/cdn/\(w.world.organization.slug.value)/web/v1/de/translations.json"
            #expect(after.contains("http://127.0.0.1:8080" + file))
            let served = try await client.execute(uri: file, method: .get)
            #expect(served.status == .ok && String(buffer: served.body).contains("Titel"))
        }
        let event = try #require(try await w.world.storage.auditEvents(organization: w.world.organization.id, limit: 10).first { $0.kind == .translationsPublished })
        #expect(event.details["via"] == "dashboard" && event.actor == w.world.owner.id.rawValue)
    }

    @Test func addALanguageWithErrorsByTheField() async throws {
        let w = try await World()
        try await w.world.test { client in
            let driver = OAuthDriver(client: client, world: w.world)
            try await driver.signIn()
            let csrf = try #require(try await client.browse(w.path, jar: driver.jar).hiddenField("csrf_token"))
            let bad = try await client.browse(w.path + "/languages", method: .post, form: [("csrf_token", csrf), ("language", "not a code")], jar: driver.jar)
            #expect(bad.status == .unprocessableContent && bad.text.contains("id=\"new-language-error\""))
            let taken = try await client.browse(w.path + "/languages", method: .post, form: [("csrf_token", csrf), ("language", "de")], jar: driver.jar)
            #expect(taken.status == .unprocessableContent && taken.text.contains("already has the language"))
            let added = try await client.browse(w.path + "/languages", method: .post, form: [("csrf_token", csrf), ("language", "fr")], jar: driver.jar)
            #expect(added.status == .seeOther)
            #expect(try await client.browse(w.path, jar: driver.jar).text.contains("aria-label=\"French: 0% of keys have a value\""))
        }
        let event = try #require(try await w.world.storage.auditEvents(organization: w.world.organization.id, limit: 10).first { $0.kind == .languageAdded })
        #expect(event.details["via"] == "dashboard" && event.details["language"] == "fr")
    }
}
