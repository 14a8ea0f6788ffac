import Foundation

/// Turns what a person types into the gateway's WebSocket URL.
enum Endpoint {
    /// The session endpoint's path (SPEC §2).
    static let sessionPath = "/v1/session"

    /// `ws://` and `wss://` URLs are kept; `http://HOST:PORT` becomes
    /// `ws://HOST:PORT/v1/session` (and `https` becomes `wss`); a URL without a path
    /// gets `/v1/session`. `nil` when the text is not such a URL.
    static func webSocketURL(for text: String) -> String? {
        guard var components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { return nil }
        switch scheme {
        case "ws", "http": components.scheme = "ws"
        case "wss", "https": components.scheme = "wss"
        default: return nil
        }
        if components.path.isEmpty || components.path == "/" {
            components.path = sessionPath
        }
        components.fragment = nil
        return components.string
    }
}

extension SessionGateClient {
    /// The WebSocket URL a client made with `url` connects to, or `nil` when `url` is not
    /// a `ws`, `wss`, `http` or `https` URL with a host. `http://HOST:PORT` maps to
    /// `ws://HOST:PORT/v1/session`.
    public static func webSocketURL(for url: String) -> String? {
        Endpoint.webSocketURL(for: url)
    }
}
