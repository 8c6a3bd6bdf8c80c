"""The cards job: decide for each listed model whether its README.md must be downloaded, and download it."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import httpx2
from huggingface_hub import hf_hub_url
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError
from huggingface_hub.hf_api import ModelInfo

from scripts.hub.checkpoint import PreviousSnapshot, mask
from scripts.hub.context import RunContext
from scripts.hub.records import Card


class CardFetcher:
    def __init__(self, ctx: RunContext, previous: PreviousSnapshot | None):
        self.ctx = ctx
        self.previous = previous

    def plan(self, info: ModelInfo, pool: ThreadPoolExecutor) -> Card | Future:
        """The card outcome when no request is needed, else the future of its download."""
        if self.previous is not None:
            carried = self.previous.carry(mask(info.id), info.sha)
            if carried is not None:
                return carried
        if not self.ctx.opts.cards:
            return Card("not fetched")
        if info.siblings is not None and "README.md" not in {s.rfilename for s in info.siblings}:
            return Card("missing")
        return pool.submit(self.fetch, info)

    def fetch(self, info: ModelInfo) -> Card:
        """Download README.md at the listed sha (so card and sha agree); classify what the Hub answered."""
        session = self.ctx.session
        url = hf_hub_url(info.id, "README.md", revision=info.sha or "main", endpoint=session.endpoint)
        try:
            content = session.get(url).content
        except HfHubHTTPError as e:
            status = e.response.status_code
            if status == 404:
                return Card("missing")
            if status in (401, 403):
                return Card("gated" if info.gated or isinstance(e, GatedRepoError) else "private")
            return Card("failed", error=session.scrub(f"HTTP {status}: {e}"))
        except (httpx2.HTTPError, OSError) as e:
            session.check_up()  # the Hub is down: the run stops (HubDown) rather than note a failure
            return Card("failed", error=session.scrub(f"{type(e).__name__}: {e}"))
        text = content.decode("utf-8", errors="replace")
        return Card("ok", text=text) if text.strip() else Card("empty")
