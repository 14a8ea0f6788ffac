// End-to-end tests of `sessiongate connect` (SPEC §1) against a real gateway.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { startGateway, passwordFunction, gatewayBinary } from "./gateway.mjs";

const ADMIN_TOKEN = "T";

/** Runs `sessiongate connect …`, handing back its JSON lines as they come and its exit. */
function connect(args) {
  const child = spawn(gatewayBinary, ["connect", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const lines = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line); else lines.push(line);
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    get stderr() { return stderr; },
    nextLine(ms = 15000) {
      if (lines.length) return Promise.resolve(JSON.parse(lines.shift()));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no output line within ${ms} ms; stderr: ${stderr}`)), ms);
        waiters.push((line) => { clearTimeout(timer); resolve(JSON.parse(line)); });
      });
    },
  };
}

async function activeSessions(gateway) {
  const response = await fetch(`${gateway.httpURL}/v1/admin/sessions`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return (await response.json()).sessions;
}

describe("sessiongate connect", () => {
  let gateway;
  before(async () => {
    gateway = await startGateway({ files: { "10-password.lua": passwordFunction("pw") }, adminToken: ADMIN_TOKEN });
  });
  after(async () => { await gateway?.stop(); });

  test("prints the reply, holds the session until standard input closes, then ends it and exits 0", async () => {
    const run = connect([gateway.wsURL, "--username", "cli-guest"]);
    const reply = await run.nextLine();
    assert.equal(reply.succeeded, true, JSON.stringify(reply));
    assert.equal(reply.session.user.name, "cli-guest");
    assert.equal(reply.session.user.isGuest, true);
    assert.ok((await activeSessions(gateway)).some((s) => s.id === reply.session.id), "the session is held");
    run.child.stdin.end();
    assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!(await activeSessions(gateway)).some((s) => s.id === reply.session.id), "the session was ended");
  });

  test("accepts http://HOST:PORT and ends the session on SIGINT", async () => {
    const run = connect([gateway.httpURL, "--username", "cli-jane", "--auth-params", '{"password":"pw"}']);
    const reply = await run.nextLine();
    assert.equal(reply.succeeded, true, JSON.stringify(reply));
    assert.equal(reply.session.user.isGuest, false);
    run.child.kill("SIGINT");
    assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr);
  });

  test("a denied start prints the error and exits 1", async () => {
    const run = connect([gateway.wsURL, "--username", "cli-jane", "--auth-params", '{"password":"no"}']);
    const reply = await run.nextLine();
    assert.equal(reply.succeeded, false);
    assert.deepEqual(reply.error, { type: "AccessDeniedError", code: "access_denied", message: "Wrong password", reason: "bad_password" });
    assert.equal((await run.exited).code, 1);
  });

  test("a refused connection exits 1", async () => {
    const run = connect(["ws://127.0.0.1:1/v1/session", "--username", "x"]);
    const reply = await run.nextLine();
    assert.equal(reply.succeeded, false);
    assert.equal(reply.error.code, "connection_failed");
    assert.equal((await run.exited).code, 1);
  });

  test("prints a revoke as a sessionEnded line and exits 0", async () => {
    const run = connect([gateway.wsURL, "--username", "cli-revoked"]);
    const reply = await run.nextLine();
    assert.equal(reply.succeeded, true, JSON.stringify(reply));
    await gateway.revoke(reply.session.id);
    assert.deepEqual(await run.nextLine(), { event: "sessionEnded", sessionId: reply.session.id, reason: "revoked" });
    assert.equal((await run.exited).code, 0);
  });

  for (const [label, args] of [
    ["auth params that are not JSON", ["--auth-params", "{nope"]],
    ["auth params that are not an object", ["--auth-params", "[1]"]],
    ["a URL that is not ws or http", ["--auth-params", "{}", "--", "ftp://x"]],
    ["a missing username", []],
  ]) {
    test(`bad usage exits 2: ${label}`, async () => {
      const url = args.includes("ftp://x") ? [] : [gateway.wsURL];
      const username = label === "a missing username" ? [] : ["--username", "u"];
      const run = connect([...url, ...username, ...args]);
      run.child.stdin.end();
      assert.equal((await run.exited).code, 2, run.stderr);
    });
  }
});

describe("sessiongate connect on gateway shutdown", () => {
  test("prints server_shutdown and exits 0", async () => {
    const gateway = await startGateway({ files: {} });
    try {
      const run = connect([gateway.wsURL, "--username", "cli-shutdown"]);
      const reply = await run.nextLine();
      assert.equal(reply.succeeded, true, JSON.stringify(reply));
      await gateway.stop("SIGTERM");
      assert.deepEqual(await run.nextLine(), { event: "sessionEnded", sessionId: reply.session.id, reason: "server_shutdown" });
      assert.equal((await run.exited).code, 0);
    } finally {
      await gateway.stop("SIGKILL");
    }
  });
});

describe("sessiongate connect when the gateway dies", () => {
  test("prints connection_lost and exits 1", async () => {
    const gateway = await startGateway({ files: {} });
    try {
      const run = connect([gateway.wsURL, "--username", "cli-lost"]);
      const reply = await run.nextLine();
      assert.equal(reply.succeeded, true, JSON.stringify(reply));
      await gateway.stop("SIGKILL");
      assert.deepEqual(await run.nextLine(), { event: "sessionEnded", sessionId: reply.session.id, reason: "connection_lost" });
      assert.equal((await run.exited).code, 1);
    } finally {
      await gateway.stop("SIGKILL");
    }
  });
});
