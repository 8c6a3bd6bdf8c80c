"""A local fake of the Hub's Space endpoints the Spaces miner (scripts/mine_spaces.py) uses.

    GET /api/spaces/<owner>/<name>                         space_info: id, sha, sdk, siblings, cardData
    GET /spaces/<owner>/<name>/resolve/<revision>/<file>   a file's bytes

Unknown Spaces answer 404 with X-Error-Code RepositoryNotFound, as the Hub does. `inject` queues
faults ("500", "ok") per request kind ("info", "file"); `counter` counts requests per kind (the
server, counting and faults: tests/fakeserver.py).
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

from fakeserver import FakeServer

SHA = "0123456789abcdef0123456789abcdef01234567"


class FakeSpaces(FakeServer):
    def __init__(self, spaces: dict[str, dict[str, str | bytes]]):
        super().__init__()
        self.spaces = spaces

    def _handle(self, h) -> None:
        path = unquote(urlsplit(h.path).path)
        m = re.fullmatch(r"/api/spaces/([^/]+/[^/]+)(?:/revision/[^/]+)?", path)
        kind = "info" if m else "file"
        if not m:
            m = re.fullmatch(r"/spaces/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        fault = self._seen(h, kind)
        if fault == "500":
            return self._answer(h, 500, b'{"error": "boom"}')
        if not m or m[1] not in self.spaces:
            return self._answer(h, 404, b'{"error": "Repository not found"}', {"X-Error-Code": "RepositoryNotFound"})
        files = self.spaces[m[1]]
        if kind == "info":
            readme = files.get("README.md")
            card = {}
            if isinstance(readme, str) and readme.startswith("---\n"):
                import yaml
                card = yaml.safe_load(readme.split("---\n")[1]) or {}
            body = {"id": m[1], "sha": SHA, "sdk": card.get("sdk", "gradio"), "cardData": card,
                    "siblings": [{"rfilename": f} for f in sorted(files)], "private": False}
            return self._answer(h, 200, json.dumps(body).encode())
        data = files.get(m[3])
        if data is None:
            return self._answer(h, 404, b'{"error": "Entry not found"}', {"X-Error-Code": "EntryNotFound"})
        return self._answer(h, 200, data.encode() if isinstance(data, str) else data,
                            {"Content-Type": "application/octet-stream"})
