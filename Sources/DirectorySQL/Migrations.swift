import SCIM

/// One schema migration: a version, a name, its statements for a dialect, and an optional
/// backfill that runs after them in the same transaction (values only Swift can compute, such as
/// `String.scimCaseFolded` keys, which PostgreSQL's `lower` does not reproduce).
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var statements: @Sendable (SQLDialect) -> [String]
    public var backfill: (@Sendable (any SQLConnection, SQLDialect) async throws -> Void)?

    public init(
        version: Int, name: String, statements: @escaping @Sendable (SQLDialect) -> [String],
        backfill: (@Sendable (any SQLConnection, SQLDialect) async throws -> Void)? = nil
    ) {
        self.version = version
        self.name = name
        self.statements = statements
        self.backfill = backfill
    }
}

/// The ordered migrations. Append only: a released migration is never edited.
public enum Migrations {
    /// The schema version this build needs.
    public static var latestVersion: Int { all.last?.version ?? 0 }

    /// `schema_migrations` itself, created before anything else.
    public static func bookkeeping(_ dialect: SQLDialect) -> String {
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
    }

    public static let all: [Migration] = [
        Migration(version: 1, name: "directory") { dialect in
            let json = dialect.jsonType
            // PostgreSQL: keys in byte order so `LIKE 'prefix%'` uses the index and ordering is by
            // code point, exactly as the SCIM evaluator orders.
            let key = dialect.name == .sqlite ? "TEXT" : #"TEXT COLLATE "C""#
            return [
                """
                CREATE TABLE connections (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_key \(key) NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    on_deactivate TEXT NOT NULL,
                    on_delete TEXT NOT NULL,
                    orphan_rule TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE users (
                    id \(key) PRIMARY KEY,
                    user_name TEXT NOT NULL,
                    user_name_key \(key) NOT NULL,
                    external_id \(key),
                    display_name TEXT,
                    given_name TEXT,
                    family_name TEXT,
                    primary_email TEXT,
                    active SMALLINT,
                    origin TEXT NOT NULL,
                    connection_id TEXT REFERENCES connections(id),
                    archived_at BIGINT,
                    version INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    password_hash TEXT,
                    resource \(json) NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX users_user_name_key ON users (user_name_key)",
                "CREATE INDEX users_external_id ON users (external_id)",
                "CREATE INDEX users_display_name ON users (display_name)",
                "CREATE INDEX users_primary_email ON users (primary_email)",
                "CREATE INDEX users_created_at ON users (created_at)",
                "CREATE INDEX users_updated_at ON users (updated_at)",
                "CREATE INDEX users_connection ON users (connection_id)",
                // The live (not archived) users in id order: what every list walks, counts and
                // pages through, without touching the wide rows.
                "CREATE INDEX users_live ON users (id) WHERE archived_at IS NULL",
                """
                CREATE TABLE user_emails (
                    user_id \(key) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    value TEXT,
                    value_key \(key),
                    type TEXT,
                    display TEXT,
                    is_primary SMALLINT,
                    PRIMARY KEY (user_id, position)
                )
                """,
                "CREATE INDEX user_emails_value_key ON user_emails (value_key)",
                """
                CREATE TABLE "groups" (
                    id \(key) PRIMARY KEY,
                    display_name TEXT NOT NULL,
                    display_name_key \(key) NOT NULL,
                    external_id \(key),
                    description TEXT,
                    origin TEXT NOT NULL,
                    connection_id TEXT REFERENCES connections(id),
                    archived_at BIGINT,
                    version INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    resource \(json) NOT NULL
                )
                """,
                #"CREATE UNIQUE INDEX groups_display_name_key ON "groups" (display_name_key)"#,
                #"CREATE INDEX groups_external_id ON "groups" (external_id)"#,
                #"CREATE INDEX groups_created_at ON "groups" (created_at)"#,
                #"CREATE INDEX groups_updated_at ON "groups" (updated_at)"#,
                #"CREATE INDEX groups_live ON "groups" (id) WHERE archived_at IS NULL"#,
                """
                CREATE TABLE memberships (
                    group_id \(key) NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
                    user_id \(key) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    source TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (group_id, user_id, source)
                )
                """,
                "CREATE INDEX memberships_user ON memberships (user_id, source)",
                """
                CREATE TABLE scim_tokens (
                    id TEXT PRIMARY KEY,
                    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    sha256 TEXT NOT NULL UNIQUE,
                    scope TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    last_used_at BIGINT,
                    expires_at BIGINT,
                    revoked_at BIGINT
                )
                """,
                "CREATE INDEX scim_tokens_connection ON scim_tokens (connection_id)",
                """
                CREATE TABLE accounts (
                    id TEXT PRIMARY KEY,
                    user_name TEXT NOT NULL,
                    user_name_key \(key) NOT NULL UNIQUE,
                    password_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    disabled_at BIGINT
                )
                """,
                """
                CREATE TABLE role_assignments (
                    role TEXT NOT NULL,
                    subject_kind TEXT NOT NULL,
                    subject_id TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (role, subject_kind, subject_id)
                )
                """,
                """
                CREATE TABLE sessions (
                    id_hash TEXT PRIMARY KEY,
                    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX sessions_expires_at ON sessions (expires_at)",
                """
                CREATE TABLE activity (
                    id TEXT PRIMARY KEY,
                    at BIGINT NOT NULL,
                    connection_id TEXT,
                    actor TEXT,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    resource_type TEXT,
                    resource_id TEXT,
                    summary TEXT NOT NULL,
                    detail TEXT,
                    duration_us BIGINT NOT NULL
                )
                """,
                "CREATE INDEX activity_at ON activity (at)",
                "CREATE INDEX activity_connection_at ON activity (connection_id, at)",
                "CREATE INDEX activity_resource ON activity (resource_type, resource_id)",
            ]
        },
        Migration(version: 2, name: "deprovisioned") { _ in
            [
                """
                CREATE TABLE deprovisioned (
                    user_id TEXT NOT NULL,
                    connection_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    PRIMARY KEY (user_id, connection_id)
                )
                """
            ]
        },
        Migration(
            version: 3, name: "search keys and activity changes",
            statements: { dialect in
                let key = dialect.name == .sqlite ? "TEXT" : #"TEXT COLLATE "C""#
                return [
                    "ALTER TABLE users ADD COLUMN display_name_key \(key)",
                    "ALTER TABLE users ADD COLUMN given_name_key \(key)",
                    "ALTER TABLE users ADD COLUMN family_name_key \(key)",
                    "ALTER TABLE users ADD COLUMN primary_email_key \(key)",
                    // The console's search is a prefix of any of these: each has its own index,
                    // so every branch of the OR is a range scan.
                    "CREATE INDEX users_display_name_key ON users (display_name_key)",
                    "CREATE INDEX users_given_name_key ON users (given_name_key)",
                    "CREATE INDEX users_family_name_key ON users (family_name_key)",
                    "CREATE INDEX users_primary_email_key ON users (primary_email_key)",
                    "CREATE INDEX users_origin ON users (origin, connection_id)",
                    #"CREATE INDEX groups_connection ON "groups" (connection_id)"#,
                    "ALTER TABLE activity ADD COLUMN changes TEXT",
                ]
            },
            backfill: { connection, dialect in
                let rows = try await connection.query(
                    "SELECT id, display_name, given_name, family_name, primary_email FROM users", [])
                for row in rows {
                    let values = row.values
                    guard values.count == 5, let id = values[0].text else { continue }
                    _ = try await connection.query(
                        "UPDATE users SET display_name_key = \(dialect.placeholder(1)), given_name_key = \(dialect.placeholder(2)), family_name_key = \(dialect.placeholder(3)), primary_email_key = \(dialect.placeholder(4)) WHERE id = \(dialect.placeholder(5))",
                        [
                            .optional(values[1].text?.scimCaseFolded), .optional(values[2].text?.scimCaseFolded),
                            .optional(values[3].text?.scimCaseFolded), .optional(values[4].text?.scimCaseFolded),
                            .text(id),
                        ])
                }
            }),
        Migration(version: 4, name: "console") { dialect in
            let key = dialect.name == .sqlite ? "TEXT" : #"TEXT COLLATE "C""#
            return [
                "ALTER TABLE users ADD COLUMN created_by TEXT",
                "ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0",
                // Signing an account out everywhere (a password reset) finds its sessions here.
                "CREATE INDEX sessions_account ON sessions (account_id)",
                "ALTER TABLE scim_tokens ADD COLUMN last_used_address TEXT",
                """
                CREATE TABLE login_failures (
                    subject TEXT PRIMARY KEY,
                    failures INTEGER NOT NULL,
                    first_at BIGINT NOT NULL,
                    last_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE activity_subjects (
                    activity_id TEXT NOT NULL,
                    resource_id \(key) NOT NULL,
                    at BIGINT NOT NULL,
                    PRIMARY KEY (activity_id, resource_id)
                )
                """,
                // A timeline is a range of this index, newest first.
                "CREATE INDEX activity_subjects_resource ON activity_subjects (resource_id, at)",
                "INSERT INTO activity_subjects (activity_id, resource_id, at) SELECT id, resource_id, at FROM activity WHERE resource_id IS NOT NULL",
                "CREATE INDEX activity_actor_at ON activity (actor, at)",
                // The console's charts count requests and failures per hour: with the status in
                // the index they are read from it alone.
                "DROP INDEX activity_at",
                "CREATE INDEX activity_at ON activity (at, status)",
                "DROP INDEX activity_connection_at",
                "CREATE INDEX activity_connection_at ON activity (connection_id, at, status)",
                // A connection's users in id order, and their count, from the index alone: the
                // console's filter by connection (migration 3's index sorted 50 000 rows: 24 ms).
                "DROP INDEX users_origin",
                "CREATE INDEX users_origin ON users (origin, connection_id, archived_at, id)",
            ]
        },
        // Single sign-on. Sessions are made again so that a directory user can hold one (signed
        // in through their IdP): every console session ends once, at this upgrade.
        Migration(version: 5, name: "single sign-on") { _ in
            [
                "DROP TABLE sessions",
                """
                CREATE TABLE sessions (
                    id_hash TEXT PRIMARY KEY,
                    account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
                    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
                    connection_id TEXT REFERENCES connections(id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL,
                    CHECK ((account_id IS NULL) <> (user_id IS NULL))
                )
                """,
                "CREATE INDEX sessions_expires_at ON sessions (expires_at)",
                "CREATE INDEX sessions_account ON sessions (account_id)",
                // A deprovisioned user's sessions are found, and ended, by this index.
                "CREATE INDEX sessions_user ON sessions (user_id)",
                """
                CREATE TABLE single_sign_on (
                    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
                    saml_idp_entity_id TEXT,
                    saml_sso_url TEXT,
                    saml_certificate TEXT,
                    saml_idp_initiated INTEGER NOT NULL DEFAULT 0,
                    oidc_issuer TEXT,
                    oidc_client_id TEXT,
                    oidc_client_secret_file TEXT,
                    just_in_time INTEGER NOT NULL DEFAULT 0,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE sso_requests (
                    state_hash TEXT PRIMARY KEY,
                    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                    request_id TEXT NOT NULL,
                    next TEXT NOT NULL,
                    sealed_verifier TEXT,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX sso_requests_expires_at ON sso_requests (expires_at)",
                """
                CREATE TABLE sso_assertions (
                    id TEXT PRIMARY KEY,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX sso_assertions_expires_at ON sso_assertions (expires_at)",
            ]
        },
        // The deletion guard: a limit per connection (existing connections get the default), the
        // count of a connection's deprovisions in the last hour by index, and what it holds; and
        // the rounds of periodic jobs.
        Migration(version: 6, name: "deletion guard") { _ in
            [
                "ALTER TABLE connections ADD COLUMN deletion_guard INTEGER DEFAULT 50",
                "CREATE INDEX deprovisioned_connection_at ON deprovisioned (connection_id, at)",
                """
                CREATE TABLE held_deprovisions (
                    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                    user_name TEXT NOT NULL,
                    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                    action TEXT NOT NULL,
                    cause TEXT NOT NULL,
                    was_active INTEGER NOT NULL,
                    was_archived_at BIGINT,
                    held_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX held_deprovisions_connection ON held_deprovisions (connection_id, held_at)",
                // Periodic jobs claim their round here, so several instances run each once.
                "CREATE TABLE job_runs (name TEXT PRIMARY KEY, last_run_at BIGINT NOT NULL)",
            ]
        },
    ]
}
