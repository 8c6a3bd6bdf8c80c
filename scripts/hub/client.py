"""HTTP access to the Hub for the miner: budgets, rate limits, retries, token hygiene.

huggingface_hub sends every request (its own retries and redirects included) through one
shared httpx2 client. HubSession installs a client of its own making there for the time of
a run, with event hooks that (1) hold each request until the request budget of its bucket
allows it, and (2) pause the whole bucket, for every worker thread, when the Hub answers
429 or says no request is left in its window. Retries of 429, 5xx and dropped connections
are huggingface_hub's http_backoff; it waits as long as the RateLimit / Retry-After headers say.

The Hub counts requests in two buckets with separate quotas per 5-minute window: "api"
(listing, model_info) and "resolvers" (file downloads: the README.md of each model).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx2
from huggingface_hub.utils import (
    build_hf_headers,
    hf_raise_for_status,
    http_backoff,
    parse_ratelimit_headers,
    set_client_factory,
)
# Not re-exported by huggingface_hub.utils, but they are what its default client is made of:
# the factory to restore after a run, and the hook that adds request ids and honours HF_HUB_OFFLINE.
from huggingface_hub.utils._http import default_client_factory, hf_request_event_hook

from build.redact import REPLACEMENT, redact

WINDOW = 300.0  # seconds: the Hub's quotas are per 5-minute window

# The Hub's documented quotas per 5-minute window (https://huggingface.co/docs/hub/rate-limits,
# as of September 2025). The default budgets are 90% of them, leaving room for other clients
# on the same IP address or account.
HUB_QUOTAS = {
    "anonymous": {"api": 500, "resolvers": 3000},
    "free": {"api": 1000, "resolvers": 5000},
    "pro": {"api": 2500, "resolvers": 12000},
}
SAFETY = 0.9
# Connection failures in a row (refused, reset, timed out, or 502/503/504 from the Hub's front) after
# which the Hub counts as down: every request then fails at once with HubDown instead of being retried.
DOWN_AFTER = 10
DOWN_STATUSES = (502, 503, 504)


class HubDown(Exception):
    """The Hub (or the network to it) is down: DOWN_AFTER connection failures in a row."""


class _Watchdog(httpx2.BaseTransport):
    """The HTTP transport, watched: counts connection failures in a row and, once the Hub is down,
    refuses every request (each worker's next retry included) with HubDown, which huggingface_hub's
    http_backoff does not retry."""

    def __init__(self, inner: httpx2.BaseTransport, session: "HubSession"):
        self.inner = inner
        self.session = session

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.session.check_up()
        try:
            response = self.inner.handle_request(request)
        except httpx2.TransportError:
            self.session.note(failed=True)
            raise
        self.session.note(failed=response.status_code in DOWN_STATUSES)
        return response

    def close(self) -> None:
        self.inner.close()


def default_budgets(token: str | None) -> dict[str, int]:
    """Requests per 5 minutes for each bucket: the free-account quota with a token, else the anonymous one."""
    plan = "free" if token else "anonymous"
    return {bucket: int(quota * SAFETY) for bucket, quota in HUB_QUOTAS[plan].items()}


def bucket_of(url: httpx2.URL) -> str:
    return "resolvers" if "/resolve/" in url.path else "api"


class Budget:
    """Spaces request starts evenly so that at most `per_window` start in any `window` seconds.

    Even spacing (rather than a burst then a long wait) keeps the load on the Hub flat.
    `pause()` holds every caller until a moment the server named (a 429's reset time).
    A budget of 0 or None means no limit. `clock` and `sleep` are injectable for tests.
    """

    def __init__(self, per_window: int | None, window: float = WINDOW,
                 clock=time.monotonic, sleep=time.sleep):
        self.interval = window / per_window if per_window else 0.0
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._paused_until = 0.0

    def acquire(self) -> float:
        """Wait for this request's slot; returns the seconds waited."""
        with self._lock:
            now = self.clock()
            slot = max(now, self._next_slot, self._paused_until)
            self._next_slot = slot + self.interval
        wait = slot - now
        if wait > 0:
            self.sleep(wait)
        return max(wait, 0.0)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + seconds)


class HubSession:
    """The miner's view of the Hub: budgeted, counted GET requests with retries.

    Use as a context manager: on enter it installs its client into huggingface_hub
    (so every request the library makes is budgeted); on exit it restores the default.
    The token lives only in memory, in the Authorization header of each request.
    """

    def __init__(self, endpoint: str, token: str | None, budgets: dict[str, int | None],
                 retries: int = 5, retry_wait: float = 1.0, timeout: float = 60.0, connections: int = 16,
                 down_after: int = DOWN_AFTER):
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.budgets = {bucket: Budget(n) for bucket, n in budgets.items()}
        self.retries = retries
        self.retry_wait = retry_wait
        self.timeout = timeout
        self.connections = connections
        # token=False: never fall back to a token saved on this machine; HF_TOKEN is the only source.
        self.headers = build_hf_headers(token=token or False, library_name="ptm-reuse-miner")
        self.counts: Counter = Counter()
        self._lock = threading.Lock()
        self.down_after = down_after
        self.failures_in_a_row = 0
        self.down = False

    def __enter__(self) -> "HubSession":
        set_client_factory(self._make_client)
        return self

    def __exit__(self, *exc) -> None:
        set_client_factory(default_client_factory)  # also closes this session's client

    def _make_client(self) -> httpx2.Client:
        transport = httpx2.HTTPTransport(limits=httpx2.Limits(max_connections=self.connections,
                                                              max_keepalive_connections=self.connections))
        return httpx2.Client(
            event_hooks={"request": [hf_request_event_hook, self._on_request],
                         "response": [self._on_response]},
            follow_redirects=True,
            timeout=httpx2.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
            transport=_Watchdog(transport, self),
        )

    def check_up(self) -> None:
        if self.down:
            raise HubDown(f"{self.endpoint} is down: {self.down_after} connection failures in a row")

    def note(self, failed: bool) -> None:
        """Count a connection failure (or reset the count on an answer); past down_after the Hub is down."""
        with self._lock:
            self.failures_in_a_row = self.failures_in_a_row + 1 if failed else 0
            if failed:
                self.counts["connection_failures"] += 1
            if self.down_after and self.failures_in_a_row >= self.down_after:
                self.down = True

    def _count(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1

    def _on_request(self, request: httpx2.Request) -> None:
        bucket = bucket_of(request.url)
        self.budgets[bucket].acquire()
        self._count(bucket)

    def _on_response(self, response: httpx2.Response) -> None:
        """Pause the bucket for everyone when the Hub says its window is used up."""
        if response.status_code == 429:
            self._count("rate_limited")
        elif response.status_code >= 500:
            self._count("server_errors")
        info = parse_ratelimit_headers(response.headers)
        bucket = info.resource_type if info and info.resource_type in self.budgets else bucket_of(response.request.url)
        if info is not None and info.remaining == 0:
            # +1 s as huggingface_hub's own backoff does, against rounding of the reset time.
            self.budgets[bucket].pause(info.reset_in_seconds + 1)
        elif response.status_code == 429:
            retry_after = response.headers.get("Retry-After", "")
            self.budgets[bucket].pause((int(retry_after) if retry_after.isdigit() else self.retry_wait) + 1)

    def get(self, url: str) -> httpx2.Response:
        """GET with huggingface_hub's retries on 429, 5xx and connection errors; raises HfHubHTTPError
        (or an httpx2 transport error) once the retries are spent, HubDown once the Hub is down."""
        for attempt in range(self.retries + 1):
            self.check_up()
            try:
                response = http_backoff("GET", url, headers=self.headers, max_retries=self.retries,
                                        base_wait_time=self.retry_wait, max_wait_time=max(8.0, self.retry_wait))
                break
            except RuntimeError as e:
                # After a ConnectError, http_backoff closes the shared client (close_session) and makes a
                # new one; a request another worker was about to send on the old one fails so, unsent.
                if "client has been closed" not in str(e):
                    raise
                if attempt == self.retries:
                    raise httpx2.TransportError(f"{url}: {e}") from None
            except (httpx2.HTTPError, OSError):
                self.check_up()  # a failure that tipped the Hub over to down is reported as HubDown
                raise
        hf_raise_for_status(response)
        return response

    def scrub(self, text: str) -> str:
        """Remove the token (and anything shaped like one) from a message before it is written anywhere."""
        if self.token:
            text = text.replace(self.token, REPLACEMENT)
        return redact(text)[0]
