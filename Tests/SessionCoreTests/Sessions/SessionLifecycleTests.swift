import ChatFunctions
import Foundation
import StrictJSON
import Testing
@testable import SessionCore

@Suite struct SessionLifecycleTests {
    @Test func sessionIdsAreDistinctLowercaseUUIDs() async throws {
        let harness = ServiceHarness()
        var ids: Set<String> = []
        for index in 0..<20 {
            let session = try await harness.start(.string("user-\(index)")).get()
            let id = session.id
            #expect(UUID(uuidString: id) != nil)
            #expect(id == id.lowercased())
            // Version 7 (time-ordered) and the RFC 9562 variant; the first 48 bits are the start's
            // Unix time in milliseconds.
            #expect(Array(id)[14] == "7")
            #expect("89ab".contains(Array(id)[19]))
            let milliseconds = UInt64(id.replacingOccurrences(of: "-", with: "").prefix(12), radix: 16)
            #expect(milliseconds.map { abs(Double($0) / 1000 - session.startedAt.timeIntervalSince1970) < 1 } == true)
            ids.insert(id)
        }
        #expect(ids.count == 20)
    }

    @Test func sessionIdsSortInTheOrderOfTheirTimes() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let ids = (0..<200).map { SessionID.make(at: start.addingTimeInterval(Double($0) * 0.002)) }
        #expect(ids == ids.sorted())
        #expect(Set(ids.map { $0.suffix(17) }).count == 200)
    }

    @Test func aUserIsOnlineWhileItHasASession() async throws {
        let harness = ServiceHarness()
        let first = try await harness.start("jane", authParams: ["action": "allow"]).get()
        let second = try await harness.start("jane", authParams: ["action": "allow"]).get()
        #expect(harness.service.activeSessions.map(\.id) == [first.id, second.id])
        #expect(harness.service.activeSessions.allSatisfy { $0.user.online })

        harness.service.end(sessionID: first.id, reason: .ended)
        _ = await harness.start("jane", authParams: ["action": "deny"])
        #expect(harness.authenticator.events.last?.user?.online == true, "the second session still holds it")

        harness.service.end(sessionID: second.id, reason: .connectionClosed)
        _ = await harness.start("jane", authParams: ["action": "deny"])
        #expect(harness.authenticator.events.last?.user?.online == false)
        #expect(harness.service.activeSessions.isEmpty)
    }

    @Test func endRemovesTheSessionAndRecordsWhyWithoutCallingTheHandler() async throws {
        let harness = ServiceHarness()
        let calls = EndCalls()
        let session = try await harness.start("jane", onServerEnd: calls.handler).get()
        harness.service.end(sessionID: session.id, reason: .ended)
        harness.service.end(sessionID: session.id, reason: .connectionClosed)
        #expect(harness.service.activeSessionCount == 0)
        #expect(calls.all.isEmpty)
        let history = try await harness.store.sessions(ofUser: session.user.id)
        #expect(history.map(\.endReason) == [.ended])
        #expect(history.first?.endedAt != nil)
    }

    @Test func revokeEndsTheSessionAndCallsItsHandler() async throws {
        let harness = ServiceHarness()
        let calls = EndCalls()
        let other = EndCalls()
        let session = try await harness.start("jane", onServerEnd: calls.handler).get()
        _ = try await harness.start("joe", onServerEnd: other.handler).get()

        #expect(await harness.service.revoke(sessionID: session.id))
        #expect(calls.all.map(\.sessionID) == [session.id])
        #expect(calls.all.map(\.reason) == [.revoked])
        #expect(other.all.isEmpty)
        #expect(harness.service.activeSessions.map(\.user.name) == ["joe"])
        #expect(try await harness.store.sessions(ofUser: session.user.id).map(\.endReason) == [.revoked])

        #expect(await harness.service.revoke(sessionID: session.id) == false)
        #expect(await harness.service.revoke(sessionID: "no-such-session") == false)
        #expect(calls.all.count == 1)
    }

    @Test func shutdownEndsEverySessionThroughItsHandlerAndClosesTheStore() async throws {
        let harness = ServiceHarness()
        let calls = EndCalls()
        var started: [ActiveSession] = []
        for name in ["a", "b", "c"] {
            started.append(try await harness.start(.string(name), onServerEnd: calls.handler).get())
        }
        await harness.service.shutdown()

        #expect(Set(calls.all.map(\.sessionID)) == Set(started.map(\.id)))
        #expect(calls.all.allSatisfy { $0.reason == .serverShutdown })
        #expect(harness.service.activeSessionCount == 0)
        await #expect(throws: UserStoreError.closed) { try await harness.store.userCount() }
        #expect(await harness.start("late").errorCode == .overloaded)
    }

    @Test func shutdownRecordsEachEndBeforeClosingTheStore() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("users.sqlite")
        let harness = ServiceHarness(store: try SQLiteUserStore(path: path, logger: quietLogger))
        let session = try await harness.start("jane").get()
        await harness.service.shutdown()

        let reopened = try SQLiteUserStore(path: path, logger: quietLogger)
        #expect(try await reopened.sessions(ofUser: session.user.id).map(\.endReason) == [.serverShutdown])
        try await reopened.close()
    }

    @Test func sessionJSONHasTheWireShape() async throws {
        let harness = ServiceHarness()
        let session = try await harness.start("jane", from: "2001:db8::1", userAgent: "tests/1.0").get()
        let wire = try #require(session.jsonValue.objectValue)
        #expect(wire.keys == ["id", "startedAt", "user"])
        #expect(wire["id"] == .string(session.id))
        #expect(wire["startedAt"] == .string(Timestamp.iso8601(session.startedAt)))
        #expect(wire["user"] == session.user.jsonValue)
        #expect(session.user.jsonValue["presence"] == ["status": "AVAILABLE", "online": true])

        let admin = try #require(session.adminJSONValue.objectValue)
        #expect(admin.keys == ["id", "startedAt", "remoteAddress", "userAgent", "user"])
        #expect(admin["remoteAddress"] == "2001:db8::1")
        #expect(admin["userAgent"] == "tests/1.0")
        let withoutAgent = try await harness.start("joe").get()
        #expect(withoutAgent.adminJSONValue["userAgent"] == .null)
    }
}
