import BetterI18nAPI
import Foundation
import MCP

/// The MCP tools of SPEC §9, each a thin mapping onto partner REST calls made with the agent's
/// own token: scopes, organizations, limits and validation are the REST API's, so a tool can
/// never do what the token's REST call could not. Results are short texts an agent can act on;
/// failures are tool errors that name the REST error code.
public struct PartnerTools: Sendable {
    let api: any PartnerAPI

    public init(api: any PartnerAPI) {
        self.api = api
    }

    public static let names = definitions.map(\.name)

    /// Runs a tool; every failure — bad arguments, REST refusals, an unreachable API — becomes
    /// a tool error result rather than a protocol error, so the agent reads what went wrong.
    public func call(_ name: String, arguments: [String: Value]?) async -> CallTool.Result {
        let call = ToolCall(arguments: arguments ?? [:], api: api)
        do {
            let text: String
            switch name {
            case "listProjects": text = try await call.listProjects()
            case "getProject": text = try await call.getProject()
            case "listKeys": text = try await call.listKeys()
            case "createKeys": text = try await call.createKeys()
            case "deleteKeys": text = try await call.deleteKeys()
            case "updateKeys": text = try await call.updateKeys()
            case "setTranslations": text = try await call.setTranslations()
            case "getTranslations": text = try await call.getTranslations()
            case "getPendingChanges": text = try await call.getPendingChanges()
            case "publishTranslations": text = try await call.publishTranslations()
            case "addLanguages": text = try await call.addLanguages()
            case "exportTranslations": text = try await call.exportTranslations()
            case "importTranslations": text = try await call.importTranslations()
            default:
                if let content = try await callContent(name, call) { text = content; break }
                throw ToolFailure(code: "unknown_tool", message: "There is no tool named \(name). Tools: \(Self.names.joined(separator: ", ")).")
            }
            return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], isError: false)
        } catch let failure as ToolFailure {
            return CallTool.Result(content: [.text(text: failure.text, annotations: nil, _meta: nil)], isError: true)
        } catch let failure as PartnerAPIUnreachable {
            return CallTool.Result(content: [.text(text: "unavailable: \(failure.description)", annotations: nil, _meta: nil)], isError: true)
        } catch {
            return CallTool.Result(content: [.text(text: "server_error: the tool failed unexpectedly.", annotations: nil, _meta: nil)], isError: true)
        }
    }
}

/// A refused tool call: `code: message`, the code being the REST error code when REST refused.
struct ToolFailure: Error {
    let code: String
    let message: String
    var details: [String] = []

    var text: String { ([("\(code): \(message)")] + details).joined(separator: "\n") }

    static func invalidArguments(_ message: String) -> ToolFailure {
        ToolFailure(code: "invalid_arguments", message: message)
    }

    /// A REST error answer in SPEC §6.3 form, with the required scope, per-item errors and
    /// when to retry spelled out.
    init(response: PartnerAPIResponse, itemLabel: (Int) -> String = { "item \($0)" }) {
        let body = try? JSONDecoder().decode(ErrorBody.self, from: response.body)
        code = body?.error ?? "http_\(response.status)"
        var message = body?.errorDescription ?? "The API answered \(response.status)."
        if let required = body?.required { message += " Required scope: \(required)." }
        if code == ErrorCode.rateLimited.rawValue { message += " Retry after \(response.retryAfter ?? "60") seconds." }
        self.message = message
        let items = body?.errors ?? []
        details = items.prefix(20).map { item in
            let offset = item.offset.map { " (at character \($0))" } ?? ""
            let place = [item.line.map { "line \($0)" }, item.key.map { "key '\($0)'" }].compactMap { $0 }.joined(separator: ", ")
            return "- \(place.isEmpty ? itemLabel(item.index) : place): \(item.error) — \(item.message)\(offset)"
        }
        if items.count > 20 { details.append("- … and \(items.count - 20) more") }
    }

    init(code: String, message: String, details: [String] = []) {
        self.code = code
        self.message = message
        self.details = details
    }
}
