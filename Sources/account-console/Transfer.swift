import AccountConsole
import ArgumentParser
import Directory
import Foundation
import SCIM

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the directory as JSON lines: connections and their policies, users, groups, memberships.",
        discussion:
            "Never a secret: no tokens, password hashes or sign-in settings. Read back with account-console import. For a consistent snapshot of a busy server, use the database's own backup tools."
    )

    @Option(help: "The file to write (default: standard output).") var output: String?
    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let sink: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw CommandFailure(description: "cannot create \(output)")
            }
            guard let handle = FileHandle(forWritingAtPath: output) else {
                throw CommandFailure(description: "cannot write \(output)")
            }
            sink = handle
        } else {
            sink = FileHandle.standardOutput
        }
        let progress = Progress(total: nil, verb: "exported")
        let writer = LineWriter(handle: sink)
        let counts = try await database.run { service in
            try await service.export(by: .commandLine) { record in
                try writer.write(record.json.serialized())
                progress.advance()
            }
        }
        try writer.flush()
        if output != nil { try sink.close() }
        progress.finish()
        FileHandle.standardError.write(
            Data(
                "exported \(counts.connections) connections, \(counts.users) users, \(counts.groups) groups, \(counts.memberships) memberships\n"
                    .utf8))
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read an export back: merge by id, then by userName / displayName / connection name.",
        discussion:
            "Into an empty or an existing directory, in batches (one transaction each). A bad line is reported with its number; --on-error says whether the run skips it (exit status 0) or stops there (exit status 1)."
    )

    enum OnError: String, ExpressibleByArgument, CaseIterable { case skip, stop }

    @Option(help: "The file to read (default: standard input).") var input: String?
    @Option(name: .customLong("on-error"), help: "skip or stop at a bad line.") var onError: OnError = .stop
    @Option(name: .customLong("batch-size"), help: "Records per transaction.") var batchSize = 500
    @OptionGroup var database: DatabaseOption

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 10000") }
    }

    func run() async throws {
        let source: FileHandle
        var total: Int?
        if let input {
            guard let handle = FileHandle(forReadingAtPath: input) else {
                throw CommandFailure(description: "cannot read \(input)")
            }
            source = handle
            total = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? nil
        } else {
            source = FileHandle.standardInput
        }
        let progress = Progress(total: total, verb: "imported")
        let onError = self.onError
        let batchSize = self.batchSize
        let summary = try await database.run { service in
            try await Self.run(
                lines: LineReader(handle: source), service: service, batchSize: batchSize, onError: onError,
                progress: progress)
        }
        progress.finish()
        let report =
            "imported: \(summary.created.users) users, \(summary.created.groups) groups, \(summary.created.memberships) memberships, \(summary.created.connections) connections created; \(summary.updated.users) users, \(summary.updated.groups) groups, \(summary.updated.connections) connections updated; \(summary.unchanged.users + summary.unchanged.groups + summary.unchanged.memberships + summary.unchanged.connections) already so; \(summary.failed) failed"
        FileHandle.standardError.write(
            Data((report + (summary.stopped ? " (stopped at the first failure)" : "") + "\n").utf8))
        if summary.stopped { throw ExitCode.failure }
    }

    struct Summary: Sendable {
        var created = TransferCounts()
        var updated = TransferCounts()
        var unchanged = TransferCounts()
        var failed = 0
        var stopped = false
    }

    static func report(line: Int, _ detail: String) {
        FileHandle.standardError.write(Data("line \(line): \(detail)\n".utf8))
    }

    static func run(
        lines: LineReader, service: DirectoryService, batchSize: Int, onError: OnError, progress: Progress
    ) async throws -> Summary {
        var summary = Summary()
        let session = ImportSession()
        var batch: [TransferRecord] = []
        var batchLines: [Int] = []
        var number = 0
        var sawHeader = false

        func send() async throws {
            guard !batch.isEmpty else { return }
            let result = try await service.importBatch(batch, session: session, by: .commandLine)
            summary.created = summary.created + result.created
            summary.updated = summary.updated + result.updated
            summary.unchanged = summary.unchanged + result.unchanged
            for failure in result.failures {
                report(line: batchLines[failure.index], failure.detail)
                summary.failed += 1
            }
            progress.advance(by: batch.count, bytes: lines.bytesRead)
            batch = []
            batchLines = []
            if !result.failures.isEmpty, onError == .stop { summary.stopped = true }
        }

        while let line = try lines.next() {
            number += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let record: TransferRecord
            do {
                guard let object = try JSONParser().parse(bytes: line).objectValue else {
                    throw TransferRecord.Malformed(description: "not a JSON object")
                }
                record = try TransferRecord(json: object)
            } catch {
                report(line: number, "\(error)")
                summary.failed += 1
                if onError == .stop {
                    try await send()
                    summary.stopped = true
                    return summary
                }
                continue
            }
            if case .header = record {
                sawHeader = true
                continue
            }
            if !sawHeader, number == 1 {
                report(line: 1, "no export header; reading the records anyway")
            }
            batch.append(record)
            batchLines.append(number)
            if batch.count >= batchSize {
                try await send()
                if summary.stopped { return summary }
            }
        }
        try await send()
        return summary
    }
}

/// Lines of a file read 64 KiB at a time (an export of 100 000 users is never held whole).
final class LineReader: @unchecked Sendable {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline resumes (the bytes before it have none).
    private var scanned = 0
    private var done = false
    private(set) var bytesRead = 0
    /// A longer line is an error, not a reason to hold the whole file.
    static let maximumLine = 16 << 20

    /// A line past ``maximumLine``.
    struct LineTooLong: Error, CustomStringConvertible {
        var description: String { "a line is longer than 16 MiB (is this an export?)" }
    }

    init(handle: FileHandle) { self.handle = handle }

    func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                scanned = start
                return line
            }
            scanned = buffer.count
            if done {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                scanned = start
                return line
            }
            guard buffer.count - start <= Self.maximumLine else { throw LineTooLong() }
            let chunk = try handle.read(upToCount: 65_536) ?? Data()
            bytesRead += chunk.count
            buffer.removeFirst(start)
            scanned -= start
            start = 0
            if chunk.isEmpty { done = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// Buffered lines to a file.
final class LineWriter: @unchecked Sendable {
    let handle: FileHandle
    private var buffer: [UInt8] = []

    init(handle: FileHandle) { self.handle = handle }

    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 262_144 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A progress line on standard error when it is a terminal: a bar by bytes when the size is
/// known, else a count; records a second either way. Nothing when redirected.
final class Progress: @unchecked Sendable {
    let total: Int?
    let verb: String
    let enabled = isatty(STDERR_FILENO) == 1
    private let started = ContinuousClock.now
    private var count = 0
    private var bytes = 0
    private var lastDrawn = ContinuousClock.now

    init(total: Int?, verb: String) {
        self.total = total
        self.verb = verb
    }

    func advance(by records: Int = 1, bytes: Int? = nil) {
        count += records
        if let bytes { self.bytes = bytes }
        guard enabled, ContinuousClock.now - lastDrawn > .milliseconds(200) else { return }
        lastDrawn = .now
        draw()
    }

    private func draw() {
        let seconds = max(0.001, Double((ContinuousClock.now - started).components.seconds) + 0.001)
        let rate = Int(Double(count) / seconds)
        var line = "\r\(verb) \(count) records, \(rate)/s"
        if let total, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let filled = Int(fraction * 30)
            line =
                "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 30 - filled))] \(Int(fraction * 100))% "
                + line.dropFirst()
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled, count > 0 else { return }
        draw()
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
