import Foundation
import FunctionTestKit
import Testing

/// The default `functions/` folder and every sample pass their own Lua tests.
@Suite struct ShippedFunctionsTests {
    /// The package root, found from this file's place in `Tests/FunctionTestKitTests/`.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let folders = ["functions", "samples/password", "samples/jwt", "samples/email-allowlist",
                          "samples/magic-link", "samples/api-keys"]

    @Test(arguments: folders)
    func passesItsTests(_ folder: String) async {
        let report = await FunctionTestRunner.run(directory: Self.root + "/" + folder)
        #expect(report.unreadable == nil, "\(report.unreadable ?? "")")
        #expect(report.folderProblems.isEmpty, "\(report.folderProblems)")
        #expect(report.failed == 0, "\(report.failureSummary)")
        #expect(report.passed >= 5)
    }

    @Test func theDemoAccountIsDocumentedAndWorks() async throws {
        let harness = try FunctionHarness(folder: Self.root + "/functions")
        let demo = await harness.authenticate(username: "demo", authParams: ["password": "demo-password"])
        #expect(demo.user?.displayName == "Demo User")
        let wrong = await harness.authenticate(username: "demo", authParams: ["password": "nope"])
        #expect(wrong == .denied(code: .accessDenied, message: "Wrong password", reason: "bad_password"))
        await harness.shutdown()
    }
}
