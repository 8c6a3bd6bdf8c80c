"""One-command refresh of the mined dataset: mine incrementally, build every population, report what changed.

    python -m scripts.refresh [--snapshots snapshots] [--base SNAP ...] [--previous SNAP] [--out SNAP]
                              [--db DB] [--report FILE.json] [miner options, e.g. --author x --limit 1000]

1. The previous run is the newest finished hub snapshot under --snapshots (`hub-*` folders written
   by scripts/mine_hub.py with the same listing filters and --limit), unless --previous names one.
   An unfinished run folder there is resumed.
2. The miner runs with `--previous` (cards, scans and author answers of unchanged repositories are
   carried over; only new and changed repositories cost requests) into --out, by default
   `snapshots/hub-<UTC date>` (`-2`, `-3`, ... when that name is taken).
3. One database, --db (default `<out>.db`), is built from every population (build/combine.py): the
   --base snapshots (default: snapshots/icse23-replication-2022, the 2022 replication, when it is
   there), every finished run under --snapshots with the same filters and --limit, and the new run.
   Each run is its own population, `hub-<date>` (the source id `hub` of every run collides, so
   build/combine.py names it by date), and the `trends` table gains the new run's date (a filtered
   run is a sample: built, but not in `trends`). Of two runs with one date
   only the newer is built (one date, one population).
4. The report: models new, removed and changed (new commit sha) since the previous run; cards
   downloaded and carried over; each headline measure before and after (`headline_measures`, read
   from `trends`); the dates the trends table holds. When the previous run is not in the database
   (a run of the same day, or --previous outside --snapshots), it is built into `<previous>.db` to
   compare with.

Exit status: the miner's (docs/mining.md): 0 complete, 1 error, 3 the mining run stopped before its end
(nothing built; the same command resumes it), 4 the run finished with failures (built and reported;
the same command retries them).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from build.combine import plan
from build.db import attach_siblings, build, sibling_path
from build.snapshot import SnapshotError, read_manifest
from scripts import mine_hub
from scripts.hub.checkpoint import STATE
from scripts.hub.context import EXIT_ERROR, EXIT_FAILURES, EXIT_OK
from scripts.hub.records import SOURCE

LISTED = 20  # ids shown per change list in the printed report (the JSON report has them all)
DEFAULT_BASE = "icse23-replication-2022"  # the 2022 replication under --snapshots (Makefile: DEFAULT_SNAPSHOT)


def mined_runs(snapshots: Path, query: dict | None = None, limit: int | None = None) -> tuple[list[Path], list[Path]]:
    """(finished, unfinished) miner run folders under `snapshots`, oldest first; finished ones only with
    the listing filters `query` and the `limit` that stopped the listing (as snapshot.json's stats.query
    and stats.limit record them), when `query` is given: a run over other filters, or cut short at
    another count, listed other models, so comparing with it would report them all as new or removed."""
    finished, unfinished = [], []
    for folder in sorted(Path(snapshots).glob("hub-*")):
        if not folder.is_dir():
            continue
        if (folder / STATE).exists():
            unfinished.append(folder)
        elif (folder / "snapshot.json").exists():
            try:
                manifest = read_manifest(folder)
            except SnapshotError:
                continue
            if manifest.get("producer") == "scripts.mine_hub" and (
                    query is None or ((manifest.get("stats") or {}).get("query", {}),
                                      (manifest.get("stats") or {}).get("limit")) == (query, limit)):
                finished.append((manifest.get("created") or "", (folder / "snapshot.json").stat().st_mtime, folder))
    return [f for _, _, f in sorted(finished)], unfinished


def newest_per_date(runs: list[Path]) -> list[Path]:
    """Of finished runs (oldest first), the newest of each date: build/combine.py names each run's
    source `hub-<date>`, so two runs of one date cannot both be populations of one database."""
    by_date: dict[str, Path] = {}
    for folder in runs:
        by_date[read_manifest(folder).get("created") or folder.name] = folder
    return list(by_date.values())


def populations(folders: list[Path]) -> dict[Path, str]:
    """Each run folder's population (its hub source's id in the database built from `folders`)."""
    return {part.folder.resolve(): part.rename.get(SOURCE, SOURCE) for part in plan(folders)
            if SOURCE not in part.skip}


def new_folder(snapshots: Path) -> Path:
    base = Path(snapshots) / f"hub-{datetime.now(timezone.utc).date().isoformat()}"
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


def db_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + ".db")


# --- measures ---------------------------------------------------------------------------------------

# The headline measures of one population, as build/populations.py names them in `trends`.
MEASURES = {
    "models": "models listed",
    "median_downloads": "median 30-day downloads",
    "zero_downloads_share": "share with zero downloads",
    "top10_download_share": "download share of the top 10",
    "top100_download_share": "download share of the top 100",
    "top1000_download_share": "download share of the top 1,000",
    "card_share": "share with a model card (of those known)",
    "card_download_share": "downloads held by models with a card",
    "no_task_share": "share without a task",
    "no_license_share": "share without a license",
    "no_base_model_share": "share without a base model",
    "models_created_last_month": "models created in the last full month",
}


def headline_measures(db: str | Path, source: str) -> dict[str, float | int | None]:
    """The headline measures over the models one source observed (a mining run: every model it listed).

    Read from the database's `trends` table (build/populations.py: one row per population and measure)
    when it has the source's rows; computed here from its observations otherwise (a database built
    before that table existed, or a filtered run, which is a sample and not a population).
    """
    conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    attach_siblings(conn, db)  # model_observations is in the observations database beside it
    try:
        has_trends = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trends'").fetchone()
        if has_trends:
            rows = dict(conn.execute("SELECT measure, value FROM trends WHERE population = ?", [source]).fetchall())
            if rows:
                return {key: rows.get(key) for key in MEASURES}
        sql = """
        WITH m AS (SELECT model_id, coalesce(downloads_30d, 0) AS d, has_card, pipeline_tag, license
                   FROM model_observations WHERE source = :s),
        ranked AS (SELECT d, row_number() OVER (ORDER BY d DESC) AS r, count(*) OVER () AS n FROM m),
        total AS (SELECT sum(d) AS d FROM m)
        SELECT
          (SELECT count(*) FROM m) AS models,
          (SELECT avg(d) FROM (SELECT d FROM ranked WHERE r IN ((n + 1) / 2, (n + 2) / 2))) AS median_downloads,
          (SELECT avg(d = 0) FROM m) AS zero_downloads_share,
          (SELECT 1.0 * sum(d) / nullif((SELECT d FROM total), 0) FROM ranked WHERE r <= 10) AS top10_download_share,
          (SELECT 1.0 * sum(d) / nullif((SELECT d FROM total), 0) FROM ranked WHERE r <= 100) AS top100_download_share,
          (SELECT 1.0 * sum(d) / nullif((SELECT d FROM total), 0) FROM ranked WHERE r <= 1000) AS top1000_download_share,
          (SELECT avg(has_card) FROM m WHERE has_card IS NOT NULL) AS card_share,
          (SELECT 1.0 * sum(CASE WHEN has_card = 1 THEN d ELSE 0 END) / nullif(sum(d), 0) FROM m) AS card_download_share,
          (SELECT avg(pipeline_tag IS NULL) FROM m) AS no_task_share,
          (SELECT avg(license IS NULL) FROM m) AS no_license_share,
          (SELECT avg(NOT EXISTS (SELECT 1 FROM lineage l WHERE l.model_id = m.model_id AND l.source = :s))
           FROM m) AS no_base_model_share
        """
        cursor = conn.execute(sql, {"s": source})
        row = dict(zip((c[0] for c in cursor.description), cursor.fetchone()))
        return {key: row.get(key) for key in MEASURES}  # models_created_last_month: only from `trends`
    finally:
        conn.close()


def changes(previous_db: Path, new_db: Path, previous_source: str, new_source: str) -> dict[str, list[str]]:
    """Model ids new, removed and changed (another commit sha) between two runs' databases."""
    # model_observations is in the observations database beside each one (build/schema.py SIBLINGS)
    new_observations, old_observations = (sibling_path(db, "observations") for db in (new_db, previous_db))
    conn = sqlite3.connect(f"{new_observations.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS old", (f"{old_observations.resolve().as_uri()}?mode=ro",))
        params = {"old": previous_source, "new": new_source}
        new = "SELECT model_id, sha FROM main.model_observations WHERE source = :new"
        old = "SELECT model_id, sha FROM old.model_observations WHERE source = :old"
        def ids(sql):
            return [r[0] for r in conn.execute(sql, params)]
        return {
            "new": ids(f"SELECT model_id FROM ({new}) WHERE model_id NOT IN (SELECT model_id FROM ({old})) ORDER BY 1"),
            "removed": ids(f"SELECT model_id FROM ({old}) WHERE model_id NOT IN (SELECT model_id FROM ({new})) ORDER BY 1"),
            "changed": ids(f"SELECT n.model_id FROM ({new}) n JOIN ({old}) o USING (model_id) "
                           "WHERE n.sha IS NOT o.sha ORDER BY 1"),
        }
    finally:
        conn.close()


# --- report ---------------------------------------------------------------------------------------

def trend_dates(db: Path) -> list[dict]:
    """The populations the trends table has, by date (what a line chart of a measure draws)."""
    conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [{"date": d, "population": p} for d, p in conn.execute(
            "SELECT DISTINCT date, population FROM trends ORDER BY date, population")]
    finally:
        conn.close()


def report(out: Path, new_db: Path, population: str,
           previous: Path | None = None, previous_db: Path | None = None, previous_population: str | None = None,
           folders: list[Path] | None = None) -> dict:
    """The report of one refresh: `population` is the new run's in `new_db`, `previous_population` the
    previous run's in `previous_db` (the same database, unless the previous run could not be in it)."""
    manifest = read_manifest(out)
    stats = manifest.get("stats", {})
    result = {"previous": str(previous) if previous else None, "snapshot": str(out), "db": str(new_db),
              "date": manifest.get("created"), "population": population,
              "built_from": [str(f) for f in folders or [out]],
              "cards": {"fetched": stats.get("cards_fetched", 0), "carried_over": stats.get("cards_carried", 0)},
              "failures": stats.get("failures", 0), "after": headline_measures(new_db, population),
              "trends": trend_dates(new_db)}
    if previous is not None and previous_db is not None:
        result["previous_population"] = previous_population
        result["before"] = headline_measures(previous_db, previous_population)
        result["changes"] = changes(previous_db, new_db, previous_population, population)
    else:
        result["previous_population"] = result["before"] = result["changes"] = None
    return result


def _fmt(key: str, value) -> str:
    if value is None:
        return "n/a"
    if key.endswith("_share"):
        return f"{value:.2%}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def format_report(result: dict) -> str:
    lines = [f"Refresh: {result['previous'] or '(no previous run)'} -> {result['snapshot']} "
             f"(built into {result['db']})"]
    ch = result["changes"]
    if ch is None:
        lines.append(f"Models: {_fmt('models', result['after']['models'])} (no previous run to compare with)")
    else:
        lines.append(f"Models: {len(ch['new']):,} new, {len(ch['removed']):,} removed, "
                     f"{len(ch['changed']):,} changed (new commit)")
        for what in ("new", "removed", "changed"):
            if ch[what]:
                more = f" ... and {len(ch[what]) - LISTED:,} more" if len(ch[what]) > LISTED else ""
                lines.append(f"  {what}: " + ", ".join(ch[what][:LISTED]) + more)
    cards = result["cards"]
    lines.append(f"Cards: {cards['fetched']:,} downloaded, {cards['carried_over']:,} carried over unchanged"
                 + (f"; {result['failures']:,} not fetched (run again to retry)" if result["failures"] else ""))
    width = max(len(label) for label in MEASURES.values())
    lines.append(f"{'measure':<{width}}  {'before':>12}  {'after':>12}"
                 + (f"   ({result['previous_population']} -> {result['population']})" if result["before"] else ""))
    before = result["before"] or {}
    for key, label in MEASURES.items():
        lines.append(f"{label:<{width}}  {_fmt(key, before.get(key)):>12}  {_fmt(key, result['after'][key]):>12}")
    dates = sorted({t["date"] for t in result["trends"]})
    lines.append(f"Trends: {len(dates)} dates" + (f", {dates[0]} to {dates[-1]}" if dates else "")
                 + f" ({', '.join(t['population'] for t in result['trends'])})")
    folders = " ".join(shlex.quote(f) for f in result["built_from"])
    lines.append(f"Serve it: make serve SNAPSHOT={shlex.quote(folders)} DB={shlex.quote(result['db'])}")
    return "\n".join(lines)


# --- command line ---------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.refresh",
        description="Refresh the mined dataset: mine the Hub incrementally (the previous run as --previous), "
                    "build the database, and report the changes and headline measures before and after. "
                    "Options not listed here go to the miner (python -m scripts.mine_hub --help).")
    parser.add_argument("--snapshots", type=Path, default=Path("snapshots"),
                        help="folder of the hub-* mining runs (default: snapshots)")
    parser.add_argument("--previous", type=Path, help="the previous run (default: the newest finished hub-* folder)")
    parser.add_argument("--out", type=Path, help="the new run (default: an unfinished hub-* folder to resume, "
                                                 "else snapshots/hub-<UTC date>)")
    parser.add_argument("--db", type=Path, help="database to build, with every population (default: <out>.db)")
    parser.add_argument("--base", type=Path, action="append",
                        help="a snapshot built with the runs, e.g. the 2022 replication (repeatable; default: "
                             f"SNAPSHOTS/{DEFAULT_BASE} when it is there)")
    parser.add_argument("--no-base", action="store_true", help="build the mining runs only")
    parser.add_argument("--report", type=Path, help="also write the report as JSON to this file")
    args, miner_args = parser.parse_known_args(argv)

    opts = mine_hub.parse_args(["--out", "-", *miner_args])  # the miner's own reading of its options
    query = {k: v for k, v in {"author": opts.author, "task": opts.task, "library": opts.library,
                               "created_since": opts.created_since.isoformat() if opts.created_since else None
                               }.items() if v is not None}
    default_base = args.snapshots / DEFAULT_BASE
    bases = [] if args.no_base else args.base or ([default_base] if (default_base / "snapshot.json").exists() else [])
    for base in bases:  # checked before hours of mining, not after
        if not (base / "snapshot.json").is_file():
            print(f"refresh: {base / 'snapshot.json'}: no such file (--base names a finished snapshot folder; "
                  "the 2022 replication is made by `make snapshot`)", file=sys.stderr)
            return EXIT_ERROR
    finished, unfinished = mined_runs(args.snapshots, query, opts.limit)
    out = args.out or (unfinished[-1] if unfinished else new_folder(args.snapshots))
    previous = args.previous or next((f for f in reversed(finished) if f.resolve() != out.resolve()), None)
    command = ["--out", str(out), *(["--previous", str(previous)] if previous else []), *miner_args]
    print(f"refresh: python -m scripts.mine_hub {' '.join(command)}", file=sys.stderr)
    status = mine_hub.main(command)
    if status not in (EXIT_OK, EXIT_FAILURES):
        print(f"refresh: the mining run did not finish (exit status {status}); nothing built", file=sys.stderr)
        return status
    try:
        runs = [f for f in mined_runs(args.snapshots, query, opts.limit)[0] if f.resolve() != out.resolve()]
        runs = newest_per_date([*runs, out])  # `out` last: the newest of its date
        folders = [*bases, *runs]
        population = populations(folders)
        new_db = args.db or db_path(out)
        print(f"refresh: python -m build {' '.join(map(str, folders))} {new_db}", file=sys.stderr)
        build(folders, new_db, progress=False)
        previous_db = previous_population = None
        if previous is not None:
            if previous.resolve() in population:
                previous_db, previous_population = new_db, population[previous.resolve()]
            else:  # not a population of the new database: built alone (skipped when up to date)
                previous_db = db_path(previous)
                build(previous, previous_db, progress=False)
                previous_population = populations([previous])[previous.resolve()]
        result = report(out, new_db, population[out.resolve()], previous, previous_db, previous_population, folders)
    except (SnapshotError, OSError, sqlite3.Error) as e:
        print(f"refresh: {e}", file=sys.stderr)
        return EXIT_ERROR
    print(format_report(result))
    if args.report:
        args.report.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
