"""Datasette plugin: safe serving. No single request may stall the server or blow its memory.

Datasette's `sql_time_limit_ms` bounds how long SQL runs, not how much it returns, and its
database download streams the file in 4 KiB pieces even for HEAD. This plugin adds, through
Datasette's own hooks:

- `prepare_connection`: every SQLite connection gets a length limit (no string or blob longer
  than MAX_VALUE_BYTES can be made, e.g. `randomblob(1000000000)` fails at once) and a row
  factory that stops a query once its rows hold more than MAX_RESULT_BYTES of text and blobs.
  Both errors are reported to the user as SQL errors (HTTP 400). A connection to the main
  database gets its sibling databases (ptm_reuse_cards.db, ptm_reuse_observations.db: the cards
  and the observations, build/schema.py SIBLINGS) attached read-only under their names (cards,
  observations) when they are served too, so canned queries and pages read their tables
  unqualified. A sibling not served is not attached: SQL that needs it fails with "no such table",
  which siblings_note() turns into a sentence saying which file holds the table.
- `register_routes`: `/<database>.db` served by `download()`: HEAD answers from the file's size
  alone, GET streams it in 1 MiB chunks read in a worker thread, with ETag/If-None-Match (304)
  and single byte ranges (206) so that a broken download can be resumed.
- `asgi_wrapper`: only GET, HEAD and OPTIONS reach Datasette (the instance is read-only: no
  writable canned queries, immutable databases), anything else is 405; every response carries
  security headers (CSP, X-Frame-Options, nosniff, Referrer-Policy). The CSP allows inline
  scripts and `eval` from this origin only, because Datasette's templates, the home page's
  charts and datasette-vega (Vega compiles its expressions with `new Function`) need them.
- `register_facet_classes`: Datasette's column facet, with each answer on an immutable database
  kept (per Datasette, the last FACET_CACHE_SIZE): the data cannot change while it is served, and a
  facet of the whole models table at Hub size counts two million rows. A facet that ran out of
  `facet_time_limit_ms` is queued to run in the background (FACET_FILL_MS, one at a time), so a
  later request has it. A facet of the models table, whole or filtered on one facet value, is
  answered from the build-time `facet_counts` (build/facets.py) without counting the table.
- `handle_exception`: Datasette's table view reports a bad `?_sort=` column as a 500, and fails
  with a 500 on a malformed `?_timelimit=` or `?_through=`; they are client errors, answered 400.

  It also ends a CSV stream (`?_stream=on`) after CSV_STREAM_SECONDS with a last line saying so
  (Datasette's own `max_csv_mb`, settings.json, bounds its bytes): Datasette pages through a
  table with a compound primary key by a WHERE clause SQLite cannot seek on, so each page of a
  stream costs more than the one before. The whole data is the .db download (and `make parquet`).
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
import time
import weakref
from collections import OrderedDict

from datasette import hookimpl
from datasette.database import QueryInterrupted, Results
from datasette.facets import ColumnFacet
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import Forbidden, NotFound, Response
from datasette.views.base import DatasetteError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # `datasette serve` does not run from the project's folder on sys.path
    sys.path.insert(0, ROOT)

from build.db import attach_siblings, sibling_path, sibling_paths  # noqa: E402
from build.schema import TABLE_FILE as SIBLING_TABLES  # noqa: E402

MAX_VALUE_BYTES = 8 * 2**20        # longest string or blob SQLite may build (longest real card: ~120 KB)
MAX_SQL_BYTES = 100_000            # longest SQL text
MAX_RESULT_BYTES = 32 * 2**20      # text and blob bytes one query may return
DOWNLOAD_CHUNK = 2**20
COALESCE_BYTES = 64 * 2**10    # streamed response bodies are sent in pieces of about this size
CSV_STREAM_SECONDS = 10        # a CSV stream (?_stream=on) ends after this long (and after max_csv_mb)
CSV_STOPPED = (f"\n[CSV stream stopped after its {CSV_STREAM_SECONDS} s budget: for whole tables download "
               "the database (.db) or the Parquet export]\n").encode()

SECURITY_HEADERS = {
    "content-security-policy": "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
UNCHECKED_PARAMS = ("_timelimit", "_through")  # e.g. ?_timelimit=abc, ?_through={"table": "x"}
CLIENT_ERRORS = re.compile(r"^(Cannot sort table by |Cannot use _sort and _sort_desc at the same time)")


class ResultTooLarge(sqlite3.OperationalError):
    pass


# bytes returned so far, per cursor (a cursor runs one query at a time in Datasette)
_returned: "weakref.WeakKeyDictionary[sqlite3.Cursor, int]" = weakref.WeakKeyDictionary()


def _budgeted_row(cursor, row):
    size = sum(len(v) for v in row if isinstance(v, (str, bytes)))
    if size:
        total = _returned.get(cursor, 0) + size
        if total > MAX_RESULT_BYTES:
            raise ResultTooLarge(
                f"result too large: more than {MAX_RESULT_BYTES // 2**20} MiB of text and blobs; "
                "select fewer rows or columns, or download the database")
        _returned[cursor] = total
    return sqlite3.Row(cursor, row)


@hookimpl
def prepare_connection(conn, database, datasette):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.row_factory = _budgeted_row
    served_siblings = siblings(datasette, database)
    if served_siblings:
        db = datasette.databases[database]
        attach_siblings(conn, db.path, served_siblings, mode="ro" if db.is_mutable else "immutable")


def siblings(datasette, database: str) -> dict[str, str]:
    """name -> path of the sibling databases (build/schema.py SIBLINGS) of `database` that are
    served by this Datasette (the files beside it, e.g. ptm_reuse_cards.db beside ptm_reuse.db)."""
    db = datasette.databases.get(database) if datasette is not None else None
    if db is None or not db.path or database.startswith("_"):
        return {}
    served = {os.path.realpath(d.path) for d in datasette.databases.values() if d.path}
    return {name: str(path) for name, path in sibling_paths(db.path).items()
            if os.path.realpath(path) in served}


def siblings_note(datasette, database: str, error: str) -> str | None:
    """For an SQL error "no such table: X" on a main database where X lives in a sibling database
    that is not served: the sentence saying so (shown by templates/query.html)."""
    m = re.search(r"no such table: (?:\w+\.)?(\w+)", error or "")
    name = SIBLING_TABLES.get(m.group(1)) if m else None
    db = datasette.databases.get(database)
    if name is None or db is None or not db.path or name in siblings(datasette, database):
        return None
    main_file, sibling_file = os.path.basename(db.path), sibling_path(db.path, name).name
    return (f"The table {m.group(1)} lives in the {name} database ({sibling_file}), which is not served "
            f"here. With the downloaded files, attach it to {main_file} (ATTACH '{sibling_file}' AS "
            f"{name}) and run the query there.")


@hookimpl
def extra_template_vars(template, database, datasette):
    if template == "query.html" and database in datasette.databases:
        return {"siblings_note": lambda error: siblings_note(datasette, database, error)}
    return {}


# --- the database download -------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str | None, size: int):
    """(start, end) inclusive for a single satisfiable `Range: bytes=a-b`, None for no/other range,
    False when unsatisfiable."""
    m = _RANGE.match((header or "").strip())
    if not m or not (m.group(1) or m.group(2)):
        return None
    if m.group(1):
        start = int(m.group(1))
        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    else:  # suffix: the last n bytes
        start, end = max(size - int(m.group(2)), 0), size - 1
    return (start, end) if start <= end < size else False


class FileResponse:
    def __init__(self, path, status, headers, start=0, length=0, body=True):
        self.path, self.status, self.headers = path, status, headers
        self.start, self.length, self.body = start, length, body

    async def asgi_send(self, send):
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in self.headers.items()]})
        if not self.body or not self.length:
            await send({"type": "http.response.body", "body": b""})
            return
        with open(self.path, "rb") as f:
            f.seek(self.start)
            left = self.length
            while left > 0:
                chunk = await asyncio.to_thread(f.read, min(DOWNLOAD_CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": left > 0})
            if left > 0:  # the file shrank: end the body anyway
                await send({"type": "http.response.body", "body": b""})


async def download(request, datasette):
    database = request.url_vars["database"]
    await datasette.ensure_permissions(request.actor, [
        ("view-database-download", database), ("view-database", database), "view-instance"])
    try:
        db = datasette.get_database(route=database)
    except KeyError:
        raise NotFound("Database not found")
    if db.is_memory or not db.path:
        raise NotFound("Cannot download this database")
    if not datasette.setting("allow_download") or db.is_mutable:
        raise Forbidden("Database download is forbidden")
    size = os.stat(db.path).st_size
    if db.cached_hash is None:  # the inspect file gives it; otherwise hash once, off the event loop
        await asyncio.to_thread(lambda: db.hash)
    etag = f'"{db.hash}"'
    headers = {"etag": etag, "accept-ranges": "bytes", "cache-control": "public, max-age=3600",
               "content-type": "application/octet-stream",
               "content-disposition": f'attachment; filename="{os.path.basename(db.path)}"'}
    if request.headers.get("if-none-match") == etag:
        return Response("", status=304, headers={"etag": etag})
    body = request.method != "HEAD"
    rng = None if request.headers.get("if-range", etag) != etag else _byte_range(request.headers.get("range"), size)
    if rng is False:
        return Response("", status=416, headers={"content-range": f"bytes */{size}"})
    if rng:
        start, end = rng
        headers.update({"content-range": f"bytes {start}-{end}/{size}", "content-length": end - start + 1})
        return FileResponse(db.path, 206, headers, start, end - start + 1, body)
    headers["content-length"] = size
    return FileResponse(db.path, 200, headers, 0, size, body)


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/.]+)\.db$", download)]


# --- methods and headers ---------------------------------------------------------------------

class _StreamStopped(BaseException):
    """Raised from `send` to end a CSV stream over its budget (BaseException: Datasette's stream
    writer catches Exception and would try to write the error into the finished response)."""


def _is_csv_stream(scope) -> bool:
    path = scope.get("path", "")
    if not path.endswith(".csv"):
        return False
    return any(k == b"_stream" and v not in (b"", b"0", b"off") for k, _, v in
               (part.partition(b"=") for part in scope.get("query_string", b"").split(b"&")))


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)

            buffered: list[bytes] = []
            size = 0

            async def send_with_headers(message):
                nonlocal size
                if message["type"] == "http.response.start":
                    present = {k.lower() for k, _ in message.get("headers", [])}
                    extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                    message = dict(message, headers=list(message.get("headers", [])) + extra)
                elif message["type"] == "http.response.body":
                    # Datasette's CSV stream sends one message per row: coalesce them into large
                    # chunks (each message costs the server far more than its bytes).
                    if message.get("more_body") and size + len(message.get("body", b"")) < COALESCE_BYTES:
                        buffered.append(message.get("body", b""))
                        size += len(buffered[-1])
                        return
                    if buffered:
                        message = dict(message, body=b"".join(buffered) + message.get("body", b""))
                        buffered.clear()
                        size = 0
                await send(message)

            deadline = None
            if _is_csv_stream(scope):
                deadline = time.monotonic() + CSV_STREAM_SECONDS
            stopped = False

            async def send_within_budget(message):
                nonlocal stopped
                if stopped:
                    raise _StreamStopped()
                if deadline is not None and message["type"] == "http.response.body" and message.get("more_body") \
                        and time.monotonic() > deadline:
                    stopped = True
                    await send_with_headers({"type": "http.response.body", "body": CSV_STOPPED, "more_body": False})
                    raise _StreamStopped()
                await send_with_headers(message)

            if scope["method"] not in ALLOWED_METHODS:
                response = Response.text("405 Method Not Allowed: this instance is read-only\n", status=405,
                                         headers={"allow": ", ".join(ALLOWED_METHODS)})
                return await response.asgi_send(send_with_headers)
            try:
                return await app(scope, receive, send_within_budget)
            except _StreamStopped:
                return None

        return wrapped

    return wrap


@hookimpl
def handle_exception(request, exception):
    if isinstance(exception, DatasetteError) and exception.status == 500 and CLIENT_ERRORS.match(str(exception.message)):
        exception.status = 400  # the default handler renders it, now as a client error
        return None
    # Datasette parses these parameters without checking them: a malformed one raises from deep
    # inside the table view (int(), json.loads(), a missing key) and would be a 500.
    if isinstance(exception, (ValueError, KeyError, TypeError)):
        bad = [name for name in UNCHECKED_PARAMS if name in request.args]
        if bad:
            return Response.text(f"400 Bad Request: invalid {', '.join(bad)} parameter\n", status=400)
    return None


# ------------------------------------------------------------------ facets of an immutable database

FACET_CACHE_SIZE = 1024  # facet answers kept per Datasette (each is at most facet_size + 1 rows)
FACET_FILL_MS = 20_000   # time limit of the background run of a facet that ran out of time
FACET_FILL_QUEUE = 32    # facets waiting for a background run, per Datasette (more are dropped)
_facet_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_facet_fills: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # datasette -> _Fills


class _CachedExecute:
    """What a facet sees as `datasette`: the same, but a query it ran before on an immutable
    database (whose data cannot change while served) is answered from that Datasette's cache.
    A facet query that ran out of `facet_time_limit_ms` is queued to run in the background with
    FACET_FILL_MS, one at a time per Datasette, so that a later request finds it."""

    def __init__(self, datasette):
        self._datasette = datasette

    def __getattr__(self, name):
        return getattr(self._datasette, name)

    async def execute(self, database, sql, params=None, **kwargs):
        ds = self._datasette
        db = ds.get_database(database)
        if db.is_mutable:
            return await ds.execute(database, sql, params, **kwargs)
        cache = _facet_caches.setdefault(ds, OrderedDict())
        key = (database, sql, repr(sorted(dict(params or {}).items())))
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        results = await _precounted(db, sql, params)
        if results is None:
            try:
                results = await ds.execute(database, sql, params, **kwargs)
            except QueryInterrupted:
                _facet_fills.setdefault(ds, _Fills(cache)).add(db, key, sql, params)
                raise
        _keep(cache, key, results)
        return results


# A facet query of Datasette's ColumnFacet (datasette/facets.py) on the whole models table, or on
# the table filtered on one column's value (`?pipeline_tag=...`: `where "pipeline_tag" = :p0`).
_FACET_SQL = re.compile(
    r'\s*select (?P<column>\w+) as value, count\(\*\) as count from \(\s*'
    r'select [^()]+ from models (?:where "(?P<by>\w+)" = :p0)?\s*\)\s*'
    r'where (?P=column) is not null\s*group by (?P=column) order by count desc, value limit (?P<limit>\d+)\s*', re.S)


async def _precounted(db, sql: str, params) -> Results | None:
    """The answer of a facet query from the database's build-time `facet_counts` (build/facets.py),
    or None when it does not hold it (another table, filter or column, or no such table)."""
    m = _FACET_SQL.fullmatch(sql)
    params = dict(params or {})
    if not m or set(params) != ({"p0"} if m["by"] else set()):
        return None
    column, by, limit = m["column"], m["by"] or "", int(m["limit"])

    def query(conn):
        by_value = ""
        if by:  # the stored value the filter matches, found by the filter itself (an index seek)
            row = conn.execute(f"select [{by}] from models where [{by}] = ? limit 1", [params["p0"]]).fetchone()
            if row is None:
                return None
            by_value = row[0]
        counted = ("select 1 from facet_counts where filter_column = ? and filter_value = ? "
                   "and facet_column = ? limit 1")
        if conn.execute(counted, ["", "", column]).fetchone() is None or (
                by and conn.execute(counted, [by, by_value, by]).fetchone() is None):
            return None
        cursor = conn.execute("select value, count from facet_counts where filter_column = ? and filter_value = ? "
                              "and facet_column = ? and value is not null order by count desc, value limit ?",
                              [by, by_value, column, limit])
        return Results(cursor.fetchall(), False, cursor.description)

    try:
        return await db.execute_fn(query)
    except sqlite3.OperationalError:  # no facet_counts here (another database, an older build)
        return None


def _keep(cache: OrderedDict, key, results) -> None:
    cache[key] = results
    if len(cache) > FACET_CACHE_SIZE:
        cache.popitem(last=False)


class _Fills:
    """The facet queries of one Datasette waiting for their background run, and its one runner."""

    def __init__(self, cache: OrderedDict):
        self.cache = cache
        self.waiting: OrderedDict = OrderedDict()  # key -> (db, sql, params)
        self.runner: asyncio.Task | None = None

    def add(self, db, key, sql: str, params) -> None:
        if key not in self.waiting and len(self.waiting) < FACET_FILL_QUEUE:
            self.waiting[key] = (db, sql, params)
        if self.runner is None or self.runner.done():
            self.runner = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        while self.waiting:
            key, (db, sql, params) = self.waiting.popitem(last=False)
            if key in self.cache:
                continue

            def query(conn, sql=sql, params=params):
                with sqlite_timelimit(conn, FACET_FILL_MS):
                    cursor = conn.execute(sql, params or {})
                    return Results(cursor.fetchall(), False, cursor.description)

            try:
                _keep(self.cache, key, await db.execute_fn(query))
            except sqlite3.Error:
                pass  # still too slow (interrupted): the facet keeps saying that it timed out


class CachedColumnFacet(ColumnFacet):
    """Datasette's column facet, its answers on an immutable database kept (_CachedExecute)."""

    def __init__(self, ds, *args, **kwargs):
        super().__init__(_CachedExecute(ds), *args, **kwargs)


@hookimpl(hookwrapper=True)
def register_facet_classes():
    """Datasette's own column facet replaced by CachedColumnFacet."""
    outcome = yield
    outcome.force_result([[CachedColumnFacet if c is ColumnFacet else c for c in classes]
                          for classes in outcome.get_result()])
