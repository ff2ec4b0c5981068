import BetterI18nAPI
import BetterI18nCore
import BetterI18nFormats
import BetterI18nOAuth
import BetterI18nProjects
import Foundation
import Hummingbird

/// Files in and out (SPEC §12): export answers the file (or a zip), import takes the file as
/// the body. Decode, one service call, encode.
struct FileRoutes {
    let files: FileService
    let views: ProjectViews

    func register(on api: RouterGroup<AppRequestContext>) {
        let prefix = PartnerResources.prefix
        api.on(Endpoints.exportTranslations, below: prefix) { request, context in try await export(request, context) }
        api.on(Endpoints.importTranslations, below: prefix) { request, context in try await importFile(request, context) }
    }

    /// Notes beyond these are only counted (`X-Export-Notes`): many HTTP clients refuse answers
    /// with more than 100 header fields.
    private static let maximumNotesInHeaders = 20
    private static let sliceBytes = 256 * 1024

    private func format(_ request: Request) throws -> FileFormat {
        guard let raw = request.uri.queryParameters["format"] else {
            throw APIError.invalidRequest("format is required: " + FileFormat.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        guard let format = FileFormat(rawValue: String(raw)) else {
            throw APIError.invalidRequest("format must be one of " + FileFormat.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        return format
    }

    private func export(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .translationsRead)
        let project = try await ResourceAccess(token: token, views: views).project(context.parameters.value("projectId"))
        let query = request.uri.queryParameters
        let format = try format(request)
        let status = try query["status"].map { raw -> ValueStatus in
            guard let status = ValueStatus(rawValue: String(raw)) else { throw APIError.invalidRequest("status must be draft or published.") }
            return status
        } ?? .draft
        let file = try await files.export(project, format: format, languages: query["languages"].map(String.init),
                                          namespace: query["namespace"].map(String.init), status: status)
        var headers: HTTPFields = [
            .contentType: file.mediaType,
            .contentDisposition: "attachment; filename=\"\(file.name.filter { $0 != "\"" && $0.isASCII })\"",
        ]
        let notesHeader = HTTPFields.Element.Name("X-Export-Notes")!
        headers[notesHeader] = String(file.notes.count)
        for note in file.notes.prefix(Self.maximumNotesInHeaders) {
            let printable = String(String.UnicodeScalarView(note.description.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? $0 : "?" }))
            headers.append(HTTPFields.Element(name: HTTPFields.Element.Name("X-Export-Note")!, value: printable))
        }
        // Read back from the spool in slices straight into the buffers that are sent: the
        // server holds one slice of an export of tens of MB, not the export.
        let spool = file.file
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: spool.count) { writer in
            var offset = 0
            while offset < spool.count {
                var buffer = ByteBufferAllocator().buffer(capacity: Self.sliceBytes)
                let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.sliceBytes) { space in
                    try spool.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: space.prefix(Self.sliceBytes)))
                }
                guard read > 0 else { break }
                offset += read
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        })
    }

    private func importFile(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = try context.partnerToken(requiring: .keysWrite)
        _ = try context.partnerToken(requiring: .translationsWrite)
        let project = try await ResourceAccess(token: token, views: views).project(context.parameters.value("projectId"))
        let query = request.uri.queryParameters
        let format = try format(request)
        let overwrite: Bool
        switch query["on_conflict"].map(String.init) {
        case nil, "skip": overwrite = false
        case "update": overwrite = true
        default: throw APIError.invalidRequest("on_conflict must be skip or update.")
        }
        let dryRun: Bool
        switch query["dry_run"].map(String.init) {
        case nil, "false": dryRun = false
        case "true": dryRun = true
        default: throw APIError.invalidRequest("dry_run must be true or false.")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: PartnerJSON.maximumBytes)
        } catch {
            throw APIError.payloadTooLarge
        }
        let result = try await files.importFile(
            Array(body.readableBytesView), into: project,
            options: .init(format: format, language: query["language"].map(String.init), namespace: query["namespace"].map(String.init),
                           overwrite: overwrite, dryRun: dryRun),
            author: token.grant.id.rawValue
        )
        return JSONResponse.make(ImportResult(
            created: result.created, updated: result.updated, skipped: result.skipped, notes: result.notes.map(\.description), dryRun: dryRun
        ), status: .ok)
    }
}
