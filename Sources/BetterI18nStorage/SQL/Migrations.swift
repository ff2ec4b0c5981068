import SQLKit

/// One versioned step of the schema. Statements are portable SQL: TEXT, BIGINT and INTEGER
/// columns only, timestamps as milliseconds since 1970, booleans as 0/1, so SQLite and
/// PostgreSQL share every query.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [String]
}

enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "accounts, organizations, projects, keys, clients, sessions", statements: [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE organizations (
                id TEXT PRIMARY KEY,
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE memberships (
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                user_id TEXT NOT NULL REFERENCES users(id),
                role TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, user_id)
            )
            """,
            "CREATE INDEX memberships_by_user ON memberships (user_id)",
            """
            CREATE TABLE projects (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                slug TEXT NOT NULL,
                name TEXT NOT NULL,
                source_language TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (organization_id, slug)
            )
            """,
            """
            CREATE TABLE project_languages (
                project_id TEXT NOT NULL REFERENCES projects(id),
                code TEXT NOT NULL,
                status TEXT NOT NULL,
                is_source INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (project_id, code)
            )
            """,
            """
            CREATE TABLE namespaces (
                project_id TEXT NOT NULL REFERENCES projects(id),
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (project_id, name)
            )
            """,
            """
            CREATE TABLE translation_keys (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL REFERENCES projects(id),
                namespace TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                deleted_at BIGINT
            )
            """,
            // A name is unique among live keys only: a deleted key's name can be reused.
            """
            CREATE UNIQUE INDEX translation_keys_live_name
                ON translation_keys (project_id, namespace, name) WHERE deleted_at IS NULL
            """,
            """
            CREATE TABLE translations (
                key_id TEXT NOT NULL REFERENCES translation_keys(id),
                language TEXT NOT NULL,
                value TEXT NOT NULL,
                updated_by TEXT,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (key_id, language)
            )
            """,
            """
            CREATE TABLE oauth_clients (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                redirect_uris TEXT NOT NULL,
                logo_uri TEXT,
                client_uri TEXT,
                owner_user_id TEXT REFERENCES users(id),
                secret_digest TEXT,
                is_verified INTEGER NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE sessions (
                digest TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
        ]),
        Migration(version: 2, name: "oauth: grants, pending requests, codes, token families, audit", statements: [
            "ALTER TABLE oauth_clients ADD COLUMN deleted_at BIGINT",
            """
            CREATE TABLE grants (
                id TEXT PRIMARY KEY,
                client_id TEXT NOT NULL REFERENCES oauth_clients(id),
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                user_id TEXT NOT NULL REFERENCES users(id),
                scopes TEXT NOT NULL,
                project_ids TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                last_used_at BIGINT,
                revoked_at BIGINT
            )
            """,
            // One live grant per partner–organization pair; revoked ones stay as history.
            "CREATE UNIQUE INDEX grants_live_pair ON grants (client_id, organization_id) WHERE revoked_at IS NULL",
            "CREATE INDEX grants_by_organization ON grants (organization_id)",
            """
            CREATE TABLE pending_authorizations (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                client_id TEXT NOT NULL REFERENCES oauth_clients(id),
                redirect_uri TEXT NOT NULL,
                scopes TEXT NOT NULL,
                state TEXT,
                code_challenge TEXT NOT NULL,
                resource TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                consumed_at BIGINT
            )
            """,
            """
            CREATE TABLE token_families (
                id TEXT PRIMARY KEY,
                grant_id TEXT NOT NULL REFERENCES grants(id),
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            """
            CREATE TABLE authorization_codes (
                digest TEXT PRIMARY KEY,
                client_id TEXT NOT NULL REFERENCES oauth_clients(id),
                grant_id TEXT NOT NULL REFERENCES grants(id),
                user_id TEXT NOT NULL REFERENCES users(id),
                family_id TEXT NOT NULL REFERENCES token_families(id),
                redirect_uri TEXT NOT NULL,
                scopes TEXT NOT NULL,
                code_challenge TEXT NOT NULL,
                resource TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                consumed_at BIGINT
            )
            """,
            """
            CREATE TABLE tokens (
                digest TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                client_id TEXT NOT NULL REFERENCES oauth_clients(id),
                grant_id TEXT NOT NULL REFERENCES grants(id),
                family_id TEXT NOT NULL REFERENCES token_families(id),
                user_id TEXT NOT NULL REFERENCES users(id),
                scopes TEXT NOT NULL,
                project_ids TEXT NOT NULL,
                resource TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT,
                rotated_at BIGINT,
                grace_used_at BIGINT
            )
            """,
            "CREATE INDEX tokens_by_family ON tokens (family_id)",
            "CREATE INDEX tokens_by_grant ON tokens (grant_id)",
            """
            CREATE TABLE registration_tokens (
                digest TEXT PRIMARY KEY,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            """
            CREATE TABLE audit_events (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                organization_id TEXT,
                client_id TEXT,
                grant_id TEXT,
                actor TEXT NOT NULL,
                details TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX audit_events_by_organization ON audit_events (organization_id, created_at)",
        ]),
        Migration(version: 3, name: "glossary", statements: [
            """
            CREATE TABLE glossary_terms (
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                term TEXT NOT NULL,
                description TEXT,
                translations TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, term)
            )
            """,
        ]),
        Migration(version: 4, name: "releases", statements: [
            "ALTER TABLE projects ADD COLUMN release_version INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE releases (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL REFERENCES projects(id),
                version INTEGER NOT NULL,
                published_at BIGINT NOT NULL,
                languages TEXT NOT NULL,
                published_languages TEXT NOT NULL,
                published_by TEXT NOT NULL,
                UNIQUE (project_id, version)
            )
            """,
            """
            CREATE TABLE release_languages (
                release_id TEXT NOT NULL REFERENCES releases(id),
                language TEXT NOT NULL,
                content TEXT NOT NULL,
                key_count INTEGER NOT NULL,
                last_updated BIGINT NOT NULL,
                PRIMARY KEY (release_id, language)
            )
            """,
        ]),
        // Nested CDN files (SPEC §8): bodies are stored nested from now on (format 2; older
        // flat bodies stay format 1 and are re-nested when loaded); each file's lastModified;
        // what a body was rendered from; the project's languages and namespaces at publish.
        Migration(version: 5, name: "nested_releases", statements: [
            "ALTER TABLE release_languages ADD COLUMN format INTEGER NOT NULL DEFAULT 1",
            "ALTER TABLE release_languages ADD COLUMN namespace_modified TEXT",
            "ALTER TABLE release_languages ADD COLUMN source_digest TEXT",
            "ALTER TABLE releases ADD COLUMN project_languages TEXT",
            "ALTER TABLE releases ADD COLUMN namespaces TEXT",
        ]),
        Migration(version: 6, name: "indexes for pruning expired codes and tokens", statements: [
            "CREATE INDEX tokens_by_expiry ON tokens (expires_at)",
            "CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at)",
            "CREATE INDEX authorization_codes_by_family ON authorization_codes (family_id)",
            "CREATE INDEX token_families_by_revocation ON token_families (revoked_at)",
        ]),
        // Statuses and pending changes from the values themselves: a publish copies each value's
        // updated_at into published_updated_at, so "draft" is a difference of two columns, and
        // the drafts (usually few) have an index of their own.
        Migration(version: 7, name: "publish_marks", statements: [
            "ALTER TABLE translations ADD COLUMN published_updated_at BIGINT",
            """
            CREATE INDEX translations_unpublished ON translations (key_id)
                WHERE published_updated_at IS NULL OR published_updated_at <> updated_at
            """,
            "CREATE INDEX translation_keys_deleted ON translation_keys (project_id) WHERE deleted_at IS NOT NULL",
        ]),
        // The scopes a client registered (RFC 7591 `scope`); NULL for clients registered before,
        // which may ask for every scope as they could.
        Migration(version: 8, name: "client_scopes", statements: [
            "ALTER TABLE oauth_clients ADD COLUMN scopes TEXT",
        ]),
        // Keys named without their namespace (`?keys=a,b` on translations).
        Migration(version: 9, name: "keys_by_name", statements: [
            "CREATE INDEX translation_keys_by_name ON translation_keys (project_id, name)",
        ]),
        // Content CMS (SPEC §10): models with their fields (JSON), entries with shared values
        // (JSON), one row per entry and language holding the working copy and the published
        // snapshot (JSON, NULL when unpublished); public Content API keys by digest.
        Migration(version: 10, name: "content", statements: [
            """
            CREATE TABLE content_models (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL REFERENCES projects(id),
                slug TEXT NOT NULL,
                display_name TEXT NOT NULL,
                description TEXT,
                kind TEXT NOT NULL,
                include_body INTEGER NOT NULL,
                fields TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (project_id, slug)
            )
            """,
            """
            CREATE TABLE content_entries (
                id TEXT PRIMARY KEY,
                project_id TEXT NOT NULL REFERENCES projects(id),
                model_id TEXT NOT NULL REFERENCES content_models(id),
                slug TEXT NOT NULL,
                status TEXT NOT NULL,
                source_language TEXT NOT NULL,
                fields TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (model_id, slug)
            )
            """,
            """
            CREATE TABLE content_entry_languages (
                entry_id TEXT NOT NULL REFERENCES content_entries(id),
                language TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT,
                fields TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                published TEXT,
                PRIMARY KEY (entry_id, language)
            )
            """,
            "CREATE INDEX content_entries_by_project ON content_entries (project_id, model_id)",
            """
            CREATE TABLE public_keys (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                project_id TEXT NOT NULL REFERENCES projects(id),
                name TEXT NOT NULL,
                digest TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX public_keys_by_organization ON public_keys (organization_id, created_at)",
        ]),
        // Events and webhooks: the outbox (`events`, written in the transaction of the change),
        // subscriptions, one row per (event, webhook) delivery with its claim, and the attempt log.
        Migration(version: 11, name: "webhooks", statements: [
            """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY,
                organization_id TEXT REFERENCES organizations(id),
                client_id TEXT,
                url TEXT NOT NULL,
                events TEXT NOT NULL,
                project_id TEXT,
                secret TEXT NOT NULL,
                previous_secret TEXT,
                previous_secret_until BIGINT,
                enabled INTEGER NOT NULL,
                disabled_reason TEXT,
                failing_since BIGINT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX webhooks_by_organization ON webhooks (organization_id)",
            "CREATE UNIQUE INDEX webhooks_by_client ON webhooks (client_id)",
            """
            CREATE TABLE events (
                id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                organization_id TEXT NOT NULL,
                project_id TEXT,
                client_id TEXT,
                grant_id TEXT,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                fanned_out INTEGER NOT NULL
            )
            """,
            "CREATE INDEX events_to_fan_out ON events (created_at) WHERE fanned_out = 0",
            "CREATE INDEX events_by_time ON events (created_at)",
            """
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                webhook_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                grant_id TEXT,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at BIGINT,
                claimed_until BIGINT,
                claim TEXT,
                created_at BIGINT NOT NULL,
                finished_at BIGINT
            )
            """,
            "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'",
            "CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at)",
            "CREATE INDEX webhook_deliveries_by_grant ON webhook_deliveries (grant_id) WHERE state = 'pending'",
            "CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at)",
            """
            CREATE TABLE webhook_attempts (
                delivery_id TEXT NOT NULL,
                webhook_id TEXT NOT NULL,
                attempted_at BIGINT NOT NULL,
                status_code INTEGER,
                duration_ms INTEGER NOT NULL,
                response TEXT NOT NULL
            )
            """,
            "CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, attempted_at)",
            "CREATE INDEX webhook_attempts_by_time ON webhook_attempts (attempted_at)",
        ]),
        // Invitations to an organization (dashboard Members page): the link's token is stored
        // by digest only; accepted_at makes it single use with one conditional UPDATE.
        Migration(version: 12, name: "invitations", statements: [
            """
            CREATE TABLE invitations (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                email TEXT NOT NULL,
                role TEXT NOT NULL,
                token_digest TEXT NOT NULL UNIQUE,
                invited_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                accepted_at BIGINT,
                accepted_by TEXT
            )
            """,
            "CREATE INDEX invitations_by_organization ON invitations (organization_id, created_at)",
        ]),
    ]

    /// Applies every migration not yet recorded, each in its own transaction, and returns the
    /// versions applied. Safe to run from several processes at once.
    static func apply(on driver: some SQLDriver, now: Int64) async throws -> [Int] {
        try await driver.writing { database in
            for statement in driver.migrationLockStatements {
                try await database.raw(SQLQueryString(statement)).run()
            }
            try await database.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """).run()
        }
        var applied: [Int] = []
        for migration in all {
            let didApply = try await driver.writing { database in
                for statement in driver.migrationLockStatements {
                    try await database.raw(SQLQueryString(statement)).run()
                }
                let done = try await database.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                guard done == nil else { return false }
                for statement in migration.statements {
                    try await database.raw(SQLQueryString(statement)).run()
                }
                try await database.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: now))
                    """).run()
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        return applied
    }
}
