/// Refuses JSON objects with fields a type does not know, where a typo would otherwise be
/// silently ignored and lose data (`"translation"` for `"translations"`).
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
}
