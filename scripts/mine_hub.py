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
import shlex
import sys
from datetime import date
from pathlib import Path

from build.snapshot import SnapshotError
from scripts.hub.aliases import carry_aliases, read_alias_ids, resolve_aliases
from scripts.hub.checkpoint import FAILURES, PreviousSnapshot, ResumeError, RunFolder
from scripts.hub.client import DOWN_AFTER, HUB_QUOTAS, SAFETY, HubDown, HubSession, default_budgets
from scripts.hub.context import (DEFAULT_ENDPOINT, EXIT_ERROR, EXIT_FAILURES, EXIT_OK, EXIT_STOPPED,
                                 MiningIncomplete, Options, RunContext, today)
from scripts.hub.defenses import DefensesJob, SampleSpec
from scripts.hub.listing import Lister
from scripts.hub.manifest import manifest as run_manifest

__all__ = ["DEFAULT_ENDPOINT", "EXIT_ERROR", "EXIT_FAILURES", "EXIT_OK", "EXIT_STOPPED", "MiningIncomplete",
           "Options", "main", "parse_args", "run"]


def run(opts: Options) -> dict:
    """Mine (or resume mining) into opts.out; returns the manifest written to snapshot.json.

    Raises MiningIncomplete when the listing failed after all retries or the Hub is down (run again
    to resume) and ResumeError when opts.out cannot be used.
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
                        connections=opts.workers + 2, down_after=opts.down_after) as session:
            ctx = RunContext(opts, folder, session)
            if not folder.state["listing_done"]:
                Lister(ctx, previous).mine_models()
            if alias_ids is not None:
                resolve_aliases(ctx, alias_ids)
            elif previous is not None:
                carry_aliases(ctx, previous.folder)
            if opts.sample.enabled:
                try:
                    DefensesJob(folder, session, opts.sample, folder.previous, today(), ctx.commit,
                                opts.progress).run_all()
                except HubDown as e:
                    ctx.commit()
                    raise MiningIncomplete(str(e)) from None
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
    parser.add_argument("--sample-top", type=int, default=SampleSpec.top, metavar="N",
                        help="defenses (F12): ask the security scan status of the N most downloaded models, and "
                             f"whether their authors are verified organizations (default: {SampleSpec.top})")
    parser.add_argument("--sample-random", type=int, default=SampleSpec.random, metavar="N",
                        help="defenses (F12): also ask about N models and N authors drawn at random from all those "
                             f"listed (default: {SampleSpec.random}); one API request each; 0 with "
                             "--sample-top 0: no defenses requests")
    parser.add_argument("--seed", type=int, default=SampleSpec.seed,
                        help=f"seed of the random sample (default: {SampleSpec.seed})")
    parser.add_argument("--down-after", type=int, default=DOWN_AFTER, metavar="N",
                        help=f"stop (resumable) after N connection failures in a row: the Hub is down "
                             f"(default: {DOWN_AFTER}; 0: never)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    args = parser.parse_args(argv)
    for name in ("limit", "workers"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    for name in ("budget", "resolve_budget", "retries", "sample_top", "sample_random", "down_after"):
        if getattr(args, name) is not None and getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    budgets = {bucket: n for bucket, n in (("api", args.budget), ("resolvers", args.resolve_budget)) if n is not None}
    return Options(
        out=args.out, endpoint=os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT,
        token=os.environ.get("HF_TOKEN") or None, limit=args.limit, author=args.author, task=args.task,
        library=args.library, created_since=args.created_since, workers=args.workers, budgets=budgets,
        cards=args.cards, previous=args.previous, resolve_aliases=args.resolve_aliases,
        retries=args.retries, retry_wait=args.retry_wait, progress=args.progress,
        sample=SampleSpec(args.sample_top, args.sample_random, args.seed), down_after=args.down_after)


def same_command(argv: list[str], out: Path) -> str:
    """The command line of this run, with its --out: what resumes it, or retries what failed."""
    args = list(argv)
    if "--out" not in args and not any(a.startswith("--out=") for a in args):
        args = ["--out", str(out), *args]
    return shlex.join(["python", "-m", "scripts.mine_hub", *args])


def main(argv: list[str] | None = None) -> int:
    """Exit status: 0 complete, 1 error, 3 stopped (resume), 4 finished with failures (retry); see EXIT_*."""
    argv = sys.argv[1:] if argv is None else list(argv)
    opts = parse_args(argv)
    try:
        manifest = run(opts)
    except MiningIncomplete as e:
        print(f"mine_hub: {e}", file=sys.stderr)
        print(f"mine_hub: stopped before the end (exit status {EXIT_STOPPED}); the same command continues "
              f"where it stopped:\n    {same_command(argv, opts.out)}", file=sys.stderr)
        return EXIT_STOPPED
    except (ResumeError, SnapshotError, ValueError, OSError) as e:
        print(f"mine_hub: {e}", file=sys.stderr)
        return EXIT_ERROR
    stats = manifest["stats"]
    print(f"{opts.out}: {stats.get('models', 0)} models, {stats.get('cards', 0)} cards "
          f"({stats.get('cards_fetched', 0)} downloaded, {stats.get('cards_carried', 0)} carried over), "
          f"{stats.get('lineage', 0)} lineage, {stats.get('dependents', 0)} Spaces links, "
          f"{stats.get('aliases', 0)} aliases, {stats.get('security_scans', 0)} security scans, "
          f"{stats.get('authors', 0)} authors, {stats['failures']} failures")
    if stats["failures"]:
        what = ", ".join(f"{n} {kind}" for kind, n in stats["failures_by_what"].items())
        print(f"mine_hub: {stats['failures']} not fetched ({what}; listed in {opts.out / FAILURES}); "
              f"exit status {EXIT_FAILURES}. The same command fetches them again (and carries the rest over):\n"
              f"    {same_command(argv, opts.out)}", file=sys.stderr)
        return EXIT_FAILURES
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
