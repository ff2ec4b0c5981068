/// Why a storage operation failed, in terms the layers above can act on.
///
/// A struct wrapping a private enum (STYLE.md), so new cases do not break callers. The
/// `detail` is for logs only: it may name tables and constraints, never values.
public struct StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case conflict
        case notFound
        case unavailable
    }

    private let code: Code
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// A uniqueness rule would break (duplicate email, slug, key name…).
    public static func conflict(_ detail: String) -> StorageError { .init(.conflict, detail) }
    /// Something the operation depends on does not exist.
    public static func notFound(_ detail: String) -> StorageError { .init(.notFound, detail) }
    /// The database cannot be reached, opened or written.
    public static func unavailable(_ detail: String) -> StorageError { .init(.unavailable, detail) }

    public var isConflict: Bool { code == .conflict }
    public var isNotFound: Bool { code == .notFound }
    public var isUnavailable: Bool { code == .unavailable }

    public static func == (lhs: StorageError, rhs: StorageError) -> Bool { lhs.code == rhs.code }

    public var description: String {
        switch code {
        case .conflict: "conflict: \(detail)"
        case .notFound: "not found: \(detail)"
        case .unavailable: "database unavailable: \(detail)"
        }
    }
}
