import Foundation
import Testing

/// SPEC §1 as a new user meets it: `check` and `serve` name the function file's line when its top
/// level fails inside the sandbox (here a `require` of a module that does not exist), never the
/// sandbox's own `[sandbox]` chunk.
@Suite struct LoadProblemLineTests {
    static let files = ["10-x.lua": "require(\"missing\")\nreturn function() return true end\n"]

    @Test func checkNamesTheFilesLine() throws {
        let folder = try TestFunctions.makeFolder(Self.files)
        defer { TestFunctions.removeFolder(folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServeProcess.binary)
        process.arguments = ["check", folder]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(text.contains("10-x.lua:1: module 'missing' not found"), "\(text)")
        #expect(!text.contains("[sandbox]"), "\(text)")
    }

    @Test func serveNamesTheFilesLineAtStartUp() async throws {
        let folder = try TestFunctions.makeFolder(Self.files)
        defer { TestFunctions.removeFolder(folder) }
        let result = try await ServeProcess.runToExit(["--port", "0", "--functions", folder])
        #expect(result.status == 2)
        #expect(result.stderr.contains("10-x.lua:1: module 'missing' not found"), "\(result.stderr)")
        #expect(!result.stderr.contains("[sandbox]"), "\(result.stderr)")
    }
}
