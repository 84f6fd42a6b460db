import Directory

/// Requests per hour as a small server-rendered SVG bar chart, failures stacked in their own
/// colour (CSS classes, so dark mode and the CSP's no-inline-style both hold). No script, no
/// chart library: numbers in, markup out, and only numbers and fixed words in the markup.
struct ActivityChart: Sendable {
    enum Span: Sendable {
        case day, week

        var hours: Int { self == .day ? 24 : 168 }
        var label: String { self == .day ? "last 24 hours" : "last 7 days" }
    }

    let service: DirectoryService
    let actor: DirectoryActor

    func svg(_ query: ActivityQuery, span: Span) async throws -> String {
        let now = service.clock.now()
        let hour: Int64 = 3_600_000_000
        let end = (now.microseconds / hour + 1) * hour
        let start = end - Int64(span.hours) * hour
        let buckets = try await service.activityHistogram(
            query, since: Timestamp(microseconds: start), bucketSeconds: 3600, by: actor)
        var totals = [Int](repeating: 0, count: span.hours)
        var failures = [Int](repeating: 0, count: span.hours)
        for bucket in buckets {
            let index = Int((bucket.start.microseconds - start) / hour)
            guard totals.indices.contains(index) else { continue }
            totals[index] = bucket.total
            failures[index] = bucket.failed
        }
        return Self.draw(totals: totals, failures: failures, label: span.label)
    }

    /// The chart for these hourly counts (oldest first); pure, so it is tested on its own.
    static func draw(totals: [Int], failures: [Int], label: String) -> String {
        let width = 720.0
        let height = 60.0
        let top = 14.0
        let peak = max(1, totals.max() ?? 0)
        let slot = width / Double(max(1, totals.count))
        let barWidth = max(1, slot * 0.8)
        let all = totals.reduce(0, +)
        let failed = failures.reduce(0, +)
        let summary = "Requests per hour, \(label): \(all) in all, \(failed) failed; busiest hour \(peak)."
        var parts: [String] = [
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height + top))\" role=\"img\" aria-label=\"\(summary)\">",
            "<title>\(summary)</title>",
            "<line class=\"axis\" x1=\"0\" y1=\"\(Int(height + top))\" x2=\"\(Int(width))\" y2=\"\(Int(height + top))\"/>",
            "<text class=\"peak\" x=\"2\" y=\"11\">\(peak)/h</text>",
        ]
        for index in totals.indices where totals[index] > 0 {
            let x = Double(index) * slot + (slot - barWidth) / 2
            let total = Double(totals[index]) / Double(peak) * height
            let bad = Double(min(failures[index], totals[index])) / Double(peak) * height
            let good = total - bad
            if good > 0 {
                parts.append(
                    "<rect class=\"ok\" x=\"\(fixed(x))\" y=\"\(fixed(top + height - total))\" width=\"\(fixed(barWidth))\" height=\"\(fixed(good))\"/>"
                )
            }
            if bad > 0 {
                parts.append(
                    "<rect class=\"failed\" x=\"\(fixed(x))\" y=\"\(fixed(top + height - bad))\" width=\"\(fixed(barWidth))\" height=\"\(fixed(bad))\"/>"
                )
            }
        }
        parts.append("</svg>")
        return parts.joined()
    }

    static func fixed(_ value: Double) -> String {
        let scaled = Int((value * 10).rounded())
        return "\(scaled / 10).\(abs(scaled % 10))"
    }
}
