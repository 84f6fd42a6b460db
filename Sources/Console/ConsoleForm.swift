import HTTPTypes
import Hummingbird

/// A form the console accepts: every one carries the CSRF token.
protocol ConsoleForm: Decodable, Sendable {
    var csrf: String { get }
}

/// Just the token (a button that posts nothing else).
struct TokenOnlyForm: ConsoleForm {
    var csrf: String
}

extension Request {
    /// The posted form, after checking its CSRF token against `expected` (and that the browser did
    /// not send it from another site). 403 when either fails; 400 when it cannot be read.
    func consoleForm<Form: ConsoleForm>(_ type: Form.Type, csrf expected: String) async throws -> Form {
        if let site = headers[HTTPField.Name("Sec-Fetch-Site") ?? .origin], site == "cross-site" {
            throw ConsolePageError(status: .forbidden, message: "This form was sent from another site and was refused.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: 64 * 1024)
        } catch {
            throw ConsolePageError(status: .contentTooLarge, message: "The form is too large (the limit is 64 KiB).")
        }
        let text = try Self.refusingNUL(String(buffer: buffer))
        let token = try? URLEncodedFormDecoder().decode(TokenOnlyForm.self, from: text)
        guard let token, CSRF.matches(token.csrf, expected) else {
            throw ConsolePageError(
                status: .forbidden,
                message: "This form has expired or did not come from this console. Reload the page and try again.")
        }
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: text)
        } catch {
            throw ConsolePageError(
                status: .badRequest, message: "The form could not be read: a field is missing or malformed.")
        }
    }

    /// A form's text, refused (400) when a field would hold U+0000: PostgreSQL's text cannot store
    /// it, and a sign-in name holding it must not reach the store as an outage.
    static func refusingNUL(_ text: String) throws(ConsolePageError) -> String {
        if text.utf8.contains(0) || text.contains("%00") {
            throw ConsolePageError(status: .badRequest, message: "The form holds a NUL character (%00); no field may.")
        }
        return text
    }
}
