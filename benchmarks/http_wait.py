#!/usr/bin/env python3
"""Starts whose function waits on a backend: do they hold a worker?

Runs a backend on 127.0.0.1 that answers every request after DELAY_MS (a threaded Python
server), a release `sessiongate serve --function-workers 2 --http-allow 127.0.0.1` whose
function calls it with http.get, then ROUNDS times: CONCURRENT authenticated starts at once
on their own connections, timed from the first send to the last reply; meanwhile a second
group of connections does guest starts and pings, whose latency is compared with the same
measured on an idle gateway. Prints medians over the rounds.

    benchmarks/http_wait.py            # CONCURRENT=200 DELAY_MS=100 ROUNDS=5
"""
import asyncio, json, os, statistics, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import websockets

CONCURRENT = int(os.environ.get("CONCURRENT", "200"))
DELAY_MS = int(os.environ.get("DELAY_MS", "100"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))
BIN = os.environ.get("SESSIONGATE", ".build/release/sessiongate")


class Slow(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(DELAY_MS / 1000)
        body = b"ok"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_backend():
    ThreadingHTTPServer.request_queue_size = 1024
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def start_gateway(backend_port):
    folder = tempfile.mkdtemp(prefix="sessiongate-httpwait-")
    with open(os.path.join(folder, "10-backend.lua"), "w") as f:
        f.write(f"""return function(event)
  local r, err = http.get("http://127.0.0.1:{backend_port}/check")
  return r ~= nil and r.status == 200
end
""")
    proc = subprocess.Popen(
        [BIN, "serve", "--port", "0", "--functions", folder, "--database", "sqlite::memory:",
         "--function-workers", "2", "--http-allow", "127.0.0.1", "--log-level", "warn",
         "--username-failure-limit", "off", "--address-failure-limit", "off"],
        stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if "listening on http://" in line:
            return proc, line.split("listening on http://")[1].strip()
    raise SystemExit("the gateway did not start")


async def timed(ws, message):
    started = time.perf_counter()
    await ws.send(json.dumps(message))
    reply = json.loads(await ws.recv())
    return time.perf_counter() - started, reply


async def side_traffic(address, stop, samples):
    """Guest starts and pings on connections of their own, until `stop` is set."""
    async with websockets.connect(f"ws://{address}/v1/session") as ws:
        n = 0
        while not stop.is_set():
            n += 1
            took, reply = await timed(ws, {"op": "startSession", "username": f"side{id(samples)}-{n}"})
            assert "session" in reply, reply
            samples["guest"].append(took)
            took, _ = await timed(ws, {"op": "ping"})
            samples["ping"].append(took)
            await timed(ws, {"op": "endSession"})
            await asyncio.sleep(0.005)


async def round_(address, index):
    sockets = [await websockets.connect(f"ws://{address}/v1/session") for _ in range(CONCURRENT)]
    stop = asyncio.Event()
    samples = {"guest": [], "ping": []}
    side = [asyncio.create_task(side_traffic(address, stop, samples)) for _ in range(4)]
    await asyncio.sleep(0.05)
    idle = {"guest": list(samples["guest"]), "ping": list(samples["ping"])}
    samples["guest"].clear(); samples["ping"].clear()
    started = time.perf_counter()
    replies = await asyncio.gather(*[
        timed(ws, {"op": "startSession", "username": f"r{index}-u{i}", "authParams": {}})
        for i, ws in enumerate(sockets)])
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*side)
    for ws in sockets:
        await ws.close()
    ok = sum(1 for _, reply in replies if "session" in reply)
    return elapsed, ok, idle, samples


def ms(values):
    return statistics.median(values) * 1000 if values else float("nan")


async def main():
    backend = start_backend()
    proc, address = start_gateway(backend)
    try:
        results = [await round_(address, i) for i in range(ROUNDS)]
    finally:
        proc.terminate()
        proc.wait()
    for i, (elapsed, ok, idle, busy) in enumerate(results):
        print(f"round {i}: {ok}/{CONCURRENT} allowed in {elapsed * 1000:.0f} ms; guest start {ms(busy['guest']):.2f} ms "
              f"(before: {ms(idle['guest']):.2f}), ping {ms(busy['ping']):.2f} ms (before: {ms(idle['ping']):.2f})")
    print(f"RESULT concurrent={CONCURRENT} wait_ms={DELAY_MS} workers=2 "
          f"all_done_ms_median={ms([r[0] for r in results]):.0f} "
          f"allowed={min(r[1] for r in results)}/{CONCURRENT} "
          f"guest_start_ms_median={ms([x for r in results for x in r[3]['guest']]):.2f} "
          f"ping_ms_median={ms([x for r in results for x in r[3]['ping']]):.2f}")


asyncio.run(main())
