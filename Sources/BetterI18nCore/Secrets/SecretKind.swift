/// Every kind of secret Better i18n hands out (SPEC §3), named by its prefix.
///
/// The prefix lets secret scanners and `better-i18n token check` recognise a token without
/// a database, as GitHub's token format does.
public enum SecretKind: String, CaseIterable, Sendable, Codable {
    case authorizationCode
    case accessToken
    case refreshToken
    case installationToken
    case publicContentKey
    case clientSecret
    case initialAccessToken
    /// Dashboard session cookie; never leaves the browser, but follows the same format so it is
    /// stored by digest like every other secret.
    case session
    /// The token of an invitation link to an organization (dashboard Members page): single use,
    /// seven days, stored by digest.
    case invitation

    public var prefix: String {
        switch self {
        case .authorizationCode: "bi_ac_"
        case .accessToken: "bi_at_"
        case .refreshToken: "bi_rt_"
        case .installationToken: "bi_oat_"
        case .publicContentKey: "bi_pub_"
        case .clientSecret: "bi_cs_"
        case .initialAccessToken: "bi_iat_"
        case .session: "bi_ses_"
        case .invitation: "bi_inv_"
        }
    }

    /// How `token check` and error messages name the kind.
    public var displayName: String {
        switch self {
        case .authorizationCode: "authorization code"
        case .accessToken: "OAuth access token"
        case .refreshToken: "refresh token"
        case .installationToken: "installation token"
        case .publicContentKey: "public Content API key"
        case .clientSecret: "client secret"
        case .initialAccessToken: "initial access token"
        case .session: "dashboard session"
        case .invitation: "invitation link token"
        }
    }

    /// The kind whose prefix starts `token`, if any. Longest prefix first, so `bi_oat_` is never
    /// mistaken for something shorter.
    public static func matching(_ token: some StringProtocol) -> SecretKind? {
        allCases
            .sorted { $0.prefix.count > $1.prefix.count }
            .first { token.hasPrefix($0.prefix) }
    }
}
