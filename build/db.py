"""Build the SQLite database from one raw snapshot, or several: `build(snapshot_dir or [dirs], db_path)`.

The builder is a pure, deterministic transform (no network, no wall-clock time in the output):
the same snapshot and builder code give the same rows. It

1. streams every record kind through `build.snapshot.iter_records()`, which checks each record
   and field against the snapshot format's one declaration (build.snapshot.KINDS) and names the
   file, line and field of anything wrong; redacts token-shaped strings (build/redact.py) and
   writes the rows in batches, so memory stays flat however large the snapshot;
2. computes the `models` table: the facts each model's most recent observations give (a temp
   table: a model observed once takes its row as it is, in SQL; the rows of a model observed more
   than once are folded in one streamed pass in recency order), then one INSERT ...
   SELECT over every table that names a model, grouped joins, no correlated subquery per model;
   never in Python dicts of all models;
3. adds the sources, snapshot and redactions tables, full-text indexes and views, and calls
   `build.findings.write(db)` last.

It writes to a temporary file beside the database (`<db>.tmp-<pid>`) and moves it into place
only when complete, so a failed or interrupted build leaves the previous database as it was; the
temporary files of builds that were killed (kill -9) are removed by the next build. When the database
already holds the same `input_hash` (snapshot files + builder code + queries/*.sql), the build
is skipped unless forced.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import operator
import os
import signal
import sqlite3
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict, namedtuple
from contextlib import closing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator, NamedTuple

import sqlite_utils
from tqdm import tqdm

from build import cards, combine, findings, identity, populations, schema, signatures, summaries
from build import facets
from build.redact import REPLACEMENT, Redactor
from build.redact import may_hold_token_bytes
from build.snapshot import (BOOL_OR_TEXT, KINDS, MODEL_IDS, Shape, SnapshotError, iter_line_spans,
                            parse_line_shape, remove_stale)

BUILDER_VERSION = "1"
ROOT = Path(__file__).resolve().parent.parent
BATCH_SIZE = 20_000
CARD_BATCH_SIZE = 2000  # card rows carry whole README texts
# Records are parsed, checked and turned into rows (cards analysed by build/cards.py, the costliest
# step) in worker processes when a kind's file is at least POOL_MIN_BYTES: CHUNK lines at a time,
# in TASK pieces (fewer for cards), results taken in file order, so the rows are the same as with
# one process. The main process reads the lines and writes the rows: a worker sends a task's rows
# as one serialized in-memory SQLite database (_Shard), which the main process copies into the
# tables by SQL, a transaction a task (so tasks are large: at 256 records the commits cost more).
POOL_MIN_BYTES = 4 * 2**20
WORKERS = max(1, min(4, os.cpu_count() or 1))
CHUNK, TASK = 4096, 1024
CARD_CHUNK, CARD_TASK = 512, 128

# Python's sqlite3 binds a None parameter by its adaptation protocol: no adapter registered for
# NoneType, it asks PrepareProtocol for `__adapt__`, whose AttributeError is raised and cleared for
# every None (a row of model_observations has about 14): half of the cost of a worker's executemany
# (_spans_shard). An adapter registered for NoneType is found first; {}.get gives None back, bound
# as NULL as before. The same values are stored, by every connection of this process.
sqlite3.register_adapter(type(None), {}.get)


# ---------------------------------------------------------------- inputs and the skip check

def input_hash(snapshot_dir: str | os.PathLike | list) -> str:
    """sha256 of everything the database depends on: snapshot files (of every snapshot, in the
    order given), builder code, queries/*.sql."""
    folders = [Path(f) for f in snapshot_dir] if isinstance(snapshot_dir, (list, tuple)) else [Path(snapshot_dir)]
    files = [(f"snapshot{'' if i == 0 else i}/{name}", folder / name)
             for i, folder in enumerate(folders)
             for name in ["snapshot.json", *(f"{kind}.jsonl" for kind in KINDS)]
             if (folder / name).exists()]
    for _, path in files:
        if not path.is_file():  # a folder, or a device such as /dev/zero that never ends
            raise SnapshotError(f"{path}: not a regular file")
    files += [(f"build/{p.name}", p) for p in sorted((ROOT / "build").glob("*.py"))]
    files += [(p.relative_to(ROOT).as_posix(), p) for p in sorted((ROOT / "queries").rglob("*.sql"))]
    digest = hashlib.sha256()
    for label, path in files:
        digest.update(f"{label}\0{path.stat().st_size}\0".encode())
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def stored_input_hash(db_path: Path) -> str | None:
    """The input_hash an existing database was built from (None if it is not one of ours)."""
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM snapshot WHERE key = 'input_hash'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def table_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows per table; full-text index tables and SQLite's own (sqlite_stat1) left out."""
    fts = {f"{table}_fts" for table in [*schema.FTS_CONFIG, *schema.CARDS_FTS_CONFIG]}
    return {name: db[name].count for name in db.table_names()
            if not name.startswith("sqlite_") and not any(name == f or name.startswith(f + "_") for f in fts)}


# ---------------------------------------------------------------- the build

def sibling_path(db_path: str | os.PathLike, name: str) -> Path:
    """A sibling database (schema.SIBLINGS) beside a main database: ptm_reuse.db, "cards" -> ptm_reuse_cards.db."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}_{name}{db_path.suffix}")


def sibling_paths(db_path: str | os.PathLike) -> dict[str, Path]:
    """name -> path of every sibling database beside db_path (whether or not it exists)."""
    return {name: sibling_path(db_path, name) for name in schema.SIBLINGS}


def cards_db_path(db_path: str | os.PathLike) -> Path:
    """The cards database beside a main database: ptm_reuse.db -> ptm_reuse_cards.db."""
    return sibling_path(db_path, "cards")


def attach_siblings(conn: sqlite3.Connection, db_path: str | os.PathLike, paths: dict | None = None,
                    mode: str = "ro") -> list[str]:
    """ATTACH each sibling database of db_path that exists (or those of `paths`, name -> file, e.g.
    where a server serves them) to `conn` under its name (cards, observations), read-only (mode
    "ro"; "immutable" for files that cannot change while served; "rw" to write them): the main
    database's SQL then reads their tables unqualified. Returns the names attached, in SIBLINGS order.
    A researcher with the downloaded files does the same: ATTACH 'ptm_reuse_cards.db' AS cards."""
    query = {"ro": "mode=ro", "rw": "mode=rw", "immutable": "immutable=1"}[mode]
    attached = []
    for name, path in (sibling_paths(db_path) if paths is None else paths).items():
        if path is not None and Path(path).exists():
            conn.execute(f"ATTACH DATABASE ? AS [{name}]", [f"{Path(path).resolve().as_uri()}?{query}"])
            attached.append(name)
    return attached


def connect(db_path: str | os.PathLike, mode: str = "ro") -> sqlite3.Connection:
    """sqlite3.connect(db_path) with its sibling databases attached (attach_siblings(), read-only
    unless mode says otherwise)."""
    conn = sqlite3.connect(db_path)
    attach_siblings(conn, db_path, mode=mode)
    return conn


def stored_sibling_hash(path: Path) -> str | None:
    """The input_hash of the build that wrote a sibling database (None if it is not one of ours)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM build WHERE key = 'input_hash'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def build(snapshot_dir: str | os.PathLike | list, db_path: str | os.PathLike,
          progress: bool = True, force: bool = False) -> dict:
    """Build db_path, and the sibling databases beside it (sibling_paths(): the cards, the
    observations), from a raw snapshot folder, or several (a list: see build/combine.py); return
    {"skipped", "input_hash", "tables", "cards_db", "cards_tables", "siblings": {name: {"path", "tables"}}}.

    Raises SnapshotError (naming file, record and field) on bad input; every file is then unchanged.
    """
    folders = [Path(f) for f in snapshot_dir] if isinstance(snapshot_dir, (list, tuple)) else [Path(snapshot_dir)]
    snapshot_dir, db_path = ", ".join(map(str, folders)), Path(db_path)
    paths = sibling_paths(db_path)
    parts = combine.plan(folders)
    digest = input_hash(folders)
    if (not force and db_path.exists() and stored_input_hash(db_path) == digest
            and all(p.exists() and stored_sibling_hash(p) == digest for p in paths.values())):
        print(f"{db_path} is up to date with {snapshot_dir} (input hash {digest[:12]}): "
              "not rebuilt (use --force to rebuild anyway)", file=sys.stderr)
        with sqlite_utils.Database(db_path) as db:
            return _summary(True, digest, table_counts(db), paths)

    db_path.parent.mkdir(parents=True, exist_ok=True)
    # Beside the databases (same file system, so os.replace is atomic); one name per process.
    # Those of builds that were killed (their process is gone) are removed first.
    for path in (db_path, *paths.values()):
        for stale in remove_stale(path.parent, f"{path.name}.tmp-"):
            if progress and not stale.name.startswith(f"{path.name}.tmp-{os.getpid()}"):
                print(f"removed {stale}, left by a build that was killed", file=sys.stderr)
    tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    tmps = {name: path.with_name(f"{path.name}.tmp-{os.getpid()}") for name, path in paths.items()}
    try:
        with sqlite_utils.Database(tmp) as db:
            try:
                _fill(db, tmps, parts, digest, progress)
            except BaseException as e:
                # Ctrl-C can land after a `db.atomic()` ran BEGIN and before its body: that transaction's
                # generator is then kept alive by this traceback, and would roll back once the
                # connection is closed ("Exception ignored ... closed database"). Finish it now.
                traceback.clear_frames(e.__traceback__)
                raise
            counts = table_counts(db)
        for path in (*tmps.values(), tmp):
            with open(path, "rb+") as f:
                os.fsync(f.fileno())
        # The siblings first: a build stopped between the renames leaves new siblings beside the
        # old main file, whose input_hash differs, so the next build rebuilds them all.
        for name, path in tmps.items():
            os.replace(path, paths[name])
        os.replace(tmp, db_path)
    except BaseException:  # a bad record, a bug or Ctrl-C: drop the partial files, keep the old DBs
        for path in (tmp, *tmps.values()):
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise
    return _summary(False, digest, counts, paths)


def _summary(skipped: bool, digest: str, counts: dict, paths: dict[str, Path]) -> dict:
    siblings = {}
    for name, path in paths.items():
        with sqlite_utils.Database(path) as sibling:
            siblings[name] = {"path": path, "tables": table_counts(sibling)}
    return {"skipped": skipped, "input_hash": digest, "tables": counts, "siblings": siblings,
            "cards_db": paths["cards"], "cards_tables": siblings["cards"]["tables"]}


def _fill(db: sqlite_utils.Database, tmps: dict[str, Path], parts: list, digest: str, progress: bool) -> None:
    # Fresh files that are thrown away on failure need no journal.
    for name, path in tmps.items():
        with sqlite_utils.Database(path) as sibling:
            sibling.execute("PRAGMA journal_mode = OFF")
            schema.create_sibling_tables(sibling, name)
            sibling["build"].insert_all([{"key": "input_hash", "value": digest},
                                         {"key": "builder_version", "value": BUILDER_VERSION}])
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")  # 256 MiB of page cache (indexes built, models computed)
    db.execute("PRAGMA temp_store = FILE")
    # The temp schema (the models step's temp tables, the UNION and sort b-trees of MODELS_SQL) has a
    # cache of its own, 2 MiB by default: at 2,000,000 models its b-trees were read back page by page.
    db.execute("PRAGMA temp.cache_size = -262144")
    # The rows of the siblings' tables go straight into them, attached to the same connection under
    # their names (as when served): the build's SQL reads them unqualified.
    for name, path in tmps.items():
        db.execute(f"ATTACH DATABASE ? AS [{name}]", [str(path)])
        db.execute(f"PRAGMA [{name}].journal_mode = OFF")
        db.execute(f"PRAGMA [{name}].synchronous = OFF")
        # An attached database has a cache of its own, SQLite's default 2 MiB: model_observations and
        # card_sections (random-order inserts into their keys, then joined by the models step, the
        # trends and the summaries) get the same 256 MiB the main file has.
        db.execute(f"PRAGMA [{name}].cache_size = -262144")
    schema.create_tables(db, indexes=False)  # the secondary indexes once the rows are in: faster
    pool = _RecordPool()
    clock = _Clock(progress, pool)

    writer = _Writer(db, Redactor())
    counts: Counter[tuple[str, str]] = Counter()  # (source, kind) -> records
    with pool:
        for kind in KINDS:
            numbered = _numbered(kind)
            n = 0  # numbers the records of a kind across every snapshot (the id of keyless tables)
            for part in parts:
                folder, manifest = part.folder, part.manifest
                total = manifest.get("stats") or {}
                path = folder / f"{kind}.jsonl"
                bar = tqdm(iter_line_spans(folder, kind), desc=f"{kind:<18}", unit=" records",
                           total=total.get(kind) if isinstance(total.get(kind), int) else None,
                           disable=not progress, file=sys.stderr, mininterval=1)
                context = _Context(kind, str(path), frozenset(s["id"] for s in manifest["sources"]),
                                   frozenset(part.skip), dict(part.rename))
                add = writer.add_values
                for item in pool.rows(context, bar, path):
                    if isinstance(item, _Shard):  # a worker's rows, many records at once
                        if item.failure is not None:
                            raise item.failure
                        writer.add_shard(item, n, numbered)
                        n += item.records
                        for source, records in item.sources.items():
                            counts[source, kind] += records
                        writer.redactor.counts.update(item.redactions)
                        continue
                    source, rows, redactions = item
                    n += 1
                    counts[source, kind] += 1
                    if redactions:
                        writer.redactor.counts.update(redactions)
                    for name, row in rows:
                        if name in numbered:
                            row[0] = n  # the id (usage_id) column comes first
                        add(name, row)
                writer.flush()
            clock.lap(f"loaded {kind}")

    _say(progress, "sources, snapshot facts, indexes, models ...")
    for part in parts:
        _write_sources(writer, part.source_entries(), counts)
    _write_snapshot(writer, parts, counts, digest)
    _write_signatures(writer)
    writer.flush()
    _finish(db, tmps, writer.redactor, clock, progress)


def _finish(db: sqlite_utils.Database, tmps: dict[str, Path], redactor: Redactor, clock: "_Clock",
            progress: bool) -> None:
    """What is computed from the loaded rows: indexes, model identity, `models`, the full-text
    indexes, the summaries, the facet counts and the findings."""
    db_file = Path(db.execute("PRAGMA main.database_list").fetchone()[2])  # the file being built
    # The model aliases (build/identity.py) are found from the loaded rows, in Python mostly, on a
    # connection of their own in a thread, while this one builds the indexes (SQLite works without
    # Python's lock): every file is in WAL mode for the while, so that one reads while the other
    # writes (the main and observations files back to no journal after; the cards file stays, see
    # below). The indexes change no row, so the aliases are those found after them.
    for name in ["main", *tmps]:
        db.execute(f"PRAGMA [{name}].journal_mode = WAL")
    aliases = _Background(_find_aliases, db_file, tmps)
    try:
        schema.create_indexes(db, tables=set(schema.TABLES) - {"models"})  # models' once it is filled
    finally:
        aliases.join()
    clock.lap("indexes, model aliases found")
    _say(progress, "model identity ...")
    identity.apply(db, aliases.result)
    _rewrite_card_texts(db)
    db.conn.commit()
    for name in ["main", *(n for n in tmps if n != CARDS_SCHEMA)]:
        db.execute(f"PRAGMA [{name}].journal_mode = OFF")
    # The cards database is complete but for its full-text index: built in a thread, on its own
    # connection (SQLite works without Python's lock), while the main database is finished here,
    # reading the cards from this connection. So that both can, the file stays in WAL mode (back to
    # a rollback journal once done); its statistics are written first, from here.
    db.execute(f"ANALYZE {CARDS_SCHEMA}")
    clock.lap("identity")
    fts = _Background(_finish_cards_db, tmps["cards"])
    try:
        _observation_facts(db)
        for sql in LICENSES_SQL:
            db.execute(sql)
        db.execute(MODELS_SQL)
        for table in ("observation_facts", "card_facts", "dependent_licenses"):
            db.execute(f"DROP TABLE temp.{table}")
        db.conn.commit()
        schema.create_indexes(db, tables={"models"})
        _write_redactions(db, redactor)
        clock.lap("models")
        _say(progress, "compacting, full-text indexes, views, findings ...")
        _compact(db)
        clock.lap("compacting")
        schema.ensure_db_shape(db)
        # before the findings: without statistics the planner picks plans 100x slower (the cards
        # database has its own: written above, it is the full-text index thread's to write now)
        for name in ["main", *(n for n in tmps if n != CARDS_SCHEMA)]:
            db.execute(f"ANALYZE [{name}]")
        clock.lap("models_fts, views, analyze")
        # The populations and the summary tables the canned queries read (build/summaries.py), on
        # two connections at once: a helper thread's reads the main file while this one writes it,
        # so the main file is in WAL mode for the while (back to no journal after).
        db.conn.commit()
        db.execute("PRAGMA main.journal_mode = WAL")
        # The build-time facet counts of the models table (build/facets.py) are filled on this
        # connection beside the helper's summaries too (at 2,000,000 models 8 s on one core after them).
        summaries.write(db, connect=lambda: _connection(db_file, tmps),
                        alongside=lambda: (populations.write(db), facets.write(db, finish=False)))
        db.conn.commit()
        db.execute("PRAGMA main.journal_mode = OFF")
        clock.lap("populations, summaries, facet counts")
        facets.index_and_analyze(db)
        findings.write(db)
        clock.lap("findings")
    finally:
        fts.join()
    clock.lap("cards database full-text index (waited for)")
    for name in tmps:
        db.execute(f"DETACH DATABASE [{name}]")
    with sqlite_utils.Database(tmps[CARDS_SCHEMA]) as cards_db:
        cards_db.execute("PRAGMA journal_mode = DELETE")  # the WAL written into the file, and removed


def _connection(db_file: Path, tmps: dict[str, Path]) -> sqlite3.Connection:
    """Another connection to the database being built, its siblings attached as on the build's,
    with a smaller page cache (64 MiB a file): for reading (build/summaries.py's helper)."""
    conn = sqlite3.connect(db_file)
    for name in ["main", "temp", *attach_siblings(conn, db_file, paths=tmps, mode="rw")]:
        conn.execute(f"PRAGMA [{name}].cache_size = -65536")
    return conn


def _compact(db: sqlite_utils.Database) -> None:
    """What VACUUM gave the main file, at a fraction of its cost (at 2,000,000 models 13.1 s and a
    copy of the whole file): the keys of the tables (their automatic indexes) rebuilt full, by a
    sort. Filled a row at a time (the loaded tables in no order; models' in key order, but split
    half-full), they hold the only slack of the file (at 200,000 models 300 of 23,339 pages: models'
    183, lineage's 97, repositories' 20; no free page); every other b-tree is written sorted, full.
    The pages they free are taken by what is written next (the full-text index, the summaries): the
    synth-200000 file is as large as VACUUM left it, to the byte. No row, and no rowid, changes. Rows
    that model identity rewrote (build/identity.py) keep some slack VACUUM took back: the default
    database is 50 pages larger (70,561,792 bytes, +0.3%)."""
    for (name,) in db.execute("SELECT name FROM main.sqlite_master WHERE type = 'index' "
                              "AND name LIKE 'sqlite_autoindex_%' ORDER BY name").fetchall():
        db.execute(f"REINDEX main.[{name}]")
    db.conn.commit()


def _find_aliases(db_file: Path, tmps: dict[str, Path]) -> list[dict]:
    with closing(_connection(db_file, tmps)) as conn:
        # The sort of every mention may take helper threads (SQLite's PRAGMA threads): the indexes
        # end first, their core is then idle. Its output is the same (distinct keys, no aggregate).
        # At 2,000,000 models this thread's CPU 14.1 -> 10.8 s, the process's 14.1 -> 16.8 s; the
        # indexes' sorts (in memory) gain nothing.
        conn.execute("PRAGMA threads = 2")
        return identity.find(conn)


def _finish_cards_db(cards_tmp: Path) -> None:
    with sqlite_utils.Database(cards_tmp) as cards_db:
        cards_db.execute("PRAGMA synchronous = OFF")
        schema.ensure_cards_db_shape(cards_db)


class _Background:
    """A function run in a thread; join() waits for it and raises what it raised."""

    def __init__(self, function, *args):
        self.error: BaseException | None = None
        self.result = None  # what the function returned

        def run():
            try:
                self.result = function(*args)
            except BaseException as e:  # handed to join()
                self.error = e

        self.thread = threading.Thread(target=run, daemon=True)  # daemon: Ctrl-C does not wait for it
        self.thread.start()

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


class _Clock:
    """Prints how long each step took, wall and CPU seconds (the build and its worker processes;
    with progress on): where a big build spends its time. CPU seconds say more on a loaded machine."""

    def __init__(self, progress: bool, pool: "_RecordPool"):
        self.progress, self.pool, self.start = progress, pool, time.perf_counter()
        self.last, self.last_cpu = self.start, self.pool.cpu_seconds()

    def lap(self, what: str) -> None:
        now, cpu = time.perf_counter(), self.pool.cpu_seconds()
        if self.progress:
            print(f"  {what}: {now - self.last:.1f} s, {cpu - self.last_cpu:.1f} CPU s "
                  f"(total {now - self.start:.1f} s)", file=sys.stderr)
        self.last, self.last_cpu = now, cpu


# What turning one kind's lines of one snapshot into rows needs (sent to the workers).
_Context = namedtuple("_Context", "kind path source_ids skip rename")


def _line_rows(context: _Context, lineno: int, line: bytes) -> tuple[str, list, Counter] | None:
    """(source, [(table, row)], redactions) of one line, its rows (lists of values in COLUMNS[table]
    order: no column names to pickle back to the main process) redacted (build/redact.py) and
    the redactions counted per (table, column); None for a record of a source an earlier snapshot
    gave (build/combine.py). Rows of numbered tables get their id (and code_usage_models their
    usage_id) from the main process, which counts the records."""
    kind, path, source_ids, skip, rename = context
    where = f"{path}:{lineno}"
    record, shape = parse_line_shape(kind, line, where, source_ids)
    if record["source"] in skip:
        return None
    if record["source"] in rename:
        record = {**record, "source": rename[record["source"]]}  # the same shape: the key keeps its place
    if shape is not None and kind in _PLAIN_KINDS:
        # One row, of the record's own values (or their JSON text): where the line holds no token's
        # beginning, none of them does (build.snapshot.signature(): no \\u escape in the line), so
        # there is nothing to redact.
        row = _values(kind, record, shape)
        if _NUMBERED_KIND[kind]:
            row[0] = 0
        if may_hold_token_bytes(line):
            redactor = Redactor()
            redactor.values(_KIND_TABLE[kind], COLUMNS[_KIND_TABLE[kind]], row)
            return record["source"], [(_KIND_TABLE[kind], row)], redactor.counts or None
        return record["source"], [(_KIND_TABLE[kind], row)], None
    redactor = Redactor()
    rows = redactor.rows(list(_rows(kind, record, 0, where)), COLUMNS)
    return record["source"], rows, redactor.counts or None  # None: nothing to send back (most records)


def _lines_rows(context: _Context, items: list[tuple[int, bytes]]) -> list:
    """_line_rows() of each line, stopping at the first error, which is returned in its place (the
    main process raises it when it gets there, so the first bad line is the one reported)."""
    out = []
    for lineno, line in items:
        try:
            out.append(_line_rows(context, lineno, line))
        except Exception as e:  # SnapshotError, or analyze()'s RuntimeError: raised in order by the main process
            out.append(_Failed(e))
            break
    return out


def _spans_rows(context: _Context, spans: list[tuple[int, int, int]]) -> list:
    """_lines_rows() of the lines given as (line number, offset, length) in context.path, read
    here, in the worker: cheaper than pickling them over from the main process, which has read
    them once already (to number and check them: build.snapshot.iter_line_spans())."""
    start = spans[0][1]
    with open(context.path, "rb") as f:
        f.seek(start)
        data = f.read(spans[-1][1] + spans[-1][2] - start)
    return _lines_rows(context, [(lineno, data[offset - start:offset - start + length])
                                 for lineno, offset, length in spans])


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def _numbered(kind: str) -> frozenset[str]:
    """The tables of a kind's rows whose first column is the record's number among the kind's
    records (from 1, across every snapshot): the id of a keyless kind's table, and the usage_id
    of code_usage_models."""
    table = schema.KIND_TABLES[kind]
    return frozenset([table] if schema.TABLES[table]["pk"] == "id" else []) | {"code_usage_models"}


class _Shard(NamedTuple):
    """A worker's rows of one task (the lines of _spans_rows()), in an in-memory SQLite database
    serialized into one bytes object: each table named and ordered as COLUMNS says, its rows in
    file order, numbered from 1 within the task. The main process copies them into the tables by
    SQL (_Writer.add_shard()), which costs it far less than receiving and binding each row."""
    data: bytes | None  # None: no rows
    tables: tuple[str, ...]
    records: int  # the records kept (those of a source an earlier snapshot gave are not)
    sources: Counter  # source -> records
    redactions: Counter  # (table, column) -> values redacted
    failure: BaseException | None  # the first bad line's error; the rows are those before it


def _spans_shard(context: _Context, spans: list[tuple[int, int, int]]) -> _Shard:
    """_spans_rows() of the lines, as a _Shard."""
    results = _spans_rows(context, spans)
    failure = results.pop().error if results and isinstance(results[-1], _Failed) else None
    numbered = _numbered(context.kind)
    tables: dict[str, list[list]] = {}
    sources: Counter = Counter()
    redactions: Counter = Counter()
    records = 0
    card_keys = set()
    for result in results:
        if result is None:
            continue
        source, rows, counts = result
        records += 1
        sources[source] += 1
        if counts:
            redactions.update(counts)
        for name, row in rows:
            if name in numbered:
                row[0] = records
            elif name == "cards":
                key = (row[0], row[1])  # (model_id, source)
                if key in card_keys:  # a repeated card: its sections replace the earlier one's (_Writer)
                    tables["card_sections"] = [r for r in tables.get("card_sections", ()) if (r[0], r[1]) != key]
                card_keys.add(key)
            tables.setdefault(name, []).append(row)
    if not tables:
        return _Shard(None, (), records, sources, redactions, failure)
    conn = sqlite3.connect(":memory:")
    try:
        for name, rows in tables.items():
            columns = COLUMNS[name]
            conn.execute(f"CREATE TABLE [{name}] ({', '.join(f'[{c}]' for c in columns)})")
            conn.executemany(f"INSERT INTO [{name}] VALUES ({', '.join('?' * len(columns))})", rows)
        conn.commit()
        data = conn.serialize()
    finally:
        conn.close()
    return _Shard(data, tuple(tables), records, sources, redactions, failure)


def _analyse(text: str, tags) -> tuple[bool, object]:
    """(True, cards.analyze() result) or (False, the error's repr): errors are reported by the
    main process, with the record's file and line."""
    try:
        return True, cards.analyze(text, tags)
    except Exception as e:  # analyze() never raises by design; a bug is reported, not hidden
        return False, repr(e)


def _worker_init() -> None:
    # The main process handles Ctrl-C and SIGTERM (and stops the workers); a worker just ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # What the worker inherits from the main process (modules, the build's state) lives as long as it
    # does: out of the garbage collector's passes, which otherwise walk it all again and again while
    # the worker makes rows (and copy its pages, written by the walk).
    gc.freeze()


class _RecordPool:
    """Worker processes that turn lines into rows, started on the first large file. A worker that
    dies (killed, out of memory) fails the build (BrokenProcessPool) instead of hanging it."""

    def __init__(self):
        self.pool = None

    def cpu_seconds(self) -> float:
        """CPU seconds of this process, its ended children and the live workers (Linux's /proc)."""
        times = os.times()
        cpu = times.user + times.system + times.children_user + times.children_system
        for pid in list(getattr(self.pool, "_processes", None) or ()):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError, IndexError):  # not Linux, or the worker just ended
                pass
        return cpu

    def __enter__(self) -> "_RecordPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def rows(self, context: _Context, lines, path: Path) -> Iterator[tuple[str, list, Counter] | _Shard]:
        """The rows of `lines` (iter_line_spans() of `path`), in file order: from a small file, each
        kept line's (source, redacted rows, redactions), made here; from a large one, _Shards of
        many lines each, made by the worker processes."""
        if WORKERS < 2 or not path.exists() or path.stat().st_size < POOL_MIN_BYTES:
            for lineno, _, line in lines:
                result = _line_rows(context, lineno, line)
                if result is not None:
                    yield result
            return
        if self.pool is None:
            self.pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_worker_init)
        size, task = (CARD_CHUNK, CARD_TASK) if context.kind == "cards" else (CHUNK, TASK)
        pending = None
        chunk: list[tuple[int, int, int]] = []  # (line number, offset, length): the workers read the lines
        read_error = None
        try:
            for lineno, offset, line in lines:
                chunk.append((lineno, offset, len(line)))
                if len(chunk) >= size:
                    # the workers turn this chunk into rows while the main process writes the one before
                    started = self._start(context, chunk, task)
                    if pending is not None:
                        yield from self._finish(pending)
                    pending, chunk = started, []
        except SnapshotError as e:  # a line too long or cut off: reported after any earlier bad record
            read_error = e
        started = self._start(context, chunk, task) if chunk else None
        if pending is not None:
            yield from self._finish(pending)
        if started is not None:
            yield from self._finish(started)
        if read_error is not None:
            raise read_error

    def _start(self, context, chunk, task) -> list:
        return [self.pool.submit(_spans_shard, context, chunk[i:i + task]) for i in range(0, len(chunk), task)]

    @staticmethod
    def _finish(futures: list) -> Iterator[_Shard]:
        for future in futures:
            yield future.result()


CARDS_SCHEMA = "cards"  # the cards database's schema name, attached to the main one (schema.SIBLINGS)


def _rewrite_card_texts(db: sqlite_utils.Database) -> None:
    """The card texts follow their cards through build/identity.py's merges: the same UPDATE OR
    IGNORE and DELETE on a table of the same key and row order keep the same rows; checked."""
    with db.atomic():
        db.execute(f"UPDATE OR IGNORE {CARDS_SCHEMA}.card_texts SET model_id = "
                   "(SELECT new_id FROM model_aliases a WHERE a.old_id = card_texts.model_id) "
                   "WHERE model_id IN (SELECT old_id FROM model_aliases)")
        db.execute(f"DELETE FROM {CARDS_SCHEMA}.card_texts WHERE model_id IN (SELECT old_id FROM model_aliases)")
    unmatched = db.execute(
        f"SELECT (SELECT count(*) FROM cards) - (SELECT count(*) FROM {CARDS_SCHEMA}.card_texts), "
        f"(SELECT count(*) FROM cards c LEFT JOIN {CARDS_SCHEMA}.card_texts t "
        "ON t.model_id = c.model_id AND t.source = c.source WHERE t.model_id IS NULL)").fetchone()
    if unmatched != (0, 0):
        raise RuntimeError(f"the cards database's texts do not match the cards table: {unmatched}")


def _say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr)


# ---------------------------------------------------------------- records -> rows

# json.dumps(value, ensure_ascii=False[, sort_keys=True]) without building an encoder per call
_JSON_TEXT = json.JSONEncoder(ensure_ascii=False).encode
_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _value(column_type, value):
    """One checked field as SQLite stores it (JSON text for lists/objects, 0/1 for bools)."""
    if column_type is bool:
        return int(value) if value != "" else value  # "" (taken as missing by the checks) is stored as given
    if column_type is BOOL_OR_TEXT and isinstance(value, bool):
        return "true" if value else "false"
    if column_type is list or column_type is MODEL_IDS:
        return _JSON_TEXT(value)
    if column_type is dict:
        return _JSON_SORTED(value)
    return value


# The column types _value() changes a value of; any other value is stored as it is.
_CONVERTED_TYPES = frozenset({bool, BOOL_OR_TEXT, list, MODEL_IDS, dict})


def _convert(table: str, record: dict) -> dict:
    """A full row of `table` (every column, None where the record has nothing) from a checked record."""
    columns = schema.TABLES[table]["columns"]
    renamed = schema.RENAMED.get(table, {})
    row = dict.fromkeys(columns)
    for field, value in record.items():
        column = renamed.get(field, field)
        if value is not None and column in columns:
            column_type = columns[column]
            row[column] = _value(column_type, value) if column_type in _CONVERTED_TYPES else value
    return row


_PLAIN_TYPES = frozenset({str, int, float, type(None)})  # not bool: type(True) is bool
_JSON_STRING = json.encoder.encode_basestring  # the C function the encoder above uses for a str


def _json_strings(value: list) -> str:
    """_JSON_TEXT of a list of strings: what the encoder writes, without its own Python calls
    (encode_basestring raises TypeError on anything not a str)."""
    return f"[{', '.join(map(_JSON_STRING, value))}]"


def _jsonable(value):
    """A card field as SQLite stores it: lists and objects as JSON text, bools as 0/1."""
    if type(value) in _PLAIN_TYPES:  # most values: checked first
        return value
    if type(value) is list:
        if not value:
            return "[]"  # one string object for them all, as the encoder's: pickled once a batch
        # A list of strings (every list a card has), written as the encoder writes it without the
        # encoder's own Python calls; encode_basestring raises TypeError on anything not a str.
        try:
            return _json_strings(value)
        except TypeError:
            return _JSON_SORTED(value)
    if isinstance(value, (list, dict)):
        return _JSON_SORTED(value)
    if isinstance(value, bool):
        return int(value)
    return value


# Every table's columns in the order of its rows' values: the rows travel from the workers and into
# the INSERTs as lists of values in this order (no column names repeated in each row).
COLUMNS = {table: tuple(spec["columns"]) for table, spec in {**schema.TABLES, **schema.CARDS_TABLES}.items()}
_POSITIONS = {table: {column: i for i, column in enumerate(columns)} for table, columns in COLUMNS.items()}


def _layout(kind: str) -> dict[str, tuple[int, object]]:
    """field -> (position in the row, the column's type if _value() converts it, else None) of
    each field of a kind's records that its table stores: _convert() for a checked record."""
    table = schema.KIND_TABLES[kind]
    columns, renamed = schema.TABLES[table]["columns"], schema.RENAMED.get(table, {})
    layout = {}
    for field in KINDS[kind]:
        column = renamed.get(field, field)
        if column in columns:
            layout[field] = (_POSITIONS[table][column], columns[column] if columns[column] in _CONVERTED_TYPES else None)
    assert len({i for i, _ in layout.values()}) == len(layout), f"two fields of {kind} share a column"
    return layout


_LAYOUTS = {kind: _layout(kind) for kind in KINDS}
_KIND_TABLE = schema.KIND_TABLES
_NUMBERED_KIND = {kind: table in _numbered(kind) for kind, table in _KIND_TABLE.items()}
# The kinds whose record is one row of its own values (_rows() gives nothing else): _line_rows() makes
# that row by the record's shape when the quick check passed it.
_PLAIN_KINDS = frozenset(KINDS) - {"cards", "code_usages", "code_calls"}


def _values(kind: str, record: dict, shape: tuple | None = None) -> list:
    """The row of a kind's table a checked record becomes, as values in COLUMNS order (None where
    the record has nothing): what _convert() gives, without the column names. With the record's
    shape (build.snapshot.signature()), by that shape's plan: the values picked in one step."""
    if shape is not None:
        pick, conversions = shape.rows or _row_plan(kind, shape)
        row = list(pick((*record.values(), None)))
        for i, convert in conversions:
            row[i] = convert(row[i])
        return row
    layout = _LAYOUTS[kind]
    row = [None] * len(COLUMNS[schema.KIND_TABLES[kind]])
    for field, value in record.items():
        if value is not None:
            spot = layout.get(field)
            if spot is not None:
                i, column_type = spot
                row[i] = value if column_type is None else _value(column_type, value)
    return row


_BOOL_TEXT = {False: "false", True: "true"}.__getitem__


def _row_plan(kind: str, shape: Shape) -> tuple:
    """(pick, conversions) for records of a shape signature() found fine, kept in shape.rows:
    pick(values + (None,)) gives the row's values in COLUMNS order (the final None where the record
    has no such field), and each (position, convert) of `conversions` gives the stored form of a
    value, as _value() does (a list of this shape holds only strings: signature() checked)."""
    names, types = shape.names, shape.types
    table = schema.KIND_TABLES[kind]
    picks = [len(names)] * len(COLUMNS[table])
    conversions = []
    for i, (name, value_type) in enumerate(zip(names, types)):
        spot = _LAYOUTS[kind].get(name)
        if spot is None:
            continue
        position, column_type = spot
        picks[position] = i
        if column_type is None or value_type is type(None):
            continue
        if column_type is bool:
            conversions.append((position, int))
        elif column_type is BOOL_OR_TEXT:
            if value_type is bool:
                conversions.append((position, _BOOL_TEXT))
        elif column_type is list or column_type is MODEL_IDS:
            conversions.append((position, _json_strings))
        elif column_type is dict:
            conversions.append((position, _JSON_SORTED))
        else:
            raise AssertionError(f"no conversion for a column of type {column_type!r}")
    assert len(picks) > 1
    shape.rows = (operator.itemgetter(*picks), tuple(conversions))
    return shape.rows


def _card_section(model_id: str, source: str, section: dict) -> list:
    """The card_sections row of one section of build.cards.analyze() (its fields' types are fixed:
    the one bool, is_filler, is stored as 0/1)."""
    return [model_id, source, section["position"], section["canonical"], section["heading"], section["level"],
            section["words"], int(section["is_filler"])]


_CARD = _POSITIONS["cards"]
# CARD_FIELDS are consecutive columns of `cards`: an analysis that gives exactly them, in their
# order, fills that span of the row in one step.
_CARD_FIELD_SPAN_START = _CARD[next(iter(schema.CARD_FIELDS))]
_CARD_FIELD_SPAN_END = _CARD_FIELD_SPAN_START + len(schema.CARD_FIELDS)
_CARD_FIELD_ORDER = COLUMNS["cards"][_CARD_FIELD_SPAN_START:_CARD_FIELD_SPAN_END]
assert _CARD_FIELD_ORDER == tuple(schema.CARD_FIELDS)
assert COLUMNS["cards"][:2] == COLUMNS["card_sections"][:2] == COLUMNS["card_texts"][:2] == ("model_id", "source")
assert COLUMNS["card_texts"] == ("model_id", "source", "observed", "text")
assert COLUMNS["card_sections"] == ("model_id", "source", "position", "canonical", "heading", "level", "words",
                                    "is_filler")
assert all(COLUMNS[table][0] == "id" for table, spec in schema.TABLES.items() if spec["pk"] == "id")
assert COLUMNS["code_usage_models"][0] == "usage_id"


_TRAINER_RESULTS_PHRASE_UTF8 = schema.TRAINER_RESULTS_PHRASE.encode()


def _has_trainer_results_phrase(text: str) -> bool:
    """The phrase is in the text, its ASCII letters in any case, as SQLite's LIKE matches it. str.lower()
    folds ASCII letters as LIKE does, and no other character into this phrase's letters (only U+0130
    and U+212A lower into ASCII: "i" + U+0307 and "k"). Of a non-ASCII text, its UTF-8 bytes folded
    by bytes.lower() (ASCII letters only): the same answer, several times faster than str.lower()."""
    if text.isascii():
        return schema.TRAINER_RESULTS_PHRASE in text.lower()
    return _TRAINER_RESULTS_PHRASE_UTF8 in text.encode("utf-8", "surrogatepass").lower()


def _rows(kind: str, record: dict, n: int, where: str, analysis: tuple | None = None) -> Iterator[tuple[str, list]]:
    """The (table, row) pairs one snapshot record becomes, each row its values in COLUMNS[table]
    order. `n` numbers the records of a kind (the first value of a numbered table's row and of
    code_usage_models'); `analysis` is a card's (ok, build.cards.analyze() result or error), see _analyse()."""
    table = schema.KIND_TABLES[kind]
    row = _values(kind, record)
    if schema.TABLES[table]["pk"] == "id":
        row[0] = n  # no natural key: the record's position is its id
    if kind == "code_calls":  # the Hub pipeline_tag the task a call names stands for
        row[_POSITIONS[table]["task_tag"]] = signatures.canonical_task(record.get("task"))
    if kind != "cards":
        yield table, row
    if kind == "code_usages":
        for model_id in dict.fromkeys(record.get("model_ids") or ()):
            if model_id:
                yield "code_usage_models", [n, model_id]
    elif kind == "cards":
        ok, result = analysis if analysis is not None else _analyse(record["text"], record.get("tags") or ())
        if not ok:
            raise RuntimeError(f"{where}: build.cards.analyze() failed on this card: {result}")
        card = result["card"]
        if tuple(card) == _CARD_FIELD_ORDER:  # the fields in COLUMNS order (analyze() gives them so)
            row[_CARD_FIELD_SPAN_START:_CARD_FIELD_SPAN_END] = map(_jsonable, card.values())
        else:
            undeclared = set(card) - set(schema.CARD_FIELDS)
            if undeclared:
                raise RuntimeError(f"build.cards.analyze() returns field(s) {sorted(undeclared)} that "
                                   "build/schema.py CARD_FIELDS does not declare")
            for name, value in card.items():
                row[_CARD[name]] = _jsonable(value)
        # The row is complete before it is handed over: the writer may redact and write it at once.
        text = record["text"]
        row[_CARD["trainer_results_list"]] = int(_has_trainer_results_phrase(text))
        model_id, source = row[_CARD["model_id"]], row[_CARD["source"]]
        yield table, row
        yield "card_texts", [model_id, source, row[_CARD["observed"]], text]
        for section in result["sections"]:
            yield "card_sections", _card_section(model_id, source, section)


class _Writer:
    """Buffers rows per table and writes them in batches: plain executemany of INSERT OR REPLACE of
    every column, one transaction a batch (the rows are complete and typed already, their values
    in COLUMNS order: nothing to convert).

    Rows of a key already written are replaced (the later record wins), except model
    observations, which are merged: a later record of the same model and source fills in or
    overrides the fields it gives and adds the keys of its `extra` object (json_patch).
    """

    def __init__(self, db: sqlite_utils.Database, redactor: Redactor):
        self.db = db
        self.redactor = redactor
        self.pending: dict[str, list[list]] = defaultdict(list)
        self.card_keys: set[tuple[str, str]] = set()
        self.shards: list[tuple[_Shard, int, frozenset[str]]] = []  # not yet written (add_shard())

    def add(self, table: str, row: dict, redacted: bool = False) -> None:
        """Add a row given as a dict of columns (those it lacks are NULL)."""
        unknown = set(row) - set(COLUMNS[table])
        if unknown:
            raise ValueError(f"table {table} has no column(s) {sorted(unknown)}")
        if not redacted:
            row = self.redactor.row(table, row)
        self.add_values(table, [row.get(column) for column in COLUMNS[table]])

    def add_values(self, table: str, row: list) -> None:
        """Add a row given as its values in COLUMNS[table] order, redacted already."""
        if self.shards:  # a worker's rows given before go first
            self._write_shards()
        if table == "cards":
            key = (row[0], row[1])  # (model_id, source)
            if key in self.card_keys:  # a repeated card: write the first before taking the second
                self.flush()
            self.card_keys.add(key)
        rows = self.pending[table]
        rows.append(row)
        if len(rows) >= (CARD_BATCH_SIZE if table in ("cards", "card_texts") else BATCH_SIZE):
            self.flush()

    def add_shard(self, shard: _Shard, before: int, numbered: frozenset[str]) -> None:
        """Copy a worker's rows into their tables by SQL, in TABLES order as flush() writes them
        (a card's old sections deleted before its sections go in), the numbered tables' numbers
        offset by `before`, the kind's records before the shard's. Written with the next ones:
        SHARDS_PER_COMMIT shards a transaction (or fewer, by flush() or add_values())."""
        if self.pending:  # rows given one by one go first (a small file of the same kind before)
            self.flush()
        if shard.data is None:
            return
        self.shards.append((shard, before, numbered))
        if len(self.shards) >= SHARDS_PER_COMMIT:
            self._write_shards()

    def _write_shards(self) -> None:
        """Write the shards add_shard() was given, in their order, in one transaction: each commit
        writes every page the transaction changed, and many of them (the keys' b-trees) are the same
        pages shard after shard. Each shard is attached under its own name (shard0, shard1, ...) before
        the transaction (SQLite attaches none within one) and detached after it: attached afresh, as
        SQLite would keep the schema it read from the last one when the new one has the same schema
        version (tables in another order, other root pages)."""
        conn = self.db.conn
        names = [f"{_SHARD}{i}" for i in range(len(self.shards))]
        for name, (shard, _, _) in zip(names, self.shards):
            conn.execute(f"ATTACH DATABASE ':memory:' AS {name}")
            conn.deserialize(shard.data, name=name)
        for name, (shard, before, numbered) in zip(names, self.shards):
            for table in sorted(shard.tables, key=_TABLE_ORDER.index):
                columns = ", ".join(f"[{c}] + {int(before)}" if i == 0 and table in numbered else f"[{c}]"
                                    for i, c in enumerate(COLUMNS[table]))
                if table == "cards":  # a replaced card's old sections go with it
                    conn.execute(f"DELETE FROM card_sections WHERE (model_id, source) IN "
                                 f"(SELECT model_id, source FROM {name}.cards)")
                conn.execute(_insert_sql(table, f"SELECT {columns} FROM {name}.[{table}] WHERE true ORDER BY rowid"))
        conn.commit()
        for name in names:
            conn.execute(f"DETACH DATABASE {name}")
        self.shards.clear()

    def flush(self) -> None:
        if self.shards:
            self._write_shards()
        conn = self.db.conn
        with self.db.atomic():
            # In TABLES order: a card is written (and its old sections deleted) before its sections.
            for table in sorted(self.pending, key=_TABLE_ORDER.index):
                rows = self.pending[table]
                if table == "cards":  # a replaced card's old sections go with it
                    conn.executemany("DELETE FROM card_sections WHERE model_id = ? AND source = ?",
                                     [(r[0], r[1]) for r in rows])
                conn.executemany(_INSERTS[table], rows)
        self.pending.clear()
        self.card_keys.clear()


def _insert_sql(table: str, rows: str | None = None) -> str:
    """The INSERT of a table's rows: given as parameters (VALUES (?, ...), in COLUMNS order), or
    by `rows`, a SELECT of them (with a WHERE clause: SQLite's rule for an upsert's SELECT)."""
    rows = rows or f"VALUES ({', '.join('?' for _ in COLUMNS[table])})"
    if table == "model_observations":
        return _observations_sql(rows)
    where = CARDS_SCHEMA if table in schema.CARDS_TABLES else schema.TABLE_FILE.get(table)
    name = f"[{where}].[{table}]" if where else f"[{table}]"
    return f"INSERT OR REPLACE INTO {name} ({', '.join(f'[{c}]' for c in COLUMNS[table])}) {rows}"


_SHARD = "shard"  # the schema names a worker's rows (_Shard) are read from: shard0, shard1, ...
# Shards written a transaction (_Writer._write_shards()), each attached: SQLite attaches at most 10
# databases (SQLITE_MAX_ATTACHED's default), the siblings are attached already.
SHARDS_PER_COMMIT = 10 - len(schema.SIBLINGS)


_TABLE_ORDER = list(dict.fromkeys([*schema.TABLES, *schema.CARDS_TABLES]))
_OBSERVATION_COLUMNS = list(schema.TABLES["model_observations"]["columns"])


def _observations_sql(rows: str) -> str:
    return (
        f"INSERT INTO model_observations ({', '.join(f'[{c}]' for c in _OBSERVATION_COLUMNS)}) {rows} "
        "ON CONFLICT (model_id, source) DO UPDATE SET "
        + ", ".join(f"[{c}] = coalesce(excluded.[{c}], [{c}])"
                    for c in _OBSERVATION_COLUMNS if c not in ("model_id", "source", "extra"))
        + ", extra = CASE WHEN excluded.extra IS NULL THEN extra WHEN extra IS NULL THEN excluded.extra"
          " ELSE json_patch(extra, excluded.extra) END"
    )


_INSERTS = {table: _insert_sql(table) for table in COLUMNS}


# ---------------------------------------------------------------- sources, snapshot, redactions

def _write_sources(writer: _Writer, sources: list[dict], counts: Counter) -> None:
    # read_manifest() has checked every source and file entry against the snapshot format.
    for source in sources:
        by_kind = {kind: n for (source_id, kind), n in sorted(counts.items()) if source_id == source["id"]}
        writer.add("sources", _convert("sources", {
            **{k: v for k, v in source.items() if k in schema.TABLES["sources"]["columns"]},
            "rows_contributed": sum(by_kind.values()), "rows_by_kind": by_kind}))
        for file in source.get("files") or []:
            writer.add("source_files", _convert("source_files", {**file, "source": source["id"]}))


def _write_snapshot(writer: _Writer, parts: list, counts: Counter, digest: str) -> None:
    records: Counter[str] = Counter()
    for (_, kind), n in counts.items():
        records[kind] += n
    if len(parts) == 1:
        manifest = parts[0].manifest
        about = {key: manifest.get(key) for key in ("format", "name", "producer", "created", "description")}
        stats = manifest.get("stats")
    else:  # several snapshots: one name, the newest date, and each snapshot in `snapshots`
        manifests = [p.manifest for p in parts]
        about = {"format": manifests[0].get("format"),
                 "name": " + ".join(m["name"] for m in manifests),
                 "producer": ", ".join(dict.fromkeys(m["producer"] for m in manifests)),
                 "created": max((m.get("created") or "" for m in manifests), default="") or None,
                 "description": " ".join(f"[{m['name']}] {m.get('description') or ''}".strip() for m in manifests)}
        stats = {m["name"]: m.get("stats") for m in manifests if m.get("stats")}
    facts = {
        **about,
        "snapshots": combine.describe(parts),
        "stats": json.dumps(stats, sort_keys=True) if stats else None,
        "records": json.dumps(dict(sorted(records.items()))),
        "input_hash": digest,
        "builder_version": BUILDER_VERSION,
    }
    for key, value in facts.items():
        writer.add("snapshot", {"key": key, "value": None if value is None else str(value)})


def _write_signatures(writer: _Writer) -> None:
    """The method as data: build/signatures.py, which the scanner applies, into reuse_signatures."""
    for sig in signatures.SIGNATURES:
        writer.add("reuse_signatures", _convert("reuse_signatures", sig.row()))
    for row in signatures.compatibility_rows():
        writer.add("pipeline_task_compatibility", row)


def _write_redactions(db: sqlite_utils.Database, redactor: Redactor) -> None:
    """Counts per (table, column): those the writer made, plus the marks `models` inherited."""
    counts = Counter(redactor.counts)
    columns = [column for column, column_type in schema.TABLES["models"]["columns"].items()
               if schema.storage_type(column_type) is str]
    marks = db.execute(  # every text column in one pass; replace() only where a mark is
        "SELECT " + ", ".join(f"coalesce(sum(CASE WHEN instr([{column}], :m) THEN "
                              f"(length([{column}]) - length(replace([{column}], :m, ''))) / length(:m) ELSE 0 END), 0)"
                              for column in columns) + " FROM models", {"m": REPLACEMENT}).fetchone()
    for column, n in zip(columns, marks):
        if n:
            counts["models", column] += n
    db["redactions"].insert_all(
        [{"table_name": t, "column_name": c, "redacted": n} for (t, c), n in sorted(counts.items())])


# ---------------------------------------------------------------- the models table, in SQL

# The facts of `models` that come from observations, in recency order within each model (the
# newest first, undated ones after every dated one, ties broken by source id): for each column the
# first value that is set. A model with one observation (most of them: 1,895,965 of 2,000,000 at
# Hub size) takes its row's values as they are, in one INSERT ... SELECT over the table in stored
# order; the others' rows are folded in Python while they stream past in recency order (a per-model
# correlated subquery per column took most of the models step: 326 s at 2,000,000 models; every
# model's rows in recency order, read through the key and folded in Python, 56 CPU s).
# Written to temp.observation_facts, which MODELS_SQL joins.
LATEST_COLUMNS = ["author", "last_modified", "pipeline_tag", "library_name", "license", "downloads_30d",
                  "downloads_all_time", "likes", "parameters", "has_card", "gated"]
OBSERVATION_FACTS = ["model_id", *LATEST_COLUMNS, "downloads_observed", "downloads_source",
                     "in_paper_snapshot", "created_at", "in_registry"]
REGISTRY_SQL = "SELECT id FROM sources WHERE coverage = 'registry'"
# the models observed more than once (by more than one source: the key is (model_id, source))
OBSERVED_AGAIN_SQL = [
    "CREATE TEMP TABLE observed_again (model_id PRIMARY KEY) WITHOUT ROWID",
    "INSERT INTO temp.observed_again SELECT model_id FROM model_observations GROUP BY model_id HAVING count(*) > 1",
]
OBSERVED_ONCE_SQL = (
    f"INSERT INTO temp.observation_facts SELECT model_id, {', '.join(f'[{c}]' for c in LATEST_COLUMNS)}, "
    "CASE WHEN downloads_30d IS NOT NULL THEN observed END, CASE WHEN downloads_30d IS NOT NULL THEN source END, "
    f"in_paper_snapshot, created_at, coalesce(source IN ({REGISTRY_SQL}), 0) "
    "FROM model_observations WHERE model_id NOT IN (SELECT model_id FROM temp.observed_again)")
RECENCY_SQL = (f"SELECT model_id, source, observed, in_paper_snapshot, created_at, "
               f"{', '.join(f'[{c}]' for c in LATEST_COLUMNS)} FROM model_observations "
               "WHERE model_id IN (SELECT model_id FROM temp.observed_again) "
               "ORDER BY model_id, observed IS NULL, observed DESC, source")


def _observation_facts(db: sqlite_utils.Database) -> None:
    """temp.observation_facts: one row per observed model (OBSERVATION_FACTS), see above."""
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.observation_facts")
    conn.execute("DROP TABLE IF EXISTS temp.observed_again")
    # no column types: the values keep the types they have in model_observations. The rows are in
    # the b-tree of the key (WITHOUT ROWID; no index beside the table), the once-observed put in
    # sorted by it, then the others (in key order too): MODELS_SQL, which reads the models in key
    # order, then reads this table in order, not a random page of it for each model (at 2,000,000
    # models: here 16.6 -> 22.2 CPU s, MODELS_SQL 44.9 -> 34.2; in no order 29.6 here)
    conn.execute(f"CREATE TEMP TABLE observation_facts ({OBSERVATION_FACTS[0]} PRIMARY KEY, "
                 f"{', '.join(OBSERVATION_FACTS[1:])}) WITHOUT ROWID")
    for sql in OBSERVED_AGAIN_SQL:
        conn.execute(sql)
    conn.execute(OBSERVED_ONCE_SQL + " ORDER BY model_id")
    registry = {s for (s,) in conn.execute(REGISTRY_SQL)}
    n = len(LATEST_COLUMNS)
    downloads = LATEST_COLUMNS.index("downloads_30d")

    def facts():
        rows = conn.cursor().execute(RECENCY_SQL)
        current, latest = None, None
        for model_id, source, observed, in_paper, created, *values in rows:
            if model_id != current:
                if current is not None:
                    yield (current, *latest, observed_at, downloads_from, paper, first_created, in_registry)
                current, latest = model_id, values
                observed_at = downloads_from = None
                if values[downloads] is not None:
                    observed_at, downloads_from = observed, source
                paper, first_created, in_registry = in_paper, created, source in registry
                continue
            for i in range(n):
                if latest[i] is None and values[i] is not None:
                    latest[i] = values[i]
                    if i == downloads:
                        observed_at, downloads_from = observed, source
            if in_paper is not None and (paper is None or in_paper > paper):
                paper = in_paper
            if created is not None and (first_created is None or created < first_created):
                first_created = created
            in_registry = in_registry or source in registry
        if current is not None:
            yield (current, *latest, observed_at, downloads_from, paper, first_created, in_registry)

    conn.executemany(f"INSERT INTO temp.observation_facts VALUES ({', '.join('?' * len(OBSERVATION_FACTS))})",
                     facts())
    conn.execute("DROP TABLE temp.observed_again")
    conn.commit()


# A model's license when no observation gives one: its most recent card's that gives one, else the
# license its reuse links record most often (temp tables keyed by model, which MODELS_SQL joins).
# The cards' facts (the best score, the license) come from one pass over the cards (a pass for the
# license and another, through the key, for the score: 9.0 + 4.6 CPU s at 2,000,000 models), the
# table read in stored order and sorted (NOT INDEXED), not walked by its key with a lookup of each
# row (13.1 -> 9.4 CPU s at 2,000,000 models; the same rows: the window's order is total).
LICENSES_SQL = [
    """CREATE TEMP TABLE card_facts (model_id PRIMARY KEY, card_score, license)""",
    """INSERT INTO temp.card_facts
       SELECT model_id, card_score, license FROM (
         SELECT model_id, license, max(score) OVER w AS card_score, row_number() OVER w AS k
         FROM cards NOT INDEXED
         WINDOW w AS (PARTITION BY model_id ORDER BY license IS NULL, observed IS NULL, observed DESC, source
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
       WHERE k = 1""",
    """CREATE TEMP TABLE dependent_licenses (model_id PRIMARY KEY, license)""",
    """INSERT INTO temp.dependent_licenses
       SELECT model_id, license FROM (
         SELECT model_id, model_license AS license,
                row_number() OVER (PARTITION BY model_id ORDER BY count(*) DESC, model_license) AS k
         FROM dependents WHERE model_license IS NOT NULL GROUP BY model_id, model_license)
       WHERE k = 1""",
]

MODELS_SQL = f"""
WITH mentions AS (
  SELECT model_id, source FROM model_observations
  UNION ALL SELECT model_id, source FROM cards
  UNION ALL SELECT model_id, source FROM lineage
  UNION ALL SELECT base_model_id, source FROM lineage
  UNION ALL SELECT model_id, source FROM dependents
  UNION ALL SELECT cm.model_id, cu.source FROM code_usage_models cm JOIN code_usages cu ON cu.id = cm.usage_id
  UNION ALL SELECT model_id, source FROM code_calls WHERE model_id IS NOT NULL
  UNION ALL SELECT model_id, source FROM extracted_metadata
),
-- each (model, source) once: GROUP BY sorts (sequential passes over temp files), where UNION
-- inserted every mention into a temp b-tree with a 2 MiB cache (13 GB of reads at 2,000,000 models)
g AS (
  SELECT model_id, json_group_array(source) AS seen_in, count(*) AS n_sources
  FROM (SELECT model_id, source FROM mentions GROUP BY model_id, source ORDER BY model_id, source)
  GROUP BY model_id
),
dependent_counts AS (
  SELECT model_id,
         count(DISTINCT dependent) FILTER (WHERE kind = 'github') AS github,
         count(DISTINCT dependent) FILTER (WHERE kind = 'space') AS spaces
  FROM dependents GROUP BY model_id
),
child_counts AS (
  SELECT base_model_id AS model_id, count(DISTINCT model_id) AS children FROM lineage GROUP BY base_model_id
),
usage_counts AS (
  SELECT model_id, count(DISTINCT usage_id) AS files FROM code_usage_models GROUP BY model_id
)
INSERT INTO models (
  model_id, author, in_paper_snapshot, seen_in, n_sources, created_at, last_modified,
  pipeline_tag, library_name, license, downloads_30d, downloads_observed, downloads_source,
  downloads_all_time, likes, parameters, has_card, gated, card_score,
  github_dependents, space_dependents, derived_models, code_usages, is_hub_id)
SELECT
  g.model_id,
  CASE WHEN instr(g.model_id, '/') > 0 THEN substr(g.model_id, 1, instr(g.model_id, '/') - 1)
       ELSE f.author END,
  coalesce(f.in_paper_snapshot, 0),
  g.seen_in,
  g.n_sources,
  f.created_at,
  f.last_modified,
  f.pipeline_tag,
  f.library_name,
  coalesce(f.license, card_facts.license, dependent_licenses.license),
  f.downloads_30d,
  f.downloads_observed,
  f.downloads_source,
  f.downloads_all_time,
  f.likes,
  f.parameters,
  coalesce(f.has_card, CASE WHEN card_facts.model_id IS NOT NULL THEN 1 END),
  f.gated,
  card_facts.card_score,
  coalesce(dependent_counts.github, 0),
  coalesce(dependent_counts.spaces, 0),
  coalesce(child_counts.children, 0),
  coalesce(usage_counts.files, 0),
  -- an id without owner is a Hub id only if a registry population lists it (build/identity.py)
  instr(g.model_id, '/') > 0 OR coalesce(f.in_registry, 0)
FROM g
LEFT JOIN temp.observation_facts f ON f.model_id = g.model_id
LEFT JOIN temp.card_facts card_facts ON card_facts.model_id = g.model_id
LEFT JOIN temp.dependent_licenses dependent_licenses ON dependent_licenses.model_id = g.model_id
LEFT JOIN dependent_counts ON dependent_counts.model_id = g.model_id
LEFT JOIN child_counts ON child_counts.model_id = g.model_id
LEFT JOIN usage_counts ON usage_counts.model_id = g.model_id
"""
