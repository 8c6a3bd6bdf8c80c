"""The home page on a database built from the fixture snapshot: Datasette's own index extended
(not copied), the search box, and each finding's answer beside a chart whose spec comes from the
finding's canned query (its datasette-vega fragment, `labels` and claims) and whose data is that
query's JSON. The browser test (tests/test_browser.py) checks that the charts are drawn."""

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from conftest import make_datasette

from build.db import build, connect
from build.findings import FINDINGS, load_queries
from plugins.ptm_findings import chart_spec, label, measured_sentences, quoted_marks

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "snapshot"


@pytest.fixture(scope="module")
async def ds(tmp_path_factory):
    path = tmp_path_factory.mktemp("home-db") / "ptm_reuse.db"
    build(FIXTURE, path, progress=False)
    datasette = make_datasette(path)
    await datasette.invoke_startup()
    return datasette


def test_index_template_extends_datasettes_own():
    text = (ROOT / "templates" / "index.html").read_text()
    assert text.startswith('{% extends "default:index.html" %}')
    assert "tables_and_views_truncated" not in text  # Datasette's database list is not copied


def test_chart_spec_from_the_query_header():
    queries = load_queries()
    spec = chart_spec(queries["f01_download_share_by_rank"])
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"]["field"] == "top_models" and spec["encoding"]["x"]["title"] == queries[
        "f01_download_share_by_rank"].labels["top_models"]
    assert spec["encoding"]["y"]["axis"]["format"] == ".0%"  # a share is drawn as a percentage
    # the numbers a finding quotes on its charted column are marked, from its claims
    f05 = queries["f05_eval_results_by_task"]
    marks = chart_spec(f05)["ptm_marks"]
    expected = {c["column"].split("][")[0].removeprefix("by[") if c["column"].startswith("by[") else None: c["expected"]
                for c in f05.claims if c["column"].endswith("machine_readable_share]")
                or c["column"] == "machine_readable_share"}
    assert {m["key"]: m["value"] for m in marks} == expected and marks
    assert quoted_marks(f05, "cards") == []
    assert chart_spec(queries["model_profile"]) is None  # no fragment, no chart


def test_a_sentence_holding_a_missing_value_is_not_shown_as_an_answer():
    """build.findings prints a value the data does not give as "n/a": the home page leaves out
    the sentences (or clauses) holding one, and says that it cannot answer them."""
    answer = ("Over the 12 models of hub (2026-12-01), the median was 56,414 and 16.7% had none. "
              "n/a of the n/a reuse links go to permissive models; among the 0 reused models, n/a. "
              "Models with a card/n/a-free name: 3.")
    assert measured_sentences(answer) == (
        ["Over the 12 models of hub (2026-12-01), the median was 56,414 and 16.7% had none.",
         "Models with a card/n/a-free name: 3."], True)
    assert measured_sentences("All 3 models (0.0%) have a card; 2 of them are reused.") == (
        ["All 3 models (0.0%) have a card;", "2 of them are reused."], False)
    assert measured_sentences("n/a") == ([], True) and measured_sentences(None) == ([], False)


def test_every_charted_axis_has_a_label_in_words():
    for query in load_queries().values():
        spec = chart_spec(query)
        if spec and query.answer:
            for axis in ("x", "y"):
                title = spec["encoding"][axis]["title"]
                assert "_" not in title and title[0].isupper(), (query.name, title)
    assert label(load_queries()["f02_reuse_by_popularity"], "some_column_30d") == "Some column (30 days)"


async def test_home_page_shows_each_finding_with_its_chart(ds):
    response = await ds.client.get("/")
    assert response.status_code == 200
    html = response.text
    # Datasette's own index is still there (the database and its tables), and the search box
    assert 'href="/ptm_reuse/models"' in html and 'action="/-/search"' in html
    charts = re.findall(r'<div class="ptm-chart" data-url="([^"]+)" data-spec="([^"]+)"', html)
    ids = re.findall(r'<li id="(F\d+)"', html)
    assert ids == list(FINDINGS)
    # every finding but F12 has a chart, unless this database answers nothing of it (no chart of zeros)
    import sqlite3

    conn = connect(ds.get_database("ptm_reuse").path)
    rows = conn.execute("SELECT id, answer, chart FROM findings").fetchall()
    conn.close()
    drawn = {f for f, answer, chart in rows if chart and measured_sentences(answer) != ([], True)}
    assert len(charts) == len(drawn) and len(drawn) >= 8 and "F12" not in drawn, drawn
    queries = load_queries()
    for url, spec in charts:
        url, spec = unescape(url), json.loads(unescape(spec))
        name = urlsplit(url).path.split("/")[-1].removesuffix(".json")
        assert spec == json.loads(json.dumps(chart_spec(queries[name])))
        rows = (await ds.client.get(url)).json()
        assert isinstance(rows, list)
        if rows:  # the spec's fields are columns of the query's data
            for axis in ("x", "y"):
                assert spec["encoding"][axis]["field"] in rows[0], (name, axis)
    # the answer is the chart's text alternative
    # the answer, or what of it this database cannot answer (plain text either way, no markup from the data)
    assert re.search(r'<span id="F1-answer">[^<]*(<em class="ptm-unanswered">[^<]+</em>)?</span>', html)
    assert 'aria-describedby="F1-answer"' in html
    # scripts are files (CSP without inline scripts), loaded after the page is parsed
    for src in ("vendor/vega.min.js", "vendor/vega-lite.min.js", "vendor/vega-interpreter.min.js", "ptm_charts.js"):
        assert f'<script src="/-/ptm-static/{src}" defer></script>' in html
        assert (await ds.client.get(f"/-/ptm-static/{src}")).status_code == 200
