import Foundation
import Logging

extension FunctionPool {
    /// Reloads the folder within `reloadInterval` of a change, until the task is
    /// cancelled. A new set is compiled on a fresh state first; if any file fails,
    /// the previous set stays and the problems are logged.
    public func watch() async {
        var fingerprint = FolderFingerprint(path: currentFolder.path)
        while !Task.isCancelled {
            try? await Task.sleep(for: reloadInterval)
            let next = FolderFingerprint(path: currentFolder.path)
            guard next != fingerprint else { continue }
            fingerprint = next
            await reload()
        }
    }

    /// Reads and compiles the folder now; returns the problems when it refused the set.
    @discardableResult
    public func reload() async -> [String] {
        let path = currentFolder.path
        let settings = runnerSettings
        let fixtures = currentFixtures
        let outcome: Result<(FunctionFolder, Set<TriggerName>), FunctionLoadError> = await withCheckedContinuation { continuation in
            // Compiling runs Lua code; keep it off the cooperative threads.
            Thread.detachNewThread {
                continuation.resume(returning: Result { () throws(FunctionLoadError) -> (FunctionFolder, Set<TriggerName>) in
                    let folder = try FunctionFolder.read(path)
                    let runner = try FunctionRunner(folder: folder, settings: settings, fixtures: fixtures)
                    return (folder, Set(TriggerName.allCases.filter(runner.defines)))
                })
            }
        }
        switch outcome {
        case .success(let (folder, triggers)):
            if folder.version != version { install(folder, triggers: triggers) }
            return []
        case .failure(let error):
            settings.logger.error("reload refused; the previous functions stay",
                                  metadata: ["problems": .string(error.description), "functions": .string(version)])
            return error.problems
        }
    }
}

/// Names, sizes and modification times of the files that make a function set.
struct FolderFingerprint: Equatable {
    var entries: [String: [Int]] = [:]

    init(path: String) {
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: path) else { return }
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".lua"), !relative.hasSuffix("_test.lua") else { continue }
            let full = (path as NSString).appendingPathComponent(relative)
            guard let attributes = try? fm.attributesOfItem(atPath: full) else { continue }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes[.modificationDate] as? Date).map { Int($0.timeIntervalSince1970 * 1_000_000) } ?? -1
            entries[relative] = [size, modified]
        }
    }
}
