/// A value a user or operator gave us that breaks a rule of the domain.
///
/// `field` names the input (`email`, `slug`, …) and `message` says what is wrong in words fit
/// for a person; neither ever contains a secret (a message quoting input masks anything shaped
/// like one, ``SecretRedaction``).
public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = SecretRedaction.redact(message)
    }

    public var description: String { "\(field): \(message)" }
}
