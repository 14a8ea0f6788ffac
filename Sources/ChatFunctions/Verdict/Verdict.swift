import StrictJSON

/// The profile fields an allowing function returned (SPEC §3); `nil` leaves a field as stored.
public struct Profile: Sendable, Equatable {
    public var displayName: String?
    public var displayPictureUrl: String?
    public var properties: JSONObject?

    public init(displayName: String? = nil, displayPictureUrl: String? = nil, properties: JSONObject? = nil) {
        self.displayName = displayName
        self.displayPictureUrl = displayPictureUrl
        self.properties = properties
    }
}

/// Why a function failed: what the log gets. Clients only ever see a generic message.
public struct FunctionFailure: Sendable, Equatable, Error {
    /// The function file, as given to the loader (`functions/20-password.lua`).
    public var file: String
    /// The script's message with its location, `functions/20-password.lua:12: attempt to …`.
    public var message: String
    /// The Lua traceback, for the log.
    public var traceback: String

    public init(file: String, message: String, traceback: String = "") {
        self.file = file
        self.message = message
        self.traceback = traceback
    }
}

/// The outcome of running the chain of chat functions for one authenticated start.
public enum Verdict: Sendable, Equatable {
    /// A function allowed the start; store these profile fields.
    case allowed(Profile)
    /// A function denied the start, or every function abstained.
    case denied(message: String, reason: String?)
    /// A function raised an error or returned something that is not a verdict.
    case functionError(FunctionFailure)
    /// The chain ran past its time budget.
    case timedOut
    /// A function ran past the memory cap of its Lua state.
    case outOfMemory
    /// Every Lua state was busy and the wait queue was full.
    case overloaded

    /// The message of a denial when every function abstained.
    public static let noFunctionAllowed = "No function allowed the start"
}

/// Runs the chat functions for authenticated starts. The gateway, `invoke`, `bench`
/// and `sessiongate test` all go through this seam.
public protocol Authenticator: Sendable {
    /// Runs the chain of functions once, under one deadline, and maps the result to a verdict.
    func authenticate(_ event: AuthenticationEvent) async -> Verdict
    /// The same, answering `completion` exactly once on whatever thread the verdict lands on,
    /// so that a caller on an event loop can go on from there without a task of its own.
    func authenticate(_ event: AuthenticationEvent, completion: @escaping @Sendable (Verdict) -> Void)
    /// How many function files the current set holds (for `/health`).
    var functionCount: Int { get }
    /// The content hash of the current function set, carried by log lines and session history.
    var version: String { get }
}

extension Authenticator {
    public func authenticate(_ event: AuthenticationEvent, completion: @escaping @Sendable (Verdict) -> Void) {
        Task { completion(await authenticate(event)) }
    }
}
