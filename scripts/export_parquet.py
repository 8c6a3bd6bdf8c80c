"""Export a built database as Parquet, one file per table, for publishing as a Hugging Face dataset.

    python -m scripts.export_parquet DB OUT_FOLDER

Every table of the database (not the full-text index tables, not SQLite's own) becomes
`OUT_FOLDER/<table>.parquet`, read in batches so memory stays flat. Columns keep SQLite's values: JSON
lists and objects stay JSON text, booleans 0/1, as in the database and its documentation (metadata.yml).
The database is opened read-only; the builder already redacted it, so the export holds nothing the
published .db does not. See docs/publishing.md.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

BATCH = 10_000
_TYPES = {"INTEGER": pa.int64(), "REAL": pa.float64(), "FLOAT": pa.float64(), "TEXT": pa.string()}


def tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    fts = {n for n in names if n.endswith("_fts")}
    return [n for n in names if not n.startswith("sqlite_")
            and n not in fts and not any(n.startswith(f + "_") for f in fts)]


def export(db: str | Path, out: str | Path) -> dict[str, int]:
    """Write one Parquet file per table; returns {table: rows}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    counts = {}
    try:
        for table in tables(conn):
            columns = [(r[1], _TYPES.get((r[2] or "TEXT").upper(), pa.string()))
                       for r in conn.execute(f"PRAGMA table_info([{table}])")]
            schema = pa.schema(columns)
            cursor = conn.execute(f"SELECT * FROM [{table}]")
            rows = 0
            with pq.ParquetWriter(out / f"{table}.parquet", schema) as writer:
                while batch := cursor.fetchmany(BATCH):
                    arrays = [pa.array([row[i] for row in batch], type=t) for i, (_, t) in enumerate(columns)]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                    rows += len(batch)
            counts[table] = rows
    finally:
        conn.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.export_parquet", description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path, help="a database built by `python -m build`")
    parser.add_argument("out", type=Path, help="folder for the <table>.parquet files")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"export_parquet: {args.db}: no such database", file=sys.stderr)
        return 1
    try:
        counts = export(args.db, args.out)
    except (sqlite3.Error, pa.ArrowException, OSError) as e:
        print(f"export_parquet: {args.db}: {e}", file=sys.stderr)
        return 1
    print(f"{args.out}: {len(counts)} tables, {sum(counts.values()):,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
