"""A local fake of the Hub's Space endpoints the Spaces miner (scripts/mine_spaces.py) uses.

    GET /api/spaces/<owner>/<name>                         space_info: id, sha, sdk, siblings, cardData
    GET /spaces/<owner>/<name>/resolve/<revision>/<file>   a file's bytes

Unknown Spaces answer 404 with X-Error-Code RepositoryNotFound, as the Hub does. `fail` queues
faults ("500", "ok") per request kind ("info", "file"); `counter` counts requests per kind.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter, defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

SHA = "0123456789abcdef0123456789abcdef01234567"


class FakeSpaces:
    def __init__(self, spaces: dict[str, dict[str, str | bytes]]):
        self.spaces = spaces
        self.counter: Counter = Counter()
        self.faults: dict[str, deque] = defaultdict(deque)
        self.authorizations: set[str] = set()

    def fail(self, kind: str, *faults: str) -> None:
        self.faults[kind].extend(faults)

    def start(self) -> "FakeSpaces":
        fake = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake._handle(self)

            def do_HEAD(self):
                fake._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
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

    def _handle(self, h) -> None:
        if h.headers.get("Authorization"):
            self.authorizations.add(h.headers["Authorization"])
        path = unquote(urlsplit(h.path).path)
        m = re.fullmatch(r"/api/spaces/([^/]+/[^/]+)(?:/revision/[^/]+)?", path)
        kind = "info" if m else "file"
        if not m:
            m = re.fullmatch(r"/spaces/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        self.counter[kind] += 1
        fault = self.faults[kind].popleft() if self.faults[kind] else None
        if fault == "500":
            return self._send(h, 500, b'{"error": "boom"}')
        if not m or m[1] not in self.spaces:
            return self._send(h, 404, b'{"error": "Repository not found"}', {"X-Error-Code": "RepositoryNotFound"})
        files = self.spaces[m[1]]
        if kind == "info":
            readme = files.get("README.md")
            card = {}
            if isinstance(readme, str) and readme.startswith("---\n"):
                import yaml
                card = yaml.safe_load(readme.split("---\n")[1]) or {}
            body = {"id": m[1], "sha": SHA, "sdk": card.get("sdk", "gradio"), "cardData": card,
                    "siblings": [{"rfilename": f} for f in sorted(files)], "private": False}
            return self._send(h, 200, json.dumps(body).encode())
        data = files.get(m[3])
        if data is None:
            return self._send(h, 404, b'{"error": "Entry not found"}', {"X-Error-Code": "EntryNotFound"})
        return self._send(h, 200, data.encode() if isinstance(data, str) else data,
                          {"Content-Type": "application/octet-stream"})

    def _send(self, h, status: int, data: bytes, headers: dict | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)
