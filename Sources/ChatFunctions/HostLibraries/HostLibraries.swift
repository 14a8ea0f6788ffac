import Foundation
import LuaRuntime

/// The host libraries of SPEC §3 (`json`, `base64`, `crypto`, `jwt`), installed
/// as read-only globals that every environment of a state sees.
///
/// Host functions run to completion: the Lua time limit cannot interrupt
/// Swift code, so each one bounds its own work (see ``CryptoLibrary``), and
/// the rest work on strings already inside the state, which the memory limit
/// bounds. Errors a host function raises are ordinary Lua errors that
/// `pcall` can catch; `jwt.verify` reports a bad token as `nil, message`.
public enum HostLibraries {
    /// The real wall clock, in seconds since the epoch.
    public static func systemTime() -> Double { Date().timeIntervalSince1970 }

    /// Installs every host library into `lua`.
    ///
    /// - Parameter now: the clock `jwt.verify` checks `exp` and `nbf` against;
    ///   the test runner passes the clock `given.now` freezes.
    public static func installAll(into lua: LuaState, now: @escaping () -> Double = systemTime) throws(LuaError) {
        try JSONLibrary.install(into: lua)
        try Base64Library.install(into: lua)
        try CryptoLibrary.install(into: lua)
        try JWTLibrary.install(into: lua, now: now)
    }
}
