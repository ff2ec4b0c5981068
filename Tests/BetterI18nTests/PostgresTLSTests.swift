import BetterI18nCore
@testable import BetterI18nStorage
import Foundation
import Logging
import NIOSSL
import SQLKit
import Testing

/// SPEC §2: `sslmode` (disable | prefer | require | verify-ca | verify-full) and `sslrootcert` in
/// a PostgreSQL URL, read as libpq reads them.
@Suite struct PostgresURLTests {
    @Test func sslModeAndRootCertificateAreReadFromTheURL() throws {
        let target = try PostgresDriver.Target(url: "postgres://app:pw@db.example.com:6432/i18n?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem")
        #expect(target.sslMode == .verifyFull)
        #expect(target.rootCertificatePath == "/etc/ssl/ca.pem")
        #expect(target.port == 6432 && target.database == "i18n")
        #expect(try PostgresDriver.Target(url: "postgres://app@db/i18n").sslMode == .prefer, "libpq's default")
        #expect(try PostgresDriver.Target(url: "postgres://app@db/i18n?sslmode=disable").tlsConfiguration() == nil)
        #expect(try PostgresDriver.Target(url: "postgres://app@db/i18n?sslmode=require").tlsConfiguration()?.certificateVerification == CertificateVerification.none)
    }

    @Test func anUnknownSSLModeIsRefusedWithAClearMessage() async throws {
        let error = await #expect(throws: StorageError.self) {
            try await StorageFactory.open(url: "postgres://app:hunter2secret@127.0.0.1:1/i18n?sslmode=allow", logger: .quiet)
        }
        #expect(error?.detail.contains("sslmode=allow is not supported") == true)
        #expect(error?.detail.contains("hunter2secret") == false)
    }

    @Test func anUnreadableRootCertificateFailsStartUpWithAClearMessage() async throws {
        let error = await #expect(throws: StorageError.self) {
            try await StorageFactory.open(
                url: "postgres://app:hunter2secret@127.0.0.1:1/i18n?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", logger: .quiet
            )
        }
        #expect(error?.detail.contains("sslrootcert '/nonexistent/ca.pem' cannot be read") == true)
        #expect(error?.detail.contains("hunter2secret") == false)
    }
}

/// Over TLS, when CI points `BETTER_I18N_TEST_POSTGRES_URL` at a TLS server with
/// `sslmode=verify-full` (`.ci/run` does, after the plain run, with a CA it makes with openssl).
@Suite struct PostgresTLSStorageContractTests {
    static var tlsURL: String? {
        guard let url = Backend.postgresURL, let mode = try? PostgresDriver.Target(url: url).sslMode,
              [.require, .verifyCA, .verifyFull].contains(mode) else { return nil }
        return url
    }

    static var wrongCA: String? {
        let path = ProcessInfo.processInfo.environment["BETTER_I18N_TEST_POSTGRES_WRONG_CA"]
        return path?.isEmpty == false ? path : nil
    }

    @Test(.enabled(if: tlsURL != nil, "needs a PostgreSQL URL with sslmode=require or stricter"))
    func theConnectionIsEncrypted() async throws {
        let storage = try await StorageFactory.open(url: try #require(Self.tlsURL), logger: .quiet)
        let encrypted = try await storage.driver.read { database in
            try await database.raw("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first()?.decode(column: "ssl", as: Bool.self)
        }
        #expect(encrypted == true)
        try await storage.close()
    }

    @Test(.enabled(if: tlsURL != nil && wrongCA != nil, "needs a TLS PostgreSQL URL and a CA that did not sign its certificate"))
    func aWrongCAUnderVerifyFullFailsStartUpWithAClearMessage() async throws {
        let tlsURL = try #require(Self.tlsURL)
        var components = try #require(URLComponents(string: tlsURL))
        components.queryItems = [URLQueryItem(name: "sslmode", value: "verify-full"), URLQueryItem(name: "sslrootcert", value: Self.wrongCA)]
        let url = try #require(components.string)
        let error = await #expect(throws: StorageError.self) { try await StorageFactory.open(url: url, logger: .quiet) }
        #expect(error?.detail.contains("certificate was not accepted under sslmode=verify-full") == true, "\(error?.detail ?? "")")
    }
}
