/// A list answer of the partner API (SPEC §6.2): `{"<things>":[…],"next_cursor":"…"|null}`,
/// with `next_cursor` written as `null` on the last page rather than left out.
struct ListResponse<Item: Encodable>: Encodable {
    let name: String
    let items: [Item]
    let nextCursor: String?

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(name))
        if let nextCursor {
            try container.encode(nextCursor, forKey: Key("next_cursor"))
        } else {
            try container.encodeNil(forKey: Key("next_cursor"))
        }
    }
}
