import Directory
import DirectorySQL
import TestSupport
import Testing

/// The table descriptions (`Tables`) and the migrated schema name the same columns with the same
/// types, on every back end: a column added to one and not the other fails here, not at run time.
@Suite("Table descriptions match the schema")
struct SchemaTests {
    /// What a described type is declared as, per dialect.
    static func declared(_ type: SQLColumnType, _ dialect: SQLDialect.Name) -> Set<String> {
        switch (type, dialect) {
        case (.text, .sqlite), (.json, .sqlite): return ["text"]
        case (.integer, .sqlite): return ["integer", "bigint", "smallint"]
        case (.text, _): return ["text"]
        case (.integer, _): return ["integer", "bigint", "smallint"]
        case (.json, _): return ["jsonb"]
        }
    }

    static func check(_ make: (FixedClock) async throws -> StoreUnderTest, dialect: SQLDialect.Name) async throws {
        try await withStore(make) { store, _ in
            for (table, described) in Tables.schemas.sorted(by: { $0.key < $1.key }) {
                let actual = try await store.columns(of: table)
                #expect(
                    Set(actual.keys) == Set(described.keys),
                    "\(table): schema \(actual.keys.sorted()) vs description \(described.keys.sorted())")
                for (column, type) in described {
                    guard let found = actual[column] else { continue }
                    #expect(
                        declared(type, dialect).contains(found), "\(table).\(column) is \(found), described as \(type)")
                }
            }
        }
    }

    @Test("SQLite") func sqlite() async throws { try await Self.check(SQLiteHarness.make, dialect: .sqlite) }

    @Test("PostgreSQL", .enabled(if: PostgresHarness.available))
    func postgres() async throws { try await Self.check(PostgresHarness.make, dialect: .postgres) }
}
