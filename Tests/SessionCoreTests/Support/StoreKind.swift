import Foundation
import Logging
import Testing
@testable import SessionCore

/// The store implementations every store behaviour test runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqliteFile
    case sqliteInMemory
    /// A fresh database of the cluster `make test` starts (see `TestPostgres`).
    case postgres

    var testDescription: String { rawValue }

    /// Every kind, PostgreSQL included unless explicitly skipped (`TestPostgres.isSkipped`).
    static var allCases: [StoreKind] {
        TestPostgres.isSkipped ? [.memory, .sqliteFile, .sqliteInMemory] : [.memory, .sqliteFile, .sqliteInMemory, .postgres]
    }

    /// Opens a fresh, empty store of this kind; a file store lives in `directory`.
    func open(in directory: TemporaryDirectory) async throws -> any UserStore {
        switch self {
        case .memory: MemoryUserStore()
        case .sqliteFile: try SQLiteUserStore(path: directory.file("users.sqlite"), logger: quietLogger)
        case .sqliteInMemory: try SQLiteUserStore(inMemoryWithLogger: quietLogger)
        case .postgres: try await TestPostgres.openStore()
        }
    }
}


let quietLogger: Logger = {
    var logger = Logger(label: "sessioncore.tests")
    logger.logLevel = .critical
    return logger
}()

/// A directory of its own for one test, removed when the test is done with it.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("sessioncore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
