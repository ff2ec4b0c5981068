import Foundation
import MCP

/// One tool invocation: its arguments and the REST calls it makes.
struct ToolCall {
    let arguments: [String: Value]
    let api: any PartnerAPI

    static let prefix = "/api/oauth-client"

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

    /// Sends and returns the JSON object of a 2xx answer; anything else is a ``ToolFailure``
    /// naming the REST error.
    @discardableResult
    func rest(_ method: String, _ path: String, query: [(String, String)] = [], body: Value? = nil,
              itemLabel: @escaping (Int) -> String = { "item \($0)" }) async throws -> [String: Any] {
        let data = try body.map { try JSONEncoder().encode($0) }
        let response = try await api.send(PartnerAPIRequest(method: method, path: Self.prefix + path, query: query, body: data))
        guard (200..<300).contains(response.status) else { throw ToolFailure(response: response, itemLabel: itemLabel) }
        return response.object
    }

    /// The token's organization, from `/me` (no scope needed).
    func organizationID() async throws -> String {
        let me = try await rest("GET", "/me")
        guard let organization = (me["grant"] as? [String: Any])?["organization_id"] as? String else {
            throw ToolFailure(code: "server_error", message: "The API did not name the token's organization.")
        }
        return organization
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
        let listed = try await rest("GET", "/organizations/\(organization)/projects", query: [("limit", "1000")])
        for project in listed["projects"] as? [[String: Any]] ?? [] where project["slug"] as? String == parts[1] {
            let slugs = Self.slugs(project)
            guard slugs.organization == parts[0] else {
                throw ToolFailure(code: "wrong_organization", message: "This token is for organization \(slugs.organization), not \(parts[0]).")
            }
            if let id = project["id"] as? String { return id }
        }
        throw ToolFailure(code: "not_found", message: "No project \(reference) among the projects this token reaches. listProjects shows them.")
    }

    /// `org/project` slugs of a project JSON, read off its CDN manifest URL
    /// (`{cdn}/{org}/{project}/manifest.json`) — the one place the project shape names the
    /// organization's slug.
    static func slugs(_ project: [String: Any]) -> (organization: String, project: String) {
        let manifest = (project["cdn"] as? [String: Any])?["manifest_url"] as? String ?? ""
        let parts = manifest.split(separator: "/").map(String.init)
        let organization = parts.count >= 3 ? parts[parts.count - 3] : "?"
        return (organization, project["slug"] as? String ?? "?")
    }

    static func describe(_ project: [String: Any]) -> String {
        let slugs = slugs(project)
        let languages = (project["languages"] as? [[String: Any]] ?? []).map { $0["code"] as? String ?? "?" }
        return "\(project["id"] as? String ?? "?") \(slugs.organization)/\(slugs.project) \"\(project["name"] as? String ?? "")\""
            + " — source \(project["source_language"] as? String ?? "?"); languages \(languages.joined(separator: ", "));"
            + " \(project["key_count"] as? Int ?? 0) keys"
    }

    static func more(_ body: [String: Any]) -> String {
        guard let cursor = body["next_cursor"] as? String else { return "" }
        return "\nMore: call again with cursor \"\(cursor)\"."
    }

    // MARK: Tools

    func listProjects() async throws -> String {
        let organization = try await organizationID()
        let body = try await rest("GET", "/organizations/\(organization)/projects", query: try pageQuery)
        let projects = body["projects"] as? [[String: Any]] ?? []
        if projects.isEmpty { return "No projects this token reaches." }
        return "\(projects.count) project(s):\n" + projects.map { "- " + Self.describe($0) }.joined(separator: "\n") + Self.more(body)
    }

    func getProject() async throws -> String {
        let project = try await rest("GET", "/v1/projects/\(try await projectID())")
        let languages = (project["languages"] as? [[String: Any]] ?? []).map { language in
            let code = language["code"] as? String ?? "?"
            let source = language["is_source"] as? Bool == true ? ", source" : ""
            return "\(code) (\(language["name"] as? String ?? code), \(language["status"] as? String ?? "?")\(source))"
        }
        return Self.describe(project)
            + "\nLanguages: \(languages.joined(separator: "; "))"
            + "\nNamespaces: \((project["namespaces"] as? [String] ?? []).joined(separator: ", "))"
            + "\nCDN manifest: \((project["cdn"] as? [String: Any])?["manifest_url"] as? String ?? "-")"
    }

    func listKeys() async throws -> String {
        let id = try await projectID()
        var query = try pageQuery
        for name in ["namespace", "search", "missing_language"] {
            if let value = try string(name) { query.append((name, value)) }
        }
        let body = try await rest("GET", "/v1/projects/\(id)/keys", query: query)
        let keys = body["keys"] as? [[String: Any]] ?? []
        if keys.isEmpty { return "No keys match." + Self.more(body) }
        return "\(keys.count) key(s):\n" + keys.map { key in
            let description = (key["description"] as? String).map { " — \($0)" } ?? ""
            return "- \(key["id"] as? String ?? "?") \(key["namespace"] as? String ?? "?"):\(key["name"] as? String ?? "?")\(description)"
        }.joined(separator: "\n") + Self.more(body)
    }

    func createKeys() async throws -> String {
        let id = try await projectID()
        let keys = try array("keys") ?? []
        var body: [String: Value] = ["keys": .array(keys)]
        if let policy = try string("on_conflict") { body["on_conflict"] = .string(policy) }
        let result = try await rest("POST", "/v1/projects/\(id)/keys", body: .object(body), itemLabel: { "keys[\($0)]" })
        func lines(_ name: String, _ mark: String) -> [String] {
            (result[name] as? [[String: Any]] ?? []).map { "\(mark) \($0["id"] as? String ?? "?") \($0["namespace"] as? String ?? "?"):\($0["name"] as? String ?? "?")" }
        }
        let created = lines("created", "+"), updated = lines("updated", "~"), skipped = lines("skipped", "=")
        return "Created \(created.count), updated \(updated.count), skipped \(skipped.count) (existing keys).\n"
            + (created + updated + skipped).joined(separator: "\n")
    }

    func deleteKeys() async throws -> String {
        let id = try await projectID()
        let ids = try strings("key_ids") ?? []
        let result = try await rest("DELETE", "/v1/projects/\(id)/keys", body: .object(["key_ids": .array(ids.map(Value.string))]),
                                    itemLabel: { "key_ids[\($0)]" })
        return "Deleted \(result["deleted"] as? Int ?? ids.count) key(s). They leave the CDN at the next publish."
    }

    func setTranslations() async throws -> String {
        let id = try await projectID()
        let items = try array("translations") ?? []
        let result = try await rest("PUT", "/v1/projects/\(id)/translations", body: .object(["translations": .array(items)]),
                                    itemLabel: { "translations[\($0)]" })
        return "Saved \(result["updated"] as? Int ?? items.count) value(s) as drafts; publishTranslations puts them on the CDN."
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
        let result = try await rest("PUT", "/v1/projects/\(id)/translations", body: .object(["translations": .array(items)]),
                                    itemLabel: { $0 >= 0 && $0 < labels.count ? labels[$0] : "item \($0)" })
        return "Updated \(result["updated"] as? Int ?? items.count) value(s) of \(keys.count) key(s) as drafts;"
            + " publishTranslations puts them on the CDN."
    }

    func getTranslations() async throws -> String {
        let id = try await projectID()
        var query = try pageQuery
        if let languages = try strings("languages", required: false) { query.append(("languages", languages.joined(separator: ","))) }
        if let keys = try strings("keys", required: false) { query.append(("keys", keys.joined(separator: ","))) }
        if let namespace = try string("namespace") { query.append(("namespace", namespace)) }
        if let status = try string("status") { query.append(("status", status)) }
        let body = try await rest("GET", "/v1/projects/\(id)/translations", query: query)
        let values = body["translations"] as? [[String: Any]] ?? []
        if values.isEmpty { return "No translations match." + Self.more(body) }
        return "\(values.count) value(s):\n" + values.map { value in
            let text = (try? String(decoding: JSONEncoder().encode(value["value"] as? String ?? ""), as: UTF8.self)) ?? ""
            return "- [\(value["language"] as? String ?? "?")] \(value["namespace"] as? String ?? "?"):\(value["key"] as? String ?? "?")"
                + " (\(value["key_id"] as? String ?? "?")) = \(text)"
        }.joined(separator: "\n") + Self.more(body)
    }

    func getPendingChanges() async throws -> String {
        let id = try await projectID()
        let body = try await rest("GET", "/v1/projects/\(id)/pending-changes")
        let languages = body["languages"] as? [String: [String: [String]]] ?? [:]
        var lines: [String] = []
        for code in languages.keys.sorted() {
            let changes = languages[code] ?? [:]
            let parts = ["added", "changed", "deleted"].compactMap { kind -> String? in
                let names = changes[kind] ?? []
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
        var body: [String: Value] = [:]
        if let languages = try strings("languages", required: false) { body["languages"] = .array(languages.map(Value.string)) }
        let release = try await rest("POST", "/v1/projects/\(id)/publish", body: .object(body), itemLabel: { "languages[\($0)]" })
        let warnings = (release["warnings"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        return "Published release \(release["version"] as? Int ?? 0) (\(release["id"] as? String ?? "?")) with "
            + "\((release["languages"] as? [String] ?? []).joined(separator: ", ")). Manifest: \(release["manifest_url"] as? String ?? "-")"
            + warnings.map { "\nWarning: " + $0 }.joined()
    }

    func addLanguages() async throws -> String {
        let id = try await projectID()
        let codes = try strings("languages") ?? []
        guard !codes.isEmpty else { throw ToolFailure.invalidArguments("languages must name at least one language code.") }
        var lines: [String] = []
        var added = 0
        for code in codes {
            do {
                try await rest("POST", "/v1/projects/\(id)/languages", body: .object(["code": .string(code)]))
                added += 1
                lines.append("- \(code): added")
            } catch let failure as ToolFailure where failure.code == "conflict" || failure.code == "validation_failed" {
                lines.append("- \(code): \(failure.code) — \(failure.message)")
            }
        }
        guard added > 0 else { throw ToolFailure(code: "not_added", message: "No language was added.", details: lines) }
        return "Added \(added) of \(codes.count) language(s):\n" + lines.joined(separator: "\n")
    }
}
