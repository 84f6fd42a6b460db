import Crypto
import Directory

/// Cross-site request forgery tokens. A signed-in form carries a token derived from the session
/// cookie (HMAC-SHA256, so it is never the cookie itself and needs no storage); the login form,
/// before any session, carries a random value that must match a cookie of its own (a double
/// submit). Compared in constant time.
enum CSRF {
    static let loginCookie = "ac_login_csrf"

    static func token(forSession session: String) -> String {
        let key = SymmetricKey(data: Array(session.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("account-console csrf".utf8), using: key)
        return DirectoryService.base64URL(Array(mac))
    }

    static func random() -> String {
        DirectoryService.base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// Equal in constant time (for equal lengths; a length difference says nothing secret).
    static func matches(_ given: String, _ expected: String) -> Bool {
        let left = Array(given.utf8)
        let right = Array(expected.utf8)
        guard left.count == right.count, !right.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
