"""The pages people browse, in a real browser: headless Chromium (Debian's) opens the home page,
model pages and the search of `datasette serve` (configured like `make serve`), and checks that

- every chart is drawn: each `.ptm-chart` holds an SVG with a size and vega marks;
- the browser console stays silent: no script error, no failed load, no message at all;
- no payload runs: the test database (tests/test_model_pages.py) holds a card and a model id
  with script, event-handler, `javascript:` and data-URL payloads that would mark the page
  (`data-pwned` on <html>) and log to the console if they ran.

Two servers: one on the database built from the real sources (home page, gpt2, SpanBERT,
search), one on the fixture database with the payloads, a legacy id and a model without a card.
Screenshots go to a temporary folder; with UPDATE_SCREENSHOTS=1 they are copied to docs/screenshots/
(the pages' screenshots are named page-*.png):

    UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/test_browser_pages.py
"""

import os
import shutil
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from build.db import build, connect
from conftest import datasette_server

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
PWNED = "data-pwned"

pytestmark = pytest.mark.browser


# Payloads that would mark the page and speak on the console if they ran.
RUN = f"document.documentElement.setAttribute('{PWNED}','1');console.log('PWNED')"
PAYLOAD_CARD = f"""---
license: mit
---
# Payloads

<script>{RUN}</script>
<img src=x onerror="{RUN}"> <svg onload="{RUN}"></svg>
<div onmouseover="{RUN}" style="width:100px;height:100px">hover</div>
<a href="javascript:{RUN}">a javascript: link</a>
<a href="data:text/html,<script>{RUN}</script>">a data: link</a>
<iframe src="javascript:{RUN}"></iframe>
[markdown link](javascript:{RUN})

## Training data

Some words about the data.
"""
PAYLOAD_ID = "evil/<img src=x onerror=\"" + RUN + "\">"


@pytest.fixture(scope="module")
def payload_db(tmp_path_factory) -> Path:
    from test_model_pages import payload_snapshot

    snapshot = payload_snapshot(tmp_path_factory.mktemp("snapshot") / "browser", {
        "models.jsonl": [{"source": "beta", "model_id": PAYLOAD_ID, "observed": "2022-10-01", "has_card": True}],
        "cards.jsonl": [{"source": "beta", "model_id": PAYLOAD_ID, "observed": "2022-10-01", "text": PAYLOAD_CARD}],
    })
    path = tmp_path_factory.mktemp("db") / "ptm_reuse.db"
    build(snapshot, path, progress=False)
    return path


class Page(HTMLParser):
    """What the DOM after the scripts ran holds: the charts (and whether each has a drawn SVG),
    and the attributes of <html>."""

    def __init__(self):
        super().__init__()
        self.charts: list[dict] = []
        self.html_attrs: dict = {}
        self._stack: list[str] = []
        self._chart_depth: int | None = None
        self._in_marks = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "html":
            self.html_attrs = attrs
        if tag in ("br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "area", "base", "embed"):
            return
        self._stack.append(tag)
        if tag == "div" and "ptm-chart" in classes:
            self.charts.append({"attrs": attrs, "svg": None, "marks": 0})
            self._chart_depth = len(self._stack)
        elif self._chart_depth is not None:
            chart = self.charts[-1]
            if tag == "svg" and chart["svg"] is None:
                chart["svg"] = (float(attrs.get("width") or 0), float(attrs.get("height") or 0))
            if tag == "g" and "role-mark" in classes:
                self._in_marks = len(self._stack)
            elif self._in_marks and tag in ("path", "rect", "circle", "line"):
                chart["marks"] += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "area", "base", "embed"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in self._stack:
            return
        while self._stack:
            depth = len(self._stack)
            popped = self._stack.pop()
            if self._in_marks == depth:
                self._in_marks = 0
            if self._chart_depth == depth:
                self._chart_depth = None
            if popped == tag:
                break


def open_page(chromium, url: str, screenshot: Path | None = None) -> tuple[Page, list[str], str]:
    """(the DOM after the scripts ran, the console messages, the DOM text) of one page."""
    flags = ["--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000"]
    result = chromium(url, *flags, "--dump-dom")
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    if screenshot is not None:
        chromium(url, *flags, f"--screenshot={screenshot}", "--window-size=1200,1800")
        assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", screenshot
    page = Page()
    page.feed(result.stdout)
    return page, console, result.stdout


def assert_charts_drawn(page: Page, url: str, expected: int):
    assert len(page.charts) == expected, url
    for chart in page.charts:
        attrs = chart["attrs"]
        assert "data-chart-error" not in attrs, (url, attrs.get("data-url"), attrs.get("data-chart-error"))
        assert int(attrs.get("data-chart-drawn") or 0) > 0, (url, attrs.get("data-url"))
        assert chart["svg"] and chart["svg"][0] > 50 and chart["svg"][1] > 50, (url, attrs.get("data-url"), chart["svg"])
        assert chart["marks"] > 0, (url, attrs.get("data-url"))


def model_page(base: str, model_id: str) -> str:
    return f"{base}/models/{quote(model_id, safe='/')}"


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    out = tmp_path_factory.mktemp("page-screenshots")
    yield out
    if os.environ.get("UPDATE_SCREENSHOTS") and any(out.iterdir()):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for path in out.iterdir():
            shutil.copy(path, SCREENSHOTS / path.name)


@pytest.mark.real_sources
def test_home_model_pages_and_search_on_the_real_database(real_db, chromium, shots):
    import sqlite3

    conn = connect(real_db)
    charted = conn.execute("SELECT count(*) FROM findings WHERE chart IS NOT NULL").fetchone()[0]
    # the model id gpt2 names today (the legacy id is merged into its namespaced successor)
    gpt2 = (conn.execute("SELECT new_id FROM model_aliases WHERE old_id = 'gpt2'").fetchone() or ("gpt2",))[0]
    conn.close()
    with datasette_server(real_db) as base:
        pages = [
            ("page-home.png", base + "/", charted),
            ("page-model-gpt2.png", model_page(base, "gpt2"), 1),
            ("page-model-spanbert.png", model_page(base, "SpanBERT/spanbert-large-cased"), 1),
            ("page-search.png", base + "/-/search?q=sentiment", 0),
        ]
        for name, url, charts in pages:
            page, console, _ = open_page(chromium, url, shots / name)
            assert console == [], (url, console)
            assert_charts_drawn(page, url, charts)
        # the search box lands on the model's page for an exact id
        with urllib.request.urlopen(base + "/-/search?q=GPT2") as response:
            assert response.url == base + "/models/" + gpt2


def test_payloads_never_run_and_other_pages(payload_db, chromium, shots):
    with datasette_server(payload_db) as base:
        pages = [
            ("page-model-payloads.png", model_page(base, PAYLOAD_ID), 0),
            ("page-model-legacy-id.png", model_page(base, "openai/gpt2-legacy"), 1),
            ("page-model-without-card.png", model_page(base, "owner/undated-only"), 0),
            ("page-model-not-found.png", model_page(base, "nobody/nothing"), 0),
            ("page-search-payloads.png", base + "/-/search?q=payloads&all=1", 0),
        ]
        for name, url, charts in pages:
            page, console, dom = open_page(chromium, url, shots / name)
            assert PWNED not in page.html_attrs, (url, "a payload ran")
            assert console == [], (url, console)
            assert_charts_drawn(page, url, charts)
            if name == "page-model-payloads.png":
                assert "Some words about the data." in dom  # the card was rendered, without its payloads
            if name == "page-model-legacy-id.png":
                assert "You asked for <code>openai/gpt2-legacy</code>" in dom


def test_a_model_page_without_the_cards_database(payload_db, chromium, shots, tmp_path):
    """Served without ptm_reuse_cards.db and ptm_reuse_observations.db, a model page says where its
    cards and observations live; nothing runs."""
    alone = tmp_path / "ptm_reuse.db"
    shutil.copy(payload_db, alone)
    with datasette_server(alone) as base:
        url = model_page(base, PAYLOAD_ID)
        page, console, dom = open_page(chromium, url, shots / "page-model-cards-not-served.png")
        assert PWNED not in page.html_attrs, (url, "a payload ran")
        assert console == [], (url, console)
        assert ("This model's cards (texts, scores and sections) live in the cards database (ptm_reuse_cards.db), "
                "which is not served here") in dom
        assert "lives in the observations database (ptm_reuse_observations.db), which is not served here" in dom
        assert "Some words about the data." not in dom


# ------------------------------------------------------------------ a database built from mining runs alone


@pytest.fixture(scope="module")
def mined_db(tmp_path_factory) -> Path:
    """A database built only from two mining runs of the fake Hub (tests/fakehub.py), the first
    with its dates moved back (tests/test_combine.py): no GitHub links, no registry comparison."""
    from test_combine import FAST, moved_back

    from scripts.mine_hub import main
    from tests.fakehub import sample_hub

    out = tmp_path_factory.mktemp("mined")
    mp = pytest.MonkeyPatch()
    try:
        mp.delenv("HF_TOKEN", raising=False)
        with sample_hub(page_size=3) as hub:
            mp.setenv("HF_ENDPOINT", hub.url)
            assert main(["--out", str(out / "run"), *FAST]) in (0, 3, 4)  # 3/4: some defenses not fetched
    finally:
        mp.undo()
    earlier = moved_back(out / "run", out / "earlier")
    path = tmp_path_factory.mktemp("db") / "ptm_reuse.db"
    build([earlier, out / "run"], path, progress=False)
    return path


def test_a_mined_database_says_which_findings_it_cannot_answer(mined_db, chromium, shots):
    import re
    import sqlite3

    from build.findings import load_queries
    from test_browser import CANVAS, query_url

    conn = connect(mined_db)
    answers = dict(conn.execute("SELECT id, answer FROM findings"))
    dates = [d for (d,) in conn.execute("SELECT DISTINCT date FROM trends WHERE measure = 'median_downloads'")]
    conn.close()
    missing = {f for f, answer in answers.items() if "n/a" in answer}  # build.findings' mark of a missing value
    assert {"F8", "F9", "F10"} <= missing and len(dates) == 2, (missing, dates)
    with datasette_server(mined_db) as base:
        page, console, dom = open_page(chromium, base + "/", shots / "page-home-mined.png")
        assert console == [], console
        findings = dom[dom.index('id="findings"'):dom.index("</ol>", dom.index('id="findings"'))]
        assert "n/a" not in findings
        for finding in answers:
            shown = re.search(rf'<span id="{finding}-answer">(.*?)</span>', findings, re.S)[1]
            assert ("This database cannot answer" in shown) == (finding in missing), (finding, shown)
            item = re.search(rf'<li id="{finding}".*?</li>', findings, re.S)[0]
            if "This database cannot answer this finding" in shown:  # nothing of it answered: no chart of zeros
                assert "ptm-chart" not in item, finding
        for chart in page.charts:  # drawn from rows, or a plain "no chart" where the query has none
            attrs = chart["attrs"]
            assert "data-chart-error" not in attrs, attrs
            assert int(attrs.get("data-chart-drawn") or 0) > 0 and chart["marks"] > 0 or attrs.get("data-chart-empty")
        assert findings.count('data-chart-empty="1"') == len(re.findall(
            r'data-chart-empty="1"[^>]*>No chart: the query returns no rows in this database.<', findings))
        # the trend line across the two mining runs, drawn by datasette-vega on the query page
        url = query_url(base, "ptm_reuse", "trends", load_queries()["trends"].fragment)
        trend = chromium(url, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000", "--dump-dom")
        drawn = CANVAS.search(trend.stdout)
        assert drawn and int(drawn[1]) > 100 and int(drawn[2]) > 100, trend.stdout[-2000:]
        # no error or warning (datasette-vega logs its own Vega version notice at INFO)
        assert [line for line in trend.stderr.splitlines() if re.search(r":(ERROR|WARNING):CONSOLE", line)] == []
        chromium(url, "--virtual-time-budget=15000", f"--screenshot={shots / 'page-trends-mined.png'}",
                 "--window-size=1200,1400")
