/// Request bodies refuse fields they do not know, so a typo (`on_conflcit`) is an error rather
/// than a silently ignored option. Responses decode leniently: a newer server may add fields.
public enum StrictDecoding {
    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public static func check(_ decoder: any Decoder, allowed: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = container.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [unknown], debugDescription: "unknown field '\(unknown.stringValue)'"
            ))
        }
    }

    public static func check<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, _ keys: Keys.Type) throws {
        try check(decoder, allowed: Set(keys.allCases.map(\.stringValue)))
    }
}
