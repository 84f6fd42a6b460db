import Crypto
import Foundation
import Hummingbird
import SCIM
import SCIMHTTP
import Synchronization

/// A token-bucket limit on SCIM requests per token: `rate` requests a second on average, bursts
/// of `burst`. Per instance: with several instances the fleet admits up to their sum.
public struct RateLimit: Sendable, Hashable {
    public var rate: Double
    public var burst: Int

    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = burst
    }
}

/// The buckets, by the SHA-256 of the presented credential (never the token itself). A request
/// without one is counted under the client's address.
final class RateLimiter: Sendable {
    let limit: RateLimit
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Past this many buckets, the full ones (idle long enough to refill) are dropped.
    static let maximumBuckets = 10_000

    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    init(limit: RateLimit) { self.limit = limit }

    /// `nil` when the request may go on, else the whole seconds to wait (`Retry-After`).
    func admit(_ key: String, at now: ContinuousClock.Instant = .now) -> Int? {
        let limit = self.limit
        return buckets.withLock { buckets in
            if buckets.count >= Self.maximumBuckets, buckets[key] == nil {
                // Drop the buckets that have refilled (they are as good as new); if that frees
                // nothing, start over: an attacker cycling credentials gains a full bucket at
                // most once per 10 000 of them.
                let refill = min(Double(limit.burst) / limit.rate, 86_400)
                buckets = buckets.filter { (now - $0.value.updated) < .seconds(refill) }
                if buckets.count >= Self.maximumBuckets { buckets.removeAll(keepingCapacity: true) }
            }
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(limit.burst), bucket.tokens + seconds * limit.rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            // Okta's back-off reads an integer Retry-After: round the wait up, at least 1 s.
            return max(1, min(86_400, Int(((1 - bucket.tokens) / limit.rate).rounded(.up))))
        }
    }
}

/// Answers a SCIM request over its token's limit with 429, an integer `Retry-After` and a SCIM
/// error body, before any work is done.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: RateLimiter

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The router ignores empty path components (`//scim/v2` is `/scim/v2`): so does this.
        let path = "/" + request.uri.path.split(separator: "/").joined(separator: "/")
        guard SCIMAPIConfiguration.mountPoints.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else {
            return try await next(request, context)
        }
        // Keyed by the token as the API reads it (any spelling of `Bearer` is one bucket); a
        // request without a usable one counts under its address.
        let credential =
            request.headers[.authorization].flatMap { SCIMCredential.token(fromAuthorization: $0) }.map {
                "token:\($0)"
            } ?? "address:\(context.clientAddress ?? "-")"
        let key = SHA256.hash(data: Data(credential.utf8)).map { String(format: "%02x", $0) }.joined()
        guard let wait = limiter.admit(key) else { return try await next(request, context) }
        let body: JSONObject = [
            "schemas": [.string(SCIMURN.error)], "status": "429",
            "detail": .string(
                "too many requests for this token: at most \(limiter.limit.burst) at once and \(limiter.limit.rate) a second; retry after \(wait) s"
            ),
        ]
        return Response(
            status: .tooManyRequests,
            headers: [.contentType: "application/scim+json", .retryAfter: String(wait)],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.serialized().utf8)))
    }
}
