// sessiongate.js — the browser (and Node ≥ 20) client of a sessiongate gateway.
// One dependency-free ES module; no build step. The wire contract is SPEC.md §2.
//
//   import { SessionGate } from "/sessiongate.js";
//   const gate = new SessionGate();              // in a page served by the gateway
//   const result = await gate.startSession({ username: "jane", authParams: { password: "…" } });
//   if (result.succeeded) console.log(result.session.user.displayName);
//   else console.log(result.error.code, result.error.message);
//   gate.onSessionEnded(({ sessionId, reason }) => console.log("ended", sessionId, reason));
//   await gate.endSession();

/**
 * @typedef {Object} Presence
 * @property {string} status   For example "AVAILABLE".
 * @property {boolean} online  Whether the user holds a session now.
 */

/**
 * @typedef {Object} User
 * @property {number} id
 * @property {string} type                       For example "PERSON".
 * @property {string} name                       The username.
 * @property {string} displayName
 * @property {string|null} displayPictureUrl
 * @property {boolean} isGuest
 * @property {Presence} presence
 * @property {Object<string, *>} properties      Profile data a chat function stored.
 * @property {string} createdTime                ISO 8601.
 */

/**
 * @typedef {Object} Session
 * @property {string} id
 * @property {string} startedAt                  ISO 8601.
 * @property {User} user
 */

/**
 * @typedef {Object} StartSessionResult
 * @property {boolean} succeeded
 * @property {boolean} failed
 * @property {Session|null} session              Set when succeeded.
 * @property {SessionGateError|null} error       Set when failed.
 */

/**
 * @typedef {Object} RequestResult
 * @property {boolean} succeeded
 * @property {boolean} failed
 * @property {SessionGateError|null} error
 */

/**
 * @typedef {Object} SessionEndedEvent
 * @property {string} sessionId
 * @property {string} reason   "server_shutdown" or "revoked" (from the gateway), "connection_lost" (from this client).
 */

/**
 * @typedef {Object} SessionGateOptions
 * @property {number} [requestTimeoutMs=30000]  How long a request waits for its reply.
 * @property {typeof WebSocket} [WebSocket]     A WebSocket implementation, when the global one is missing.
 */

/** The wire `type` of every error code (SPEC §2), plus this client's transport kinds. */
export const ERROR_TYPES = Object.freeze({
  invalid_request: "InvalidRequestError",
  invalid_username: "InvalidUsernameError",
  invalid_auth_params: "InvalidAuthParamsError",
  session_active: "SessionActiveError",
  no_active_session: "NoActiveSessionError",
  guest_sessions_disabled: "GuestSessionsDisabledError",
  authentication_required: "AuthenticationRequiredError",
  access_denied: "AccessDeniedError",
  function_error: "FunctionError",
  function_timeout: "FunctionTimeoutError",
  function_memory: "FunctionMemoryError",
  rate_limited: "RateLimitedError",
  overloaded: "OverloadedError",
  // Found by the client, never sent by the gateway:
  connection_failed: "ConnectionFailedError",
  connection_lost: "ConnectionLostError",
  timeout: "TimeoutError",
  protocol_error: "ProtocolError",
});

/** Why a request failed: a typed error from the gateway, or a transport problem. */
export class SessionGateError extends Error {
  /**
   * @param {{code: string, type?: string, message?: string, reason?: string, retryAfter?: number}} wire
   * @param {"gateway"|"client"} [source="client"]  Who produced the error.
   */
  constructor(wire, source = "client") {
    super(wire.message ?? "");
    this.name = "SessionGateError";
    /** @type {string} The wire code, for example "access_denied". */
    this.code = wire.code;
    /** @type {string} The wire type, for example "AccessDeniedError". */
    this.type = wire.type ?? ERROR_TYPES[wire.code] ?? "UnknownError";
    /** @type {string|undefined} A chat function's machine-readable reason. */
    this.reason = wire.reason ?? undefined;
    /** @type {number|undefined} Seconds to wait, for rate_limited. */
    this.retryAfter = wire.retryAfter ?? undefined;
    /** @type {"gateway"|"client"} */
    this.source = source;
  }

  /** The error as the wire would carry it. */
  toJSON() {
    const json = { type: this.type, code: this.code, message: this.message };
    if (this.reason !== undefined) json.reason = this.reason;
    if (this.retryAfter !== undefined) json.retryAfter = this.retryAfter;
    return json;
  }
}

/**
 * The gateway's WebSocket URL for what a person gave: ws:// and wss:// are kept,
 * http(s)://HOST:PORT becomes ws(s)://HOST:PORT/v1/session, and no URL at all means
 * the gateway that served this page.
 * @param {string|URL} [url]
 * @returns {string}
 */
export function webSocketURL(url) {
  if (url === undefined || url === null || url === "") {
    if (typeof location === "undefined") {
      throw new TypeError("SessionGate needs a URL outside a page served by the gateway");
    }
    return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/v1/session`;
  }
  const parsed = new URL(String(url), typeof location === "undefined" ? undefined : location.href);
  const scheme = { "ws:": "ws:", "http:": "ws:", "wss:": "wss:", "https:": "wss:" }[parsed.protocol];
  if (!scheme || !parsed.host) throw new TypeError(`not a ws, wss, http or https URL: ${url}`);
  const path = parsed.pathname === "" || parsed.pathname === "/" ? "/v1/session" : parsed.pathname;
  return `${scheme}//${parsed.host}${path}${parsed.search}`;
}

const succeeded = (extra) => ({ succeeded: true, failed: false, error: null, ...extra });
const failed = (error, extra) => ({ succeeded: false, failed: true, error, ...extra });

/**
 * A client of a sessiongate gateway: starts, holds and ends one user session.
 *
 * The connection opens on the first request and is reused; after it is lost, the next
 * request opens a new one. Requests carry a `ref` and replies are matched by it.
 * Nothing here throws for a refusal or a network problem: every call resolves to a
 * result whose `error.code` says what happened.
 */
export class SessionGate {
  /** @type {string} */ #url;
  /** @type {number} */ #requestTimeoutMs;
  /** @type {typeof WebSocket} */ #WebSocket;
  /** @type {WebSocket|null} */ #socket = null;
  /** @type {Promise<WebSocket>|null} */ #opening = null;
  /** @type {{cancelled: boolean}|null} */ #attempt = null;
  /** @type {Map<string, {op: string, settle: (reply: object|SessionGateError) => void}>} */ #pending = new Map();
  /** @type {Set<(event: SessionEndedEvent) => void>} */ #listeners = new Set();
  /** @type {Session|null} */ #session = null;
  #lastRef = 0;

  /**
   * @param {string|URL} [url]  ws://HOST:PORT/v1/session or http://HOST:PORT; omitted in a
   *   page the gateway served, where it is derived from `location`.
   * @param {SessionGateOptions} [options]
   */
  constructor(url, options = {}) {
    this.#url = webSocketURL(url);
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30000;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== "function") {
      throw new TypeError("no WebSocket implementation (Node 20 needs --experimental-websocket)");
    }
  }

  /** The WebSocket URL this client connects to. */
  get url() { return this.#url; }

  /** The session this client holds, or null. @returns {Session|null} */
  get session() { return this.#session; }

  /** Whether the WebSocket is open now. */
  get connected() { return this.#socket !== null && this.#socket.readyState === 1; }

  /**
   * Starts a session. Without `authParams` (or with null) it asks for a guest session;
   * with an object, even `{}`, the gateway's chat functions decide.
   * While a session is active this resolves to a failed result with code
   * `session_active` without asking the gateway.
   * @param {{username: string, authParams?: Object<string, *>|null}} request
   * @returns {Promise<StartSessionResult>}
   */
  async startSession({ username, authParams } = /** @type {any} */ ({})) {
    if (this.#session) {
      return failed(new SessionGateError({
        code: "session_active",
        message: `This client already holds session ${this.#session.id}; end it before starting another`,
      }), { session: null });
    }
    const request = { op: "startSession", username };
    if (authParams !== undefined && authParams !== null) request.authParams = authParams;
    const reply = await this.#send(request);
    if (reply instanceof SessionGateError) return failed(reply, { session: null });
    if (reply.succeeded === true) return succeeded({ session: reply.session });
    return failed(this.#errorOf(reply), { session: null });
  }

  /**
   * Ends the session this client holds; `no_active_session` (without a round trip) when
   * it holds none. No sessionEnded event follows: the caller knows.
   * @returns {Promise<RequestResult>}
   */
  async endSession() {
    if (!this.#session) {
      return failed(new SessionGateError({ code: "no_active_session", message: "This client holds no session" }));
    }
    const reply = await this.#send({ op: "endSession" });
    if (reply instanceof SessionGateError) return failed(reply);
    if (reply.succeeded === true) return succeeded();
    const error = this.#errorOf(reply);
    if (error.code === "no_active_session") this.#session = null;
    return failed(error);
  }

  /**
   * Asks the gateway for a pong, opening the connection if needed.
   * @returns {Promise<RequestResult & {latencyMs: number|null}>}
   */
  async ping() {
    const started = Date.now();
    const reply = await this.#send({ op: "ping" });
    if (reply instanceof SessionGateError) return failed(reply, { latencyMs: null });
    if (reply.succeeded === true && reply.pong === true) return succeeded({ latencyMs: Date.now() - started });
    return failed(this.#errorOf(reply), { latencyMs: null });
  }

  /**
   * Calls `listener` each time the gateway ends this client's session ("server_shutdown",
   * "revoked") or the connection is lost with a session active ("connection_lost").
   * @param {(event: SessionEndedEvent) => void} listener
   * @returns {() => void} Unsubscribes.
   */
  onSessionEnded(listener) {
    if (typeof listener !== "function") throw new TypeError("onSessionEnded needs a function");
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  /**
   * Closes the connection, which ends any session on the gateway's side (no event).
   * Requests in flight fail with `connection_lost`. A later request connects again.
   */
  close() {
    const socket = this.#socket;
    this.#socket = null;
    this.#opening = null;
    if (this.#attempt) this.#attempt.cancelled = true;
    this.#attempt = null;
    this.#session = null;
    this.#failPending("closed by the client");
    if (socket) {
      try { socket.close(1000); } catch { /* already closing */ }
    }
  }

  /** @param {any} reply */
  #errorOf(reply) {
    if (reply && typeof reply.error === "object" && reply.error && typeof reply.error.code === "string") {
      return new SessionGateError(reply.error, "gateway");
    }
    return new SessionGateError({ code: "protocol_error", message: "The gateway's reply did not follow the protocol" });
  }

  /**
   * Sends a request with a fresh ref and waits for the reply with that ref.
   * @param {object} request
   * @returns {Promise<any>} the reply object, or a SessionGateError for transport problems.
   */
  async #send(request) {
    const ref = String(++this.#lastRef);
    let text;
    try {
      text = JSON.stringify({ ...request, ref });
    } catch (error) {
      // Circular structures and BigInts: nothing the gateway could read.
      return new SessionGateError({ code: "invalid_auth_params", message: `authParams cannot be sent as JSON: ${error.message}` });
    }
    let socket;
    try {
      socket = await this.#open();
    } catch (error) {
      return error instanceof SessionGateError ? error
        : new SessionGateError({ code: "connection_failed", message: String(error) });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        resolve(new SessionGateError({ code: "timeout", message: `No reply to ${request.op} within ${this.#requestTimeoutMs} ms` }));
      }, this.#requestTimeoutMs);
      this.#pending.set(ref, {
        op: request.op,
        settle: (reply) => { clearTimeout(timer); this.#pending.delete(ref); resolve(reply); },
      });
      try {
        socket.send(text);
      } catch (error) {
        this.#pending.get(ref)?.settle(new SessionGateError({ code: "connection_lost", message: `Could not send: ${error}` }));
      }
    });
  }

  /** @returns {Promise<WebSocket>} the open socket, connecting when there is none. */
  #open() {
    if (this.#socket && this.#socket.readyState === 1) return Promise.resolve(this.#socket);
    if (this.#opening) return this.#opening;
    const attempt = { cancelled: false };
    this.#attempt = attempt;
    const opening = this.#connect(attempt)
      .catch((error) => {
        // One retry on a fresh connection: the gateway (Hummingbird) upgrades only the first
        // request of a TCP connection and answers a later one with a redirect and a close.
        // Browsers never reuse a connection for a WebSocket, but Node's fetch pool may.
        if (attempt.cancelled) throw error;
        return this.#connect(attempt);
      })
      .finally(() => { if (this.#opening === opening) this.#opening = null; });
    this.#opening = opening;
    return opening;
  }

  /**
   * One connection attempt.
   * @param {{cancelled: boolean}} attempt  Set by close() to abandon it.
   * @returns {Promise<WebSocket>}
   */
  #connect(attempt) {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new this.#WebSocket(this.#url);
      } catch (error) {
        reject(new SessionGateError({ code: "connection_failed", message: `Could not connect to the gateway: ${error}` }));
        return;
      }
      let opened = false;
      const failed = (detail) => reject(new SessionGateError({
        code: "connection_failed",
        message: `Could not connect to the gateway at ${this.#url} (${detail})`,
      }));
      const lost = (detail) => {
        if (this.#socket !== socket) return; // closed by close(), or already handled
        this.#socket = null;
        this.#failPending(detail);
        if (this.#session) {
          const ended = this.#session;
          this.#session = null;
          this.#emit({ sessionId: ended.id, reason: "connection_lost" });
        }
      };
      socket.addEventListener("open", () => {
        opened = true;
        if (attempt.cancelled) {
          socket.close(1000);
          failed("the client was closed while connecting");
          return;
        }
        this.#socket = socket;
        resolve(socket);
      });
      socket.addEventListener("message", (event) => this.#received(socket, event.data));
      socket.addEventListener("close", (event) => {
        if (opened) lost(`closed by the gateway (code ${event.code})`);
        else failed(`close code ${event.code}`);
      });
      // Some implementations (Node 20's) report a refused connection with "error" alone.
      socket.addEventListener("error", () => {
        if (opened) lost("connection error");
        else failed("network error");
      });
    });
  }

  /** Fails every request in flight: its connection is gone. */
  #failPending(detail) {
    for (const entry of [...this.#pending.values()]) {
      entry.settle(new SessionGateError({ code: "connection_lost", message: `The connection to the gateway closed before the reply (${detail})` }));
    }
  }

  #received(socket, data) {
    if (socket !== this.#socket) return;
    if (typeof data !== "string") return; // the protocol has no binary messages
    let message;
    try { message = JSON.parse(data); } catch { return; }
    if (!message || typeof message !== "object" || Array.isArray(message)) return;
    if (typeof message.event === "string") {
      if (message.event !== "sessionEnded" || typeof message.sessionId !== "string") return;
      if (this.#session && this.#session.id === message.sessionId) this.#session = null;
      this.#emit({ sessionId: message.sessionId, reason: String(message.reason) });
      return;
    }
    const entry = typeof message.ref === "string" ? this.#pending.get(message.ref) : undefined;
    if (!entry) return;
    // Session state changes in message order, so an event right behind a reply sees it.
    if (message.succeeded === true) {
      if (entry.op === "startSession" && message.session && typeof message.session.id === "string") this.#session = message.session;
      if (entry.op === "endSession") this.#session = null;
    }
    entry.settle(message);
  }

  #emit(event) {
    for (const listener of [...this.#listeners]) {
      try { listener(event); } catch (error) { console.error("sessionEnded listener failed:", error); }
    }
  }
}

export default SessionGate;
