/// The start rules an operator sets (`--guest`, `--username-failure-limit`, `--address-failure-limit`).
public struct SessionOptions: Sendable {
    /// Whether starts without authParams are allowed.
    public var guestsAllowed: Bool
    /// Failed starts allowed per username per window; `nil` is off.
    public var usernameFailureLimit: FailureLimit?
    /// Failed starts allowed per remote address per window; `nil` is off.
    public var addressFailureLimit: FailureLimit?

    public init(
        guestsAllowed: Bool = true,
        usernameFailureLimit: FailureLimit? = FailureLimit(count: 10, window: .seconds(60)),
        addressFailureLimit: FailureLimit? = FailureLimit(count: 100, window: .seconds(60))
    ) {
        self.guestsAllowed = guestsAllowed
        self.usernameFailureLimit = usernameFailureLimit
        self.addressFailureLimit = addressFailureLimit
    }
}
