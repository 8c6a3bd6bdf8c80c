"""The manifest job: the snapshot.json of a finished run (what was mined, when, and with which counts)."""

from __future__ import annotations

import json
from collections import Counter

from build.snapshot import KINDS
from scripts.hub.checkpoint import FAILURES, count_lines
from scripts.hub.context import RunContext, today
from scripts.hub.records import SOURCE


def manifest(ctx: RunContext) -> dict:
    ctx.commit()  # the request counters of this session, added to those of the runs it resumed
    state = ctx.run.state
    first = state.get("first_observed") or today()
    last = state.get("last_observed") or first
    folder = ctx.run.folder
    stats = {kind: n for kind in KINDS if (n := count_lines(folder / f"{kind}.jsonl"))}
    stats.update(dict(sorted(ctx.run.counters.items())))
    # What the next run should retry: not the listing pages that failed once, since the listing finished.
    failures = [json.loads(line) for line in (folder / FAILURES).read_text(encoding="utf-8").splitlines()]
    sample = ctx.opts.sample
    # --limit N that stopped the listing: only the first N models the listing gives (recorded in stats.limit;
    # still called the registry, so that a small trial run answers the findings, see docs/mining.md).
    limited = ctx.opts.limit is not None and stats.get("models", 0) >= ctx.opts.limit
    stats.update(failures=sum(f["what"] != "list" for f in failures),
                 failures_by_what=dict(sorted(Counter(f["what"] for f in failures if f["what"] != "list").items())),
                 sample={"top": sample.top, "random": sample.random, "seed": sample.seed},
                 requests=state.get("requests", {}),
                 endpoint=ctx.opts.endpoint,
                 query={k: v for k, v in state["query"].items() if v is not None},
                 **({"limit": ctx.opts.limit} if limited else {}))
    return {
        "name": folder.name,
        "producer": "scripts.mine_hub",
        "created": last,
        "description": (
            "Models listed by the Hugging Face Hub API with their metadata, model cards (README.md), "
            "base models (lineage) and the Spaces that use them, and for a sample of models and authors "
            "the Hub's security scan status and organization verification, mined by scripts/mine_hub.py "
            f"between {first} and {last}."
            + (" Filters: " + json.dumps(stats["query"]) + "." if stats["query"] else "")
            + (f" Only the first {ctx.opts.limit:,} models of the listing (--limit)." if limited else "")),
        "sources": [{
            "id": SOURCE,
            "title": "Hugging Face Hub API",
            "repo": None,
            "commit": None,
            "url": "https://huggingface.co",
            "license": "Hub metadata; each model's own license applies",
            "citation": "Hugging Face Hub API (https://huggingface.co/docs/hub/api), mined with scripts/mine_hub.py",
            "snapshot_date": first if first == last else f"{first}/{last}",
            # An unfiltered listing is the registry at that date (a population); a filtered one a sample.
            "coverage": "sample" if stats["query"] else "registry",
            "files": [],
        }],
        "stats": stats,
    }
