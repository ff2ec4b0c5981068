import ArgumentParser
import BetterI18nCore
import BetterI18nMCP
import Foundation
import MCP

/// `better-i18n mcp` (SPEC §9): the MCP server over stdio for AI agents, calling the partner
/// REST API at `BETTER_I18N_API_URL` with the installation token in `BETTER_I18N_API_KEY`.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Run the MCP server over stdio for AI agents.",
        discussion: """
            BETTER_I18N_API_KEY: an installation token (bi_oat_…), required. \
            BETTER_I18N_API_URL: the partner API's base URL (default http://127.0.0.1:8080). \
            stdout carries the MCP protocol; diagnostics go to stderr.
            """
    )

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var key = ""
        var baseURL = URL(fileURLWithPath: "/")
        try await Self.reportingFailures {
            key = try Self.checkKey(environment["BETTER_I18N_API_KEY"])
            baseURL = try Self.checkURL(environment["BETTER_I18N_API_URL"])
        }
        let server = await BetterI18nMCPServer.make(api: RemotePartnerAPI(baseURL: baseURL, token: key), version: BetterI18nVersion.current)
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }

    /// The API's base URL: https, or plain http only to a loopback host, so the installation
    /// token is never sent in clear over a network.
    static func checkURL(_ raw: String?) throws -> URL {
        let url = try ServerConfiguration.parseBaseURL(raw ?? "http://\(ServerConfiguration.defaults.host):\(ServerConfiguration.defaults.port)",
                                                       setting: "BETTER_I18N_API_URL")
        let host = url.host?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) ?? ""
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let loopbackIPv4 = octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
        let loopback = host == "localhost" || host == "::1" || loopbackIPv4
        guard url.scheme?.lowercased() == "https" || loopback else {
            throw CommandFailure(message: "BETTER_I18N_API_URL is \(url.absoluteString): the installation token would travel unencrypted; use https (plain http is allowed for localhost only).")
        }
        return url
    }

    /// The key must be an installation token with a valid checksum; anything else is named.
    static func checkKey(_ raw: String?) throws -> String {
        guard let key = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty else {
            throw CommandFailure(message: "BETTER_I18N_API_KEY is not set: set it to an installation token (bi_oat_…), minted with POST /api/oauth-client/installations/{grant_id}/tokens.")
        }
        switch SecretFormatCheck(key) {
        case .valid(.installationToken):
            return key
        case .valid(.publicContentKey):
            throw CommandFailure(message: "BETTER_I18N_API_KEY is a public Content API key (bi_pub_), which only reads published content; the MCP server needs an installation token (bi_oat_…).")
        case .valid(.accessToken):
            throw CommandFailure(message: "BETTER_I18N_API_KEY is an OAuth access token (bi_at_), which can only mint installation tokens; mint one (bi_oat_…) and use that.")
        case .valid(let kind):
            throw CommandFailure(message: "BETTER_I18N_API_KEY is a \(kind.displayName) (\(kind.prefix)), not an installation token (bi_oat_…).")
        case .badChecksum(let kind):
            throw CommandFailure(message: "BETTER_I18N_API_KEY looks like a \(kind.displayName) (\(kind.prefix)) but its checksum does not hold: it is mistyped or truncated.")
        case .unknownKind:
            throw CommandFailure(message: "BETTER_I18N_API_KEY is not a Better i18n token; an installation token starts with bi_oat_.")
        }
    }
}
