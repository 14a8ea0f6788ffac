#!/usr/bin/env python3
"""Walks through the sessiongate wire protocol (SPEC.md §2) and prints every frame.

    python3 samples/clients/wire-transcript.py [URL] [--username NAME] [--password PW]

URL is ws://HOST:PORT/v1/session or http://HOST:PORT (default http://127.0.0.1:8080).
Without --password the start is a guest start. Standard library only: the WebSocket
client below is the minimum RFC 6455 needs (handshake, masked client frames, ping/pong,
close), so nothing hides what goes over the socket.

    → frames this script sends        ← frames the gateway sends
"""

import argparse
import base64
import hashlib
import json
import os
import socket
import struct
import sys
from urllib.parse import urlsplit

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # fixed by RFC 6455 for Sec-WebSocket-Accept
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class WebSocket:
    def __init__(self, url):
        parts = urlsplit(url)
        scheme = {"ws": "ws", "http": "ws"}.get(parts.scheme)
        if scheme is None:
            sys.exit(f"only ws:// and http:// URLs here (no TLS in this sample): {url}")
        host, port = parts.hostname, parts.port or 80
        path = parts.path if parts.path not in ("", "/") else "/v1/session"
        self.sock = socket.create_connection((host, port), timeout=10)
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"User-Agent: sessiongate-wire-transcript\r\n\r\n"
        )
        print(f"connecting to ws://{host}:{port}{path}")
        self.sock.sendall(request.encode())
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        status = head.split("\r\n", 1)[0]
        print(f"   {status}")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
                   for line in head.split("\r\n")[1:] if ":" in line}
        if " 101 " not in status + " " or headers.get("sec-websocket-accept") != accept:
            sys.exit("the server did not accept the WebSocket upgrade")

    def _read_until(self, marker):
        while marker not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer.split(marker, 1)
        return data

    def _read_exactly(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send_frame(self, opcode, payload=b""):
        # Clients must mask every frame (RFC 6455 §5.3).
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def read_frame(self):
        first, second = self._read_exactly(2)
        fin, opcode = first & 0x80, first & 0x0F
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read_exactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read_exactly(8))[0]
        mask = self._read_exactly(4) if second & 0x80 else None
        payload = self._read_exactly(length)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return bool(fin), opcode, payload

    def read_message(self):
        """The next text message; answers pings and reports control frames on the way."""
        parts = []
        while True:
            fin, opcode, payload = self.read_frame()
            if opcode == PING:
                print("← ping")
                self.send_frame(PONG, payload)
                print("→ pong")
                continue
            if opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                print(f"← close {code} {payload[2:].decode(errors='replace')}".rstrip())
                return None
            if opcode in (TEXT, CONTINUATION, BINARY):
                parts.append(payload)
                if fin:
                    return b"".join(parts).decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8080")
    parser.add_argument("--username", default="transcript-guest")
    parser.add_argument("--password", help="sends authParams {\"password\": …} (never printed)")
    args = parser.parse_args()

    ws = WebSocket(args.url)

    def request(message, shown=None):
        text = json.dumps(message, separators=(",", ":"))
        print(f"→ {json.dumps(shown, separators=(',', ':'), ensure_ascii=False) if shown else text}")
        ws.send_frame(TEXT, text.encode())
        while True:
            reply = ws.read_message()
            if reply is None:
                return None
            print(f"← {reply}")
            parsed = json.loads(reply)
            if parsed.get("ref") == message.get("ref"):
                return parsed

    start = {"op": "startSession", "ref": "1", "username": args.username}
    shown = dict(start)
    if args.password is not None:
        start["authParams"] = {"password": args.password}
        shown["authParams"] = {"password": "…"}  # a transcript is no place for a secret
    reply = request(start, shown)
    request({"op": "ping", "ref": "2"})
    if reply and reply.get("succeeded"):
        request({"op": "endSession", "ref": "3"})
    ws.send_frame(CLOSE, struct.pack("!H", 1000))
    print("→ close 1000")
    try:
        while ws.read_message() is not None:
            pass
    except (ConnectionError, OSError):
        pass
    ws.sock.close()
    return 0 if reply and reply.get("succeeded") else 1


if __name__ == "__main__":
    sys.exit(main())
