// Starts a real sessiongate gateway for the JS tests (SPEC §1 `serve`).
import { spawn } from "node:child_process";
import { mkdtemp, writeFile, rm, access } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The gateway binary: $SESSIONGATE_BIN, or the debug build of this package. */
export const gatewayBinary = resolve(process.env.SESSIONGATE_BIN ?? ".build/debug/sessiongate");

/** A chat function that allows password == "pw" and denies everything else with a reason. */
export const passwordFunction = (password) => `
return function(event, context)
  if event.authParams.password == ${JSON.stringify(password)} then
    return true
  end
  return false, { message = "Wrong password", reason = "bad_password" }
end
`;

/**
 * Writes `files` into a temporary functions folder and starts `sessiongate serve` on it.
 * @param {{files: Object<string,string>, adminToken?: string, extraArgs?: string[]}} options
 */
export async function startGateway({ files, adminToken, extraArgs = [] }) {
  await access(gatewayBinary).catch(() => {
    throw new Error(`gateway binary not found at ${gatewayBinary}; build it (swift build --product sessiongate) or set SESSIONGATE_BIN`);
  });
  const dir = await mkdtemp(join(tmpdir(), "sessiongate-js-"));
  const functions = join(dir, "functions");
  await import("node:fs/promises").then((fs) => fs.mkdir(functions));
  for (const [name, source] of Object.entries(files)) await writeFile(join(functions, name), source);

  const args = ["serve", "--port", "0", "--functions", functions, "--database", "sqlite::memory:", "--log-level", "warn", ...extraArgs];
  if (adminToken) args.push("--admin-token", adminToken);
  const child = spawn(gatewayBinary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  const exited = new Promise((resolveExit) => child.on("exit", (code, signal) => resolveExit({ code, signal })));

  const httpURL = await new Promise((resolveURL, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`gateway did not print its listening line within 30 s\nstderr: ${stderr}`)), 30000);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) { clearTimeout(timer); resolveURL(match[1].replace(/\/$/, "")); }
    });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`gateway exited (${code ?? signal}) before listening\nstderr: ${stderr}`)); });
  });

  return {
    httpURL,
    wsURL: httpURL.replace(/^http/, "ws") + "/v1/session",
    child,
    exited,
    get stderr() { return stderr; },
    /** Asks the admin API to end a session (SPEC §5). */
    async revoke(sessionId) {
      return fetch(`${httpURL}/v1/admin/sessions/${encodeURIComponent(sessionId)}`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${adminToken}` },
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      await rm(dir, { recursive: true, force: true });
      return result;
    },
  };
}

/** Resolves with the first value `register` hands its callback, or rejects after `ms`. */
export function nextEvent(register, ms = 5000) {
  return new Promise((resolveEvent, reject) => {
    const timer = setTimeout(() => { unsubscribe(); reject(new Error(`no event within ${ms} ms`)); }, ms);
    const unsubscribe = register((event) => { clearTimeout(timer); unsubscribe(); resolveEvent(event); });
  });
}
