/// Request parameters as sent, in order, so that a parameter given twice can be refused
/// (RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once").
public struct OAuthParameters: Sendable {
    public let pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    /// The value of a parameter sent once; nil when absent. Empty values count as absent
    /// (RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted").
    public func single(_ name: String) throws -> String? {
        let values = pairs.filter { $0.name == name && !$0.value.isEmpty }.map(\.value)
        guard values.count <= 1 else {
            throw OAuthError.invalidRequest("The parameter \(name) was given more than once.")
        }
        return values.first
    }

    public func required(_ name: String) throws -> String {
        guard let value = try single(name) else {
            throw OAuthError.invalidRequest("The parameter \(name) is missing.")
        }
        return value
    }

    /// The first parameter that appears more than once with a value, if any.
    public var firstDuplicate: String? {
        var seen: Set<String> = []
        for pair in pairs where !pair.value.isEmpty {
            if !seen.insert(pair.name).inserted { return pair.name }
        }
        return nil
    }
}
