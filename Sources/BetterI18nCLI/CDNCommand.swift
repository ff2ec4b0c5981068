import ArgumentParser
import BetterI18nCDN
import BetterI18nCore
import Foundation
import Logging

/// `better-i18n cdn export --out DIR` (SPEC §8): the CDN tree as static files.
struct CDNCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdn",
        abstract: "Work with the public CDN's files.",
        subcommands: [Export.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every published file (latest and v{version}/) with .gz and .br siblings.",
            discussion: "The files are byte-identical to what `serve` answers, so any CDN, bucket or nginx can serve DIR."
        )

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Directory to write DIR/{org}/{project}/… into (created when missing).") var out: String
        @Option(help: "CDN base URL the manifests point at. Env: BETTER_I18N_CDN_URL (default http://127.0.0.1:8080/cdn)")
        var cdnUrl: String?

        func run() async throws {
            try await Self.reportingFailures {
                let raw = Settings.string(cdnUrl, env: "CDN_URL", default: "http://127.0.0.1:8080/cdn")
                let cdnURL = try ServerConfiguration.parseBaseURL(raw, setting: "--cdn-url")
                var logger = Logger(label: "better-i18n.cdn")
                logger.logLevel = .warning
                let storage = try await database.open(logger: logger)
                do {
                    let summary = try await CDNExport(storage: storage, cdnURL: cdnURL.absoluteString)
                        .write(to: URL(fileURLWithPath: out, isDirectory: true))
                    print("exported \(summary.releases) release(s) of \(summary.projects) project(s): \(summary.files) files, each with .gz and .br")
                    try await storage.close()
                } catch {
                    try? await storage.close()
                    if let error = error as? CocoaError { throw CommandFailure(message: "cannot write \(out): \(error.localizedDescription)") }
                    throw error
                }
            }
        }
    }
}
