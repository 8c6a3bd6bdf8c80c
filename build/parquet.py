"""python -m build.parquet DB OUT: export the database to Parquet, for tools bigger than one SQLite file.

Writes, into a new folder OUT (built beside it and moved into place only when complete):

- `<table>.parquet` for every table (not SQLite's own or full-text-search tables, nor `facet_counts`:
  Datasette's facet counts, build/facets.py, whose value columns mix the facet columns' types, and
  which one GROUP BY of `models` gives again) of DB and of the sibling databases beside it
  (ptm_reuse.db -> ptm_reuse_cards.db: the cards, their texts and sections; ptm_reuse_observations.db:
  model_observations; built in the same run; not their `build` table, which only pairs them with DB),
  when they are there, so one folder holds every table under its own name; columns typed
  from their SQLite declared types: INTEGER -> int64, REAL/FLOAT/DOUBLE -> float64, BLOB -> binary,
  anything else (TEXT: ids, dates, JSON arrays) -> string; NULL stays null. A value that does not
  fit its column's type is an error naming table, column and rowid.
- `views/<view>.sql`: each view's SQL (a view is a query over the tables, not data).
- `queries/<name>.sql`: each canned query's SQL exactly as Datasette runs it (queries/*.sql).
- `manifest.json`: the rows, columns and types of each table, and which canned queries run
  unchanged on DuckDB over these files (NOT_ON_DUCKDB lists the others, with the reason;
  tests/test_parquet.py checks both lists against DuckDB).

Reads the database in batches: memory stays flat whatever the table sizes.
See docs/parquet.md for querying the export with DuckDB or Spark.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from build.db import sibling_paths
from build.findings import load_queries

BATCH_ROWS = 50_000

# Canned queries written in SQLite's own dialect, so that DuckDB cannot run them unchanged, and why
# (tests/test_parquet.py checks that these fail on DuckDB and that every other one gives SQLite's answer).
_EMPTY_PARAM = "tests an empty parameter with coalesce/length over text and numbers (SQLite's dynamic typing)"
_BARE = "selects a bare column in an aggregate query (SQLite picks a row; DuckDB requires GROUP BY)"
_CHAR = "builds paths with char(0) (SQLite's code point function; chr() in DuckDB)"
NOT_ON_DUCKDB: dict[str, str] = {
    "choose_model": _EMPTY_PARAM,
    "model_identity": "unions a JSON column (model_aliases.source) with text; DuckDB casts the union to JSON and fails",
    "f01_most_reused_models": _EMPTY_PARAM,
    "f04_popular_but_undocumented": _EMPTY_PARAM,
    "f04_popular_models_without_card": _EMPTY_PARAM,
    "f04_reused_models_without_card": _EMPTY_PARAM,
    "f05_eval_results_by_task": _EMPTY_PARAM,
    "f06_missing_attributes": "json functions over values that are not all JSON (SQLite's json_valid guard order)",
    "f07_base_model_fanout": _EMPTY_PARAM,
    "f07_dataset_fanout": _EMPTY_PARAM,
    "f07_dependency_concentration": "an aggregate inside FILTER",
    "f07_descendants_distribution": _BARE,
    "f08_reuse_link_licenses": _EMPTY_PARAM,
    "f09_most_loaded_models": _EMPTY_PARAM,
}


def duckdb_sql(sql: str) -> str:
    """A canned query's SQL for DuckDB's Python API: the same text, named parameters written $name."""
    return re.sub(r"(?<![:\w]):(\w+)", r"$\1", sql)


NOT_EXPORTED = {"facet_counts"}  # the serving side's facet counts (build/facets.py): mixed-type values


class ExportError(Exception):
    pass


def arrow_type(declared: str) -> pa.DataType:
    t = (declared or "").upper()
    if "INT" in t:
        return pa.int64()
    if any(k in t for k in ("REAL", "FLOA", "DOUB")):
        return pa.float64()
    if "BLOB" in t:
        return pa.binary()
    return pa.string()


def exported_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table but SQLite's own and the full-text-search index tables (rebuilt from the data)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return [name for name, _ in rows
            if not name.startswith("sqlite_") and name not in virtual and name not in NOT_EXPORTED
            and not any(name.startswith(v + "_") for v in virtual)]


def table_schema(conn: sqlite3.Connection, table: str) -> pa.Schema:
    cols = conn.execute("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", [table]).fetchall()
    return pa.schema([pa.field(name, arrow_type(declared)) for name, declared in cols])


def _batch(table: str, schema: pa.Schema, rows: list[tuple]) -> pa.RecordBatch:
    arrays = []
    for i, field in enumerate(schema):
        values = [row[i + 1] for row in rows]
        try:
            arrays.append(pa.array(values, type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as e:
            bad = next((row[0] for row in rows if not _fits(row[i + 1], field.type)), "?")
            raise ExportError(f"{table}.{field.name} (rowid {bad}): value does not fit the column's "
                              f"type {field.type}: {e}") from None
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _fits(value, type_: pa.DataType) -> bool:
    try:
        pa.array([value], type=type_)
        return True
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return False


def export_table(conn: sqlite3.Connection, table: str, path: Path) -> int:
    schema = table_schema(conn, table)
    columns = ", ".join(f'"{f.name}"' for f in schema)
    without_rowid = "WITHOUT ROWID" in (conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0] or "").upper()
    key = "NULL" if without_rowid else "rowid"
    cursor = conn.execute(f'SELECT {key}, {columns} FROM "{table}" ORDER BY {key}' if not without_rowid
                          else f'SELECT NULL, {columns} FROM "{table}"')
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        while rows := cursor.fetchmany(BATCH_ROWS):
            writer.write_batch(_batch(table, schema, rows))
            n += len(rows)
    if n == 0:  # an empty table still gets a file with its schema
        pq.write_table(schema.empty_table(), path, compression="zstd")
    return n


def export(db: Path, out: Path, progress: bool = False) -> dict:
    """Export DB into the folder OUT (replaced only when the export is complete). Returns the manifest."""
    db, out = Path(db), Path(out)
    if not db.exists():
        raise ExportError(f"{db}: no such database")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out.name + ".tmp", dir=out.parent))
    try:
        manifest: dict = {"database": db.name, "databases": [db.name], "tables": {}, "views": [], "queries": {}}
        connections = [(db.name, conn)]
        for sibling in sibling_paths(db).values():
            if sibling.exists():
                connections.append((sibling.name, sqlite3.connect(f"file:{sibling}?mode=ro", uri=True)))
                manifest["databases"].append(sibling.name)
        for database, source in connections:
            # a sibling's `build` table only pairs it with the main file (the snapshot table says the rest)
            for table in [t for t in exported_tables(source) if source is conn or t != "build"]:
                if table in manifest["tables"]:
                    raise ExportError(f"{database}: table {table} is also in "
                                      f"{manifest['tables'][table]['database']}; one folder cannot hold both")
                rows = export_table(source, table, tmp / f"{table}.parquet")
                schema = table_schema(source, table)
                manifest["tables"][table] = {"rows": rows, "file": f"{table}.parquet", "database": database,
                                             "columns": {f.name: str(f.type) for f in schema}}
                if progress:
                    print(f"{table:<24} {rows:>12,}  ({database})", file=sys.stderr)
        for _, source in connections[1:]:
            source.close()
        (tmp / "views").mkdir()
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name"):
            body = sql.split(" AS ", 1)[1] if " AS " in sql else sql
            (tmp / "views" / f"{name}.sql").write_text(body.strip() + "\n")
            manifest["views"].append(name)
        (tmp / "queries").mkdir()
        for name, query in load_queries().items():
            (tmp / "queries" / f"{name}.sql").write_text(query.sql.strip() + "\n")
            manifest["queries"][name] = {"file": f"queries/{name}.sql", "params": list(query.params),
                                         "duckdb": name not in NOT_ON_DUCKDB,
                                         **({"why_not": NOT_ON_DUCKDB[name]} if name in NOT_ON_DUCKDB else {})}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        conn.close()
        if out.exists():
            old = out.with_name(out.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out)
        return manifest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def duckdb_views(folder: Path) -> list[str]:
    """The statements that make the export's tables and views queryable by name in DuckDB."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    statements = [f"CREATE OR REPLACE VIEW \"{t}\" AS SELECT * FROM read_parquet('{folder / meta['file']}')"
                  for t, meta in manifest["tables"].items()]
    statements += [f'CREATE OR REPLACE VIEW "{v}" AS {(folder / "views" / f"{v}.sql").read_text()}'
                   for v in manifest["views"]]
    return statements


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m build.parquet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path, metavar="DB")
    parser.add_argument("out", type=Path, metavar="OUT", help="folder to write (replaced when complete)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        export(args.db, args.out, progress=not args.quiet)
    except ExportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
