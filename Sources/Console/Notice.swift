/// The confirmations a page shows after a form (`?notice=<key>`): a fixed list, so a link
/// cannot make the console say something it did not.
enum Notice {
    static let texts: [String: String] = [
        "password-changed": "Your new password is set.",
        "user-created": "The user was created.",
        "user-suspended": "The user is suspended and cannot sign in.",
        "user-restored": "The user is active again.",
        "user-deleted": "The user was deleted.",
        "user-saved": "The profile was saved.",
        "member-added": "The manual membership was added.",
        "member-removed": "The manual membership was removed.",
        "group-created": "The group was created.",
        "group-saved": "The group was saved.",
        "group-deleted": "The group was deleted.",
        "role-granted": "The role was given.",
        "role-revoked": "The role was taken away.",
        "connection-saved": "The connection's policies were saved.",
        "held-released": "The held deprovisions were applied.",
        "held-rejected": "The held deprovisions were taken back: the users are restored as they were.",
        "token-revoked": "The token was revoked: it stops working now.",
        "saml-saved": "The SAML sign-in settings were saved.",
        "oidc-saved": "The OpenID Connect sign-in settings were saved.",
        "account-role": "The account's role was changed.",
    ]

    static func text(_ key: Substring?) -> String? { key.flatMap { texts[String($0)] } }
}
