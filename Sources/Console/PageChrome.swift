import Directory
import Hummingbird
import SCIM

/// What every signed-in page's layout shows: title, navigation, who is signed in, the form token.
struct PageChrome: Sendable {
    struct NavItem: Sendable {
        var label: String
        var href: String
        var current: Bool
    }

    var title: String
    var account: String?
    var role: String?
    var isAdmin: Bool
    var csrf: String
    var nav: [NavItem]
    var notice: String?
    var requestID: String

    static let sections: [(label: String, href: String)] = [
        ("Users", "/users"), ("Groups", "/groups"), ("Connections", "/connections"), ("Activity", "/activity"),
        ("Settings", "/settings"),
    ]

    init<Parent>(_ title: String, section: String?, context: ConsoleRequestContext<Parent>, notice: String? = nil) {
        self.title = title
        self.account = context.signIn?.account.userName
        self.role = context.signIn?.account.role.rawValue
        self.isAdmin = context.isAdmin
        self.csrf = context.csrf
        self.nav =
            context.signIn == nil || context.signIn?.mustChangePassword == true
            ? [] : Self.sections.map { NavItem(label: $0.label, href: $0.href, current: $0.href == section) }
        self.notice = notice
        self.requestID = context.id
    }

    /// A page outside the console's routes (the 404 of an unknown address): no session is read.
    init(_ title: String, requestID: String) {
        self.title = title
        self.account = nil
        self.role = nil
        self.isAdmin = false
        self.csrf = ""
        self.nav = []
        self.notice = nil
        self.requestID = requestID
    }
}

/// One `<option>` of a `<select>`.
struct SelectOption: Sendable {
    var value: String
    var label: String
    var selected: Bool
}

/// Short texts the pages show.
enum Format {
    /// `2026-12-01 20:19 UTC`.
    static func when(_ timestamp: Timestamp?) -> String {
        guard let timestamp else { return "—" }
        let text = timestamp.dateTime.description
        guard text.count >= 16 else { return text }
        let date = text.prefix(10)
        let time = text.dropFirst(11).prefix(5)
        return "\(date) \(time) UTC"
    }

    /// The machine-readable form for `<time datetime>`.
    static func iso(_ timestamp: Timestamp?) -> String { timestamp?.dateTime.description ?? "" }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    static func duration(microseconds: Int64) -> String {
        microseconds < 1000
            ? "\(microseconds) µs"
            : microseconds < 1_000_000
                ? "\(microseconds / 1000) ms" : "\(microseconds / 1_000_000) s"
    }
}
