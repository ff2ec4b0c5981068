/// Token-bearing answers print without their tokens, so a client (or the server) that logs one
/// by accident leaks nothing: tokens and secrets never appear in logs.
extension TokenResponse: CustomStringConvertible {
    public var description: String {
        "TokenResponse(grant_id: \(grantID), organization_id: \(organizationID), scope: \(scope), expires_in: \(expiresIn), tokens redacted)"
    }
}

extension InstallationToken: CustomStringConvertible {
    public var description: String {
        "InstallationToken(grant_id: \(grantID), organization_id: \(organizationID), expires_at: \(expiresAt), token redacted)"
    }
}
