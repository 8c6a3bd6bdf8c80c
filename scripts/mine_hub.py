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
import os
import sys
from datetime import date
from pathlib import Path

from build.snapshot import SnapshotError
from scripts.hub.aliases import read_alias_ids, resolve_aliases
from scripts.hub.checkpoint import PreviousSnapshot, ResumeError, RunFolder
from scripts.hub.client import HUB_QUOTAS, SAFETY, HubSession, default_budgets
from scripts.hub.context import DEFAULT_ENDPOINT, MiningIncomplete, Options, RunContext, today
from scripts.hub.listing import Lister
from scripts.hub.manifest import manifest as run_manifest

__all__ = ["DEFAULT_ENDPOINT", "MiningIncomplete", "Options", "main", "parse_args", "run"]


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
            ctx = RunContext(opts, folder, session)
            if not folder.state["listing_done"]:
                Lister(ctx, previous).mine_models()
            if alias_ids is not None:
                resolve_aliases(ctx, alias_ids)
            manifest = run_manifest(ctx)
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


if __name__ == "__main__":
    sys.exit(main())
