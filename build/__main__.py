"""python -m build SNAPSHOT [SNAPSHOT ...] DB: build the SQLite database from a raw snapshot (see build/db.py)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from build.db import build
from build.snapshot import SnapshotError

DESCRIPTION = """\
Build the SQLite database DB (for Datasette) from the raw snapshot folder SNAPSHOT, or from
several (e.g. the default replication and mining runs; see build/combine.py): a snapshot given
twice is read once, a source found in two snapshots is read from the first, and source ids
that collide (every mining run's source is `hub`) become `<id>-<date>`, one population each.

Reads:  SNAPSHOT/snapshot.json (the manifest: name, producer, sources) and SNAPSHOT/<kind>.jsonl
        (one JSON record a line; see docs/snapshot-format.md). Nothing else: no network.
Writes: DB, a new SQLite file with the tables described in docs/database.md and metadata.yml
        (models, lineage, dependents, ..., sources, snapshot, redactions, findings), and beside
        it DB_cards (cards, card_sections, card_texts: e.g. ptm_reuse_cards.db) and
        DB_observations (model_observations). Token-shaped strings are replaced with [REDACTED].

The database is written to a temporary file beside DB (DB.tmp-<pid>) and moved into place only
when complete: a bad record (reported as file, line and field), Ctrl-C or SIGTERM leaves the
previous DB unchanged. Temporary files of builds that were killed are removed by the next build.
When DB was already built from the same inputs (snapshot files, builder code, queries/*.sql),
nothing is done unless --force is given.
"""


class Terminated(BaseException):
    """SIGTERM, raised where the build is, so that it cleans up as for Ctrl-C."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m build", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("snapshot", metavar="SNAPSHOT", type=Path, nargs="+",
                        help="raw snapshot folder(s) (e.g. snapshots/icse23-replication-2022 snapshots/hub-2026-12-01)")
    parser.add_argument("db", metavar="DB", type=Path, help="SQLite database to write (e.g. ptm_reuse.db)")
    parser.add_argument("--force", action="store_true", help="rebuild even when DB is up to date")
    parser.add_argument("--quiet", action="store_true", help="no progress bars or summary on stderr")
    args = parser.parse_args(argv)

    def terminate(signum, frame):
        raise Terminated(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, terminate)
    try:
        summary = build(args.snapshot, args.db, progress=not args.quiet, force=args.force)
    except SnapshotError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # an unreadable snapshot, an unwritable DB folder, a full disk
        print(f"error: {e.filename or ''}{': ' if e.filename else ''}{e.strerror or e}; "
              f"{args.db} is unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted: {args.db} is unchanged", file=sys.stderr)
        return 130
    except Terminated as e:
        print(f"stopped by {e}: {args.db} is unchanged", file=sys.stderr)
        return 128 + signal.SIGTERM
    if not args.quiet and not summary["skipped"]:
        siblings = summary["siblings"].values()
        width = max(map(len, [*summary["tables"], *(t for s in siblings for t in s["tables"])]))
        for tables, path in [(summary["tables"], args.db), *((s["tables"], s["path"]) for s in siblings)]:
            for table, rows in tables.items():
                print(f"{table:<{width}} {rows:>10,}", file=sys.stderr)
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
