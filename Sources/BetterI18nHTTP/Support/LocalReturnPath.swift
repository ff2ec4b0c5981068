/// `return_to` after sign-in: local paths only (SPEC §4), so the login form can never be used
/// as an open redirect to another site.
enum LocalReturnPath {
    /// `raw` when it is a path on this origin, else `/`.
    ///
    /// Refused: absolute URLs (`https://evil.example`), scheme-relative ones (`//evil.example`),
    /// backslash tricks browsers normalise to `//` (`/\evil.example`), and control characters.
    static func sanitize(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/"), raw.count <= 2000 else { return "/" }
        let second = raw.dropFirst().first
        guard second != "/", second != "\\" else { return "/" }
        guard !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }) else { return "/" }
        return raw
    }
}
