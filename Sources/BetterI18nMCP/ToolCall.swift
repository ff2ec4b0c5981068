import BetterI18nAPI
import BetterI18nClient
import Foundation
import MCP

/// One tool invocation: its arguments and the REST calls it makes.
struct ToolCall {
    let arguments: [String: Value]
    let api: any PartnerAPI

    // MARK: Arguments

    func string(_ name: String) throws -> String? {
        guard let value = arguments[name], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw ToolFailure.invalidArguments("\(name) must be a string.") }
        return text
    }

    func requiredString(_ name: String) throws -> String {
        guard let text = try string(name), !text.isEmpty else { throw ToolFailure.invalidArguments("\(name) is required.") }
        return text
    }

    func int(_ name: String) throws -> Int? {
        guard let value = arguments[name], !value.isNull else { return nil }
        if let number = value.intValue { return number }
        if let number = value.doubleValue, number == number.rounded() { return Int(number) }
        throw ToolFailure.invalidArguments("\(name) must be a whole number.")
    }

    func array(_ name: String, required: Bool = true) throws -> [Value]? {
        guard let value = arguments[name], !value.isNull else {
            if required { throw ToolFailure.invalidArguments("\(name) is required (an array).") }
            return nil
        }
        guard let items = value.arrayValue else { throw ToolFailure.invalidArguments("\(name) must be an array.") }
        return items
    }

    func strings(_ name: String, required: Bool = true) throws -> [String]? {
        guard let items = try array(name, required: required) else { return nil }
        return try items.map {
            guard let text = $0.stringValue else { throw ToolFailure.invalidArguments("\(name) must be an array of strings.") }
            return text
        }
    }

    var pageQuery: [(String, String)] {
        get throws {
            var query: [(String, String)] = []
            if let cursor = try string("cursor") { query.append(("cursor", cursor)) }
            if let limit = try int("limit") { query.append(("limit", String(limit))) }
            return query
        }
    }

    // MARK: REST

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Calls one partner endpoint and decodes its 2xx answer into the API's wire type;
    /// anything else is a ``ToolFailure`` naming the REST error.
    @discardableResult
    func call<Answer: Decodable>(
        _ endpoint: Endpoint, _ parameters: [String: String] = [:], query: [(String, String)] = [], body: (any Encodable)? = nil,
        as answer: Answer.Type = Answer.self, itemLabel: @escaping (Int) -> String = { "item \($0)" }
    ) async throws -> Answer {
        let data = try body.map { try Self.encoder.encode($0) }
        let response = try await api.send(PartnerAPIRequest(
            method: endpoint.method.rawValue, path: endpoint.path(parameters), query: query, body: data
        ))
        guard (200..<300).contains(response.status) else { throw ToolFailure(response: response, itemLabel: itemLabel) }
        do {
            return try JSONDecoder().decode(Answer.self, from: response.body)
        } catch {
            throw ToolFailure(code: "server_error", message: "The API's answer to \(endpoint.operationID) was not the documented shape.")
        }
    }

    /// The token's organization, from `/me` (no scope needed).
    func organizationID() async throws -> String {
        try await call(Endpoints.me, as: Me.self).grant.organizationID
    }

    /// A project by id (`prj_…`) or `org/project` slugs, resolved within the token's organization.
    func projectID() async throws -> String {
        let reference = try requiredString("project").trimmingCharacters(in: .whitespaces)
        if reference.hasPrefix("prj_") { return reference }
        let parts = reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ToolFailure.invalidArguments("project must be a project id (prj_…) or org/project slugs, like acme/web-app.")
        }
        let organization = try await organizationID()
        let listed = try await call(Endpoints.listProjects, ["orgId": organization], query: [("limit", "1000")], as: ListPage<Project>.self)
        for project in listed.items where project.slug == parts[1] {
            let slugs = Self.slugs(project)
            guard slugs.organization == parts[0] else {
                throw ToolFailure(code: "wrong_organization", message: "This token is for organization \(slugs.organization), not \(parts[0]).")
            }
            return project.id
        }
        throw ToolFailure(code: "not_found", message: "No project \(reference) among the projects this token reaches. listProjects shows them.")
    }

    /// `org/project` slugs of a project, read off its CDN manifest URL
    /// (`{cdn}/{org}/{project}/manifest.json`) — the one place the project shape names the
    /// organization's slug.
    static func slugs(_ project: Project) -> (organization: String, project: String) {
        let parts = project.cdn.manifestURL.split(separator: "/").map(String.init)
        let organization = parts.count >= 3 ? parts[parts.count - 3] : "?"
        return (organization, project.slug)
    }

    static func describe(_ project: Project) -> String {
        let slugs = slugs(project)
        return "\(project.id) \(slugs.organization)/\(slugs.project) \"\(project.name)\""
            + " — source \(project.sourceLanguage); languages \(project.languages.map(\.code).joined(separator: ", "));"
            + " \(project.keyCount) keys"
    }

    static func more<Item>(_ page: ListPage<Item>) -> String {
        guard let cursor = page.nextCursor else { return "" }
        return "\nMore: call again with cursor \"\(cursor)\"."
    }

    static func line(_ key: Key, mark: String = "-") -> String {
        "\(mark) \(key.id) \(key.namespace):\(key.name)"
    }

    // MARK: Tools

    func listProjects() async throws -> String {
        let organization = try await organizationID()
        let page = try await call(Endpoints.listProjects, ["orgId": organization], query: try pageQuery, as: ListPage<Project>.self)
        if page.items.isEmpty { return "No projects this token reaches." }
        return "\(page.items.count) project(s):\n" + page.items.map { "- " + Self.describe($0) }.joined(separator: "\n") + Self.more(page)
    }

    func getProject() async throws -> String {
        let project = try await call(Endpoints.getProject, ["projectId": try await projectID()], as: Project.self)
        let languages = project.languages.map { language in
            "\(language.code) (\(language.name), \(language.status)\(language.isSource ? ", source" : ""))"
        }
        return Self.describe(project)
            + "\nLanguages: \(languages.joined(separator: "; "))"
            + "\nNamespaces: \(project.namespaces.joined(separator: ", "))"
            + "\nCDN manifest: \(project.cdn.manifestURL)"
    }

    func listKeys() async throws -> String {
        let id = try await projectID()
        var query = try pageQuery
        for name in ["namespace", "search", "missing_language"] {
            if let value = try string(name) { query.append((name, value)) }
        }
        let page = try await call(Endpoints.listKeys, ["projectId": id], query: query, as: ListPage<Key>.self)
        if page.items.isEmpty { return "No keys match." + Self.more(page) }
        return "\(page.items.count) key(s):\n" + page.items.map { key in
            Self.line(key) + (key.description.map { " — \($0)" } ?? "")
        }.joined(separator: "\n") + Self.more(page)
    }

    func createKeys() async throws -> String {
        let id = try await projectID()
        let keys = try array("keys") ?? []
        var body: [String: Value] = ["keys": .array(keys)]
        if let policy = try string("on_conflict") { body["on_conflict"] = .string(policy) }
        let result = try await call(Endpoints.createKeys, ["projectId": id], body: Value.object(body), as: KeysResult.self,
                                    itemLabel: { "keys[\($0)]" })
        let lines = result.created.map { Self.line($0, mark: "+") } + result.updated.map { Self.line($0, mark: "~") }
            + result.skipped.map { Self.line($0, mark: "=") }
        return "Created \(result.created.count), updated \(result.updated.count), skipped \(result.skipped.count) (existing keys).\n"
            + lines.joined(separator: "\n")
    }

    func deleteKeys() async throws -> String {
        let id = try await projectID()
        let ids = try strings("key_ids") ?? []
        let result = try await call(Endpoints.deleteKeys, ["projectId": id], body: DeleteKeysRequest(keyIDs: ids), as: DeletedCount.self,
                                    itemLabel: { "key_ids[\($0)]" })
        return "Deleted \(result.deleted) key(s). They leave the CDN at the next publish."
    }

    func setTranslations() async throws -> String {
        let id = try await projectID()
        let items = try array("translations") ?? []
        let result = try await call(Endpoints.setTranslations, ["projectId": id], body: Value.object(["translations": .array(items)]),
                                    as: UpdatedCount.self, itemLabel: { "translations[\($0)]" })
        return "Saved \(result.updated) value(s) as drafts; publishTranslations puts them on the CDN."
    }

    /// `keys: [{key_id | name (+ namespace), translations: {lang: value}}]` — one entry per key,
    /// flattened into one all-or-nothing REST write; errors name the key and language.
    func updateKeys() async throws -> String {
        let id = try await projectID()
        let keys = try array("keys") ?? []
        var items: [Value] = []
        var labels: [String] = []
        for (index, entry) in keys.enumerated() {
            guard let key = entry.objectValue else { throw ToolFailure.invalidArguments("keys[\(index)] must be an object.") }
            guard let translations = key["translations"]?.objectValue, !translations.isEmpty else {
                throw ToolFailure.invalidArguments("keys[\(index)].translations must map language codes to values.")
            }
            var reference: [String: Value] = [:]
            if let keyID = key["key_id"]?.stringValue ?? key["id"]?.stringValue {
                reference["key_id"] = .string(keyID)
            } else if let name = key["name"]?.stringValue ?? key["key"]?.stringValue {
                reference["key"] = .string(name)
                reference["namespace"] = key["namespace"] ?? .string("default")
            } else {
                throw ToolFailure.invalidArguments("keys[\(index)] needs key_id, or name (and namespace).")
            }
            for (language, value) in translations.sorted(by: { $0.key < $1.key }) {
                var item = reference
                item["language"] = .string(language)
                item["value"] = value
                items.append(.object(item))
                labels.append("keys[\(index)].translations.\(language)")
            }
        }
        let result = try await call(Endpoints.setTranslations, ["projectId": id], body: Value.object(["translations": .array(items)]),
                                    as: UpdatedCount.self, itemLabel: { $0 >= 0 && $0 < labels.count ? labels[$0] : "item \($0)" })
        return "Updated \(result.updated) value(s) of \(keys.count) key(s) as drafts;"
            + " publishTranslations puts them on the CDN."
    }

    func getTranslations() async throws -> String {
        let id = try await projectID()
        var query = try pageQuery
        if let languages = try strings("languages", required: false) { query.append(("languages", languages.joined(separator: ","))) }
        if let keys = try strings("keys", required: false) { query.append(("keys", keys.joined(separator: ","))) }
        if let namespace = try string("namespace") { query.append(("namespace", namespace)) }
        if let status = try string("status") { query.append(("status", status)) }
        let page = try await call(Endpoints.listTranslations, ["projectId": id], query: query, as: ListPage<Translation>.self)
        if page.items.isEmpty { return "No translations match." + Self.more(page) }
        return "\(page.items.count) value(s):\n" + page.items.map { value in
            let text = (try? String(decoding: JSONEncoder().encode(value.value), as: UTF8.self)) ?? ""
            return "- [\(value.language)] \(value.namespace):\(value.key) (\(value.keyID)) = \(text)"
        }.joined(separator: "\n") + Self.more(page)
    }

    func getPendingChanges() async throws -> String {
        let id = try await projectID()
        let pending = try await call(Endpoints.pendingChanges, ["projectId": id], as: PendingChanges.self)
        var lines: [String] = []
        for code in pending.languages.keys.sorted() {
            guard let changes = pending.languages[code] else { continue }
            let parts = [("added", changes.added), ("changed", changes.changed), ("deleted", changes.deleted)].compactMap { kind, names -> String? in
                guard !names.isEmpty else { return nil }
                let shown = names.prefix(50).joined(separator: ", ") + (names.count > 50 ? ", … (\(names.count - 50) more)" : "")
                return "\(kind) \(names.count): \(shown)"
            }
            lines.append("- \(code): " + (parts.isEmpty ? "no changes" : parts.joined(separator: "; ")))
        }
        return "Changes since the last release:\n" + lines.joined(separator: "\n")
    }

    func publishTranslations() async throws -> String {
        let id = try await projectID()
        let release = try await call(Endpoints.publish, ["projectId": id],
                                     body: PublishRequest(languages: try strings("languages", required: false)), as: Release.self,
                                     itemLabel: { "languages[\($0)]" })
        return "Published release \(release.version) (\(release.id)) with \(release.languages.joined(separator: ", "))."
            + " Manifest: \(release.manifestURL)"
            + (release.warnings ?? []).map { "\nWarning: " + $0.message }.joined()
    }

    func addLanguages() async throws -> String {
        let id = try await projectID()
        let codes = try strings("languages") ?? []
        guard !codes.isEmpty else { throw ToolFailure.invalidArguments("languages must name at least one language code.") }
        var lines: [String] = []
        var added = 0
        for code in codes {
            do {
                try await call(Endpoints.addLanguage, ["projectId": id], body: AddLanguageRequest(code: code), as: Project.self)
                added += 1
                lines.append("- \(code): added")
            } catch let failure as ToolFailure where failure.code == "conflict" || failure.code == "validation_failed" {
                lines.append("- \(code): \(failure.code) — \(failure.message)")
            }
        }
        guard added > 0 else { throw ToolFailure(code: "not_added", message: "No language was added.", details: lines) }
        return "Added \(added) of \(codes.count) language(s):\n" + lines.joined(separator: "\n")
    }

    // MARK: Files (SPEC §12)

    func exportTranslations() async throws -> String {
        let projectID = try await projectID()
        var query: [(String, String)] = [("format", try requiredString("format"))]
        if let languages = try strings("languages", required: false), !languages.isEmpty { query.append(("languages", languages.joined(separator: ","))) }
        if let namespace = try string("namespace") { query.append(("namespace", namespace)) }
        if let status = try string("status") { query.append(("status", status)) }
        let response = try await api.send(PartnerAPIRequest(method: "GET", path: Endpoints.exportTranslations.path(["projectId": projectID]), query: query))
        guard (200..<300).contains(response.status) else { throw ToolFailure(response: response) }
        if let files = ExportedFiles.zipEntries(response.body), !files.isEmpty, response.body.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return files.map { "=== \($0.path) ===\n" + String(decoding: $0.data, as: UTF8.self) }.joined(separator: "\n")
        }
        return String(decoding: response.body, as: UTF8.self)
    }

    func importTranslations() async throws -> String {
        let projectID = try await projectID()
        var query: [(String, String)] = [("format", try requiredString("format"))]
        if let language = try string("language") { query.append(("language", language)) }
        if let namespace = try string("namespace") { query.append(("namespace", namespace)) }
        if let policy = try string("on_conflict") { query.append(("on_conflict", policy)) }
        let dryRun = arguments["dry_run"]?.boolValue == true
        if dryRun { query.append(("dry_run", "true")) }
        let file = try requiredString("file")
        let response = try await api.send(PartnerAPIRequest(
            method: "POST", path: Endpoints.importTranslations.path(["projectId": projectID]), query: query, body: Data(file.utf8)
        ))
        guard (200..<300).contains(response.status) else { throw ToolFailure(response: response) }
        guard let result = try? JSONDecoder().decode(ImportResult.self, from: response.body) else {
            throw ToolFailure(code: "server_error", message: "The API's answer to importTranslations was not the documented shape.")
        }
        let counts = "created \(result.created), updated \(result.updated), skipped \(result.skipped)"
        return (dryRun ? "Dry run, nothing written: would have " : "Imported: ") + counts
            + result.notes.map { "\n- note: \($0)" }.joined()
    }
}
