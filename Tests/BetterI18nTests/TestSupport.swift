import BetterI18nAccounts
import BetterI18nCore
import BetterI18nStorage
import Foundation
import Logging
import Testing

/// The storage backends the contract suite runs against: SQLite always, PostgreSQL when
/// `BETTER_I18N_TEST_POSTGRES_URL` names a server (CI starts one; see `.ci/run`).
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["BETTER_I18N_TEST_POSTGRES_URL"]
        return url?.isEmpty == false ? url : nil
    }

    /// The backends available here: the PostgreSQL suite is skipped only when no URL is set.
    static var available: [Backend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }

    func open() async throws -> SQLStorage {
        switch self {
        case .sqlite:
            return try await StorageFactory.open(url: "sqlite://" + TemporaryFiles.databasePath(), logger: Logger.quiet)
        case .postgres:
            return try await StorageFactory.open(url: Backend.postgresURL!, logger: Logger.quiet)
        }
    }
}

enum StorageFactoryForTests {
    static func sqlite(path: String) async throws -> SQLStorage {
        try await StorageFactory.open(url: "sqlite://" + path, logger: Logger.quiet)
    }
}

enum TemporaryFiles {
    static func databasePath() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("better-i18n-tests-\(UUID().uuidString)")
        return directory.appendingPathComponent("test.sqlite").path
    }
}

extension Logger {
    static let quiet: Logger = {
        var logger = Logger(label: "better-i18n.tests")
        logger.logLevel = .critical
        return logger
    }()
}

/// Unique names per test, so tests can share one PostgreSQL database without colliding.
enum Unique {
    static func suffix() -> String { Base62.random(count: 8, from: SystemRandomSource()).lowercased() }
    static func email(_ name: String = "user") -> String { "\(name)-\(suffix())@example.com" }
    static func slug(_ name: String = "s") -> String { "\(name)-\(suffix())" }
}

/// A storage with an admin service on it and a clock the test owns.
struct Fixture {
    let storage: SQLStorage
    let clock: ManualWallClock
    let admin: AdminService
    /// The SQLite file, so tests can search it for secrets.
    let databasePath: String?

    init(backend: Backend = .sqlite) async throws {
        switch backend {
        case .sqlite:
            let path = TemporaryFiles.databasePath()
            databasePath = path
            storage = try await StorageFactory.open(url: "sqlite://" + path, logger: Logger.quiet)
        case .postgres:
            databasePath = nil
            storage = try await backend.open()
        }
        clock = ManualWallClock()
        admin = Self.admin(on: storage, clock: clock)
    }

    /// Admin operations with cheap bcrypt, for fast tests.
    static func admin(on storage: any Storage, clock: any WallClock) -> AdminService {
        AdminService(storage: storage, hasher: PasswordHasher(cost: 4), clock: clock)
    }

    /// A user, an organization they own and a project with en/de.
    func seedOrganization() async throws -> (user: User, organization: Organization, project: Project) {
        let user = try await admin.createUser(email: Unique.email(), name: "Owner", password: "correct horse battery")
        let organization = try await admin.createOrganization(slug: Unique.slug("org"), name: "Org", ownerEmail: user.email.value)
        let (project, _) = try await admin.createProject(
            organizationSlug: organization.slug.value, slug: "web", name: "Web", sourceLanguage: "en", languages: ["de"]
        )
        return (user, organization, project)
    }
}
