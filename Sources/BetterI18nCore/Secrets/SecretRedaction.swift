/// Masks anything shaped like a Better i18n secret (`bi_<kind>_` + its random part) in text
/// that echoes client input — error descriptions, log details — so a token pasted into the
/// wrong field is never sent back or written down. Keeps the prefix, which says what it was.
public enum SecretRedaction {
    public static func redact(_ text: some StringProtocol) -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "bi_") {
            output += rest[..<start.lowerBound]
            let candidate = rest[start.lowerBound...]
            if let kind = SecretKind.allCases.first(where: { candidate.hasPrefix($0.prefix) }) {
                let body = candidate.dropFirst(kind.prefix.count)
                let random = body.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
                if random.count >= 8 {
                    output += kind.prefix + "…"
                    rest = body[random.endIndex...]
                    continue
                }
            }
            output += "bi_"
            rest = candidate.dropFirst(3)
        }
        return output + rest
    }
}
