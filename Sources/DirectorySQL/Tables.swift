import Directory
import SCIM

/// Every table of the schema, described once (see ``SQLTable``). `Migrations` creates them and
/// the schema test checks that each description names exactly the columns the database has.
public enum Tables {
    public static let users = SQLTable<User>(
        "users",
        columns: [
            SQLColumn("id", .text) { .text($0.id) },
            SQLColumn("user_name", .text, decoded: false) { .text($0.userName) },
            SQLColumn("user_name_key", .text, decoded: false) { .text($0.userNameKey) },
            SQLColumn("external_id", .text, decoded: false) { .optional($0.externalId) },
            SQLColumn("display_name", .text, decoded: false) { .optional($0.displayName) },
            SQLColumn("display_name_key", .text, decoded: false) { .optional($0.displayName?.scimCaseFolded) },
            SQLColumn("given_name", .text, decoded: false) { .optional($0.givenName) },
            SQLColumn("given_name_key", .text, decoded: false) { .optional($0.givenName?.scimCaseFolded) },
            SQLColumn("family_name", .text, decoded: false) { .optional($0.familyName) },
            SQLColumn("family_name_key", .text, decoded: false) { .optional($0.familyName?.scimCaseFolded) },
            SQLColumn("primary_email", .text, decoded: false) { .optional($0.primaryEmail) },
            SQLColumn("primary_email_key", .text, decoded: false) { .optional($0.primaryEmail?.scimCaseFolded) },
            SQLColumn("active", .integer, decoded: false) { .bool($0.active) },
            SQLColumn("origin", .text) { $0.origin.sqlOrigin },
            SQLColumn("connection_id", .text) { .optional($0.origin.connectionID) },
            SQLColumn("archived_at", .integer) { $0.archivedAt.sql },
            SQLColumn("version", .integer) { .integer(Int64($0.version)) },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
            SQLColumn("updated_at", .integer) { $0.updatedAt.sql },
            SQLColumn("password_hash", .text) { .optional($0.passwordHash) },
            SQLColumn("created_by", .text) { .optional($0.createdBy) },
            SQLColumn("resource", .json) { .text($0.resource.serialized()) },
        ]
    ) { row in
        User(
            id: try row.text("id"), resource: try decodeResource(try row.text("resource"), table: "users"),
            origin: try Origin.decode(&row), archivedAt: try row.optionalTimestamp("archived_at"),
            version: Int(try row.integer("version")), createdAt: try row.timestamp("created_at"),
            updatedAt: try row.timestamp("updated_at"), passwordHash: try row.optionalText("password_hash"),
            createdBy: try row.optionalText("created_by"))
    }

    /// One row per email of a user, for `emails[…]` filters and the console's search.
    static let userEmails = SQLTable<UserEmailRow>(
        "user_emails",
        columns: [
            SQLColumn("user_id", .text) { .text($0.userID) },
            SQLColumn("position", .integer) { .integer(Int64($0.position)) },
            SQLColumn("value", .text) { .optional($0.email.value) },
            SQLColumn("value_key", .text, decoded: false) { .optional($0.email.value?.scimCaseFolded) },
            SQLColumn("type", .text) { .optional($0.email.type) },
            SQLColumn("display", .text) { .optional($0.email.display) },
            SQLColumn("is_primary", .integer) { .bool($0.email.primary) },
        ]
    ) { row in
        UserEmailRow(
            userID: try row.text("user_id"), position: Int(try row.integer("position")),
            email: User.Email(
                value: try row.optionalText("value"), type: try row.optionalText("type"),
                display: try row.optionalText("display"), primary: try row.optionalInteger("is_primary").map { $0 != 0 }
            ))
    }

    public static let groups = SQLTable<Group>(
        "groups",
        columns: [
            SQLColumn("id", .text) { .text($0.id) },
            SQLColumn("display_name", .text, decoded: false) { .text($0.displayName) },
            SQLColumn("display_name_key", .text, decoded: false) { .text($0.displayNameKey) },
            SQLColumn("external_id", .text, decoded: false) { .optional($0.externalId) },
            SQLColumn("description", .text, decoded: false) { .optional($0.description) },
            SQLColumn("origin", .text) { $0.origin.sqlOrigin },
            SQLColumn("connection_id", .text) { .optional($0.origin.connectionID) },
            SQLColumn("archived_at", .integer) { $0.archivedAt.sql },
            SQLColumn("version", .integer) { .integer(Int64($0.version)) },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
            SQLColumn("updated_at", .integer) { $0.updatedAt.sql },
            SQLColumn("resource", .json) { .text($0.resource.serialized()) },
        ]
    ) { row in
        Group(
            id: try row.text("id"), resource: try decodeResource(try row.text("resource"), table: "groups"),
            origin: try Origin.decode(&row), archivedAt: try row.optionalTimestamp("archived_at"),
            version: Int(try row.integer("version")), createdAt: try row.timestamp("created_at"),
            updatedAt: try row.timestamp("updated_at"))
    }

    static let memberships = SQLTable<Membership>(
        "memberships",
        columns: [
            SQLColumn("group_id", .text) { .text($0.groupID) },
            SQLColumn("user_id", .text) { .text($0.userID) },
            SQLColumn("source", .text) { .text($0.source.rawValue) },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
        ]
    ) { row in
        Membership(
            groupID: try row.text("group_id"), userID: try row.text("user_id"),
            source: MembershipSource(rawValue: try row.text("source")), createdAt: try row.timestamp("created_at"))
    }

    static let deprovisioned = SQLTable<DeprovisioningRow>(
        "deprovisioned",
        columns: [
            SQLColumn("user_id", .text) { .text($0.userID) },
            SQLColumn("connection_id", .text) { .text($0.connectionID) },
            SQLColumn("action", .text) { .text($0.action.rawValue) },
            SQLColumn("at", .integer) { $0.at.sql },
        ]
    ) { row in
        DeprovisioningRow(
            userID: try row.text("user_id"), connectionID: try row.text("connection_id"),
            action: try row.enumeration("action", DeprovisionAction.self), at: try row.timestamp("at"))
    }

    public static let connections = SQLTable<Connection>(
        "connections",
        columns: [
            SQLColumn("id", .text) { .text($0.id) },
            SQLColumn("name", .text) { .text($0.name) },
            SQLColumn("name_key", .text, decoded: false) { .text($0.name.scimCaseFolded) },
            SQLColumn("kind", .text) { .text($0.kind.rawValue) },
            SQLColumn("on_deactivate", .text) { .text($0.onDeactivate.rawValue) },
            SQLColumn("on_delete", .text) { .text($0.onDelete.rawValue) },
            SQLColumn("orphan_rule", .text) { .text($0.orphanRule.rawValue) },
            SQLColumn("deletion_guard", .integer) { $0.deletionGuard.map { .integer(Int64($0)) } ?? .null },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
        ]
    ) { row in
        Connection(
            id: try row.text("id"), name: try row.text("name"), kind: try row.enumeration("kind", ConnectionKind.self),
            onDeactivate: try row.enumeration("on_deactivate", DeprovisionAction.self),
            onDelete: try row.enumeration("on_delete", DeprovisionAction.self),
            orphanRule: try row.enumeration("orphan_rule", OrphanRule.self),
            deletionGuard: try row.optionalInteger("deletion_guard").map { Int($0) },
            createdAt: try row.timestamp("created_at"))
    }

    /// Deprovisions the deletion guard holds for an admin (one per user).
    static let heldDeprovisions = SQLTable<HeldDeprovision>(
        "held_deprovisions",
        columns: [
            SQLColumn("user_id", .text) { .text($0.userID) },
            SQLColumn("user_name", .text) { .text($0.userName) },
            SQLColumn("connection_id", .text) { .text($0.connectionID) },
            SQLColumn("action", .text) { .text($0.action.rawValue) },
            SQLColumn("cause", .text) { .text($0.trigger) },
            SQLColumn("was_active", .integer) { .bool($0.wasActive) },
            SQLColumn("was_archived_at", .integer) { $0.wasArchivedAt.sql },
            SQLColumn("held_at", .integer) { $0.heldAt.sql },
        ]
    ) { row in
        HeldDeprovision(
            userID: try row.text("user_id"), userName: try row.text("user_name"),
            connectionID: try row.text("connection_id"), action: try row.enumeration("action", DeprovisionAction.self),
            trigger: try row.text("cause"), wasActive: try row.integer("was_active") != 0,
            wasArchivedAt: try row.optionalTimestamp("was_archived_at"), heldAt: try row.timestamp("held_at"))
    }

    public static let tokens = SQLTable<ScimToken>(
        "scim_tokens",
        columns: [
            SQLColumn("id", .text) { .text($0.id) },
            SQLColumn("connection_id", .text) { .text($0.connectionID) },
            SQLColumn("name", .text) { .text($0.name) },
            SQLColumn("prefix", .text) { .text($0.prefix) },
            SQLColumn("sha256", .text) { .text($0.sha256) },
            SQLColumn("scope", .text) { .text($0.scope.rawValue) },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
            SQLColumn("last_used_at", .integer) { $0.lastUsedAt.sql },
            SQLColumn("expires_at", .integer) { $0.expiresAt.sql },
            SQLColumn("revoked_at", .integer) { $0.revokedAt.sql },
            SQLColumn("last_used_address", .text) { .optional($0.lastUsedAddress) },
        ]
    ) { row in
        ScimToken(
            id: try row.text("id"), connectionID: try row.text("connection_id"), name: try row.text("name"),
            prefix: try row.text("prefix"), sha256: try row.text("sha256"),
            scope: try row.enumeration("scope", TokenScope.self), createdAt: try row.timestamp("created_at"),
            lastUsedAt: try row.optionalTimestamp("last_used_at"), expiresAt: try row.optionalTimestamp("expires_at"),
            revokedAt: try row.optionalTimestamp("revoked_at"),
            lastUsedAddress: try row.optionalText("last_used_address"))
    }

    public static let accounts = SQLTable<Account>(
        "accounts",
        columns: [
            SQLColumn("id", .text) { .text($0.id) },
            SQLColumn("user_name", .text) { .text($0.userName) },
            SQLColumn("user_name_key", .text, decoded: false) { .text($0.userName.scimCaseFolded) },
            SQLColumn("password_hash", .text) { .text($0.passwordHash) },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
            SQLColumn("disabled_at", .integer) { $0.disabledAt.sql },
            SQLColumn("must_change_password", .integer) { .bool($0.mustChangePassword) },
        ]
    ) { row in
        Account(
            id: try row.text("id"), userName: try row.text("user_name"), passwordHash: try row.text("password_hash"),
            createdAt: try row.timestamp("created_at"), disabledAt: try row.optionalTimestamp("disabled_at"),
            mustChangePassword: try row.integer("must_change_password") != 0)
    }

    static let roleAssignments = SQLTable<RoleAssignment>(
        "role_assignments",
        columns: [
            SQLColumn("role", .text) { .text($0.role.rawValue) },
            SQLColumn("subject_kind", .text) { .text($0.subject.kind) },
            SQLColumn("subject_id", .text) { .text($0.subject.id) },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
        ]
    ) { row in
        let kind = try row.text("subject_kind")
        let id = try row.text("subject_id")
        guard let subject = RoleSubject(kind: kind, id: id) else {
            throw StoreError.corruptRow("role_assignments.subject_kind: \"\(kind)\" is not a kind this build knows")
        }
        return RoleAssignment(
            role: try row.enumeration("role", Role.self), subject: subject, createdAt: try row.timestamp("created_at"))
    }

    static let sessions = SQLTable<Session>(
        "sessions",
        columns: [
            SQLColumn("id_hash", .text) { .text($0.idHash) },
            SQLColumn("account_id", .text) { session in
                if case .account(let id) = session.subject { return .text(id) }
                return .null
            },
            SQLColumn("user_id", .text) { session in
                if case .user(let id, _) = session.subject { return .text(id) }
                return .null
            },
            SQLColumn("connection_id", .text) { session in
                if case .user(_, let connectionID) = session.subject { return .text(connectionID) }
                return .null
            },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
            SQLColumn("expires_at", .integer) { $0.expiresAt.sql },
            SQLColumn("last_seen_at", .integer) { $0.lastSeenAt.sql },
        ]
    ) { row in
        let subject: SessionSubject
        let account = try row.optionalText("account_id")
        let user = try row.optionalText("user_id")
        let connection = try row.optionalText("connection_id")
        if let account {
            subject = .account(account)
        } else if let user, let connection {
            subject = .user(id: user, connectionID: connection)
        } else {
            throw StoreError.corruptRow("sessions: neither an account nor a user")
        }
        return Session(
            idHash: try row.text("id_hash"), subject: subject, createdAt: try row.timestamp("created_at"),
            expiresAt: try row.timestamp("expires_at"), lastSeenAt: try row.timestamp("last_seen_at"))
    }

    static let singleSignOn = SQLTable<SingleSignOn>(
        "single_sign_on",
        columns: [
            SQLColumn("connection_id", .text) { .text($0.connectionID) },
            SQLColumn("saml_idp_entity_id", .text) { .optional($0.saml?.idpEntityID) },
            SQLColumn("saml_sso_url", .text) { .optional($0.saml?.ssoURL) },
            SQLColumn("saml_certificate", .text) { .optional($0.saml?.certificate) },
            SQLColumn("saml_idp_initiated", .integer) { .bool($0.saml?.idpInitiated ?? false) },
            SQLColumn("oidc_issuer", .text) { .optional($0.oidc?.issuer) },
            SQLColumn("oidc_client_id", .text) { .optional($0.oidc?.clientID) },
            SQLColumn("oidc_client_secret_file", .text) { .optional($0.oidc?.clientSecretFile) },
            SQLColumn("just_in_time", .integer) { .bool($0.justInTime) },
            SQLColumn("updated_at", .integer) { $0.updatedAt.sql },
        ]
    ) { row in
        // Every column is read (the decoder refuses one selected and left unread).
        var saml: SAMLSettings?
        let entityID = try row.optionalText("saml_idp_entity_id")
        let url = try row.optionalText("saml_sso_url")
        let certificate = try row.optionalText("saml_certificate")
        let idpInitiated = try row.integer("saml_idp_initiated") != 0
        if let entityID, let url, let certificate {
            saml = SAMLSettings(
                idpEntityID: entityID, ssoURL: url, certificate: certificate, idpInitiated: idpInitiated)
        }
        var oidc: OIDCSettings?
        let issuer = try row.optionalText("oidc_issuer")
        let clientID = try row.optionalText("oidc_client_id")
        let secretFile = try row.optionalText("oidc_client_secret_file")
        if let issuer, let clientID {
            oidc = OIDCSettings(issuer: issuer, clientID: clientID, clientSecretFile: secretFile)
        }
        return SingleSignOn(
            connectionID: try row.text("connection_id"), saml: saml, oidc: oidc,
            justInTime: try row.integer("just_in_time") != 0, updatedAt: try row.timestamp("updated_at"))
    }

    static let ssoRequests = SQLTable<SSORequest>(
        "sso_requests",
        columns: [
            SQLColumn("state_hash", .text) { .text($0.stateHash) },
            SQLColumn("connection_id", .text) { .text($0.connectionID) },
            SQLColumn("request_id", .text) { .text($0.requestID) },
            SQLColumn("next", .text) { .text($0.next) },
            SQLColumn("sealed_verifier", .text) { .optional($0.sealedVerifier) },
            SQLColumn("created_at", .integer) { $0.createdAt.sql },
            SQLColumn("expires_at", .integer) { $0.expiresAt.sql },
        ]
    ) { row in
        SSORequest(
            stateHash: try row.text("state_hash"), connectionID: try row.text("connection_id"),
            requestID: try row.text("request_id"), next: try row.text("next"),
            sealedVerifier: try row.optionalText("sealed_verifier"), createdAt: try row.timestamp("created_at"),
            expiresAt: try row.timestamp("expires_at"))
    }

    static let ssoAssertions = SQLTable<UsedAssertion>(
        "sso_assertions",
        columns: [
            SQLColumn("id", .text) { .text($0.id) },
            SQLColumn("expires_at", .integer) { $0.expiresAt.sql },
        ]
    ) { row in
        UsedAssertion(id: try row.text("id"), expiresAt: try row.timestamp("expires_at"))
    }

    public static let activity = SQLTable<ActivityEvent>(
        "activity",
        columns: [
            SQLColumn("id", .text) { .text($0.id) },
            SQLColumn("at", .integer) { $0.at.sql },
            SQLColumn("connection_id", .text) { .optional($0.connectionID) },
            SQLColumn("actor", .text) { .optional($0.actor) },
            SQLColumn("method", .text) { .text($0.method) },
            SQLColumn("path", .text) { .text($0.path) },
            SQLColumn("status", .integer) { .integer(Int64($0.status)) },
            SQLColumn("resource_type", .text) { .optional($0.resourceType) },
            SQLColumn("resource_id", .text) { .optional($0.resourceID) },
            SQLColumn("summary", .text) { .text($0.summary) },
            SQLColumn("detail", .text) { .optional($0.detail) },
            SQLColumn("duration_us", .integer) { .integer($0.durationMicroseconds) },
            SQLColumn("changes", .text) { $0.changes.isEmpty ? .null : .text(FieldChange.encode($0.changes)) },
        ]
    ) { row in
        ActivityEvent(
            id: try row.text("id"), at: try row.timestamp("at"), connectionID: try row.optionalText("connection_id"),
            actor: try row.optionalText("actor"), method: try row.text("method"), path: try row.text("path"),
            status: Int(try row.integer("status")), resourceType: try row.optionalText("resource_type"),
            resourceID: try row.optionalText("resource_id"), summary: try row.text("summary"),
            detail: try row.optionalText("detail"), durationMicroseconds: try row.integer("duration_us"),
            changes: try FieldChange.decode(try row.optionalText("changes")))
    }

    /// Failed console logins per subject (`account:<folded name>`, `address:<ip>`), so the
    /// throttle holds across instances.
    public static let loginFailures = SQLTable<LoginFailures>(
        "login_failures",
        columns: [
            SQLColumn("subject", .text) { .text($0.subject) },
            SQLColumn("failures", .integer) { .integer(Int64($0.failures)) },
            SQLColumn("first_at", .integer) { $0.firstAt.sql },
            SQLColumn("last_at", .integer) { $0.lastAt.sql },
        ]
    ) { row in
        LoginFailures(
            subject: try row.text("subject"), failures: Int(try row.integer("failures")),
            firstAt: try row.timestamp("first_at"), lastAt: try row.timestamp("last_at"))
    }

    /// Which resources an activity row touched (its subject and, for a group's membership
    /// change, each user added or removed): what a user's or a group's timeline reads.
    public static let activitySubjects = SQLTable<ActivitySubject>(
        "activity_subjects",
        columns: [
            SQLColumn("activity_id", .text) { .text($0.activityID) },
            SQLColumn("resource_id", .text) { .text($0.resourceID) },
            SQLColumn("at", .integer) { $0.at.sql },
        ]
    ) { row in
        ActivitySubject(
            activityID: try row.text("activity_id"), resourceID: try row.text("resource_id"),
            at: try row.timestamp("at"))
    }

    /// When each periodic job last ran, so that one instance runs it per round.
    static let jobRuns = SQLTable<JobRun>(
        "job_runs",
        columns: [
            SQLColumn("name", .text) { .text($0.name) },
            SQLColumn("last_run_at", .integer) { $0.lastRunAt.sql },
        ]
    ) { row in
        JobRun(name: try row.text("name"), lastRunAt: try row.timestamp("last_run_at"))
    }

    /// Every description, for the schema test.
    public static var schemas: [String: [String: SQLColumnType]] {
        [
            users.name: users.schema, userEmails.name: userEmails.schema, groups.name: groups.schema,
            memberships.name: memberships.schema, deprovisioned.name: deprovisioned.schema,
            connections.name: connections.schema, tokens.name: tokens.schema, accounts.name: accounts.schema,
            roleAssignments.name: roleAssignments.schema, sessions.name: sessions.schema,
            activity.name: activity.schema, loginFailures.name: loginFailures.schema,
            activitySubjects.name: activitySubjects.schema, singleSignOn.name: singleSignOn.schema,
            ssoRequests.name: ssoRequests.schema, ssoAssertions.name: ssoAssertions.schema,
            heldDeprovisions.name: heldDeprovisions.schema, jobRuns.name: jobRuns.schema,
        ]
    }
}

/// A row of `user_emails`.
struct UserEmailRow: Sendable, Hashable {
    var userID: String
    var position: Int
    var email: User.Email
}

/// A row of `deprovisioned`: a connection removed this user (so a repeated `active=false` is 204).
struct DeprovisioningRow: Sendable, Hashable {
    var userID: String
    var connectionID: String
    var action: DeprovisionAction
    var at: Timestamp
}

extension FieldChange {
    /// `[{"field":…,"old":…,"new":…}]`, as the `activity.changes` column keeps them.
    static func encode(_ changes: [FieldChange]) -> String {
        JSONValue.array(
            changes.map { change in
                var object: JSONObject = ["field": .string(change.field)]
                if let old = change.old { object["old"] = .string(old) }
                if let new = change.new { object["new"] = .string(new) }
                return .object(object)
            }
        ).serialized()
    }

    static func decode(_ text: String?) throws -> [FieldChange] {
        guard let text else { return [] }
        guard case .array(let items)? = try? JSONParser().parse(text) else {
            throw StoreError.corruptRow("activity.changes is not a JSON array")
        }
        return try items.map { item in
            guard let object = item.objectValue, let field = object["field"]?.stringValue else {
                throw StoreError.corruptRow("activity.changes holds an entry without a field")
            }
            return FieldChange(field: field, old: object["old"]?.stringValue, new: object["new"]?.stringValue)
        }
    }
}

/// A row of `job_runs`.
struct JobRun: Sendable, Hashable {
    var name: String
    var lastRunAt: Timestamp
}
