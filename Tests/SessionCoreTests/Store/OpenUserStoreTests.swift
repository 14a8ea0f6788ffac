import Foundation
import Testing
@testable import SessionCore

@Suite struct OpenUserStoreTests {
    @Test func memoryDatabaseIsAThrowAwaySQLiteStore() async throws {
        let store = try openUserStore("sqlite::memory:", logger: quietLogger)
        #expect((store as? SQLiteUserStore)?.location == "sqlite::memory:")
        _ = try await store.findOrCreateGuest(named: "visitor", at: Date())
        #expect(try await store.userCount() == 1)
        #expect(try await openUserStore("sqlite::memory:", logger: quietLogger).userCount() == 0)
    }

    @Test func sqlitePathOpensThatFile() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("gate.sqlite")
        let store = try openUserStore("sqlite:\(path)", logger: quietLogger)
        _ = try await store.findOrCreateGuest(named: "visitor", at: Date())
        try await store.close()
        #expect(FileManager.default.fileExists(atPath: path))
        let reopened = try openUserStore("sqlite:\(path)", logger: quietLogger)
        #expect(try await reopened.user(named: "visitor") != nil)
        try await reopened.close()
    }

    @Test(arguments: ["", "sqlite:", "postgres://localhost/gate", "memory", "SQLITE:gate.sqlite", "gate.sqlite"])
    func otherDatabasesAreRefusedSayingWhatIsAccepted(database: String) throws {
        #expect {
            try openUserStore(database, logger: quietLogger)
        } throws: { error in
            guard let error = error as? UserStoreError, error == .unsupportedDatabase(database) else { return false }
            return error.description.contains("sqlite:PATH") && error.description.contains("sqlite::memory:")
        }
    }
}
