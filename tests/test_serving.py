"""Safe serving (plugins/ptm_serving.py), against a real `datasette serve` subprocess on loopback,
configured as `make serve` configures it, on the database built from the real sources.

The requests that used to stall the server or blow its memory are fired at it all at once, while
a plain page is fetched again and again: it must keep answering within 1 s (a liveness check, not
a benchmark: the figures are in docs/benchmarks.md).
"""

import hashlib
import http.client
import json
import socket
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import datasette_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
import ptm_serving  # noqa: E402

pytestmark = pytest.mark.real_sources


@pytest.fixture(scope="module")
def server(real_db):
    """The port of `datasette serve` on the real database, as `make serve` runs it, warmed."""
    with datasette_server(real_db) as base:
        for path in ("/", "/ptm_reuse", "/ptm_reuse/sources"):  # warm: templates compiled, connections open
            urllib.request.urlopen(base + path, timeout=30).read()
        yield int(base.rsplit(":", 1)[1])


def request(port, method, path, headers=None, timeout=60, read=True):
    """(status, headers, body bytes or the body's length when read='count')."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        if read == "count":
            digest, n = hashlib.sha256(), 0
            while chunk := response.read(2**20):
                digest.update(chunk)
                n += len(chunk)
            return response.status, {k.lower(): v for k, v in response.getheaders()}, (n, digest.hexdigest())
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def sql_json(sql: str) -> str:
    return "/ptm_reuse.json?" + urlencode({"sql": sql, "_shape": "objects"})


def test_heavy_requests_fail_fast_and_a_plain_page_stays_live(server, real_db):
    size = real_db.stat().st_size
    sha = hashlib.sha256(real_db.read_bytes()).hexdigest()
    attacks = {
        "huge blob": lambda: request(server, "GET", sql_json("select randomblob(1000000000) as b")),
        "huge result": lambda: request(server, "GET", sql_json(
            "select randomblob(4000000) as b from models limit 1000")),
        "head download": lambda: request(server, "HEAD", "/ptm_reuse.db"),
        "get download": lambda: request(server, "GET", "/ptm_reuse.db", read="count"),
        "csv stream": lambda: request(server, "GET", "/ptm_reuse_observations/model_observations.csv?_stream=on"),
        "post canned query": lambda: request(server, "POST", "/ptm_reuse/f01_most_reused_models"),
        "sort unknown column": lambda: request(server, "GET", "/ptm_reuse/models?_sort=no_such_column"),
        "sort_desc unknown column": lambda: request(server, "GET", "/ptm_reuse/models.json?_sort_desc=nope"),
        "bad timelimit": lambda: request(server, "GET", "/ptm_reuse/models?_timelimit=abc"),
        "bad through": lambda: request(server, "GET", '/ptm_reuse/models?_through={"table":"x"}'.replace('"', "%22")),
    }
    slow = []
    with ThreadPoolExecutor(len(attacks)) as pool:
        futures = {name: pool.submit(fn) for name, fn in attacks.items()}
        polls = 0
        while not all(f.done() for f in futures.values()) or polls < 5:
            start = time.monotonic()
            try:
                status, _, body = request(server, "GET", "/ptm_reuse/sources", timeout=1)
                assert status == 200 and b"<table" in body, status
            except (TimeoutError, socket.timeout) as e:
                slow.append(f"poll {polls}: {e}")
            elapsed = time.monotonic() - start
            if elapsed > 1:
                slow.append(f"poll {polls}: {elapsed:.2f} s")
            polls += 1
            time.sleep(0.1)
        results = {name: f.result() for name, f in futures.items()}
    assert slow == [], f"a plain page took over 1 s while the heavy requests ran: {slow}"

    status, _, body = results["huge blob"]
    assert status == 400 and "string or blob too big" in json.loads(body)["error"]
    status, _, body = results["huge result"]
    assert status == 400 and "result too large" in json.loads(body)["error"]
    status, headers, body = results["head download"]
    assert status == 200 and int(headers["content-length"]) == size and body == b""
    assert headers["etag"] and headers["accept-ranges"] == "bytes"
    status, headers, (n, digest) = results["get download"]
    assert status == 200 and (n, digest) == (size, sha)
    status, _, body = results["csv stream"]
    assert status == 200 and body.startswith(b"model_id,source,")
    assert body.rstrip().endswith(b"budget: for whole tables download the database (.db) or the Parquet export]")
    status, headers, _ = results["post canned query"]
    assert status == 405 and "GET" in headers["allow"]
    assert results["sort unknown column"][0] == 400
    status, _, body = results["sort_desc unknown column"]
    assert status == 400 and json.loads(body)["error"] == "Cannot sort table by nope"
    assert results["bad timelimit"][0] == 400 and b"_timelimit" in results["bad timelimit"][2]
    assert results["bad through"][0] == 400 and b"_through" in results["bad through"][2]


def test_download_ranges_and_revalidation(server, real_db):
    data = real_db.read_bytes()
    status, headers, _ = request(server, "HEAD", "/ptm_reuse.db")
    etag = headers["etag"]
    status, headers, body = request(server, "GET", "/ptm_reuse.db", {"Range": "bytes=0-15"})
    assert status == 206 and body == b"SQLite format 3\x00"
    assert headers["content-range"] == f"bytes 0-15/{len(data)}"
    status, _, body = request(server, "GET", "/ptm_reuse.db", {"Range": "bytes=-100"})
    assert status == 206 and body == data[-100:]
    status, _, body = request(server, "GET", "/ptm_reuse.db", {"Range": f"bytes={len(data) - 10}-"})
    assert status == 206 and body == data[-10:]
    assert request(server, "GET", "/ptm_reuse.db", {"Range": f"bytes={len(data)}-"})[0] == 416
    assert request(server, "GET", "/ptm_reuse.db", {"If-None-Match": etag})[0] == 304
    # a stale If-Range: the whole file, not a piece of a file that changed
    status, _, (n, _) = request(server, "GET", "/ptm_reuse.db", {"Range": "bytes=0-15", "If-Range": '"old"'},
                                read="count")
    assert status == 200 and n == len(data)


@pytest.mark.parametrize("path", ["/", "/ptm_reuse", "/ptm_reuse/models", "/ptm_reuse/f01_most_reused_models",
                                  "/ptm_reuse.db", "/ptm_reuse/models.json", "/no-such-page"])
def test_security_headers(server, path):
    status, headers, _ = request(server, "HEAD" if path.endswith(".db") else "GET", path)
    assert status in (200, 404)
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    # datasette-vega compiles Vega expressions with `new Function`; the templates use inline scripts
    assert "'unsafe-eval'" in csp["script-src"] and "http" not in csp["script-src"]


def test_byte_range_parsing():
    assert ptm_serving._byte_range(None, 100) is None
    assert ptm_serving._byte_range("bytes=0-9", 100) == (0, 9)
    assert ptm_serving._byte_range("bytes=90-200", 100) == (90, 99)
    assert ptm_serving._byte_range("bytes=-5", 100) == (95, 99)
    assert ptm_serving._byte_range("bytes=100-", 100) is False
    assert ptm_serving._byte_range("bytes=5-1", 100) is False
    assert ptm_serving._byte_range("bytes=0-1,5-6", 100) is None  # multiple ranges: the whole file
    assert ptm_serving._byte_range("items=0-1", 100) is None


def test_result_budget_and_length_limit_on_a_connection():
    import sqlite3

    conn = sqlite3.connect(":memory:")
    ptm_serving.prepare_connection(conn, "_memory", None)
    with pytest.raises(sqlite3.DataError, match="too big"):
        conn.execute("select randomblob(?)", [ptm_serving.MAX_VALUE_BYTES + 1]).fetchall()
    n = ptm_serving.MAX_RESULT_BYTES // 2**20
    cursor = conn.execute("with recursive r(i) as (select 1 union all select i + 1 from r where i < ?) "
                          "select randomblob(1048576) from r", [n + 5])
    with pytest.raises(sqlite3.OperationalError, match="result too large"):
        cursor.fetchall()
    # a query under the budget is untouched, and the budget is per query
    rows = conn.execute("select 'x' as a, 2 as b").fetchall()
    assert rows[0]["a"] == "x" and rows[0]["b"] == 2
