import Hummingbird

/// A page the console answers instead of the one asked for: 404, a refused action (403 with
/// why), an expired form. Rendered by ``ConsoleErrorMiddleware`` as a friendly page.
struct ConsolePageError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
}
