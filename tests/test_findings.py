"""build/findings.py (the findings and paper_claims tables), the home page that lists the findings,
and the plugin that serves queries/*.sql, on a small snapshot built by the real builder.

The small snapshot holds a few models of the sources the queries read, one model card whose text
carries HTML payloads, and a lineage edge whose base model id is one: served through Datasette
configured like `make serve`, none of it may reach a page as live HTML.
"""

import _string
import json
import sqlite3
import string
from markupsafe import escape
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette

from build.db import build, connect
from build.findings import FINDINGS, NOT_MEASURABLE, Query, claim_row, context, load_queries
from build.snapshot import SnapshotWriter

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
EVIL_BASE = f"evil/{SCRIPT}"
SOURCES = ["icse23", "huggingfacer", "liang2024", "peatmoss", "hn5318-cards"]
POPULATIONS = {"icse23", "huggingfacer", "liang2024"}  # list the registry at one date
DATES = {"icse23": "2022-08-15", "huggingfacer": "2022-07-02", "liang2024": "2022-10-01"}
# huggingfacer's 30-day downloads: median 2, two of five zero, and all of them in the top 10.
HFR_DOWNLOADS = {"a/zero": 0, "b/zero": 0, "c/two": 2, "d/seven": 7, "e/fifty": 50}


def write_small_snapshot(folder: Path) -> Path:
    w = SnapshotWriter(folder)
    for model_id in ["a/zero", "c/two", "f/paper-only"]:
        w.write("models", {"source": "icse23", "model_id": model_id, "observed": "2022-08-15", "in_paper_snapshot": True})
    for model_id, downloads in HFR_DOWNLOADS.items():
        w.write("models", {"source": "huggingfacer", "model_id": model_id, "observed": "2022-07-02",
                           "downloads_30d": downloads, "pipeline_tag": "fill-mask" if downloads else None})
    for model_id, downloads, card, created in [("c/two", 20, True, "2021-03-01T00:00:00Z"),
                                               ("d/seven", 70, False, "2022-01-05T00:00:00Z"),
                                               ("evil/xss", 5, True, "2022-02-01T00:00:00Z")]:
        w.write("models", {"source": "liang2024", "model_id": model_id, "observed": "2022-10-01",
                           "downloads_30d": downloads, "has_card": card, "created_at": created,
                           "pipeline_tag": "text-classification"})
    for repo, model_id, license_ in [("o/r1", "c/two", "mit"), ("o/r2", "c/two", "mit"), ("o/r2", "d/seven", "apache-2.0")]:
        w.write("dependents", {"source": "peatmoss", "model_id": model_id, "kind": "github", "dependent": repo,
                               "model_license": license_})
    w.write("cards", {"source": "hn5318-cards", "model_id": "evil/xss",
                      "text": f"# Evil model\n\nHello {SCRIPT} and {IMG}\n\n## Uses\n\nMore information needed\n",
                      "tags": ["license:mit"]})
    w.write("lineage", {"source": "hn5318-cards", "model_id": "evil/xss", "base_model_id": EVIL_BASE})
    w.finish({"name": "findings-test", "producer": "tests/test_findings.py", "created": "2022-10-01",
              "description": "A small snapshot for the findings tests",
              "sources": [{"id": s, "title": s, "license": "CC0-1.0", "files": [],
                           "coverage": "registry" if s in POPULATIONS else "sample",
                           "snapshot_date": DATES.get(s, "unknown")} for s in SOURCES]})
    return folder


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    folder = write_small_snapshot(tmp_path_factory.mktemp("snapshot") / "small")
    path = tmp_path_factory.mktemp("db") / "ptm_reuse.db"
    build(folder, path, progress=False)
    return path


@pytest.fixture(scope="module")
def tables(small_db):
    db = sqlite_utils.Database(connect(small_db))
    return ({r["id"]: r for r in db["findings"].rows}, {r["id"]: r for r in db["paper_claims"].rows})


# ---------------------------------------------------------------- the two tables

def test_every_finding_gets_an_answer_from_the_data(tables):
    findings, _ = tables
    assert list(findings) == list(FINDINGS)
    f1 = findings["F1"]
    assert f1["title"] == FINDINGS["F1"]
    # numbers from the small snapshot: 3 paper ids; the newest population with downloads is
    # liang2024 (20, 70, 5: median 20, none at zero); 3 links
    assert "The paper's clone (icse23, 2022-08-15) lists 3 models." in f1["answer"]
    assert ("Over the 3 models of liang2024 (2022-10-01), the median 30-day download count was 20, "
            "0.00% had none") in f1["answer"]
    assert "3 links join 2 repositories to 2 models" in f1["answer"]
    queries = load_queries()
    for row in findings.values():
        assert queries[row["query"]].answer and queries[row["query"]].finding == row["id"]
        assert set(json.loads(row["queries"])) == {q.name for q in queries.values() if q.finding == row["id"]}
        if row["chart"]:
            name, _, fragment = row["chart"].partition("#")
            assert queries[name].fragment == fragment and queries[name].finding == row["id"]


def test_a_snapshot_without_a_source_gives_na_not_an_error(tables):
    findings, claims = tables
    assert "n/a" in findings["F10"]["answer"]  # no registry_downloads in the small snapshot
    assert claims["F10-distilgpt2"]["status"] == NOT_MEASURABLE
    assert claims["F10-distilgpt2"]["computed_value"] is None


def test_claims_compare_the_quotation_with_the_data(tables):
    _, claims = tables
    assert set(claims) == {c["id"] for q in load_queries().values() for c in q.claims}
    median = claims["F1-median-downloads"]
    assert (median["computed_value"], median["status"], median["quoted_value"]) == ("2", "reproduced", "2")
    zero = claims["F1-zero-downloads"]  # a claim about huggingfaceR reads that population's row
    assert (zero["computed_value"], zero["status"]) == ("40.0%", "differs")
    assert zero["query"] == "f01_downloads_by_population" and zero["finding"] == "F1"


def named_columns(template: str) -> set[str]:
    """The result columns a template names: {column:...} or {by[row key][column]:...}."""
    columns = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field:
            first, rest = _string.formatter_field_name_split(field)
            keys = [key for _, key in rest]
            columns.add(keys[1] if first == "by" else first)
    return columns


def test_answers_and_claims_name_columns_their_query_returns(small_db):
    """A misspelt column would print "n/a" or mark a claim not measurable: the columns must exist
    (which rows exist depends on the snapshot; which columns, only on the SQL)."""
    conn = connect(small_db)
    for name, query in load_queries().items():
        returned = {d[0] for d in conn.execute(query.sql, {p: "" for p in query.params}).description}
        named = named_columns(query.answer or "")
        for c in query.claims:
            named |= named_columns("{" + c["column"] + "}")
        assert named <= returned, f"{name}: {sorted(named - returned)} not among {sorted(returned)}"


def claim(**kw):
    return {"id": "x", "claim": "c", "cited_in": "paper", "quoted_value": "q", "column": "v", **kw}


@pytest.mark.parametrize("spec, value, status", [
    (claim(expected=0.326), 0.32594, "reproduced"),       # within half a unit of the quoted 0.326
    (claim(expected=0.326), 0.3266, "differs"),
    (claim(expected=22861), 22861, "reproduced"),
    (claim(expected=22861), 22860, "differs"),
    (claim(expected=0.7, tolerance=0.05), 0.701, "reproduced"),
    (claim(expected="Universal_Dependencies"), "universal_dependencies", "reproduced"),
    (claim(expected=3), None, NOT_MEASURABLE),
    # a share of a sample (n given) against the paper's, through its 95% Wilson interval
    (claim(expected=0.168, n="n"), 4 / 24, "too few to tell"),    # 6.7%-35.9%: covers 8.4% too
    (claim(expected=0.168, n="n"), 401 / 2400, "consistent (interval covers the paper's value)"),
    (claim(expected=0.0995, n="n"), 0.18, "differs"),               # of 2,400: 16.5%-19.6%
])
def test_claim_status(spec, value, status):
    query = Query(name="q", path=Path("q.sql"), title="t", description="d", finding="F1", sql="SELECT 1")
    n = 24 if value == 4 / 24 else 2400
    row = claim_row(query, {**spec, "why": "because", "format": "{}"}, context([{"k": 1, "v": value, "n": n}]))
    assert row["status"] == status
    assert (row["note"] == "because") == (status in ("differs", "too few to tell"))
    if spec.get("n"):
        assert f"of {n:,} (95% interval" in row["computed_value"]


def test_claims_say_what_they_are_computed_over():
    """computed_over: the source a column names (or "=id"), its date from the dates the database
    gives (populations, else sources), the denominator a column names."""
    from build.findings import computed_over

    query = Query(name="q", path=Path("q.sql"), title="t", description="d", finding="F1", sql="SELECT 1")
    values = context([{"k": "a", "pop": "liang2024", "v": 0.4, "n": 74969, "obs": "2022-09-30"}])
    dates = {"liang2024": "2022-10-01", "peatmoss": "2023"}
    spec = {"id": "c", "claim": "c", "cited_in": "p", "quoted_value": "q", "column": "v", "expected": 0.4}
    row = claim_row(query, {**spec, "over": {"source": "pop", "n": "n", "unit": "models"}}, values, dates)
    assert row["computed_over"] == "liang2024 (2022-10-01), 74,969 models"
    assert computed_over({"over": {"source": "by[a][pop]", "date": "by[a][obs]"}}, values, dates) == "liang2024 (2022-09-30)"
    assert computed_over({"over": {"source": "=peatmoss"}}, values, dates) == "peatmoss (2023)"
    assert computed_over({"over": {"source": "=elsewhere"}}, values, dates) == "elsewhere (date not stated)"
    assert computed_over({"n": "n", "over": {"source": "pop", "unit": "cards"}}, values, dates) == "liang2024 (2022-10-01), 74,969 cards"
    assert computed_over({"over": {"source": "missing"}}, values, dates) is None
    assert computed_over({"over": {"source": "=peatmoss, liang2024"}}, values, dates) == "peatmoss (2023), liang2024 (2022-10-01)"
    # a claim with no value says nothing about what it is computed over
    assert claim_row(query, {**spec, "column": "nothing", "over": {"source": "pop"}}, values, dates)["computed_over"] is None


def test_bench_times_every_query(small_db):
    from scripts.bench import bench_queries

    figures = bench_queries(small_db, repeat=1)
    assert set(figures) == set(load_queries())
    assert all(isinstance(ms, float) and ms >= 0 for ms in figures.values())


# ---------------------------------------------------------------- served by Datasette

@pytest.fixture(scope="module")
async def ds(small_db, datasette_for):
    ds = datasette_for(small_db)
    await ds.invoke_startup()
    return ds


async def test_home_page_lists_the_findings_with_their_links(ds, tables):
    findings, _ = tables
    response = await ds.client.get("/")
    assert response.status_code == 200
    html = response.text
    assert html.index('id="findings"') < html.index('href="/ptm_reuse"')  # findings, then the databases
    for row in findings.values():
        assert f'id="{row["id"]}"' in html and str(escape(row["title"])) in html
        shown = html[html.index(f'<span id="{row["id"]}-answer">'):]
        shown = shown[:shown.index("</span>")]
        if "n/a" in row["answer"]:  # F10: no registry_downloads in the small snapshot
            assert "This database cannot answer" in shown and "n/a" not in shown, shown
        else:
            assert str(escape(row["answer"])) in shown
        assert f'href="/ptm_reuse/{row["query"]}"' in html
        if row["chart"]:
            assert f'href="/ptm_reuse/{row["chart"]}"'.replace("&", "&amp;") in html
    for path in {f"/ptm_reuse/{r['query']}" for r in findings.values()}:
        assert (await ds.client.get(path)).status_code == 200, path


async def test_the_findings_table_links_to_the_queries(ds):
    response = await ds.client.get("/ptm_reuse/findings")
    assert response.status_code == 200
    assert '<a href="/ptm_reuse/f01_reuse_concentration">f01_reuse_concentration</a>' in response.text


async def test_untrusted_text_is_never_live_html(ds, small_db):
    conn = sqlite3.connect(small_db.with_name("ptm_reuse_cards.db"))  # the card texts' database
    assert conn.execute("SELECT count(*) FROM card_texts WHERE text LIKE ?", (f"%{SCRIPT}%",)).fetchone() == (1,)
    for path in ["/ptm_reuse_cards/cards", "/ptm_reuse_cards/cards/evil~2Fxss,hn5318-cards"]:  # the text is not in cards
        response = await ds.client.get(path)
        assert response.status_code == 200 and SCRIPT not in response.text and IMG not in response.text, path
    pages = ["/", "/ptm_reuse_cards/card_texts", "/ptm_reuse_cards/card_texts/evil~2Fxss,hn5318-cards",
             "/ptm_reuse/model_profile?model_id=evil%2Fxss", "/ptm_reuse/findings",
             "/ptm_reuse/lineage", "/ptm_reuse/f07_base_model_fanout"]
    for path in pages:
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        assert SCRIPT not in response.text and IMG not in response.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text, path
    text = (await ds.client.get("/ptm_reuse_cards/card_texts/evil~2Fxss,hn5318-cards")).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


async def test_queries_are_served_only_for_this_projects_databases(tmp_path):
    other = tmp_path / "other.db"
    sqlite_utils.Database(other)["t"].insert({"a": 1})
    ds = Datasette([str(other)], plugins_dir=str(Path(__file__).resolve().parent.parent / "plugins"))
    await ds.invoke_startup()
    assert (await ds.client.get("/other.json")).json()["queries"] == []


@pytest.mark.real_sources
def test_f1_share_without_downloads_is_the_exact_ratio_of_the_raw_records(real_snapshot, real_db):
    """Recomputed in Python from the raw snapshot, not by the query's SQL. The query gives the share
    rounded to 4 decimals (0.4465 for 33,477 of 74,969 = 0.446545...); the sentence formatted it again
    to one decimal, "44.6%", where the exact ratio is 44.65% (44.7% to one decimal): a double rounding.
    It now prints the 4 decimals it gets, as a percentage with 2."""
    downloads = {}
    with open(real_snapshot / "models.jsonl", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["source"] == "liang2024" and record.get("downloads_30d") is not None:
                downloads[record["model_id"].lower()] = record["downloads_30d"]
    zero = sum(1 for n in downloads.values() if n == 0)
    answer = sqlite_utils.Database(connect(real_db))["findings"].get("F1")["answer"]
    assert f"Over the {len(downloads):,} models of liang2024" in answer
    assert f"{zero / len(downloads):.2%} had none" in answer, answer
