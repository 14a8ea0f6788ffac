import ChatFunctions
import Foundation

/// A `*_test.lua` file found in the folder.
struct TestFile: Sendable {
    /// Its path on disk.
    var path: String
    /// The name reports use, e.g. `functions/tests/jwt_test.lua`.
    var name: String
    /// The name inside the folder, which Lua positions use, e.g. `tests/jwt_test.lua`.
    var shortName: String
}

/// Finds `*_test.lua` files directly in a folder and in its `tests/` subfolder.
enum TestFileDiscovery {
    static func files(in directory: String) throws(FunctionLoadError) -> [TestFile] {
        let display = displayName(of: directory)
        var found = try testFiles(in: directory, display: display, prefix: "", required: true)
        found += try testFiles(
            in: (directory as NSString).appendingPathComponent("tests"), display: display, prefix: "tests/",
            required: false
        )
        return found
    }

    private static func testFiles(
        in path: String, display: String, prefix: String, required: Bool
    ) throws(FunctionLoadError) -> [TestFile] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            if required { throw FunctionLoadError("\(path): the folder does not exist") }
            return []
        }
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: path)
        } catch {
            throw FunctionLoadError("\(path): cannot read the folder: \(error.localizedDescription)")
        }
        return names.sorted().compactMap { name in
            guard name.hasSuffix("_test.lua") else { return nil }
            let full = (path as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { return nil }
            let shortName = prefix + name
            return TestFile(path: full, name: display == "." ? shortName : display + "/" + shortName, shortName: shortName)
        }
    }

    /// The folder as reports name it: `./functions/` is `functions`, as the loader names function files.
    private static func displayName(of path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p.isEmpty ? "." : p
    }
}
