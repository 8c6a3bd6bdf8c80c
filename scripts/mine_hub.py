"""Mine the live Hugging Face Hub into a raw snapshot (producer 2; see docs/mining.md).

    python -m scripts.mine_hub [--out FOLDER] [--limit N] [filters] [--previous OLD_SNAPSHOT]

Lists models with their metadata (one API request per page of models), fetches each model's
README.md concurrently, and writes `models`, `cards`, `lineage`, `dependents` (Spaces) and
`aliases` records under the source id `hub`. A killed run continues where it stopped when
started again with the same --out; a run given a previous snapshot downloads only the cards of
repositories whose sha changed. The token comes from HF_TOKEN only, the endpoint from HF_ENDPOINT.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urljoin

import httpx2
import sqlite_utils
from huggingface_hub import hf_hub_url
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError
from huggingface_hub.hf_api import ModelInfo
from tqdm import tqdm

from build.snapshot import KINDS, SnapshotError
from scripts.hub.checkpoint import FAILURES, PreviousSnapshot, ResumeError, RunFolder, count_lines
from scripts.hub.client import HUB_QUOTAS, SAFETY, HubSession, default_budgets
from scripts.hub.records import SOURCE, Card, model_records

DEFAULT_ENDPOINT = "https://huggingface.co"
# Properties asked for in the listing, so that one request per page gives everything but the card text.
LIST_EXPAND = [
    "author", "sha", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes",
    "trendingScore", "pipeline_tag", "library_name", "tags", "gated", "private", "disabled",
    "cardData", "baseModels", "childrenModelCount", "spaces", "safetensors", "siblings",
]
MAX_PAGE = 1000       # the Hub's largest listing page
COMMIT_EVERY = 500    # models written between two checkpoints inside a page


class MiningIncomplete(Exception):
    """The listing could not go on after all retries; the run can be resumed later."""


@dataclass
class Options:
    out: Path
    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None
    limit: int | None = None
    author: str | None = None
    task: str | None = None
    library: str | None = None
    created_since: date | None = None
    workers: int = 8
    budgets: dict = field(default_factory=dict)  # bucket -> requests per 5 minutes; missing: default_budgets()
    cards: bool = True
    previous: Path | None = None
    resolve_aliases: Path | None = None
    retries: int = 5
    retry_wait: float = 1.0
    progress: bool = True


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


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
        except (HfHubHTTPError, httpx2.HTTPError, OSError) as e:
            raise MiningIncomplete(f"listing {url} failed: {session.scrub(str(e))}") from None
        next_url = response.links.get("next", {}).get("url")
        next_url = urljoin(url, next_url) if next_url else None
        yield url, next_url, response.json()
        url = next_url


def read_alias_ids(path: Path) -> list[str]:
    """Legacy ids to resolve: a SQLite database (its `models` ids without an owner) or a text file, one id a line."""
    with open(path, "rb") as f:
        is_sqlite = f.read(16) == b"SQLite format 3\x00"
    if is_sqlite:
        db = sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True))
        if "models" not in db.table_names():
            raise ValueError(f"{path}: no 'models' table to take legacy ids from")
        return [row["model_id"] for row in
                db.query("select model_id from models where instr(model_id, '/') = 0 order by model_id")]
    ids = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            model_id = line.strip()
            if not model_id or model_id.startswith("#"):
                continue
            if any(c.isspace() for c in model_id) or model_id.count("/") > 1:
                raise ValueError(f"{path}:{lineno}: {model_id!r} is not a model id")
            ids.append(model_id)
    return list(dict.fromkeys(ids))


class Miner:
    """One run: listing and cards, then aliases, written through a RunFolder."""

    def __init__(self, opts: Options, run: RunFolder, session: HubSession, previous: PreviousSnapshot | None):
        self.opts = opts
        self.run = run
        self.session = session
        self.previous = previous
        self.requests_before = dict(run.state.get("requests", {}))
        self.progress = None

    def commit(self, **changes) -> None:
        requests = {k: self.requests_before.get(k, 0) + self.session.counts.get(k, 0)
                    for k in set(self.requests_before) | set(self.session.counts)}
        self.run.commit(requests=requests, **changes)

    # --- models and cards ---------------------------------------------------------------------

    def mine_models(self) -> None:
        opts = self.opts
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
            for page_url, next_url, items in iter_pages(self.session, self.run.state["cursor"] or first_page_url(opts)):
                self.run.counters["listed"] += len(items)
                jobs, stop = [], False
                for info in filter(None, map(self.parse, items)):
                    if (since and info.created_at and info.created_at < since) or \
                            (opts.limit is not None and len(done) >= opts.limit):
                        stop = True
                        break
                    if info.id not in done:  # also drops a model the live listing shows twice
                        done.add(info.id)
                        jobs.append((info, self.plan_card(info, pool)))
                # Two pages in flight: the workers fetch the next page's cards while this one is written.
                window.append((page_url, None if stop else next_url, jobs))
                while len(window) > 1:
                    self.write_page(*window.popleft())
                if stop:
                    break
            while window:
                self.write_page(*window.popleft())
        except MiningIncomplete as e:
            while window:  # the cards already asked for are kept; the cursor stays at the failed page
                self.write_page(*window.popleft())
            self.run.fail({"what": "list", "error": str(e)})
            self.commit()
            raise
        finally:
            # On an interruption, drop the queued downloads instead of waiting for them.
            pool.shutdown(wait=True, cancel_futures=True)
            self.progress.close()

    def parse(self, item: dict) -> ModelInfo | None:
        """A listing entry as huggingface_hub's ModelInfo; an entry it cannot read is noted as a failure and skipped."""
        try:
            return ModelInfo(**item)
        except (KeyError, TypeError, ValueError) as e:
            self.run.fail({"what": "entry", "model_id": item.get("id") if isinstance(item, dict) else None,
                           "error": f"{type(e).__name__}: {e}"})
            self.run.counters["unreadable_entries"] += 1
            return None

    def plan_card(self, info: ModelInfo, pool: ThreadPoolExecutor) -> Card | Future:
        """The card outcome when no request is needed, else the future of its download."""
        if self.previous is not None:
            carried = self.previous.carry(info.id, info.sha)
            if carried is not None:
                return carried
        if not self.opts.cards:
            return Card("not fetched")
        if info.siblings is not None and "README.md" not in {s.rfilename for s in info.siblings}:
            return Card("missing")
        return pool.submit(self.fetch_card, info)

    def fetch_card(self, info: ModelInfo) -> Card:
        """Download README.md at the listed sha (so card and sha agree); classify what the Hub answered."""
        url = hf_hub_url(info.id, "README.md", revision=info.sha or "main", endpoint=self.session.endpoint)
        try:
            content = self.session.get(url).content
        except HfHubHTTPError as e:
            status = e.response.status_code
            if status == 404:
                return Card("missing")
            if status in (401, 403):
                return Card("gated" if info.gated or isinstance(e, GatedRepoError) else "private")
            return Card("failed", error=self.session.scrub(f"HTTP {status}: {e}"))
        except (httpx2.HTTPError, OSError) as e:
            return Card("failed", error=self.session.scrub(f"{type(e).__name__}: {e}"))
        text = content.decode("utf-8", errors="replace")
        return Card("ok", text=text) if text.strip() else Card("empty")

    def write_page(self, page_url: str, next_url: str | None, jobs: list) -> None:
        for i, (info, job) in enumerate(jobs, 1):
            self.write_model(info, job.result() if isinstance(job, Future) else job)
            if i % COMMIT_EVERY == 0:
                self.commit(cursor=page_url)
        self.commit(cursor=next_url, listing_done=next_url is None)

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
        self.progress.update(1)
        if not self.progress.disable and self.progress.n % 50 == 0:
            self.progress.set_postfix(listed=counters["listed"], fetched=counters["cards_fetched"],
                                      carried=counters["cards_carried"], errors=counters["card_failed"],
                                      refresh=False)

    # --- aliases ------------------------------------------------------------------------------

    def resolve_aliases(self, ids: list[str]) -> None:
        """Ask the Hub about each legacy id; it answers with the repository's current id."""
        start = self.run.state.get("alias_index", 0)
        for i in tqdm(range(start, len(ids)), desc="aliases", unit="id", disable=not self.opts.progress):
            old_id = ids[i]
            try:
                new_id = self.session.get(f"{self.opts.endpoint}/api/models/{old_id}?expand=sha").json()["id"]
            except HfHubHTTPError as e:
                if e.response.status_code in (401, 404):  # the Hub's answers for a repository that is gone
                    self.run.counters["aliases_not_found"] += 1
                else:
                    self.run.fail({"what": "alias", "model_id": old_id,
                                   "error": self.session.scrub(f"HTTP {e.response.status_code}: {e}")})
            except (httpx2.HTTPError, OSError) as e:
                self.run.fail({"what": "alias", "model_id": old_id,
                               "error": self.session.scrub(f"{type(e).__name__}: {e}")})
            else:
                if new_id != old_id:
                    self.run.write("aliases", {"source": SOURCE, "old_id": old_id, "new_id": new_id,
                                               "observed": today()})
                else:
                    self.run.counters["aliases_unchanged"] += 1
            if (i + 1) % 100 == 0:
                self.commit(alias_index=i + 1)
        self.commit(alias_index=len(ids))

    # --- manifest -----------------------------------------------------------------------------

    def manifest(self) -> dict:
        state = self.run.state
        first = state.get("first_observed") or today()
        last = state.get("last_observed") or first
        folder = self.run.folder
        stats = {kind: n for kind in KINDS if (n := count_lines(folder / f"{kind}.jsonl"))}
        stats.update(dict(sorted(self.run.counters.items())))
        # What the next run should retry: not the listing pages that failed once, since the listing finished.
        failures = [json.loads(line) for line in (folder / FAILURES).read_text(encoding="utf-8").splitlines()]
        stats.update(failures=sum(f["what"] != "list" for f in failures), requests=state.get("requests", {}),
                     endpoint=self.opts.endpoint,
                     query={k: v for k, v in state["query"].items() if v is not None})
        return {
            "name": folder.name,
            "producer": "scripts.mine_hub",
            "created": last,
            "description": (
                "Models listed by the Hugging Face Hub API with their metadata, model cards (README.md), "
                "base models (lineage) and the Spaces that use them, mined by scripts/mine_hub.py "
                f"between {first} and {last}."
                + (" Filters: " + json.dumps(stats["query"]) + "." if stats["query"] else "")),
            "sources": [{
                "id": SOURCE,
                "title": "Hugging Face Hub API",
                "repo": None,
                "commit": None,
                "url": "https://huggingface.co",
                "license": "Hub metadata; each model's own license applies",
                "citation": "Hugging Face Hub API (https://huggingface.co/docs/hub/api), mined with scripts/mine_hub.py",
                "snapshot_date": first if first == last else f"{first}/{last}",
                "files": [],
            }],
            "stats": stats,
        }


def run(opts: Options) -> dict:
    """Mine (or resume mining) into opts.out; returns the manifest written to snapshot.json.

    Raises MiningIncomplete when the listing failed after all retries (run again to resume)
    and ResumeError when opts.out cannot be used.
    """
    alias_ids = read_alias_ids(opts.resolve_aliases) if opts.resolve_aliases else None
    query = {"author": opts.author, "task": opts.task, "library": opts.library,
             "created_since": opts.created_since.isoformat() if opts.created_since else None}
    # Mining a finished folder again uses it as the previous snapshot by itself (RunFolder.open).
    explicit = opts.previous if opts.previous and Path(opts.previous).resolve() != Path(opts.out).resolve() else None
    previous = PreviousSnapshot(explicit) if explicit else None  # checked before --out is touched
    folder = RunFolder.open(opts.out, query, explicit)
    budgets = {**default_budgets(opts.token), **opts.budgets}
    try:
        if previous is None and folder.previous:
            previous = PreviousSnapshot(folder.previous)
        with HubSession(opts.endpoint, opts.token, budgets, retries=opts.retries, retry_wait=opts.retry_wait,
                        connections=opts.workers + 2) as session:
            miner = Miner(opts, folder, session, previous)
            if not folder.state["listing_done"]:
                miner.mine_models()
            if alias_ids is not None:
                miner.resolve_aliases(alias_ids)
            manifest = miner.manifest()
    except BaseException:
        folder.close()
        raise
    finally:
        if previous is not None:
            previous.close()
    folder.finish(manifest)
    return manifest


# --- command line ---------------------------------------------------------------------------------

def _budget_help(bucket: str) -> str:
    q = {plan: quotas[bucket] for plan, quotas in HUB_QUOTAS.items()}
    return (f"per 5 minutes (0: no limit). Default {int(q['anonymous'] * SAFETY)} without a token, "
            f"{int(q['free'] * SAFETY)} with HF_TOKEN: 90%% of the Hub's anonymous / free-account quotas "
            f"({q['anonymous']} / {q['free']}). A PRO account's quota is {q['pro']}: use {int(q['pro'] * SAFETY)}.")


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.mine_hub",
        description="Mine the live Hugging Face Hub into a raw snapshot folder (models, model cards, "
                    "lineage, Spaces, aliases) that `python -m build SNAPSHOT DB` turns into the database.",
        epilog="Environment: HF_TOKEN (optional) is sent to the Hub for higher rate limits and is never "
               "written anywhere; HF_ENDPOINT (default https://huggingface.co) is the Hub to mine. "
               "A run killed at any point continues where it stopped when started again with the same --out. "
               "See docs/mining.md.")
    parser.add_argument("--out", type=Path, default=Path("snapshots") / f"hub-{today()}",
                        help="snapshot folder to write or resume (default: snapshots/hub-<UTC date>)")
    parser.add_argument("--limit", type=int, help="stop after this many models (default: all)")
    parser.add_argument("--author", help="only models of this user or organization")
    parser.add_argument("--task", help="only models with this pipeline tag, e.g. text-classification")
    parser.add_argument("--library", help="only models of this library, e.g. transformers")
    parser.add_argument("--created-since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="only models created on or after this date (lists newest first and stops there)")
    parser.add_argument("--workers", type=int, default=8,
                        help="README.md downloads in parallel (default: 8)")
    parser.add_argument("--budget", type=int, metavar="N",
                        help="Hub API requests (listing pages, alias lookups) " + _budget_help("api"))
    parser.add_argument("--resolve-budget", type=int, metavar="N",
                        help="README.md downloads " + _budget_help("resolvers"))
    parser.add_argument("--no-cards", dest="cards", action="store_false",
                        help="do not download model cards (has_card then comes from the file list)")
    parser.add_argument("--previous", type=Path, metavar="SNAPSHOT",
                        help="an earlier hub snapshot: cards of repositories whose sha is unchanged are "
                             "copied from it instead of downloaded (mining a finished --out again does this by itself)")
    parser.add_argument("--resolve-aliases", type=Path, metavar="FILE",
                        help="legacy model ids to resolve to their current ids (aliases records): a text file, "
                             "one id a line, or a database built earlier (its model ids without an owner)")
    parser.add_argument("--retries", type=int, default=5,
                        help="retries of a request after 429, 5xx or a dropped connection (default: 5)")
    parser.add_argument("--retry-wait", type=float, default=1.0, metavar="SECONDS",
                        help="first wait before a retry, doubled each time up to 8 s (default: 1); "
                             "a 429 waits as long as the Hub says")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    args = parser.parse_args(argv)
    for name in ("limit", "workers"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    for name in ("budget", "resolve_budget", "retries"):
        if getattr(args, name) is not None and getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    budgets = {bucket: n for bucket, n in (("api", args.budget), ("resolvers", args.resolve_budget)) if n is not None}
    return Options(
        out=args.out, endpoint=os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT,
        token=os.environ.get("HF_TOKEN") or None, limit=args.limit, author=args.author, task=args.task,
        library=args.library, created_since=args.created_since, workers=args.workers, budgets=budgets,
        cards=args.cards, previous=args.previous, resolve_aliases=args.resolve_aliases,
        retries=args.retries, retry_wait=args.retry_wait, progress=args.progress)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    try:
        manifest = run(opts)
    except (MiningIncomplete, ResumeError, SnapshotError, ValueError, OSError) as e:
        print(f"mine_hub: {e}", file=sys.stderr)
        if isinstance(e, MiningIncomplete):
            print(f"mine_hub: run again with --out {opts.out} to continue", file=sys.stderr)
        return 1
    stats = manifest["stats"]
    print(f"{opts.out}: {stats.get('models', 0)} models, {stats.get('cards', 0)} cards "
          f"({stats.get('cards_fetched', 0)} downloaded, {stats.get('cards_carried', 0)} carried over), "
          f"{stats.get('lineage', 0)} lineage, {stats.get('dependents', 0)} Spaces links, "
          f"{stats.get('aliases', 0)} aliases, {stats['failures']} failures")
    return 0


# --- benchmark ------------------------------------------------------------------------------------

def bench(models: int = 3000, workers: int = 8, latency: float = 0.02) -> dict:
    """Mine a fake Hub (tests/fakehub.py, in its own process) that adds `latency` seconds to every
    request, then mine it again with the first snapshot as --previous.

    Card throughput is measured by the fake Hub, from the first README request it receives to the
    last README it answers, and set against the ceiling the concurrency allows (workers / latency).
    Beside it: the same downloads made by a bare thread pool (what this machine's HTTP stack allows
    without the miner), and the whole first run's rate (listing, start-up and writing included).
    The re-run of an unchanged Hub should make no README request.
    """
    from tests.fakehub import synthetic_models

    hub = subprocess.Popen(
        [sys.executable, "-m", "tests.fakehub", "--synthetic", str(models), "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        url = hub.stdout.readline().strip()

        def counts(reset: bool = True) -> dict:
            return httpx2.get(f"{url}/_fake/counts", params={"reset": 1} if reset else None).json()

        common = dict(endpoint=url, workers=workers, budgets={"api": 0, "resolvers": 0}, progress=False)
        with HubSession(url, None, common["budgets"], connections=workers + 2) as session, \
                ThreadPoolExecutor(workers) as pool:
            readmes = [hf_hub_url(m["id"], "README.md", revision=m["sha"], endpoint=url)
                       for m in synthetic_models(models)[0]]
            list(pool.map(session.get, readmes))
        bare = counts()
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            first = run(Options(out=Path(tmp) / "first", **common))
            first_s = time.perf_counter() - start
            mined = counts()
            start = time.perf_counter()
            run(Options(out=Path(tmp) / "second", previous=Path(tmp) / "first", **common))
            second_s = time.perf_counter() - start
            rerun = counts()
    finally:
        hub.terminate()
        hub.wait()
    cards = first["stats"]["cards_fetched"]
    ceiling = workers / latency
    return {
        "models": models, "workers": workers, "latency_s": latency,
        "ceiling_cards_per_s": round(ceiling, 1),
        "bare_pool_cards_per_s": round(bare["readme"] / bare["span:readme"], 1),
        "cards_per_s": round(cards / mined["span:readme"], 1),
        "efficiency": round(cards / mined["span:readme"] / ceiling, 3),
        "first_run_s": round(first_s, 3),
        "first_run_cards_per_s": round(cards / first_s, 1),
        "first_run_requests": {"list": mined.get("list", 0), "readme": mined.get("readme", 0)},
        "rerun_s": round(second_s, 3),
        "rerun_requests": {"list": rerun.get("list", 0), "readme": rerun.get("readme", 0)},
    }


if __name__ == "__main__":
    sys.exit(main())
