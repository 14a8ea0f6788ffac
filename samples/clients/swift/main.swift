// A tiny program on the SessionGateClient library: start a session, print who we are,
// report if the gateway ends the session, end it on Return.
//
// In your own package:  .product(name: "SessionGateClient", package: "sessiongate")
import SessionGateClient

let url = CommandLine.arguments.dropFirst().first ?? "http://127.0.0.1:8080"
let client = SessionGateClient(url: url)

// Subscribe before starting, so that no event can slip by.
let watcher = Task {
    for await event in client.sessionEndedEvents() {
        print("session \(event.sessionId) ended: \(event.reason)")
    }
}

// `authParams: nil` would be a guest start; any `JSONObject`, even `[:]`, runs the chat functions.
switch await client.startSession(username: "jane@example.com", authParams: ["password": "demo-password"]) {
case .succeeded(let session):
    print("session \(session.id) for \(session.user.displayName) (guest: \(session.user.isGuest))")
    print("press Return to end it")
    _ = readLine()
    do {
        try await client.endSession()
        print("ended")
    } catch {
        print("could not end it: \(error)")   // e.g. .noActiveSession after a revoke
    }
case .failed(let error) where error.code == .accessDenied:
    print("denied: \(error.message)" + (error.reason.map { " (\($0))" } ?? ""))
case .failed(let error) where error.code == .rateLimited:
    print("too many attempts; retry in \(error.retryAfter ?? 1) s")
case .failed(let error):
    print("could not start: \(error.code) \(error.message)")
}

await client.close()   // finishes the event stream, so the watcher ends
await watcher.value
