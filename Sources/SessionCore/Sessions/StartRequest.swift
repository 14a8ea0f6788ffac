import StrictJSON

/// A `startSession` request as the transport hands it over, after its own checks
/// (`invalid_request`, `session_active`).
public struct StartRequest: Sendable {
    /// The `username` field as sent; `nil` when the field was absent.
    public var username: JSONValue?
    /// The `authParams` field as sent; `nil` when absent or JSON `null` (a guest start).
    public var authParams: JSONValue?
    /// The peer's IP address, without the port.
    public var remoteAddress: String
    /// The upgrade request's `User-Agent` header, if any.
    public var userAgent: String?
    /// The upgrade request's `Origin` header, if any.
    public var origin: String?

    public init(
        username: JSONValue?, authParams: JSONValue?, remoteAddress: String, userAgent: String? = nil,
        origin: String? = nil
    ) {
        self.username = username
        self.authParams = authParams
        self.remoteAddress = remoteAddress
        self.userAgent = userAgent
        self.origin = origin
    }
}
