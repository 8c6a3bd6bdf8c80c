"""The listing job: page through /api/models, hand each model to the cards job, write its records."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urljoin

import httpx2
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import ModelInfo
from tqdm import tqdm

from build.hubfacts import model_id
from scripts.hub.cards import CardFetcher
from scripts.hub.checkpoint import PreviousSnapshot, mask
from scripts.hub.client import HubDown, HubSession
from scripts.hub.context import MiningIncomplete, Options, RunContext, today
from scripts.hub.records import Card, model_records

# Properties asked for in the listing, so that one request per page gives everything but the card text.
LIST_EXPAND = [
    "author", "sha", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes",
    "trendingScore", "pipeline_tag", "library_name", "tags", "gated", "private", "disabled",
    "cardData", "baseModels", "childrenModelCount", "spaces", "safetensors", "siblings",
]
MAX_PAGE = 1000       # the Hub's largest listing page
COMMIT_EVERY = 500    # models written between two checkpoints inside a page


def first_page_url(opts: Options) -> str:
    """The listing URL, with the parameters HfApi.list_models would send for the same filters."""
    params = [("expand", prop) for prop in LIST_EXPAND]
    if opts.author:
        params.append(("author", opts.author))
    if opts.task:
        params.append(("pipeline_tag", opts.task))
    if opts.library:
        params.append(("filter", opts.library))
    if opts.created_since:
        params.append(("sort", "createdAt"))  # newest first: the listing stops at the first older model
    if opts.limit and opts.limit <= MAX_PAGE:
        params.append(("limit", opts.limit))
    return str(httpx2.URL(f"{opts.endpoint}/api/models", params=params))


def iter_pages(session: HubSession, url: str):
    """Yield (page URL, next page URL or None, listing entries) following the `Link: rel="next"` headers.

    This is HfApi.list_models' pagination, written out because the miner must know each page's
    URL: it is the cursor a killed run resumes from, instead of listing everything again.
    """
    while url:
        try:
            response = session.get(url)
        except HubDown as e:
            raise MiningIncomplete(f"listing {url} stopped: {e}") from None
        except (HfHubHTTPError, httpx2.HTTPError, OSError) as e:
            raise MiningIncomplete(f"listing {url} failed: {session.scrub(str(e))}") from None
        next_url = response.links.get("next", {}).get("url")
        next_url = urljoin(url, next_url) if next_url else None
        yield url, next_url, response.json()
        url = next_url


class Lister:
    """Models and their cards: list page by page, fetch cards two pages ahead, write and checkpoint."""

    def __init__(self, ctx: RunContext, previous: PreviousSnapshot | None):
        self.ctx = ctx
        self.run = ctx.run
        self.previous = previous
        self.cards = CardFetcher(ctx, previous)
        self.progress = None

    def mine_models(self) -> None:
        opts = self.ctx.opts
        done = self.run.done_models()
        # For the ETA: the limit, or the size of the previous snapshot when listing the whole Hub again.
        unfiltered = not any(self.run.state["query"].values())
        total = opts.limit or (len(self.previous) if self.previous and unfiltered else None)
        self.progress = tqdm(total=total, initial=len(done), unit="model", desc="models",
                             disable=not opts.progress, dynamic_ncols=True)
        since = datetime.combine(opts.created_since, datetime.min.time(), timezone.utc) if opts.created_since else None
        window: deque = deque()  # pages whose cards are being fetched, oldest first
        pool = ThreadPoolExecutor(opts.workers, thread_name_prefix="card")
        try:
            for page_url, next_url, items in iter_pages(self.ctx.session, self.run.state["cursor"] or first_page_url(opts)):
                self.run.counters["listed"] += len(items)
                jobs, stop = [], False
                for info in filter(None, map(self.parse, items)):
                    if (since and info.created_at and info.created_at < since) or \
                            (opts.limit is not None and len(done) >= opts.limit):
                        stop = True
                        break
                    if mask(info.id) not in done:  # also drops a model the live listing shows twice
                        done.add(mask(info.id))  # (models.jsonl holds ids as written: masked)
                        jobs.append((info, self.cards.plan(info, pool)))
                # Two pages in flight: the workers fetch the next page's cards while this one is written.
                window.append((page_url, None if stop else next_url, jobs))
                while len(window) > 1:
                    self.write_page(*window.popleft())
                if stop:
                    break
            # The listing is over: the bar's total is what it listed.
            self.progress.total = len(done)
            self.progress.refresh()
            while window:
                self.write_page(*window.popleft())
        except HubDown as e:  # a card found the Hub down: keep what is written, stop now
            self.run.fail({"what": "list", "error": str(e)})
            self.ctx.commit()
            raise MiningIncomplete(str(e)) from None
        except MiningIncomplete as e:
            try:
                while window:  # the cards already asked for are kept; the cursor stays at the failed page
                    self.write_page(*window.popleft())
            except HubDown:
                pass
            self.run.fail({"what": "list", "error": str(e)})
            self.ctx.commit()
            raise
        finally:
            # On an interruption, drop the queued downloads instead of waiting for them.
            pool.shutdown(wait=True, cancel_futures=True)
            self.progress.close()

    def parse(self, item: dict) -> ModelInfo | None:
        """A listing entry as huggingface_hub's ModelInfo; an entry it cannot read is noted as a failure and skipped."""
        try:
            info = ModelInfo(**item)
            info.id = model_id(info.id)  # BadModelId (a ValueError) for an empty, control-character or absurd id
            return info
        except (KeyError, TypeError, ValueError) as e:
            self.run.fail({"what": "entry", "model_id": item.get("id") if isinstance(item, dict) else None,
                           "error": f"{type(e).__name__}: {e}"})
            self.run.counters["unreadable_entries"] += 1
            return None

    def write_page(self, page_url: str, next_url: str | None, jobs: list) -> None:
        for i, (info, job) in enumerate(jobs, 1):
            try:
                card = job.result() if isinstance(job, Future) else job
            except HubDown:
                self.ctx.commit(cursor=page_url)  # the models written so far are done; the rest is resumed
                raise
            self.write_model(info, card)
            if i % COMMIT_EVERY == 0:
                self.ctx.commit(cursor=page_url)
        self.ctx.commit(cursor=next_url, listing_done=next_url is None)

    def write_model(self, info: ModelInfo, card: Card) -> None:
        for kind, record in model_records(info, card, today()):
            self.run.write(kind, record)
        counters = self.run.counters
        counters[f"card_{card.status.replace(' ', '_')}"] += 1
        if card.carried:
            counters["cards_carried" if card.text is not None else "outcomes_carried"] += 1
        elif card.status in ("ok", "empty"):
            counters["cards_fetched"] += 1
        if card.status == "failed":
            self.run.fail({"what": "card", "model_id": info.id, "sha": info.sha, "error": card.error})
        if not self.progress.disable:  # live counters, shown with the next refresh of the bar
            self.progress.set_postfix(listed=counters["listed"], fetched=counters["cards_fetched"],
                                      carried=counters["cards_carried"], errors=counters["card_failed"],
                                      refresh=False)
        self.progress.update(1)
