import ArgumentParser
import Configuration
import Foundation
import StrictJSON
import Yams

/// `serve`'s config file (SPEC §1): YAML (`.yaml`, `.yml`) or JSON (`.json`) whose keys are
/// the option names without dashes in front, plus a `secrets` map.
///
/// Values are read through swift-configuration like the flags and the environment, as one
/// layer of the `ConfigReader`. The file is checked whole when loaded: an unknown key, or a
/// value that is not a scalar, is a usage error (exit 2) naming the key.
struct ConfigFile {
    /// The file as a configuration layer; every option in it reads as a string.
    var provider: any ConfigProvider
    /// The `secrets` map.
    var secrets: [String: String]

    static func load(path: String, knownKeys: Set<String>) async throws -> ConfigFile {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".json") {
            return try loadJSON(path: path, knownKeys: knownKeys)
        }
        if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
            return try await loadYAML(path: path, knownKeys: knownKeys)
        }
        throw ValidationError("Config file \(path): unknown format; use .yaml, .yml or .json")
    }

    // MARK: JSON

    /// Parsed with StrictJSON, which keeps numbers and booleans apart from strings; each option
    /// is stored as its text so that every layer reads the same way.
    private static func loadJSON(path: String, knownKeys: Set<String>) throws -> ConfigFile {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("Cannot read config file \(path): \(error.localizedDescription)")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ValidationError("Config file \(path) is not valid JSON: \(error.message)")
        }
        guard case .object(let object) = root else {
            throw ValidationError("Config file \(path) must hold a JSON object")
        }
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        var secrets: [String: String] = [:]
        for (key, value) in object {
            if key == "secrets" {
                secrets = try jsonSecrets(value, path: path)
                continue
            }
            try checkKnown(key, knownKeys: knownKeys, path: path)
            guard let text = try jsonScalarText(value, key: key, path: path) else { continue }
            values[AbsoluteConfigKey([key])] = ConfigValue(.string(text), isSecret: key == "admin-token")
        }
        return ConfigFile(provider: InMemoryProvider(name: "config file \(path)", values: values), secrets: secrets)
    }

    private static func jsonScalarText(_ value: JSONValue, key: String, path: String) throws -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .double(let number): return String(number)
        case .array, .object:
            throw ValidationError("Config file \(path): '\(key)' must be a single value")
        }
    }

    private static func jsonSecrets(_ value: JSONValue, path: String) throws -> [String: String] {
        if value == .null { return [:] }
        guard case .object(let members) = value else {
            throw ValidationError("Config file \(path): 'secrets' must be a map of NAME: value")
        }
        var secrets: [String: String] = [:]
        for (name, secret) in members {
            guard case .string(let text) = secret else {
                throw ValidationError("Config file \(path): secret '\(name)' must be a string")
            }
            secrets[name] = text
        }
        return secrets
    }

    // MARK: YAML

    private static func loadYAML(path: String, knownKeys: Set<String>) async throws -> ConfigFile {
        let provider: FileProvider<YAMLSnapshot>
        do {
            // Every value is marked secret: none of the file is ever logged by the library.
            let location = ConfigReader(provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(path), isSecret: false)]))
            provider = try await FileProvider<YAMLSnapshot>(parsingOptions: .init(secretsSpecifier: .all), config: location)
        } catch {
            throw ValidationError("Cannot read config file \(path): \(error)")
        }
        var secrets: [String: String] = [:]
        for (key, value) in try topLevelEntries(path: path) {
            if key == "secrets" {
                for name in try secretNames(value, path: path) {
                    guard let text = try? string(provider, key: ["secrets", name]) else {
                        throw ValidationError("Config file \(path): secret '\(name)' must be a string")
                    }
                    secrets[name] = text
                }
                continue
            }
            try checkKnown(key, knownKeys: knownKeys, path: path)
            guard value.scalar != nil, (try? string(provider, key: [key])) != nil else {
                throw ValidationError("Config file \(path): '\(key)' must be a single value")
            }
        }
        return ConfigFile(provider: provider, secrets: secrets)
    }

    private static func string(_ provider: FileProvider<YAMLSnapshot>, key: [String]) throws -> String? {
        guard case .string(let text) = try provider.value(forKey: AbsoluteConfigKey(key), type: .string).value?.content else {
            return nil
        }
        return text
    }

    /// The file's top-level keys with their nodes, read with Yams only to list them:
    /// swift-configuration has no API listing a snapshot's keys, and the values still come
    /// from its provider.
    private static func topLevelEntries(path: String) throws -> [(String, Node)] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("Cannot read config file \(path): \(error.localizedDescription)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ValidationError("Config file \(path) is not valid YAML: \(error)")
        }
        guard let root else { return [] }
        if let scalar = root.scalar, Self.isNull(scalar) { return [] }
        guard let mapping = root.mapping else {
            throw ValidationError("Config file \(path) must hold a map of option: value")
        }
        return try mapping.map { key, value in
            guard let name = key.scalar?.string else {
                throw ValidationError("Config file \(path): every key must be a plain name")
            }
            return (name, value)
        }
    }

    /// The names under `secrets:`; none when it is empty (`secrets:` with nothing under it).
    private static func secretNames(_ node: Node, path: String) throws -> [String] {
        if let scalar = node.scalar, Self.isNull(scalar) { return [] }
        guard let mapping = node.mapping else {
            throw ValidationError("Config file \(path): 'secrets' must be a map of NAME: value")
        }
        return try mapping.map { key, _ in
            guard let name = key.scalar?.string else {
                throw ValidationError("Config file \(path): 'secrets' must be a map of NAME: value")
            }
            return name
        }
    }

    private static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    // MARK: Keys

    private static func checkKnown(_ key: String, knownKeys: Set<String>, path: String) throws {
        guard knownKeys.contains(key) else {
            let known = knownKeys.sorted().joined(separator: ", ")
            throw ValidationError("Config file \(path): unknown key '\(key)'; known keys: \(known), secrets")
        }
    }
}
