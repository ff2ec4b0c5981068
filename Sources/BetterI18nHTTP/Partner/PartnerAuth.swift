import BetterI18nAPI
import BetterI18nCore
import BetterI18nOAuth
import Hummingbird

/// Reads the partner API's credentials (SPEC §6): `Authorization: Bearer` (scheme
/// case-insensitive) or `x-api-key`.
enum PartnerCredentials {
    static func token(from request: Request) -> String? {
        if let header = request.headers[.authorization] {
            if let token = asciiBearer(header) { return token }
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return request.headers[.xAPIKey]
    }

    /// The common case without Foundation: an ASCII `Bearer <token>` header (scheme in any case),
    /// the token trimmed of spaces and tabs. Anything else takes the general path above.
    private static func asciiBearer(_ header: String) -> String? {
        let bytes = header.utf8
        guard bytes.count > 7, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var index = bytes.startIndex
        for expected in "bearer ".utf8 {
            let byte = bytes[index]
            guard byte == expected || (byte >= 0x41 && byte <= 0x5A && byte | 0x20 == expected) else { return nil }
            index = bytes.index(after: index)
        }
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes[index...].firstIndex(where: { !isBlank($0) }),
              let last = bytes[first...].lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(header[first...last])
    }

    /// The §6.3 answer for a refused token, with the RFC 6750 §3 challenge.
    ///
    /// - Parameter revokedIsUnauthorized: `{api}/mcp` answers a revoked grant with `401` (naming
    ///   `grant_revoked`) rather than REST's `410`, since an MCP client answers a 401 by sending
    ///   the user back to consent.
    static func error(
        _ failure: BearerFailure, resourceMetadata: String?, realm: Bool = true, revokedIsUnauthorized: Bool = false
    ) -> APIError {
        let parts = (realm ? [#"realm="better-i18n""#] : []) + (resourceMetadata.map { [#"resource_metadata="\#($0)""#] } ?? [])
        let challenge = "Bearer " + parts.joined(separator: ", ")
        switch failure {
        case .missing:
            return APIError(.invalidToken, "A bearer token is required.",
                            headers: [.wwwAuthenticate: challenge])
        case .invalid:
            return APIError(.invalidToken,
                            "The token is malformed, unknown, expired, revoked or not valid for this endpoint.",
                            headers: [.wwwAuthenticate: challenge + #", error="invalid_token""#])
        case .grantRevoked where revokedIsUnauthorized:
            return APIError(.grantRevoked,
                            "The user revoked this app's access to the organization; authorize again.",
                            headers: [.wwwAuthenticate: challenge + #", error="invalid_token", error_description="grant revoked""#],
                            status: .unauthorized)
        case .grantRevoked:
            return APIError(.grantRevoked, "The user revoked this app's access to the organization.")
        }
    }
}

extension HTTPFields.Element.Name {
    static let xAPIKey = Self("x-api-key")!
}
