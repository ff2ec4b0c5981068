/// A JSON Schema sketch of a wire type, enough for the OpenAPI document and for tests that
/// check real answers against it: each type of this module describes its own shape next to
/// its `Codable` conformance, so the document, the server and the clients read one definition.
public indirect enum Schema: Sendable {
    case string
    /// RFC 3339 date-time.
    case dateTime
    case integer
    case boolean
    case array(Schema)
    /// An object with free keys (`{"de":"Hallo"}`), each value of the given schema.
    case map(Schema)
    case object([Property])
    /// `null` allowed (and always present when the property is required).
    case nullable(Schema)
    /// Another named type's schema, by ``APIType/schemaName``.
    case ref(String)
    case enumeration([String])
    /// Any JSON value (a content field's value, SPEC §10).
    case any

    public struct Property: Sendable {
        public let name: String
        public let schema: Schema
        public let required: Bool

        public init(_ name: String, _ schema: Schema, required: Bool = true) {
            self.name = name
            self.schema = schema
            self.required = required
        }
    }

    public static func ref<T: APIType>(_ type: T.Type) -> Schema { .ref(T.schemaName) }
}

/// A request or response body of the API.
public protocol APIType: Codable, Sendable {
    /// The component name in the OpenAPI document.
    static var schemaName: String { get }
    static var schema: Schema { get }
}

extension APIType {
    public static var schemaName: String { String(describing: Self.self) }
}
