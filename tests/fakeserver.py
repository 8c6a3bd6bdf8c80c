"""What the local fakes of remote APIs share (tests/fakegithub.py, tests/fakespaces.py): a threaded
HTTP server on a free local port, used as a context manager; per-kind request counts; faults queued
per kind and taken one a request; the Authorization headers seen (so a test can check which token
went out); and an answer helper.

A subclass implements `_handle(h)` for a request handler `h` (GET and HEAD come to it) and calls
`_seen(h)` and `_fault(kind)` from it.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    def __init__(self):
        self.counter: Counter = Counter()            # requests per kind
        self.faults: dict[str, deque] = defaultdict(deque)
        self.authorizations: set[str] = set()

    def inject(self, kind: str, *faults: str) -> None:
        """Queue faults for the next requests of a kind ("ok" answers normally: places a fault later)."""
        self.faults[kind].extend(faults)

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake._handle(self)

            def do_HEAD(self):
                fake._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def _seen(self, h: BaseHTTPRequestHandler, kind: str) -> str | None:
        """Count a request of a kind, record its Authorization header; the fault queued for it, if any."""
        if h.headers.get("Authorization"):
            self.authorizations.add(h.headers["Authorization"])
        self.counter[kind] += 1
        return self.faults[kind].popleft() if self.faults[kind] else None

    @staticmethod
    def _answer(h: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict | None = None) -> None:
        h.send_response(status)
        headers = {"Content-Type": "application/json", **(headers or {})}
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)
