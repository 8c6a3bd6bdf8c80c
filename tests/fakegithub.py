"""A local fake of the parts of the GitHub REST API the GitHub miner uses (scripts/github/).

    GET /search/code?q=&per_page=&page=     items {name, path, sha, repository{full_name}}, total_count;
                                            a file matches when it contains every bare term of q and
                                            its extension fits the language: qualifier
    GET /repos/<owner>/<name>               repository facts (stargazers_count, license, fork, ...)
    GET /repos/<owner>/<name>/git/blobs/<sha>   base64 content

Every answer carries x-ratelimit-limit/-remaining/-reset/-resource headers. Faults are queued per
route kind ("search", "repo", "blob"): "secondary" (403 with retry-after), "secondary-no-header"
(403 whose body says secondary rate limit), "primary" (403 with x-ratelimit-remaining 0 and a
reset 30 s ahead), "500", "drop" (no answer), "ok" (answered normally: to place a fault later), queued
with `inject`. `authorizations` records the Authorization headers seen (the server, counting and faults:
tests/fakeserver.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shlex
import time
from urllib.parse import parse_qs, urlsplit

from fakeserver import FakeServer

LANGUAGES = {"python": (".py",), "jupyter notebook": (".ipynb",), "javascript": (".js", ".mjs", ".cjs", ".jsx"),
             "typescript": (".ts", ".tsx")}


class FakeGitHub(FakeServer):
    def __init__(self, repos: dict[str, dict[str, str]], facts: dict[str, dict] | None = None):
        """repos: {"owner/name": {path: text}}; facts: {"owner/name": {stargazers_count: ...}}."""
        super().__init__()
        self.files = []  # (repo, path, sha, bytes)
        for repo, files in repos.items():
            for path, text in files.items():
                data = text.encode() if isinstance(text, str) else text
                sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
                self.files.append((repo, path, sha, data))
        self.facts = facts or {}
        self.repos = set(repos)

    # ---------------------------------------------------------------- handling

    def _handle(self, h) -> None:
        url = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/search/code":
            kind = "search"
        elif m := re.fullmatch(r"/repos/([^/]+/[^/]+)/git/blobs/([0-9a-f]+)", url.path):
            kind = "blob"
        elif m := re.fullmatch(r"/repos/([^/]+/[^/]+)", url.path):
            kind = "repo"
        else:
            self._seen(h, "unknown")
            return self._send(h, 404, {"message": "Not Found"}, "core")
        fault = self._seen(h, kind)
        resource = "code_search" if kind == "search" else "core"
        if fault == "drop":  # the connection closes without an answer
            h.close_connection = True
            return
        if fault == "secondary":
            return self._send(h, 403, {"message": "You have exceeded a secondary rate limit."}, resource,
                              {"retry-after": "7"})
        if fault == "secondary-no-header":
            return self._send(h, 403, {"message": "You have exceeded a secondary rate limit. Please wait."}, resource)
        if fault == "primary":
            return self._send(h, 403, {"message": "API rate limit exceeded"}, resource,
                              {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 30)})
        if fault == "500":
            return self._send(h, 500, {"message": "Server Error"}, resource)
        if kind == "search":
            return self._search(h, query)
        if kind == "blob":
            repo, sha = m[1], m[2]
            for r, _, s, data in self.files:
                if r == repo and s == sha:
                    return self._send(h, 200, {"sha": sha, "size": len(data), "encoding": "base64",
                                               "content": base64.encodebytes(data).decode()}, resource)
            return self._send(h, 404, {"message": "Not Found"}, resource)
        repo = m[1]
        if repo not in self.repos:
            return self._send(h, 404, {"message": "Not Found"}, resource)
        facts = {"full_name": repo, "stargazers_count": 0, "fork": False, "archived": False,
                 "pushed_at": "2026-01-01T00:00:00Z", "default_branch": "main", "license": None,
                 **self.facts.get(repo, {})}
        return self._send(h, 200, facts, resource)

    def _search(self, h, query: dict) -> None:
        terms = shlex.split(query.get("q", ""))
        language = None
        words = []
        for term in terms:
            if term.startswith("language:"):
                language = term.split(":", 1)[1].strip('"').lower()
            else:
                words.append(term)
        hits = [(repo, path, sha) for repo, path, sha, data in self.files
                if (language is None or path.lower().endswith(LANGUAGES.get(language, ("\0",))))
                and all(w.encode() in data for w in words)]
        per_page = int(query.get("per_page", 30))
        page = int(query.get("page", 1))
        items = [{"name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
                  "url": f"{self.url}/repos/{repo}/contents/{path}?ref=main",
                  "repository": {"full_name": repo}}
                 for repo, path, sha in hits[(page - 1) * per_page: page * per_page]]
        self._send(h, 200, {"total_count": len(hits), "incomplete_results": False, "items": items}, "code_search")

    def _send(self, h, status: int, body, resource: str, headers: dict | None = None) -> None:
        """A JSON answer with the rate-limit headers GitHub sends with every answer."""
        base = {"x-ratelimit-limit": "30" if resource == "code_search" else "5000",
                "x-ratelimit-remaining": "29", "x-ratelimit-reset": str(int(time.time()) + 60),
                "x-ratelimit-resource": resource}
        self._answer(h, status, json.dumps(body).encode(), {**base, **(headers or {})})
