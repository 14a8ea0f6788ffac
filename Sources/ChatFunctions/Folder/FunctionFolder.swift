import Crypto
import Foundation

/// One Lua source file of a functions folder, read into memory.
public struct FunctionSource: Sendable, Equatable {
    /// The name scripts and logs see, e.g. `functions/20-password.lua`.
    public var chunkName: String
    public var bytes: [UInt8]
}

/// A snapshot of a functions folder (SPEC §3): the function files in name
/// order, the modules of `lib/`, and a content hash. Reading the whole folder
/// up front keeps a reload consistent: every state of a set sees the same text.
public struct FunctionFolder: Sendable, Equatable {
    public var path: String
    /// Every `*.lua` directly in the folder except `*_test.lua`, ordered by file name.
    public var functions: [FunctionSource]
    /// `lib/a/b.lua` as `a.b`.
    public var modules: [String: FunctionSource]
    /// A short content hash of functions and modules; log lines and session history carry it.
    public var version: String

    /// Reads the folder; a missing folder or an unreadable file is a load error.
    public static func read(_ path: String) throws(FunctionLoadError) -> FunctionFolder {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FunctionLoadError("\(path): the functions folder does not exist")
        }
        let display = displayName(of: path)
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: path)
        } catch {
            throw FunctionLoadError("\(path): cannot read the folder: \(error.localizedDescription)")
        }
        var functions: [FunctionSource] = []
        for name in names.sorted() where name.hasSuffix(".lua") && !name.hasSuffix("_test.lua") {
            let full = (path as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            functions.append(FunctionSource(chunkName: join(display, name), bytes: try readFile(full)))
        }
        var modules: [String: FunctionSource] = [:]
        let lib = (path as NSString).appendingPathComponent("lib")
        if let enumerator = fm.enumerator(atPath: lib) {
            while let relative = enumerator.nextObject() as? String {
                guard relative.hasSuffix(".lua") else { continue }
                let moduleName = String(relative.dropLast(4)).replacingOccurrences(of: "/", with: ".")
                guard isValidModuleName(moduleName) else { continue }
                let full = (lib as NSString).appendingPathComponent(relative)
                modules[moduleName] = FunctionSource(chunkName: join(join(display, "lib"), relative), bytes: try readFile(full))
            }
        }
        return FunctionFolder(path: path, functions: functions, modules: modules,
                              version: contentHash(functions: functions, modules: modules))
    }

    /// `require` names: dotted words of letters, digits, `_` and `-`; nothing that could climb out of `lib/`.
    public static func isValidModuleName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 200 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }

    private static func readFile(_ path: String) throws(FunctionLoadError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FunctionLoadError("\(path): cannot read the file")
        }
        return Array(data)
    }

    private static func displayName(of path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p.isEmpty ? "." : p
    }

    private static func join(_ a: String, _ b: String) -> String { a == "." ? b : a + "/" + b }

    private static func contentHash(functions: [FunctionSource], modules: [String: FunctionSource]) -> String {
        var hasher = SHA256()
        for source in functions + modules.keys.sorted().map({ modules[$0]! }) {
            hasher.update(data: Array(source.chunkName.utf8) + [0])
            hasher.update(data: source.bytes)
            hasher.update(data: [0])
        }
        return hasher.finalize().prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}
