import SessionCore

/// A message that is not a valid request: the `invalid_request` error to send back and the
/// `ref` to echo, present only when the message carried a valid one (SPEC §2).
struct RejectedRequest: Error, Sendable, Equatable {
    var ref: String?
    var error: GatewayError

    init(ref: String?, _ message: String) {
        self.ref = ref
        self.error = GatewayError(.invalidRequest, message)
    }
}
