"""The canned queries of queries/*.sql: their file format, their parameters, and their answers on
the real default database, served by Datasette configured like `make serve`.

The unit tests at the top need no database. The rest run every canned query through Datasette
in-process, on the database built from the import fixture (no real sources needed) and on the one
built from the real sources (`real_db`), and check on the latter the figures that
../shared/docs/FINDINGS.md lists as computed from the sources.
"""

import importlib.resources
import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
import yaml
from conftest import on_real_db, on_served_db

from build.db import connect
from build.findings import (CONSISTENT, FINDINGS, REPRODUCED, STATUSES, QueryFileError, format_answer,
                            load_queries, params_cte, parse_query, run)

ROOT = Path(__file__).resolve().parent.parent
QUERIES = load_queries()
VEGA_JS = sorted((importlib.resources.files("datasette_vega") / "static").glob("main.*.js"))
# The hash-fragment keys and values datasette-vega's DatasetteVega.js reads (serializeState,
# markOptions, typeOptions).
VEGA_KEYS = {"mark", "x_column", "x_type", "y_column", "y_type", "color_column", "size_column"}
VEGA_MARKS = {"bar", "line", "circle"}
VEGA_TYPES = {"quantitative", "quantitative-bin", "temporal", "temporal-bin", "ordinal", "nominal"}


def write_query(folder: Path, header: str, sql: str = "SELECT 1 AS one") -> Path:
    path = folder / "q.sql"
    path.write_text(f"/* ---\n{header}\n--- */\n{sql}\n")
    return path


def fragment(query) -> dict:
    return {k.removeprefix("g."): v for k, v in parse_qsl(query.fragment)}


# ---------------------------------------------------------------- the file format

BASE = "title: T\ndescription: D\nfinding: F1"


@pytest.mark.parametrize("header, sql, message", [
    ("title: T\nfinding: F1", "SELECT 1", "header field 'description' is required"),
    (BASE.replace("F1", "F13"), "SELECT 1", "header field 'finding' is 'F13'"),
    (BASE + "\ncolour: red", "SELECT 1", "unknown header field(s) ['colour']"),
    (BASE + "\nparams:\n  top_n: 20", "SELECT :top_n", "the SQL reads :top_n directly; read p.top_n instead"),
    (BASE + "\nparams:\n  top_n: [1]", "SELECT 1", "params: top_n: default [1] must be a number or a string"),
    (BASE, "DELETE FROM models", "must start with SELECT or WITH"),
    (BASE + "\nclaims:\n  - id: x\n    claim: c", "SELECT 1", "claims[0]: field 'cited_in' is required"),
    (BASE + "\ntitle: [", "SELECT 1", "header is not valid YAML"),
    (BASE + "\nclaims:\n  - {id: x, claim: c, cited_in: p, quoted_value: q, column: v, expected: 1, over: {n: v}}",
     "SELECT 1", "claims[0]: over must be a mapping with source"),
])
def test_a_bad_query_file_is_reported_with_file_and_field(tmp_path, header, sql, message):
    path = write_query(tmp_path, header, sql)
    with pytest.raises(QueryFileError) as e:
        parse_query(path)
    assert str(e.value).startswith(f"{path}: ")
    assert message in str(e.value)


def test_a_file_without_header_is_reported(tmp_path):
    path = tmp_path / "q.sql"
    path.write_text("SELECT 1\n")
    with pytest.raises(QueryFileError, match=re.escape(f"{path}: must start with a YAML header")):
        parse_query(path)


def test_empty_parameters_take_their_typed_defaults(tmp_path):
    query = parse_query(write_query(
        tmp_path, BASE + "\nparams:\n  top_n: 20\n  source: liang2024\n  share: 0.5",
        "SELECT p.top_n, typeof(p.top_n) AS t, p.source, p.share, typeof(p.share) AS s FROM p"))
    conn = sqlite3.connect(":memory:")
    assert run(conn, query) == [{"top_n": 20, "t": "integer", "source": "liang2024", "share": 0.5, "s": "real"}]
    # Datasette passes every value as a string
    assert run(conn, query, {"top_n": "5", "source": "x", "share": "0.25"}) == [
        {"top_n": 5, "t": "integer", "source": "x", "share": 0.25, "s": "real"}]
    assert query.canned()["params"] == ["top_n", "source", "share"]


@pytest.mark.parametrize("sql", [
    "SELECT n FROM p",
    "WITH t AS (SELECT 1) SELECT n FROM p, t",
    "with recursive t(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM t WHERE k < 3) SELECT n FROM p, t LIMIT 1",
])
def test_the_parameter_cte_joins_any_leading_with(tmp_path, sql):
    query = parse_query(write_query(tmp_path, BASE + "\nparams:\n  n: 7", sql))
    assert params_cte({"n": 7}) in query.sql
    assert run(sqlite3.connect(":memory:"), query) == [{"n": 7}]


def test_answers_print_missing_values_as_na():
    values = {"a": 1234, "b": None, "by": {"mit": {"links": 0.5}}}
    dates = {"hn5318-cards": "2024", "esem2024": "unknown"}
    assert format_answer("{s:dated}, {e:dated}, {x:dated}, {nothing:dated}",
                         {"s": "hn5318-cards", "e": "esem2024", "x": "other"}, dates) == \
        "hn5318-cards (2024), esem2024 (date not stated), other (date not stated), n/a"
    assert format_answer("{a:,} {b:.1%} {by[mit][links]:.0%} {by[gpl][links]:,} {nothing}", values) == \
        "1,234 n/a 50% n/a n/a"


# ---------------------------------------------------------------- the query files of this project

def test_every_finding_has_queries_and_one_answer():
    for finding in FINDINGS:
        own = [q for q in QUERIES.values() if q.finding == finding]
        assert own, f"{finding}: no canned query"
        assert len([q for q in own if q.answer]) == 1, f"{finding}: needs exactly one query with an answer"
    assert {"choose_model", "model_profile"} <= set(QUERIES)


def test_every_query_has_a_title_and_a_description_with_its_caveats():
    for name, query in QUERIES.items():
        assert len(query.title) > 10 and len(query.description) > 100, name


def test_chart_fragments_use_datasette_vega_keys():
    # the keys are those of the installed datasette-vega (a dependency: it must be there)
    assert VEGA_JS, "datasette-vega's static/main.*.js not found: is datasette-vega installed?"
    js = "".join(path.read_text() for path in VEGA_JS)
    assert all(key in js for key in VEGA_KEYS | VEGA_TYPES)
    charted = [q for q in QUERIES.values() if q.fragment]
    assert len(charted) >= 20
    for query in charted:
        assert all(k.startswith("g.") for k, _ in parse_qsl(query.fragment)), query.name
        g = fragment(query)
        assert set(g) <= VEGA_KEYS and {"mark", "x_column", "y_column", "x_type", "y_type"} <= set(g), query.name
        assert g["mark"] in VEGA_MARKS and {g["x_type"], g["y_type"]} <= VEGA_TYPES, query.name


def test_canned_query_sql_lives_only_in_queries():
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    for database in (metadata.get("databases") or {}).values():
        assert "queries" not in database


# ---------------------------------------------------------------- on the real database, via Datasette



async def rows_of(real_ds, name: str, **params) -> list[dict]:
    response = await real_ds.client.get(f"/ptm_reuse/{name}.json?" + urlencode({**params, "_shape": "array"}))
    assert response.status_code == 200, f"{name}: HTTP {response.status_code}: {response.text[:500]}"
    return response.json()


@on_served_db
async def test_the_database_page_lists_every_canned_query(served):
    response = await served.ds.client.get("/ptm_reuse.json")
    listed = {q["name"]: q for q in response.json()["queries"]}
    assert set(listed) == set(QUERIES)
    assert all(listed[name]["title"] == query.title for name, query in QUERIES.items())


@on_served_db
async def test_every_canned_query_answers_a_first_visit(served):
    """No parameters given, as a new visitor opens it: no error, a chart's columns, and (on the real
    database) rows; the few rows of the fixture may leave a query without an answer, never with an error."""
    for name, query in QUERIES.items():
        response = await served.ds.client.get(f"/ptm_reuse/{name}.json")
        assert response.status_code == 200, f"{name}: HTTP {response.status_code}: {response.text[:500]}"
        result = response.json()
        assert result.get("ok", True) and not result.get("error"), f"{name}: {result.get('error')}"
        columns, rows = result["columns"], [dict(zip(result["columns"], r)) for r in result["rows"]]
        if served.real:
            assert rows, f"{name}: no rows"
        if query.fragment:
            g = fragment(query)
            if served.real:
                assert len(rows) > 1, f"{name}: datasette-vega draws nothing from fewer than two rows"
            for key in ("x_column", "y_column", "color_column"):
                if key in g:
                    assert g[key] in columns, f"{name}: chart column {g[key]!r} is not in the result"
            for axis in ("x", "y"):
                if g[f"{axis}_type"] == "quantitative":
                    values = [r[g[f"{axis}_column"]] for r in rows]
                    assert all(v is None or isinstance(v, (int, float)) for v in values), f"{name}: {axis}"


@on_served_db
async def test_empty_parameters_give_the_declared_defaults(served):
    for name, query in QUERIES.items():
        if query.params:
            explicit = {k: str(v) for k, v in query.params.items()}
            assert await rows_of(served.ds, name) == await rows_of(served.ds, name, **explicit), name


@on_real_db
async def test_parameters_change_the_answer(real_ds, real_db):
    assert len(await rows_of(real_ds, "f01_most_reused_models", top_n="5")) == 5
    assert [r["models"] for r in await rows_of(real_ds, "f01_reuse_concentration", population="huggingfacer")] == [55524]
    chosen = await rows_of(real_ds, "choose_model", task="fill-mask", top_n="7", sort="dependents")
    assert len(chosen) == 7
    conn = connect(real_db)
    tasks = {conn.execute("SELECT pipeline_tag FROM model_observations WHERE model_id = ? AND source = ?",
                          (r["model_id"], r["population"])).fetchone()[0] for r in chosen}
    assert tasks == {"fill-mask"}
    dependents = [r["github_dependents"] for r in chosen]
    assert dependents == sorted(dependents, reverse=True)
    profile = await rows_of(real_ds, "model_profile", model_id="gpt2")
    # gpt2 is a legacy id: the profile is that of its successor (model_aliases)
    assert {"what": "model", "item": "model_id", "value": "openai-community/gpt2"}.items() <= profile[0].items()
    missing = await rows_of(real_ds, "model_profile", model_id="no-such/model")
    assert [r["what"] for r in missing] == ["not found"]


@on_real_db
async def test_figures_computed_from_the_sources(real_ds):
    """The figures FINDINGS.md lists as computed from the sources, given by the canned queries."""
    hfr = (await rows_of(real_ds, "f01_reuse_concentration", population="huggingfacer"))[0]
    assert hfr["paper_ids"] == 63367
    assert hfr["population"] == "huggingfacer" and hfr["models"] == 55524
    assert hfr["median_downloads"] == 2
    assert round(hfr["zero_share"], 3) == 0.309
    assert (hfr["link_rows"], hfr["link_repos"], hfr["link_models"]) == (22861, 7956, 1512)
    assert round(hfr["top10_link_share"], 3) == 0.326

    liang = (await rows_of(real_ds, "f03_card_completeness"))[0]
    # the default is the newest population with card presence; Liang et al. list one repository
    # twice (two spellings that differ by case), counted once
    assert (liang["population"], liang["models"], liang["with_card"]) == ("liang2024", 74969, 32111)
    assert round(liang["card_share"], 4) == 0.4283

    missing = {r["measure"]: r for r in await rows_of(real_ds, "f06_missing_attributes")}
    assert missing["task/huggingfacer"]["models"] == 55524
    assert round(missing["task/huggingfacer"]["missing_share"], 3) == 0.334


@on_real_db
async def test_findings_and_replication_table_on_the_real_database(real_ds):
    db = real_ds.get_database("ptm_reuse")
    rows = [dict(r) for r in (await db.execute("SELECT * FROM findings")).rows]
    assert sorted(r["id"] for r in rows) == sorted(FINDINGS)
    for row in rows:
        assert "n/a" not in row["answer"], f"{row['id']}: {row['answer']}"
        assert row["query"] in QUERIES
    claims = {r["id"]: dict(r) for r in (await db.execute("SELECT * FROM paper_claims")).rows}
    for claim_id in ("F1-median-downloads", "F1-zero-downloads", "F1-reuse-links", "F1-top10-link-share",
                     "F3-card-share-liang", "F6-no-task", "F8-links-apache", "F10-distilgpt2"):
        assert claims[claim_id]["status"] == "reproduced", claims[claim_id]
    assert {c["status"] for c in claims.values()} <= set(STATUSES)
    assert all(c["note"] for c in claims.values() if c["status"] not in (REPRODUCED, CONSISTENT))
    assert claims["F12-signed-commits"]["status"] == "not measurable from these sources"


def test_docs_list_every_query():
    docs = (ROOT / "docs" / "findings.md").read_text()
    assert [name for name in QUERIES if f"`{name}`" not in docs] == []
