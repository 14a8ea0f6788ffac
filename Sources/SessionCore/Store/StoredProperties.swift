import StrictJSON

/// A user's `properties` as both stores keep them: the JSON text of an object.
enum StoredProperties {
    /// Deep enough for anything a profile can hold; the parser does not recurse, so this costs nothing.
    private static let maxDepth = 10_000

    static func text(_ properties: JSONObject) -> String {
        JSONValue.object(properties).encoded()
    }

    static func object(from text: String, user: String) throws -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text, maxDepth: maxDepth)
        } catch {
            throw UserStoreError.corruptData("properties of user \"\(user)\": \(error.message)")
        }
        guard let object = value.objectValue else {
            throw UserStoreError.corruptData("properties of user \"\(user)\" are not a JSON object")
        }
        return object
    }
}
