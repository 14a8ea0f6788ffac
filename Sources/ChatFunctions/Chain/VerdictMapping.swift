import LuaRuntime
import StrictJSON

/// What one function's return values mean (SPEC §3): a verdict, or an abstention.
enum FunctionOutcome: Equatable {
    case abstain
    case verdict(Verdict)
}

/// Maps a function's return values to its outcome. Anything unexpected is a
/// function error naming what was wrong: a typo in a returned table fails
/// closed instead of letting someone in.
enum VerdictMapping {
    static let profileFields: Set<String> = ["displayName", "displayPictureUrl", "properties"]
    static let defaultDenial = "Access denied"

    static func outcome(of results: [LuaValue], file: String) -> FunctionOutcome {
        let first = results.first ?? .nil
        switch first {
        case .nil:
            return .abstain
        case .boolean(true):
            return .verdict(.allowed(Profile()))
        case .boolean(false):
            return denial(results.count > 1 ? results[1] : .nil, file: file)
        case .table(let table):
            return profile(table, file: file)
        default:
            return failure(file, "returned a \(first.typeName), which is not a verdict (true, a profile table, false, or nil)")
        }
    }

    private static func denial(_ detail: LuaValue, file: String) -> FunctionOutcome {
        switch detail {
        case .nil:
            return .verdict(.denied(message: defaultDenial, reason: nil))
        case .string(let message):
            guard let text = message.string else { return failure(file, "returned a denial message that is not valid UTF-8") }
            return .verdict(.denied(message: text, reason: nil))
        case .table(let table):
            for key in table.entries.keys {
                guard case .string(let name) = key, name == "message" || name == "reason" else {
                    return failure(file, "returned a denial table with the unknown field \(describe(key)) (expected message and reason)")
                }
            }
            var message = defaultDenial
            switch table["message"] {
            case .nil: break
            case .string(let s) where s.string != nil: message = s.string!
            default: return failure(file, "returned a denial whose 'message' is not a string")
            }
            var reason: String?
            switch table["reason"] {
            case .nil: break
            case .string(let s) where s.string != nil: reason = s.string!
            default: return failure(file, "returned a denial whose 'reason' is not a string")
            }
            return .verdict(.denied(message: message, reason: reason))
        default:
            return failure(file, "returned false with a \(detail.typeName); expected a message string or {message = …, reason = …}")
        }
    }

    private static func profile(_ table: LuaTable, file: String) -> FunctionOutcome {
        var profile = Profile()
        for (key, value) in table.entries {
            guard case .string(let keyName) = key, let name = keyName.string, profileFields.contains(name) else {
                return failure(file, "returned a profile table with the unknown field \(describe(key)) (allowed: displayName, displayPictureUrl, properties)")
            }
            switch name {
            case "displayName":
                guard case .string(let s) = value, let text = s.string else {
                    return failure(file, "returned a profile whose 'displayName' is not a string")
                }
                guard !text.isEmpty, text.utf8.count <= 256 else {
                    return failure(file, "returned a profile whose 'displayName' is empty or over 256 bytes")
                }
                profile.displayName = text
            case "displayPictureUrl":
                guard case .string(let s) = value, let text = s.string else {
                    return failure(file, "returned a profile whose 'displayPictureUrl' is not a string")
                }
                profile.displayPictureUrl = text
            default:
                guard case .table = value, case .object(let object)? = try? JSONValue(lua: value) else {
                    return failure(file, "returned a profile whose 'properties' is not a string-keyed table that JSON can hold")
                }
                profile.properties = object
            }
        }
        return .verdict(.allowed(profile))
    }

    private static func describe(_ key: LuaKey) -> String {
        if case .string(let s) = key { return "'\(s.description)'" }
        return "of type \(key.value.typeName)"
    }

    private static func failure(_ file: String, _ message: String) -> FunctionOutcome {
        .verdict(.functionError(FunctionFailure(file: file, message: "\(file): \(message)")))
    }
}
