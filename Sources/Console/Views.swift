import Hummingbird
import Mustache

/// The console's templates (swift-mustache, embedded in the binary: `Templates/*.mustache`) and
/// how a page becomes a response. `{{name}}` escapes HTML; no template uses `{{{ }}}` except for
/// the chart's SVG, which ``ActivityChart`` builds from numbers and escaped text only.
struct Views: Sendable {
    let library: MustacheLibrary

    static let templates: [String: [UInt8]] = [
        "layout": PackageResources.layout_mustache,
        "timeline": PackageResources.timeline_mustache,
        "pager": PackageResources.pager_mustache,
        "login": PackageResources.login_mustache,
        "password": PackageResources.password_mustache,
        "error": PackageResources.error_mustache,
        "users": PackageResources.users_mustache,
        "user": PackageResources.user_mustache,
        "user-new": PackageResources.user_new_mustache,
        "groups": PackageResources.groups_mustache,
        "group": PackageResources.group_mustache,
        "group-form": PackageResources.group_form_mustache,
        "confirm": PackageResources.confirm_mustache,
        "connections": PackageResources.connections_mustache,
        "connection": PackageResources.connection_mustache,
        "activity": PackageResources.activity_mustache,
        "activity-event": PackageResources.activity_event_mustache,
        "settings": PackageResources.settings_mustache,
    ]

    init() throws {
        var library = MustacheLibrary()
        for (name, bytes) in Self.templates.sorted(by: { $0.key < $1.key }) {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    /// The HTML of `template` over `model`.
    func html(_ template: String, _ model: Any) -> String {
        library.render(TemplateValues.wrap(model) ?? model, withTemplate: template)
            ?? "<!doctype html><title>Account Console</title><p>This page could not be drawn."
    }

    /// A page response: HTML, never cached (it shows the directory as it is now).
    func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html(template, model))))
    }

    /// 303 See Other: after a form, the browser loads the result with a GET.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

/// A view model reflected once, for the templates. swift-mustache reads a plain value's fields
/// with a new `Mirror` at every `{{name}}` (and for every level of the context stack it climbs):
/// 11 ms for a page of 50 users. Reflected into dictionaries once, the page renders several times
/// faster (docs/benchmarks.md).
struct TemplateValues: MustacheParent {
    let fields: [String: Any]

    func child(named name: String) -> Any? { fields[name] }

    /// Structs become ``TemplateValues``, arrays arrays of them; optionals are unwrapped (`nil`
    /// stays absent) and scalars stay as they are.
    static func wrap(_ value: Any) -> Any? {
        switch value {
        case is String, is Bool, is Int, is Int64, is Double: return value
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional?:
            guard let wrapped = mirror.children.first?.value else { return nil }
            return wrap(wrapped)
        case .collection?, .set?:
            return mirror.children.compactMap { wrap($0.value) }
        case .struct?, .class?:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                guard let label = child.label, let field = wrap(child.value) else { continue }
                fields[label] = field
            }
            return TemplateValues(fields: fields)
        default:
            return value
        }
    }
}
