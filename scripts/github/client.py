"""A small client for the GitHub REST API that honours its rate limits.

- The base URL is GITHUB_API_URL (default https://api.github.com): the tests point it at a local
  fake. The token is read from GITHUB_TOKEN and only ever sent in the Authorization header: it is
  not logged, not written to the snapshot, and error messages never quote request headers.
- Primary rate limits: every answer's x-ratelimit-remaining / x-ratelimit-reset /
  x-ratelimit-resource are remembered per resource (core, search, code_search). When a resource
  is used up, the next request to it waits until its reset; a 403/429 with remaining 0 waits for
  the reset and retries.
- Secondary rate limits: a 403/429 with retry-after waits that many seconds and retries; one
  without (GitHub's "You have exceeded a secondary rate limit") waits a minute, doubling, as
  GitHub's documentation asks.
- Server errors (5xx) and dropped connections are retried with exponential backoff; after
  `max_retries` the call raises GitHubError (the miner stops, resumable).
"""

from __future__ import annotations

import os
import time
from collections import Counter

import httpx

DEFAULT_API = "https://api.github.com"
USER_AGENT = "ptm-reuse-dataset-miner (+https://github.com/; scripts/mine_github.py)"


class GitHubError(Exception):
    """A request failed for good (after retries), or GitHub refused it."""


def _resource(path: str) -> str:
    if path.startswith("/search/code"):
        return "code_search"
    if path.startswith("/search/"):
        return "search"
    return "core"


class GitHubClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, *, max_retries: int = 5,
                 backoff: float = 1.0, secondary_wait: float = 60.0, timeout: float = 30.0,
                 sleep=time.sleep, clock=time.time):
        self.base_url = (base_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
        token = token if token is not None else os.environ.get("GITHUB_TOKEN")
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
                   "User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout,
                                 follow_redirects=True)
        self.max_retries = max_retries
        self.backoff = backoff
        self.secondary_wait = secondary_wait
        self.sleep = sleep
        self.clock = clock
        self.limits: dict[str, tuple[int, float]] = {}   # resource -> (remaining, reset epoch)
        self.waits: Counter = Counter()                   # reason -> seconds waited
        self.requests = 0

    def close(self) -> None:
        self.http.close()

    def _wait(self, seconds: float, reason: str) -> None:
        seconds = max(0.0, seconds)
        self.waits[reason] += seconds
        if seconds:
            self.sleep(seconds)

    def _remember(self, response: httpx.Response, resource: str) -> None:
        h = response.headers
        if "x-ratelimit-remaining" in h and "x-ratelimit-reset" in h:
            try:
                self.limits[h.get("x-ratelimit-resource", resource)] = (
                    int(h["x-ratelimit-remaining"]), float(h["x-ratelimit-reset"]))
            except ValueError:
                pass

    def get(self, path: str, params: dict | None = None, *, ok=(200,)) -> httpx.Response:
        """GET path; return the response once its status is in `ok` (or 404, for the caller to see)."""
        resource = _resource(path)
        secondary = 0
        failures = 0
        while True:
            remaining, reset = self.limits.get(resource, (1, 0.0))
            if remaining <= 0 and reset > self.clock():
                self._wait(reset - self.clock() + 1, "primary rate limit")
                self.limits.pop(resource, None)
            try:
                self.requests += 1
                response = self.http.get(path, params=params)
            except httpx.TransportError as e:
                failures += 1
                if failures > self.max_retries:
                    raise GitHubError(f"GET {path}: {type(e).__name__} after {failures} attempts") from None
                self._wait(self.backoff * 2 ** (failures - 1), "connection errors")
                continue
            self._remember(response, resource)
            status = response.status_code
            if status in ok or status == 404:
                return response
            if status in (403, 429):
                h = response.headers
                if "retry-after" in h:
                    try:
                        seconds = float(h["retry-after"])
                    except ValueError:
                        seconds = self.secondary_wait
                    self._wait(seconds, "secondary rate limit")
                    continue
                if h.get("x-ratelimit-remaining") == "0":
                    reset = float(h.get("x-ratelimit-reset") or 0)
                    self._wait(reset - self.clock() + 1, "primary rate limit")
                    continue
                if "secondary rate limit" in response.text.lower() or "abuse" in response.text.lower():
                    self._wait(self.secondary_wait * 2 ** min(secondary, 4), "secondary rate limit")
                    secondary += 1
                    continue
                raise GitHubError(f"GET {path}: HTTP {status} {_message(response)}")
            if status >= 500:
                failures += 1
                if failures > self.max_retries:
                    raise GitHubError(f"GET {path}: HTTP {status} after {failures} attempts")
                self._wait(self.backoff * 2 ** (failures - 1), "server errors")
                continue
            raise GitHubError(f"GET {path}: HTTP {status} {_message(response)}")

    def json(self, path: str, params: dict | None = None):
        response = self.get(path, params)
        if response.status_code == 404:
            return None
        try:
            return response.json()
        except ValueError:
            raise GitHubError(f"GET {path}: the answer is not JSON") from None


def _message(response: httpx.Response) -> str:
    try:
        message = response.json().get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return str(message)[:200]
