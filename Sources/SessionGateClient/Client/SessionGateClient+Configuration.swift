import Logging

extension SessionGateClient {
    /// Tuning for a ``SessionGateClient``; the defaults suit most programs.
    public struct Configuration: Sendable {
        /// How long a request waits for its reply before failing with ``SessionGateError/Code/timeout``.
        public var requestTimeout: Duration
        /// How long ``SessionGateClient/close()`` waits for the gateway's closing handshake.
        public var closeTimeout: Duration
        /// The largest message accepted from the gateway, in bytes.
        public var maximumMessageSize: Int
        /// Where the client logs connection events. It never logs auth params.
        public var logger: Logger

        /// Makes a configuration.
        public init(
            requestTimeout: Duration = .seconds(30),
            closeTimeout: Duration = .seconds(2),
            maximumMessageSize: Int = 1 << 20,
            logger: Logger = Logger(label: "sessiongate.client")
        ) {
            self.requestTimeout = requestTimeout
            self.closeTimeout = closeTimeout
            self.maximumMessageSize = maximumMessageSize
            self.logger = logger
        }
    }
}
