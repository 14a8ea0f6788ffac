// End-to-end tests of sessiongate.js against a real gateway.
// Run: node --test --experimental-websocket Tests/JS/   (SESSIONGATE_BIN picks the binary)
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SessionGate, SessionGateError, ERROR_TYPES, webSocketURL } from "../../Sources/Gateway/Web/sessiongate.js";
import { startGateway, passwordFunction, nextEvent } from "./gateway.mjs";

const ADMIN_TOKEN = "T";
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
let uniqueName = 0;
const username = (prefix) => `${prefix}-${process.pid}-${++uniqueName}`;

/** A WebSocket that records every frame the client sends, to see round trips. */
function recordingWebSocket(sent) {
  return class extends WebSocket {
    send(data) { sent.push(JSON.parse(data)); super.send(data); }
  };
}

describe("webSocketURL", () => {
  test("maps http://HOST:PORT to the session endpoint", () => {
    assert.equal(webSocketURL("http://127.0.0.1:8080"), "ws://127.0.0.1:8080/v1/session");
    assert.equal(webSocketURL("https://gate.example/"), "wss://gate.example/v1/session");
  });
  test("keeps a ws URL with a path", () => {
    assert.equal(webSocketURL("ws://127.0.0.1:9/v1/session"), "ws://127.0.0.1:9/v1/session");
  });
  test("rejects other schemes", () => {
    assert.throws(() => webSocketURL("ftp://example.com"), TypeError);
  });
  test("needs a URL outside a page", () => {
    assert.throws(() => new SessionGate(), TypeError);
  });
});

describe("sessiongate.js without a gateway", () => {
  test("authParams that JSON cannot carry fail as invalid_auth_params before connecting", async () => {
    const sent = [];
    const gate = new SessionGate("ws://127.0.0.1:1/v1/session", { WebSocket: recordingWebSocket(sent) });
    const result = await gate.startSession({ username: "x", authParams: { n: 1n } });
    assert.equal(result.error?.code, "invalid_auth_params");
    assert.equal(result.error?.source, "client");
    assert.equal(sent.length, 0);
  });

  test("a request with no reply fails with timeout", async () => {
    // A WebSocket that opens and swallows everything: the gateway never answers.
    class SilentSocket extends EventTarget {
      readyState = 0;
      constructor() { super(); setTimeout(() => { this.readyState = 1; this.dispatchEvent(new Event("open")); }, 0); }
      send() {}
      close() { this.readyState = 3; }
    }
    const gate = new SessionGate("ws://127.0.0.1:1/v1/session", { WebSocket: /** @type {any} */ (SilentSocket), requestTimeoutMs: 50 });
    const result = await gate.ping();
    assert.equal(result.error?.code, "timeout");
    assert.equal(result.error?.type, "TimeoutError");
    gate.close();
  });
});

describe("sessiongate.js against a gateway", () => {
  let gateway;
  before(async () => {
    gateway = await startGateway({ files: { "10-password.lua": passwordFunction("pw") }, adminToken: ADMIN_TOKEN });
  });
  after(async () => { await gateway?.stop(); });

  test("a guest start returns the session and a guest user", async () => {
    const gate = new SessionGate(gateway.httpURL);
    const name = username("guest");
    const result = await gate.startSession({ username: name });
    assert.equal(result.succeeded, true, JSON.stringify(result.error));
    assert.equal(result.failed, false);
    assert.equal(result.error, null);
    const { session } = result;
    assert.equal(typeof session.id, "string");
    assert.match(session.startedAt, ISO_8601);
    assert.ok(Number.isInteger(session.user.id));
    assert.equal(session.user.name, name);
    assert.equal(session.user.displayName, name);
    assert.equal(session.user.isGuest, true);
    assert.equal(session.user.displayPictureUrl, null);
    assert.equal(typeof session.user.type, "string");
    assert.equal(typeof session.user.presence.status, "string");
    assert.equal(session.user.presence.online, true);
    assert.deepEqual(session.user.properties, {});
    assert.match(session.user.createdTime, ISO_8601);
    assert.deepEqual(gate.session, session);
    gate.close();
  });

  test("the right password starts an authenticated session", async () => {
    const gate = new SessionGate(gateway.wsURL);
    const name = username("jane");
    const result = await gate.startSession({ username: name, authParams: { password: "pw" } });
    assert.equal(result.succeeded, true, JSON.stringify(result.error));
    assert.equal(result.session.user.isGuest, false);
    assert.equal(result.session.user.displayName, name);
    gate.close();
  });

  test("a wrong password fails with a typed access_denied error", async () => {
    const gate = new SessionGate(gateway.wsURL);
    const result = await gate.startSession({ username: username("jane"), authParams: { password: "nope" } });
    assert.equal(result.succeeded, false);
    assert.equal(result.failed, true);
    assert.equal(result.session, null);
    assert.ok(result.error instanceof SessionGateError);
    assert.equal(result.error.code, "access_denied");
    assert.equal(result.error.type, "AccessDeniedError");
    assert.equal(result.error.message, "Wrong password");
    assert.equal(result.error.reason, "bad_password");
    assert.equal(result.error.source, "gateway");
    assert.equal(gate.session, null);
    gate.close();
  });

  test("empty authParams are an authenticated start that the function denies", async () => {
    const gate = new SessionGate(gateway.wsURL);
    const result = await gate.startSession({ username: username("empty"), authParams: {} });
    assert.equal(result.error?.code, "access_denied");
    gate.close();
  });

  test("the gateway's validation errors arrive typed", async () => {
    const gate = new SessionGate(gateway.wsURL);
    const empty = await gate.startSession({ username: "" });
    assert.equal(empty.error?.code, "invalid_username");
    assert.equal(empty.error?.type, "InvalidUsernameError");
    const notObject = await gate.startSession({ username: username("x"), authParams: /** @type {any} */ ("pw") });
    assert.equal(notObject.error?.code, "invalid_auth_params");
    gate.close();
  });

  test("a guest start for a person's name needs authentication", async () => {
    const gate = new SessionGate(gateway.wsURL);
    const name = username("person");
    assert.equal((await gate.startSession({ username: name, authParams: { password: "pw" } })).succeeded, true);
    assert.equal((await gate.endSession()).succeeded, true);
    const guest = await gate.startSession({ username: name });
    assert.equal(guest.error?.code, "authentication_required");
    assert.equal(guest.error?.type, ERROR_TYPES.authentication_required);
    gate.close();
  });

  test("a second start while a session is active fails with session_active without a round trip", async () => {
    const sent = [];
    const gate = new SessionGate(gateway.wsURL, { WebSocket: recordingWebSocket(sent) });
    assert.equal((await gate.startSession({ username: username("twice") })).succeeded, true);
    assert.equal(sent.length, 1);
    const second = await gate.startSession({ username: username("twice") });
    assert.equal(second.failed, true);
    assert.equal(second.error.code, "session_active");
    assert.equal(second.error.type, "SessionActiveError");
    assert.equal(second.error.source, "client");
    assert.equal(sent.length, 1, "the second start must not reach the gateway");
    gate.close();
  });

  test("requests carry refs and replies are matched by them", async () => {
    const sent = [];
    const gate = new SessionGate(gateway.wsURL, { WebSocket: recordingWebSocket(sent) });
    const pings = await Promise.all([gate.ping(), gate.ping(), gate.ping(), gate.ping()]);
    for (const pong of pings) {
      assert.equal(pong.succeeded, true);
      assert.ok(pong.latencyMs >= 0);
    }
    const refs = sent.map((request) => request.ref);
    assert.equal(new Set(refs).size, 4);
    for (const ref of refs) assert.ok(typeof ref === "string" && ref.length <= 64);
    gate.close();
  });

  test("endSession ends the session and the connection can start another", async () => {
    const sent = [];
    const gate = new SessionGate(gateway.wsURL, { WebSocket: recordingWebSocket(sent) });
    const ended = [];
    gate.onSessionEnded((event) => ended.push(event));
    const first = await gate.startSession({ username: username("end") });
    assert.equal(first.succeeded, true);
    const end = await gate.endSession();
    assert.deepEqual({ succeeded: end.succeeded, failed: end.failed, error: end.error }, { succeeded: true, failed: false, error: null });
    assert.equal(gate.session, null);
    const again = await gate.startSession({ username: username("end") });
    assert.equal(again.succeeded, true, JSON.stringify(again.error));
    assert.notEqual(again.session.id, first.session.id);
    assert.deepEqual(ended, [], "ending a session oneself is not an event");
    gate.close();
  });

  test("endSession without a session fails with no_active_session without a round trip", async () => {
    const sent = [];
    const gate = new SessionGate(gateway.wsURL, { WebSocket: recordingWebSocket(sent) });
    const result = await gate.endSession();
    assert.equal(result.failed, true);
    assert.equal(result.error.code, "no_active_session");
    assert.equal(sent.length, 0);
    gate.close();
  });

  test("a revoked session ends with a sessionEnded event and the connection stays usable", async () => {
    const gate = new SessionGate(gateway.wsURL);
    const started = await gate.startSession({ username: username("revoke") });
    assert.equal(started.succeeded, true);
    const event = nextEvent((listener) => gate.onSessionEnded(listener));
    const response = await gateway.revoke(started.session.id);
    assert.ok(response.ok, `admin DELETE answered ${response.status}`);
    assert.deepEqual(await event, { sessionId: started.session.id, reason: "revoked" });
    assert.equal(gate.session, null);
    assert.equal(gate.connected, true);
    const again = await gate.startSession({ username: username("revoke") });
    assert.equal(again.succeeded, true, JSON.stringify(again.error));
    gate.close();
  });

  test("onSessionEnded returns a working unsubscribe function", async () => {
    const gate = new SessionGate(gateway.wsURL);
    const started = await gate.startSession({ username: username("unsub") });
    assert.equal(started.succeeded, true, JSON.stringify(started.error));
    const calls = [];
    const unsubscribe = gate.onSessionEnded((event) => calls.push(event));
    unsubscribe();
    const kept = nextEvent((listener) => gate.onSessionEnded(listener));
    await gateway.revoke(started.session.id);
    await kept;
    assert.deepEqual(calls, []);
    gate.close();
  });

  test("a refused connection fails with connection_failed", async () => {
    const gate = new SessionGate("ws://127.0.0.1:1/v1/session");
    const result = await gate.startSession({ username: "nobody" });
    assert.equal(result.failed, true);
    assert.equal(result.error.code, "connection_failed");
    assert.equal(result.error.type, "ConnectionFailedError");
  });
});

describe("sessiongate.js when the gateway goes away", () => {
  test("a lost connection ends the session with connection_lost", async () => {
    const gateway = await startGateway({ files: { "10-password.lua": passwordFunction("pw") } });
    try {
      const gate = new SessionGate(gateway.wsURL);
      const started = await gate.startSession({ username: username("lost") });
      assert.equal(started.succeeded, true);
      const event = nextEvent((listener) => gate.onSessionEnded(listener));
      await gateway.stop("SIGKILL");
      assert.deepEqual(await event, { sessionId: started.session.id, reason: "connection_lost" });
      assert.equal(gate.session, null);
      const retry = await gate.startSession({ username: username("lost") });
      assert.equal(retry.error?.code, "connection_failed");
    } finally {
      await gateway.stop("SIGKILL");
    }
  });

  test("a gateway shutdown ends the session with server_shutdown, once", async () => {
    const gateway = await startGateway({ files: { "10-password.lua": passwordFunction("pw") } });
    try {
      const gate = new SessionGate(gateway.wsURL);
      const started = await gate.startSession({ username: username("shutdown") });
      assert.equal(started.succeeded, true);
      const events = [];
      gate.onSessionEnded((event) => events.push(event));
      const { code } = await gateway.stop("SIGTERM");
      assert.equal(code, 0, "SIGTERM is a graceful shutdown");
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(events, [{ sessionId: started.session.id, reason: "server_shutdown" }]);
      assert.equal(gate.connected, false);
    } finally {
      await gateway.stop("SIGKILL");
    }
  });
});

describe("sessiongate.js and the failure limit", () => {
  test("rate_limited carries retryAfter", async () => {
    const gateway = await startGateway({ files: { "10-password.lua": passwordFunction("pw") }, extraArgs: ["--username-failure-limit", "2/1m"] });
    try {
      const gate = new SessionGate(gateway.wsURL);
      const name = username("limited");
      for (let i = 0; i < 2; i++) {
        assert.equal((await gate.startSession({ username: name, authParams: { password: "no" } })).error?.code, "access_denied");
      }
      const limited = await gate.startSession({ username: name, authParams: { password: "pw" } });
      assert.equal(limited.error?.code, "rate_limited");
      assert.equal(limited.error?.type, "RateLimitedError");
      assert.ok(Number.isInteger(limited.error.retryAfter) && limited.error.retryAfter >= 1, String(limited.error.retryAfter));
      gate.close();
    } finally {
      await gateway.stop();
    }
  });
});

describe("sessiongate.js next to other HTTP traffic", () => {
  test("a new connection right after a fetch to the gateway still connects", async () => {
    // Node's fetch may leave a keep-alive connection that a WebSocket then reuses; the gateway
    // upgrades only a connection's first request, so the client must retry on a fresh one.
    const gateway = await startGateway({ files: {} });
    try {
      for (let round = 0; round < 3; round++) {
        const health = await fetch(`${gateway.httpURL}/health`);
        assert.equal(health.status, 200);
        await health.json();
        const gate = new SessionGate(gateway.wsURL);
        const result = await gate.startSession({ username: username("after-fetch") });
        assert.equal(result.succeeded, true, JSON.stringify(result.error));
        gate.close();
      }
    } finally {
      await gateway.stop();
    }
  });
});
