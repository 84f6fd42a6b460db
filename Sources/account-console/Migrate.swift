import AccountConsole
import ArgumentParser
import DirectorySQL
import Logging

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations, then exit.")

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let location = try database.location()
        let directory = try await location.open(
            migrate: true, clock: SystemClock(), logger: Logger(label: "account-console"))
        let version = try await directory.store.schemaVersion()
        await directory.close()
        print("\(location): schema at version \(version)")
    }
}
