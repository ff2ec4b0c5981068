import ArgumentParser
import BetterI18nAPI
import BetterI18nClient
import Foundation

/// What `pull` and `push` share: the API and installation token from the environment (as for
/// `better-i18n mcp`) and a project named `ORG/PROJECT` or by id, resolved with the client.
struct RemoteProjectOptions: ParsableArguments {
    @Option(help: "The project: ORG/PROJECT slugs (acme/web) or its id (prj_…).")
    var project: String

    @Option(help: "json, json-flat, xcstrings, strings, stringsdict, android, xliff, xliff2, po or arb.")
    var format: String

    static let formats = ["json", "json-flat", "xcstrings", "strings", "stringsdict", "android", "xliff", "xliff2", "po", "arb"]

    func validate() throws {
        guard Self.formats.contains(format) else {
            throw ArgumentParser.ValidationError("--format must be one of \(Self.formats.joined(separator: ", ")).")
        }
    }

    /// A partner client for `BETTER_I18N_API_URL` with the token `BETTER_I18N_API_KEY`, and the
    /// project's id.
    func connect() async throws -> (PartnerClient, String) {
        let environment = ProcessInfo.processInfo.environment
        let key = try MCPCommand.checkKey(environment["BETTER_I18N_API_KEY"])
        let url = try MCPCommand.checkURL(environment["BETTER_I18N_API_URL"])
        let partner = BetterI18nClient(configuration: .init(baseURL: url, userAgent: "better-i18n-cli")).partner(token: key)
        return (partner, try await Self.projectID(project, partner))
    }

    static func projectID(_ reference: String, _ partner: PartnerClient) async throws -> String {
        if reference.hasPrefix("prj_") { return reference }
        let parts = reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw CommandFailure(message: "--project is ORG/PROJECT (acme/web) or a project id (prj_…), not '\(reference)'.")
        }
        let organization = try await partner.me().grant.organizationID
        let projects = try await partner.listProjects(organizationID: organization, limit: 1000).items
        // The project's organization slug is the one its CDN manifest URL is under.
        guard let found = projects.first(where: { project in
            let path = project.cdn.manifestURL.split(separator: "/").map(String.init)
            return project.slug == parts[1] && path.count >= 3 && path[path.count - 3] == parts[0]
        }) else {
            throw CommandFailure(message: "No project \(reference) among the projects this token reaches.")
        }
        return found.id
    }
}

extension ParsableCommand {
    /// Client errors as one line each: a refused import lists every problem with line and key.
    static func reportingClientFailures(_ body: () async throws -> Void) async throws {
        try await reportingFailures {
            do {
                try await body()
            } catch let error as BetterI18nError {
                if case .validationFailed(let items) = error {
                    let lines = items.map { item in
                        [item.line.map { "line \($0)" }, item.key.map { "key '\($0)'" }].compactMap { $0 }.joined(separator: ", ")
                            + ": \(item.error): \(item.message)"
                    }
                    throw CommandFailure(message: "the file was refused, nothing was written:\n  " + lines.joined(separator: "\n  "))
                }
                throw CommandFailure(message: error.description)
            }
        }
    }
}

/// `better-i18n pull`: writes a project's files into a directory, for CI and developers.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download translations as files (one per language and namespace) into a directory.",
        discussion: "BETTER_I18N_API_KEY: an installation token (bi_oat_…) with translations:read. BETTER_I18N_API_URL: the API (default http://127.0.0.1:8080)."
    )

    @OptionGroup var remote: RemoteProjectOptions

    @Option(help: "The directory to write into (created when missing).")
    var out: String

    @Option(help: "Comma-separated languages; default all.")
    var languages: String?

    @Option(help: "One namespace; default all.")
    var namespace: String?

    @Option(help: "draft (current values, the default) or published (the latest release).")
    var status: String?

    func run() async throws {
        try await Self.reportingClientFailures {
            let (partner, projectID) = try await remote.connect()
            let (paths, notes) = try await Self.pull(partner, projectID: projectID, format: remote.format, into: URL(fileURLWithPath: out, isDirectory: true),
                                                     languages: languages?.split(separator: ",").map(String.init), namespace: namespace, status: status)
            for path in paths { print(path) }
            for note in notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        }
    }

    /// Exports and writes each file under `directory` (`default/de.json`, `default.xcstrings`).
    static func pull(_ partner: PartnerClient, projectID: String, format: String, into directory: URL, languages: [String]?,
                     namespace: String?, status: String?) async throws -> (paths: [String], notes: [String]) {
        let export = try await partner.exportTranslations(projectID: projectID, format: format, languages: languages, namespace: namespace, status: status)
        guard let files = export.files else { throw CommandFailure(message: "the server answered a zip this client cannot read") }
        var paths: [String] = []
        for file in files {
            let target = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.data.write(to: target, options: .atomic)
            paths.append(target.path)
        }
        return (paths, export.notes)
    }
}

/// `better-i18n push`: imports one file, all or nothing.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload one file of translations, all or nothing.",
        discussion: "BETTER_I18N_API_KEY: an installation token (bi_oat_…) with keys:write and translations:write. BETTER_I18N_API_URL: the API (default http://127.0.0.1:8080)."
    )

    @OptionGroup var remote: RemoteProjectOptions

    @Option(help: "The file's language (PO, XLIFF and ARB files may name their own).")
    var language: String?

    @Option(help: "The namespace to import into; default: default.")
    var namespace: String?

    @Option(name: .customLong("on-conflict"), help: "skip (keep stored values, the default) or update.")
    var onConflict: String?

    @Flag(name: .customLong("dry-run"), help: "Check and count; write nothing.")
    var dryRun = false

    @Argument(help: "The file to upload.")
    var file: String

    func run() async throws {
        try await Self.reportingClientFailures {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CommandFailure(message: "cannot read \(file)")
            }
            let (partner, projectID) = try await remote.connect()
            let result = try await partner.importTranslations(
                projectID: projectID, format: remote.format, file: data, language: language, namespace: namespace,
                onConflict: onConflict, dryRun: dryRun
            )
            print("\(dryRun ? "dry run: would create" : "created") \(result.created), updated \(result.updated), skipped \(result.skipped)")
            for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        }
    }
}
