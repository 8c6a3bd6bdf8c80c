"""End to end in a real browser: `datasette serve` on the database built from the real sources,
configured like `make serve`, and headless Chromium opening every charted canned query.

datasette-vega draws its chart with JavaScript after fetching the query's JSON, so only a browser
can tell that a query's link opens with the chart drawn: the test dumps the DOM after the page's
scripts ran and looks for vega's canvas with a size.

Screenshots, one per finding (its chart, or its query when it has none), are written to a
temporary folder and checked; with UPDATE_SCREENSHOTS=1 they replace docs/screenshots/:

    UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/test_browser.py
"""

import os
import re
import shutil
import json
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, quote

import pytest
import sqlite_utils

from build.findings import load_queries
from conftest import datasette_server
from build.db import connect

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.real_sources]


@pytest.fixture(scope="module")
def server(real_db):
    """`datasette serve` as `make serve` runs it, on a free local port; yields its base URL."""
    with datasette_server(real_db) as base:
        yield base


def query_url(base: str, database: str, name: str, fragment: str | None) -> str:
    return f"{base}/{database}/{quote(name)}?_hide_sql=1" + (f"#{fragment}" if fragment else "")


CANVAS = re.compile(r'<div class="vega-embed[^"]*"><canvas width="(\d+)" height="(\d+)" class="marks"')
STEP = 20  # vega-lite's default pixels per category of a discrete axis


def expected_size(base: str, database: str, name: str, fragment: str) -> tuple[int, int]:
    """The least canvas (width, height) the query's rows give: a discrete axis takes STEP pixels
    per distinct value, so a chart drawn without the data (a wrong column) stays smaller."""
    g = {k.removeprefix("g."): v for k, v in parse_qsl(fragment)}
    with urllib.request.urlopen(f"{base}/{database}/{quote(name)}.json?_shape=array") as response:
        rows = json.load(response)
    size = []
    for axis in ("x", "y"):
        distinct = {json.dumps(row[g[f"{axis}_column"]]) for row in rows}
        size.append(STEP * len(distinct) if g[f"{axis}_type"] in ("ordinal", "nominal") else 100)
    return size[0], size[1]


def test_every_charted_query_opens_with_its_chart_drawn(server, real_db, chromium):
    database = real_db.stem
    failed = {}
    for name, query in load_queries().items():
        if not query.fragment:
            continue
        dom = chromium(query_url(server, database, name, query.fragment), "--virtual-time-budget=15000",
                       "--dump-dom").stdout
        drawn = CANVAS.search(dom)
        width, height = expected_size(server, database, name, query.fragment)
        if not (drawn and int(drawn[1]) >= width and int(drawn[2]) >= height):
            failed[name] = (drawn and drawn.groups(), (width, height))
    assert failed == {}, f"chart not drawn from the rows (canvas, least expected size): {failed}"


def test_screenshot_of_every_finding(server, real_db, chromium, tmp_path):
    database = real_db.stem
    queries = load_queries()
    out = tmp_path / "screenshots"
    out.mkdir()
    for row in sqlite_utils.Database(connect(real_db))["findings"].rows:
        name, _, fragment = (row["chart"] or row["query"]).partition("#")
        path = out / f"f{int(row['id'][1:]):02d}-{name}.png"
        chromium(query_url(server, database, name, fragment or None), "--virtual-time-budget=15000",
                 f"--screenshot={path}", "--window-size=1000,1450", "--force-device-scale-factor=0.75")
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < path.stat().st_size < 400_000, path
        assert name in queries
    if os.environ.get("UPDATE_SCREENSHOTS"):  # the findings' f*.png only (test_browser_pages.py has page-*.png)
        for old in SCREENSHOTS.glob("f[0-9][0-9]-*.png"):
            old.unlink()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for new in out.iterdir():
            shutil.copy(new, SCREENSHOTS / new.name)
