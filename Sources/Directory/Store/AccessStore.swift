/// The access part of the store contract: identity-provider connections and their SCIM tokens,
/// console accounts, role assignments and sessions.
public protocol AccessStore: Sendable {
    // MARK: Connections and tokens

    func createConnection(_ connection: Connection) async throws(StoreError) -> Connection
    func connection(id: String) async throws(StoreError) -> Connection?
    func connection(name: String) async throws(StoreError) -> Connection?
    func connections() async throws(StoreError) -> [Connection]
    func updateConnection(_ connection: Connection) async throws(StoreError) -> Connection
    func deleteConnection(id: String) async throws(StoreError)
    func createToken(_ token: ScimToken) async throws(StoreError) -> ScimToken
    /// The token whose SHA-256 (lower-case hex) is `sha256`, revoked or not.
    func token(sha256: String) async throws(StoreError) -> ScimToken?
    func token(id: String) async throws(StoreError) -> ScimToken?
    func tokens(connectionID: String) async throws(StoreError) -> [ScimToken]
    func markTokenUsed(id: String, at: Timestamp, address: String?) async throws(StoreError)
    func revokeToken(id: String, at: Timestamp) async throws(StoreError)
    /// Sets (or clears) when a token stops working: rotation lets the old token overlap the new.
    func setTokenExpiry(id: String, expiresAt: Timestamp?) async throws(StoreError)

    // MARK: Accounts, roles, sessions

    func createAccount(_ account: Account) async throws(StoreError) -> Account
    func account(id: String) async throws(StoreError) -> Account?
    func account(userName: String) async throws(StoreError) -> Account?
    func accounts() async throws(StoreError) -> [Account]
    func updateAccount(_ account: Account) async throws(StoreError) -> Account
    func assignRole(_ assignment: RoleAssignment) async throws(StoreError)
    func removeRole(_ role: Role, from subject: RoleSubject) async throws(StoreError)
    func roleAssignments() async throws(StoreError) -> [RoleAssignment]
    func createSession(_ session: Session) async throws(StoreError)
    func session(idHash: String) async throws(StoreError) -> Session?
    func deleteSession(idHash: String) async throws(StoreError)
    func deleteExpiredSessions(before: Timestamp) async throws(StoreError) -> Int
    /// Moves a session's last use forward (the idle limit counts from it).
    func touchSession(idHash: String, at: Timestamp) async throws(StoreError)
    /// Ends every session of an account (a password reset, a disabled account).
    func deleteSessions(accountID: String) async throws(StoreError)
    /// Ends every session of a directory user (deprovisioned).
    func deleteSessions(userID: String) async throws(StoreError)
    /// Ends every session opened through a connection's single sign-on (its settings changed).
    func deleteSessions(connectionID: String) async throws(StoreError)

    // MARK: Single sign-on

    func singleSignOn(connectionID: String) async throws(StoreError) -> SingleSignOn?
    /// Every connection's settings (the login page's buttons).
    func singleSignOns() async throws(StoreError) -> [SingleSignOn]
    /// Inserts or replaces a connection's settings.
    func saveSingleSignOn(_ settings: SingleSignOn) async throws(StoreError)
    func createSSORequest(_ request: SSORequest) async throws(StoreError)
    /// Removes and returns a pending sign-in: each is used once.
    func takeSSORequest(stateHash: String) async throws(StoreError) -> SSORequest?
    /// Records an assertion's use; `false` when it was used before (a replay).
    func useAssertion(_ assertion: UsedAssertion) async throws(StoreError) -> Bool
    /// Drops pending sign-ins and remembered assertions past their end; returns how many.
    func deleteExpiredSingleSignOn(before: Timestamp) async throws(StoreError) -> Int

    // MARK: Login throttle

    /// Counts one failed login of `subject`; a count older than `windowStart` starts again at 1.
    func recordLoginFailure(
        subject: String, at: Timestamp, windowStart: Timestamp
    ) async throws(StoreError)
        -> LoginFailures
    func loginFailures(subject: String) async throws(StoreError) -> LoginFailures?
    func clearLoginFailures(subject: String) async throws(StoreError)
    /// Takes one failure back from `subject` (an attempt counted before it was checked, that
    /// succeeded); the row goes when none is left.
    func forgiveLoginFailure(subject: String) async throws(StoreError)
    /// Drops the counts last added to before `before` (the retention job); returns how many.
    func deleteLoginFailures(before: Timestamp) async throws(StoreError) -> Int
}
