import HummingbirdWSClient

/// Failures below the protocol: the connection, not the gateway's reply, went wrong.
enum TransportFailure: String, Error {
    /// The connection ended before the reply to a request arrived.
    case closedBeforeReply = "closed_before_reply"

    /// A short, stable label for an error thrown while connecting or exchanging messages,
    /// used as the key of the error counts.
    static func label(of error: any Error) -> String {
        switch error {
        case let failure as TransportFailure: return failure.rawValue
        case let raw as RawTransportError: return raw.label
        case is CancellationError: return "cancelled"
        case let client as WebSocketClientError: return "ws_client: \(client)"
        default:
            let text = String(describing: error)
            return "transport: " + (text.count > 80 ? String(text.prefix(80)) + "…" : text)
        }
    }
}
