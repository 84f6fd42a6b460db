import Crypto
import Dispatch
import HummingbirdBcrypt
import SCIM
import Synchronization

/// How long console sessions live and how many failed logins are tolerated.
public struct SessionPolicy: Sendable, Hashable {
    /// A session unused this long ends.
    public var idle: Duration
    /// A session ends this long after it started, however busy.
    public var absolute: Duration
    /// Failed logins of one account name, within ``window``, before that name is refused.
    public var failuresPerAccount: Int
    /// Failed logins from one address, within ``window``, before that address is refused.
    public var failuresPerAddress: Int
    /// How long failures count, and how long a throttled subject waits.
    public var window: Duration
    /// The bcrypt cost of new password hashes (12 ≈ 0.25 s here; tests use the minimum, 4).
    public var bcryptCost: UInt8

    public init(
        idle: Duration = .seconds(30 * 60), absolute: Duration = .seconds(12 * 3600), failuresPerAccount: Int = 5,
        failuresPerAddress: Int = 20, window: Duration = .seconds(15 * 60), bcryptCost: UInt8 = 12
    ) {
        self.idle = idle
        self.absolute = absolute
        self.failuresPerAccount = failuresPerAccount
        self.failuresPerAddress = failuresPerAddress
        self.window = window
        self.bcryptCost = bcryptCost
    }

    public static let standard = SessionPolicy()
}

/// A signed-in console session, as a request sees it.
public struct ConsoleSignIn: Sendable, Hashable {
    public var account: ConsoleAccount
    /// The password was issued by someone else: nothing but choosing a new one is allowed.
    public var mustChangePassword: Bool
    public var expiresAt: Timestamp

    var subject: SessionSubject {
        if let connectionID = account.connectionID { return .user(id: account.id, connectionID: connectionID) }
        return .account(account.id)
    }
}

/// A new session: the cookie value (shown to the browser once, stored only as its SHA-256).
public struct StartedSession: Sendable, Hashable {
    public var token: String
    public var signIn: ConsoleSignIn
}

/// What a login attempt came to.
public enum LoginOutcome: Sendable, Hashable {
    case signedIn(StartedSession)
    /// Wrong name or password, a disabled account, or one with no role: the page says only that
    /// the login failed (the activity row says why).
    case refused
    /// Too many failures: try again after this many seconds.
    case throttled(seconds: Int)
}

/// What the first start did about the initial `admin` account.
public enum InitialAdmin: Sendable, Hashable {
    /// Accounts exist already: nothing was done.
    case existing
    /// `admin` was created; with the one-time password to print when one was generated.
    case created(oneTimePassword: String?)
}

/// An account with the role it holds, for the settings page and `admin list`.
public struct AccountSummary: Sendable, Hashable {
    public var account: Account
    public var role: Role?
}

extension DirectoryService {
    // MARK: Passwords

    /// The shortest password the console accepts.
    public static let minimumPasswordLength = 12

    static func checkPassword(_ password: String, userName: String) throws(SCIMError) {
        guard password.count >= minimumPasswordLength else {
            throw .invalidValue("a password needs at least \(minimumPasswordLength) characters")
        }
        guard password.utf8.count <= 72 else {
            // bcrypt reads only the first 72 bytes: a longer one would be silently cut.
            throw .invalidValue("a password may have at most 72 bytes (bcrypt reads no further)")
        }
        guard password.scimCaseFolded != userName.scimCaseFolded else {
            throw .invalidValue("the password may not be the account name")
        }
    }

    /// A one-time password: 18 random bytes as 24 base64url characters (144 bits).
    static func oneTimePassword() -> String {
        base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0.prefix(18)) })
    }

    /// Where bcrypt runs: its cost is the point, and it must not occupy the cooperative pool.
    static let hashingQueue = DispatchQueue(label: "account-console.bcrypt", attributes: .concurrent)

    func hashPassword(_ password: String) async -> String {
        let cost = sessionPolicy.bcryptCost
        // bcrypt is deliberately slow: off the cooperative pool's threads.
        return await withCheckedContinuation { continuation in
            Self.hashingQueue.async { continuation.resume(returning: Bcrypt.hash(password, cost: cost)) }
        }
    }

    func verifyPassword(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            Self.hashingQueue.async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
        }
    }

    // MARK: Accounts

    /// Creates the first account, `admin`, when there is none. Two instances starting together
    /// on one database may both try: the one that loses the race finds the account there.
    public func ensureInitialAdmin(password: String?) async throws(SCIMError) -> InitialAdmin {
        guard try await read({ try await store.accounts().isEmpty }) else { return .existing }
        let chosen = password.flatMap { $0.isEmpty ? nil : $0 }
        do {
            let issued = try await createAccount(
                userName: "admin", password: chosen, role: .admin, by: .system("first start"))
            return .created(oneTimePassword: issued)
        } catch  where error.status == 409 {
            return .existing
        }
    }

    /// Creates an account with a role. Without `password`, a one-time password is generated and
    /// returned (the first login must replace it); with one, `nil` is returned.
    @discardableResult
    public func createAccount(
        userName: String, password: String?, role: Role, by actor: DirectoryActor
    ) async throws(SCIMError) -> String? {
        let name = userName.trimmingSpaces()
        guard !name.isEmpty, name.count <= 64 else { throw .invalidValue("an account name needs 1 to 64 characters") }
        if let password { try Self.checkPassword(password, userName: name) }
        let secret = password ?? Self.oneTimePassword()
        let hash = await hashPassword(secret)
        try await change("accounts.create", by: actor) { service, note in
            let account = Account(
                id: service.ids.next(), userName: name, passwordHash: hash, createdAt: service.clock.now(),
                mustChangePassword: password == nil)
            _ = try await service.store.createAccount(account)
            try await service.store.assignRole(
                RoleAssignment(role: role, subject: .account(account.id), createdAt: service.clock.now()))
            note.subject("Account", account.id)
            note.add("created account \(name) (\(role.rawValue))")
            note.changed([FieldChange(field: "role", old: nil, new: role.rawValue)])
        }
        return password == nil ? secret : nil
    }

    /// Gives an account a new one-time password and ends its sessions. Returns the password.
    public func resetPassword(userName: String, by actor: DirectoryActor) async throws(SCIMError) -> String {
        let secret = Self.oneTimePassword()
        let hash = await hashPassword(secret)
        try await change("accounts.reset-password", by: actor) { service, note in
            guard var account = try await service.store.account(userName: userName) else {
                throw StoreError.notFound("Account \(userName)")
            }
            account.passwordHash = hash
            account.mustChangePassword = true
            _ = try await service.store.updateAccount(account)
            try await service.store.deleteSessions(accountID: account.id)
            try await service.store.clearLoginFailures(subject: Self.throttleSubject(account: userName))
            note.subject("Account", account.id)
            note.add("reset the password of \(account.userName); its sessions ended")
            note.changed([FieldChange(field: "password", old: nil, new: "(reset; one-time)")])
        }
        return secret
    }

    /// Sets an account's role (its only one).
    public func setAccountRole(accountID: String, role: Role, by actor: DirectoryActor) async throws(SCIMError) {
        try await change("accounts.role", by: actor) { service, note in
            guard let account = try await service.store.account(id: accountID) else {
                throw StoreError.notFound("Account \(accountID)")
            }
            let old = try await service.accountRole(accountID)
            if old == .admin, role != .admin, actor.activityActor == "account:\(accountID)" {
                throw SCIMError.forbidden("you cannot take the admin role from yourself; another admin can")
            }
            for existing in Role.allCases where existing != role {
                try await service.store.removeRole(existing, from: .account(accountID))
            }
            try await service.store.assignRole(
                RoleAssignment(role: role, subject: .account(accountID), createdAt: service.clock.now()))
            note.subject("Account", accountID)
            note.add("\(account.userName) is now \(role.rawValue)")
            note.changed([FieldChange(field: "role", old: old?.rawValue, new: role.rawValue)])
        }
    }

    /// A signed-in account replaces its own password (required after a one-time one). Every
    /// session of the account ends — one opened with the old password elsewhere among them — and
    /// a new one starts for the browser that made the change.
    public func changePassword(
        accountID: String, current: String, new password: String
    ) async throws(SCIMError) -> StartedSession {
        guard let account = try await read({ try await store.account(id: accountID) }) else {
            throw SCIMError(status: 404, detail: "the account no longer exists")
        }
        guard await verifyPassword(current, hash: account.passwordHash) else {
            throw .invalidValue("the current password is not right")
        }
        try Self.checkPassword(password, userName: account.userName)
        guard password != current else { throw .invalidValue("choose a password different from the current one") }
        let hash = await hashPassword(password)
        guard let role = try await read({ try await accountRole(accountID) }) else {
            throw .forbidden("the account holds no role any more")
        }
        let console = ConsoleAccount(id: account.id, userName: account.userName, role: role)
        try await change("accounts.change-password", by: .account(console), permission: .read) { service, note in
            var updated = account
            updated.passwordHash = hash
            updated.mustChangePassword = false
            _ = try await service.store.updateAccount(updated)
            try await service.store.deleteSessions(accountID: account.id)
            note.subject("Account", account.id)
            note.add("\(account.userName) chose a new password; the account's other sessions ended")
            note.changed([FieldChange(field: "password", old: nil, new: "(changed)")])
        }
        let now = clock.now()
        let signIn = ConsoleSignIn(
            account: console, mustChangePassword: false,
            expiresAt: Timestamp(microseconds: now.microseconds + sessionPolicy.absolute.microseconds))
        return try await startSession(signIn, at: now)
    }

    public func accounts(by actor: DirectoryActor) async throws(SCIMError) -> [AccountSummary] {
        try actor.authorize(.readAccess)
        return try await read {
            let assignments = try await store.roleAssignments()
            return try await store.accounts().map { account in
                AccountSummary(account: account, role: Self.role(of: .account(account.id), in: assignments))
            }
        }
    }

    func accountRole(_ accountID: String) async throws -> Role? {
        Self.role(of: .account(accountID), in: try await store.roleAssignments())
    }

    /// The strongest role given directly to `subject`.
    static func role(of subject: RoleSubject, in assignments: [RoleAssignment]) -> Role? {
        let roles = Set(assignments.filter { $0.subject == subject }.map(\.role))
        return roles.contains(.admin) ? .admin : roles.contains(.viewer) ? .viewer : nil
    }

    // MARK: Login and sessions

    static func throttleSubject(account userName: String) -> String { "account:\(userName.scimCaseFolded)" }
    static func throttleSubject(address: String) -> String { "address:\(address)" }

    /// Bcrypt hashes of nothing anyone knows, one per cost, verified when the name is unknown so
    /// that an unknown name takes as long as a wrong password (no account enumeration by timing).
    static let decoys = Mutex<[UInt8: String]>([:])

    func decoyHash() -> String {
        let cost = sessionPolicy.bcryptCost
        if let hash = Self.decoys.withLock({ $0[cost] }) { return hash }
        let hash = Bcrypt.hash("decoy password nobody knows", cost: cost)
        Self.decoys.withLock { $0[cost] = hash }
        return hash
    }

    /// Checks a name and password and starts a session. Each attempt writes an activity row;
    /// repeated failures of one name or from one address are throttled across instances.
    ///
    /// An attempt is counted as a failure *before* its password is checked, in one atomic upsert
    /// per subject, and refused when that count passes the limit: concurrent guesses (on one
    /// instance or several) cannot all slip through while the first ones are still in bcrypt. A
    /// success then clears the name's count and takes its own attempt back from the address's, so
    /// one account known to an attacker does not reset the throttle of an address.
    public func logIn(userName: String, password: String, address: String?) async throws(SCIMError) -> LoginOutcome {
        let now = clock.now()
        let policy = sessionPolicy
        let windowStart = Timestamp(microseconds: now.microseconds - policy.window.microseconds)
        let nameSubject = Self.throttleSubject(account: userName)
        var subjects: [(subject: String, limit: Int)] = [(nameSubject, policy.failuresPerAccount)]
        if let address { subjects.append((Self.throttleSubject(address: address), policy.failuresPerAddress)) }
        let account = try await read { try await store.account(userName: userName) }
        for (subject, limit) in subjects {
            let counted = try await read {
                try await store.recordLoginFailure(subject: subject, at: now, windowStart: windowStart)
            }
            if counted.failures > limit {
                let end = counted.firstAt.microseconds + policy.window.microseconds
                let wait = max(1, (end - now.microseconds) / 1_000_000)
                await recordLogin(userName, account: account, address: address, status: 429, summary: "login throttled")
                return .throttled(seconds: Int(wait))
            }
        }
        let matches = await verifyPassword(password, hash: account?.passwordHash ?? decoyHash())
        var role: Role?
        if let account { role = try await read { try await accountRole(account.id) } }
        guard let account, matches, account.disabledAt == nil, let role else {
            let reason: String
            if account == nil {
                reason = "unknown account"
            } else if !matches {
                reason = "wrong password"
            } else if account?.disabledAt != nil {
                reason = "account disabled"
            } else {
                reason = "no role"
            }
            await recordLogin(
                userName, account: account, address: address, status: 401, summary: "login refused: \(reason)")
            return .refused
        }
        try await read { try await store.clearLoginFailures(subject: nameSubject) }
        for (subject, _) in subjects.dropFirst() {
            try await read { try await store.forgiveLoginFailure(subject: subject) }
        }
        let signIn = ConsoleSignIn(
            account: ConsoleAccount(id: account.id, userName: account.userName, role: role),
            mustChangePassword: account.mustChangePassword,
            expiresAt: Timestamp(microseconds: now.microseconds + policy.absolute.microseconds))
        let started = try await startSession(signIn, at: now)
        await recordLogin(
            userName, account: account, address: address, status: 200, summary: "\(account.userName) signed in")
        return .signedIn(started)
    }

    /// Stores a new session for `signIn` and returns its cookie value.
    func startSession(_ signIn: ConsoleSignIn, at now: Timestamp) async throws(SCIMError) -> StartedSession {
        // 256 bits, base64url, without the `acs_` of SCIM tokens: a session is not a token.
        let token = Self.base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
        let session = Session(
            idHash: Self.hash(token: token), subject: signIn.subject, createdAt: now,
            expiresAt: signIn.expiresAt, lastSeenAt: now)
        try await read { try await store.createSession(session) }
        return StartedSession(token: token, signIn: signIn)
    }

    /// The activity row of a login attempt. The typed name is kept only when it names an
    /// account: people type passwords into the name field, and an unknown name may be one.
    private func recordLogin(
        _ userName: String, account: Account?, address: String?, status: Int, summary: String
    ) async {
        let who = account.map { "account name \"\($0.userName)\"" } ?? "an unknown account name"
        let event = ActivityEvent(
            id: ids.next(), at: clock.now(), actor: account.map { "account:\($0.id)" } ?? "system:login",
            method: "CONSOLE", path: "login", status: status, resourceType: "Account", resourceID: account?.id,
            summary: summary, detail: "\(who) from \(address ?? "an unknown address")")
        try? await store.recordActivity(event)
    }

    /// The session a cookie value stands for, or `nil` when it is unknown, idle too long, past
    /// its absolute end, or its account is disabled or holds no role any more. A single-sign-on
    /// user's session ends as soon as the user is deprovisioned (suspended, archived, deleted) or
    /// loses their last role: access is cut at the next request.
    public func session(token: String) async throws(SCIMError) -> ConsoleSignIn? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        let now = clock.now()
        let hash = Self.hash(token: token)
        guard let session = try await read({ try await store.session(idHash: hash) }) else { return nil }
        let idleEnd = session.lastSeenAt.microseconds + sessionPolicy.idle.microseconds
        guard now < session.expiresAt, now.microseconds < idleEnd,
            let account = try await read({ try await signedInAccount(session.subject) })
        else {
            try await read { try await store.deleteSession(idHash: hash) }
            return nil
        }
        // The last use is kept to the minute: a write per page view would serialize SQLite readers.
        if now.microseconds - session.lastSeenAt.microseconds > 60_000_000 {
            try await read { try await store.touchSession(idHash: hash, at: now) }
        }
        return ConsoleSignIn(
            account: account.console, mustChangePassword: account.mustChangePassword, expiresAt: session.expiresAt)
    }

    /// Who a session's subject is now, with their role; `nil` when they may no longer sign in.
    private func signedInAccount(
        _ subject: SessionSubject
    ) async throws -> (
        console: ConsoleAccount, mustChangePassword: Bool
    )? {
        switch subject {
        case .account(let id):
            guard let account = try await store.account(id: id), account.disabledAt == nil,
                let role = try await accountRole(account.id)
            else { return nil }
            return (ConsoleAccount(id: account.id, userName: account.userName, role: role), account.mustChangePassword)
        case .user(let id, let connectionID):
            guard let user = try await store.user(id: id), user.origin.connectionID == connectionID,
                user.active != false, let role = try await userRole(id)
            else { return nil }
            return (ConsoleAccount(id: id, userName: user.userName, role: role, connectionID: connectionID), false)
        }
    }

    /// Ends a session (logout).
    public func endSession(token: String) async throws(SCIMError) {
        try await read { try await store.deleteSession(idHash: Self.hash(token: token)) }
    }
}
