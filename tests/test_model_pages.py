"""The model pages (/models/<id>), the search (/-/search) and the card sanitiser, on a database
built from the fixture snapshot plus a few records written here: a legacy id, a grandchild in
the lineage, a lineage cycle, and a card (and a model id) carrying XSS payloads.

Nothing here needs the real sources: this is the "works with a db built from any snapshot" check.
"""

import json
import re
from collections import OrderedDict
import shutil
from html.parser import HTMLParser
import sqlite3
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import yaml
from conftest import make_datasette

from build.db import build, cards_db_path, connect
from plugins.ptm_models import MODEL_PARTS, fts_query, marked_snippet, render_card

FIXTURE = Path(__file__).parent / "fixtures" / "snapshot"

# Payloads that must never run: script, event handlers, javascript: and data: URLs.
XSS_CARD = """---
license: mit
pipeline_tag: text-classification
---
# Evil model <script>alert("script")</script>

<img src=x onerror="alert('img')"> <svg onload="alert('svg')"></svg>

<div onmouseover="alert('div')" style="background:url(javascript:alert('css'))">hover</div>

[click me](javascript:alert('link')) and [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

<a href="JaVaScRiPt:alert('mixed')">mixed case</a> <a href="data:text/html,<script>alert(2)</script>">raw data</a>

<iframe src="javascript:alert('iframe')"></iframe><object data="x.swf"></object>
<form action="javascript:alert('form')"><button formaction="javascript:alert(1)">go</button></form>

## Training data

Real words about the training data of this model, enough to count.

| metric | value |
|---|---|
| accuracy | 0.9 |
"""
XSS_ID = 'evil/<script>alert("id")</script>'
EXTRA = {
    "models.jsonl": [
        {"source": "beta", "model_id": XSS_ID, "observed": "2022-10-01", "downloads_30d": 42, "has_card": True},
        {"source": "beta", "model_id": "org/grandchild", "observed": "2022-10-01", "downloads_30d": 5},
        {"source": "beta", "model_id": "someone/gpt2-large-fork", "observed": "2022-10-01", "downloads_30d": 10**9},
        {"source": "beta", "model_id": "gpt2", "observed": "2022-10-01", "downloads_30d": 1000, "pipeline_tag": "text-generation"},
    ],
    "cards.jsonl": [{"source": "beta", "model_id": XSS_ID, "observed": "2022-10-01", "text": XSS_CARD}],
    "lineage.jsonl": [
        {"source": "beta", "model_id": "org/grandchild", "base_model_id": "org/merged", "relation": "quantized"},
        {"source": "beta", "model_id": "cycle/a", "base_model_id": "cycle/b"},
        {"source": "beta", "model_id": "cycle/b", "base_model_id": "cycle/a"},
    ],
    "aliases.jsonl": [{"source": "beta", "old_id": "openai/gpt2-legacy", "new_id": "gpt2", "observed": "2022-10-01"}],
}


def payload_snapshot(folder: Path, more: dict | None = None) -> Path:
    """The fixture snapshot copied to `folder`, with EXTRA's records and `more` appended."""
    shutil.copytree(FIXTURE, folder)
    for extra in (EXTRA, more or {}):
        for name, records in extra.items():
            with open(folder / name, "a") as f:
                f.writelines(json.dumps(r) + "\n" for r in records)
    return folder


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    snapshot = payload_snapshot(tmp_path_factory.mktemp("snapshot") / "browse")
    path = tmp_path_factory.mktemp("db") / "ptm_reuse.db"
    build(snapshot, path, progress=False)
    return path


@pytest.fixture(scope="module")
async def ds(db_path):
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    return datasette


def rows(db_path: Path, sql: str, params: dict) -> list[dict]:
    conn = connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


# ------------------------------------------------------------------ the sanitiser


class ActiveContent(HTMLParser):
    """Collects what could run or load in HTML: dangerous tags, event handlers, style, and URL
    attributes with a scheme other than http(s)/mailto. Markdown that stays text is harmless."""

    TAGS = {"script", "iframe", "object", "embed", "form", "svg", "img", "style", "link", "meta", "base", "math"}
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcset", "poster"}

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            scheme = re.match(r"\s*([a-z][a-z0-9+.-]*):", (value or "").lower())
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            elif name in self.URL_ATTRIBUTES and scheme and scheme[1] not in ("http", "https", "mailto"):
                self.found.append(f"{tag} {name}={value}")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


def test_the_checker_sees_every_payload_unsanitised():
    # the attack card rendered without the sanitiser: the checker must catch each payload kind
    from plugins.ptm_models import _MARKDOWN

    found = " ".join(active_content(_MARKDOWN.render(XSS_CARD)))
    for expected in ("<script>", "img onerror", "svg onload", "div onmouseover", "div style",
                     "a href=JaVaScRiPt:", "a href=data:text/html", "<iframe>", "<form>", "button formaction"):
        assert expected in found, expected


def test_render_card_strips_every_payload():
    front, html = render_card(XSS_CARD)
    assert front.startswith("license: mit")
    assert active_content(html) == []
    # what is safe stays: headings, text, the table, and the links' text
    assert "<h2>Training data</h2>" in html and "<table>" in html and "click me" in html
    assert "alert(&quot;script&quot;)" not in html  # the script's body is dropped, not shown as text


def test_render_card_keeps_web_links_with_rel():
    _, html = render_card("[hub](https://huggingface.co/gpt2) <a href='mailto:a@b.c'>mail</a>")
    assert 'href="https://huggingface.co/gpt2"' in html and 'rel="noopener noreferrer nofollow ugc"' in html
    assert 'href="mailto:a@b.c"' in html


def test_fts_query_quotes_every_word():
    assert fts_query('bert "base') == '"bert" """base"*'
    assert fts_query("google/flan-t5") == '"google" "flan-t5"*'
    assert fts_query("   ") == ""
    assert fts_query("org/model-5") == '"org" "model-5"'  # no one-character prefix
    assert fts_query("bert-ba") == '"bert-ba"*' and fts_query("t5") == '"t5"*' and fts_query("x") == '"x"'


def test_snippet_is_escaped_before_it_is_marked():
    assert marked_snippet("<b>\x01gpt\x02</b>") == "&lt;b&gt;<mark>gpt</mark>&lt;/b&gt;"


# ------------------------------------------------------------------ the model page


async def test_model_page_shows_every_part_with_its_sql(ds, db_path):
    response = await ds.client.get("/models/gpt2")
    assert response.status_code == 200
    html = response.text
    assert "<h1 class=\"ptm-model-id\">gpt2</h1>" in html
    # the site's navigation and look (base.html, app.css)
    assert 'class="crumbs"' in html and "/-/static/app.css" in html
    # merged metadata, and what each source saw and when
    assert "text-generation" in html and "2022-08-15" in html and "2022-10-01" in html
    # the card: score, reasons, sections present / missing / filler
    assert re.search(r"completeness 0\.\d\d of 1", html)
    assert "training data" in html and "intended_uses_limitations" in html  # filler section named
    # dependents: two code files with their loading call
    assert "transformers.pipeline" in html and "u2/r2" in html
    # the legacy id that redirects here
    assert "openai/gpt2-legacy" in html
    # every part links to its SQL and its JSON, and the JSON is what the SQL gives
    for name, (_, sql) in MODEL_PARTS.items():
        links = re.findall(r'href="(/ptm_reuse\.json\?[^"]+)"', html)
        link = next(l.replace("&amp;", "&") for l in links
                    if dict(parse_qsl(urlsplit(l.replace("&amp;", "&")).query))["sql"] == sql.strip())
        got = (await ds.client.get(link)).json()
        assert got == rows(db_path, sql, {"model_id": "gpt2"}), name


async def test_model_page_json_gives_every_part(ds, db_path):
    data = (await ds.client.get("/models/gpt2.json")).json()
    assert data["model_id"] == "gpt2" and set(data["parts"]) == set(MODEL_PARTS)
    assert data["parts"]["downloads"] == [
        {"observed": "2022-10-01", "source": "beta", "downloads_30d": 1000}]


async def canonical_page(ds, model_id: str) -> str:
    """The page of the model an id names: its own, or the canonical model's that the id redirects to
    (the fixture's legacy bert-base-uncased is merged into its namespaced successor)."""
    response = await ds.client.get(f"/models/{model_id}")
    if response.status_code in (301, 302):
        return response.headers["location"].split("?")[0]
    assert response.status_code == 200
    return f"/models/{model_id}"


async def test_ids_with_a_slash_and_the_lineage_tree(ds):
    bert = await canonical_page(ds, "bert-base-uncased")
    html = (await ds.client.get(bert)).text
    # derived models two generations down, with relations and sources
    assert re.search(r'href="/models/org/merged">org/merged</a> <span class="ptm-muted">finetune,relation not stated · beta,gamma', html)
    assert re.search(r'href="/models/org/grandchild">org/grandchild</a> <span class="ptm-muted">quantized · beta', html)
    assert html.index("org/merged") < html.index("org/grandchild")
    # license beside the licenses of the reusing repositories (u1/r1's later record wins: Apache-2.0)
    licenses = (await ds.client.get(f"{bert}.json")).json()["parts"]["licenses"]
    assert {"whose": "reusing repositories", "license": "Apache-2.0", "repositories": 1,
            "said_by": "repositories"} in licenses
    assert {"whose": "reusing repositories", "license": "not stated", "repositories": 1,
            "said_by": "repositories"} in licenses
    up = (await ds.client.get("/models/org/grandchild")).text
    assert 'href="/models/org/merged"' in up and f'href="{bert}"' in up


async def test_a_lineage_cycle_is_shown_once(ds):
    response = await ds.client.get("/models/cycle/a")
    assert response.status_code == 200
    assert "cycle, not expanded" in response.text


async def test_legacy_and_case_variant_ids_find_the_model(ds):
    for asked in ("openai/gpt2-legacy", "GPT2", "OpenAI/GPT2-Legacy"):
        response = await ds.client.get(f"/models/{asked}")
        assert response.status_code == 302, asked
        assert response.headers["location"].startswith("/models/gpt2?from="), asked
    page = await ds.client.get("/models/gpt2?from=openai/gpt2-legacy")
    assert "You asked for <code>openai/gpt2-legacy</code>" in page.text


async def test_unknown_id_gets_a_404_with_the_search(ds):
    response = await ds.client.get("/models/nobody/nothing-here")
    assert response.status_code == 404
    assert 'action="/-/search"' in response.text and 'value="nobody/nothing-here"' in response.text


async def test_model_without_a_card(ds):
    html = (await ds.client.get("/models/owner/undated-only")).text
    assert "No card text of this model is in the database, and the most recent observation says it has no model card" in html
    assert "No dated observation gives this model" in html


async def test_a_model_page_when_its_sibling_databases_are_not_served(ds, db_path, tmp_path):
    """The cards (texts, scores, sections) and the observations are in the databases beside the main
    one: served, the page shows them; not served, it says which file holds them (never an error)."""
    served = (await ds.client.get("/models/" + XSS_ID)).text
    assert '<div class="ptm-card-text">' in served and "Real words about the training data" in served
    assert "completeness" in served and "not served here" not in served
    alone = tmp_path / "ptm_reuse.db"
    shutil.copy(db_path, alone)  # without ptm_reuse_cards.db and ptm_reuse_observations.db beside it
    datasette = make_datasette(alone)
    assert "ptm_reuse_cards" not in datasette.databases and "ptm_reuse_observations" not in datasette.databases
    response = await datasette.client.get("/models/" + XSS_ID)
    assert response.status_code == 200
    html = response.text
    assert ("This model's cards (texts, scores and sections) live in the cards database (ptm_reuse_cards.db), "
            "which is not served here") in html
    assert "What each source recorded of this model lives in the observations database " \
        "(ptm_reuse_observations.db), which is not served here" in html
    assert '<div class="ptm-card-text">' not in html and "Real words about the training data" not in html
    assert "completeness score 0.45 of 1" in html and "<h3>Card from" not in html  # models.card_score is in the main one
    # the JSON of the page: the parts it could not read are empty
    parts = (await datasette.client.get("/models/" + XSS_ID + ".json")).json()["parts"]
    assert parts["cards"] == parts["card_sections"] == parts["observations"] == []
    # with the cards database served but not the observations one: the cards are back
    shutil.copy(cards_db_path(db_path), cards_db_path(alone))
    html = (await make_datasette(alone).client.get("/models/" + XSS_ID)).text
    assert '<div class="ptm-card-text">' in html and "completeness" in html
    assert "(ptm_reuse_observations.db), which is not served here" in html


async def test_a_query_that_needs_a_sibling_not_served_says_which_file(ds, db_path, tmp_path):
    """A canned query reading cards or model_observations, served without their file: a client
    error whose page names the file to attach, not a 500."""
    alone = tmp_path / "ptm_reuse.db"
    shutil.copy(db_path, alone)
    datasette = make_datasette(alone)
    for query, name in [("f03_card_sections", "cards"), ("f11_practices_by_cohort", "observations"),
                        ("model_profile", "cards")]:
        served = await ds.client.get(f"/ptm_reuse/{query}")
        assert served.status_code == 200 and "not served here" not in served.text, query
        response = await datasette.client.get(f"/ptm_reuse/{query}")
        assert response.status_code == 400, (query, response.status_code)
        assert (f"lives in the {name} database (ptm_reuse_{name}.db), which is not served here. With the "
                f"downloaded files, attach it to ptm_reuse.db (ATTACH &#39;ptm_reuse_{name}.db&#39; AS {name})"
                in response.text), query


async def test_untrusted_model_id_and_card_never_become_markup(ds):
    response = await ds.client.get("/models/" + XSS_ID)
    assert response.status_code == 200
    html = response.text
    assert "<script>alert" not in html
    assert "evil/&lt;script&gt;alert(&#34;id&#34;)&lt;/script&gt;" in html
    card = html[html.index('<div class="ptm-card-text">'):html.index('<section id="lineage">')]
    assert active_content(card) == [] and "mixed case" in card
    # only the site's own scripts, all external files (no inline script but Datasette's menu closer)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all('src="/-/' in s for s in scripts[:-1]), scripts


# ------------------------------------------------------------------ search


async def test_search_lands_on_the_model_page_for_an_exact_or_legacy_id(ds):
    for q in ("gpt2", "GPT2", "openai/gpt2-legacy", "org/merged"):
        response = await ds.client.get("/-/search", params={"q": q})
        assert response.status_code == 302, q
    assert response.headers["location"] == "/models/org/merged"


async def test_search_ranks_exact_id_first_and_finds_card_text(ds):
    response = await ds.client.get("/-/search", params={"q": "org", "all": "1"})
    assert response.status_code == 200
    ids = re.findall(r'<a href="/models/([^"]+)">', response.text)
    assert ids[:3] == ["org/grandchild", "org/merged", "org/child2"]  # author matches, by downloads
    exact = await ds.client.get("/-/search", params={"q": "gpt2", "all": "1"})
    ids = re.findall(r'<a href="/models/([^"]+)">', exact.text)
    assert ids == ["gpt2", "someone/gpt2-large-fork"] and "exact id" in exact.text  # before the fork's downloads
    cards = await ds.client.get("/-/search", params={"q": "webtext"})
    assert "<mark>WebText</mark>" in cards.text and 'href="/models/gpt2"' in cards.text


def test_a_search_matching_many_models_ranks_a_bounded_pool_the_same_way(db_path):
    """Past SEARCH_CANDIDATES matches the search ranks a pool (exact, prefix, author, most
    downloaded); on a pool that holds every match the answer is the full ranking's."""
    from plugins.ptm_models import SEARCH_ALL_MATCHES_SQL, SEARCH_MANY_MODELS_SQL, SEARCH_MODELS_SQL

    for q in ("org", "gpt2", "GPT2", "model", "bert", "owner/undated"):
        params = {"q": q, "prefix": q + "%", "fts": fts_query(q)}
        full = rows(db_path, SEARCH_MODELS_SQL, params)
        assert full, q
        assert rows(db_path, SEARCH_ALL_MATCHES_SQL, {**params, "pool": 1000}) == full, q
        # the walk of the most downloaded models matches the words whole: on a walk over every
        # model, the full ranking less the ids that match only as a prefix (`bert` in `bertweet`)
        words = params["fts"].removesuffix("*")
        whole = {r["model_id"] for r in rows(db_path, SEARCH_MODELS_SQL, {**params, "fts": words})}
        pool_parts = {r["model_id"] for r in rows(db_path, (
            "SELECT model_id FROM models WHERE model_id = :q COLLATE NOCASE OR model_id LIKE :prefix "
            "OR author = :q"), params)}
        walked = rows(db_path, SEARCH_MANY_MODELS_SQL, {**params, "words": words, "walk": 10**6, "pool": 1000})
        assert walked == [r for r in full if r["model_id"] in whole | pool_parts], q
    # a pool of one per part still puts the exact id first, then its prefix, author and most downloaded
    params = {"q": "gpt2", "prefix": "gpt2%", "fts": fts_query("gpt2"), "pool": 1}
    for sql, more in ((SEARCH_ALL_MATCHES_SQL, {}), (SEARCH_MANY_MODELS_SQL, {"words": '"gpt2"', "walk": 10})):
        assert [r["model_id"] for r in rows(db_path, sql, {**params, **more})] == ["gpt2", "someone/gpt2-large-fork"]


async def test_a_search_matching_many_models_walks_the_most_downloaded_first(ds, monkeypatch):
    """Past SEARCH_CANDIDATES matches: the walk of the SEARCH_WALK most downloaded models when it
    finds SEARCH_LIMIT matches, else every match (SEARCH_ALL_MATCHES_SQL)."""
    from plugins import ptm_models

    db = ds.get_database("ptm_reuse")
    monkeypatch.setattr(ptm_models, "SEARCH_CANDIDATES", 0)
    monkeypatch.setattr(ptm_models, "SEARCH_LIMIT", 2)
    sql, params = await ptm_models.search_models_sql(db, "gpt2", fts_query("gpt2"))
    assert sql == ptm_models.SEARCH_MANY_MODELS_SQL and params["words"] == '"gpt2"' and params["walk"] > 0
    monkeypatch.setattr(ptm_models, "SEARCH_WALK", 1)  # one model walked: fewer than SEARCH_LIMIT found
    sql, params = await ptm_models.search_models_sql(db, "gpt2", fts_query("gpt2"))
    assert sql == ptm_models.SEARCH_ALL_MATCHES_SQL
    assert "its 2,000 most downloaded matches" in ptm_models.pool_note(sql)
    assert "among the 1 most downloaded that hold its words whole" in ptm_models.pool_note(ptm_models.SEARCH_MANY_MODELS_SQL)
    assert ptm_models.pool_note(ptm_models.SEARCH_MODELS_SQL) is None


def test_lookups_and_search_walk_indexes_not_the_models_table(db_path, tmp_path):
    """The case-insensitive id lookups and every part of the search pool are index searches
    (build/schema.py NOCASE_INDEXES): no step of their plans scans the models table. The plans
    are taken without the tiny fixture's statistics, as for a big table."""
    from plugins.ptm_models import (RESOLVE_SQL, SEARCH_ALL_MATCHES_SQL, SEARCH_COUNT_SQL, SEARCH_MANY_MODELS_SQL,
                                    SEARCH_WALK_COUNT_SQL)

    params = {"id": "GPT2", "q": "GPT2", "prefix": "GPT2%", "fts": fts_query("GPT2"), "cap": 10, "pool": 10,
              "words": '"GPT2"', "walk": 10, "limit": 5}
    big = tmp_path / "no-stats.db"
    shutil.copy(db_path, big)
    with connect(big) as conn:
        conn.execute("DROP TABLE IF EXISTS sqlite_stat1")
    conn = connect(big)
    try:
        for sql in [s for _, s in RESOLVE_SQL] + [SEARCH_COUNT_SQL, SEARCH_MANY_MODELS_SQL, SEARCH_ALL_MATCHES_SQL,
                                                  SEARCH_WALK_COUNT_SQL]:
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
            scans = [step for step in plan if re.match(r"SCAN (models|model_aliases|m|a)\b", step)
                     and "COVERING INDEX idx_models_downloads_30d" not in step]
            assert plan and not scans, (sql, plan)
    finally:
        conn.close()


async def test_search_with_fts_syntax_does_not_fail(ds):
    for q in ('"', "AND OR NOT", "*", "a:b", "(", "NEAR("):
        response = await ds.client.get("/-/search", params={"q": q})
        assert response.status_code in (200, 302), q


# ------------------------------------------------------------------ facets


async def test_the_facets_a_hub_user_reaches_for(ds):
    data = (await ds.client.get("/ptm_reuse/models.json")).json()
    facets = data["facet_results"]
    assert set(facets) >= {"pipeline_tag", "library_name", "license", "has_card", "gated"}
    assert all(facets[name]["results"] for name in ("pipeline_tag", "license", "has_card", "gated"))
    gated = {r["value"]: r["count"] for r in facets["gated"]["results"]}
    assert gated == {"false": 1}  # gpt2, as alpha saw it
    cards = {r["value"]: r["count"] for r in facets["has_card"]["results"]}
    assert cards == {1: 3, 0: 1}  # gpt2, the payload model and card-only-model; owner/undated-only says no


async def test_facet_answers_on_the_immutable_database_are_kept(ds):
    """plugins/ptm_serving.py keeps each facet's answer (the database is immutable): the second
    request gets the same counts from the cache, which holds every facet query the first ran."""
    from datasette.plugins import pm

    serving = next(p for p in pm.get_plugins() if getattr(p, "__name__", "") == "ptm_serving.py")
    first = (await ds.client.get("/ptm_reuse/models.json?_facet=author&_size=0")).json()["facet_results"]
    cached = [key[1] for key in serving._facet_caches[ds]]
    for column in ("pipeline_tag", "library_name", "license", "has_card", "gated", "author"):
        assert any(f"select {column} as value, count(*) as count" in sql for sql in cached), column
    again = (await ds.client.get("/ptm_reuse/models.json?_facet=author&_size=0")).json()["facet_results"]
    assert again == first
    authors = {r["value"]: r["count"] for r in first["author"]["results"]}
    assert authors == {r["author"]: r["n"] for r in rows(ds.databases["ptm_reuse"].path, (
        "SELECT author, count(*) AS n FROM models WHERE author IS NOT NULL GROUP BY author "
        "ORDER BY n DESC, author LIMIT 30"), {})}


async def test_a_facet_that_ran_out_of_time_is_filled_in_the_background(db_path, monkeypatch):
    """A facet query interrupted by facet_time_limit_ms is queued and run with FACET_FILL_MS;
    its answer is kept for the next request, and a query slower than that is not kept."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))
    import ptm_serving

    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    db = datasette.get_database("ptm_reuse")
    cache = OrderedDict()
    fills = ptm_serving._Fills(cache)
    facet = "select license as value, count(*) as count from models group by license"
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n) select max(i) from n"
    fills.add(db, "facet", facet, {})
    fills.add(db, "slow", slow, {})
    monkeypatch.setattr(ptm_serving, "FACET_FILL_MS", 200)
    await fills.runner
    assert list(cache) == ["facet"]
    assert {r["value"]: r["count"] for r in cache["facet"].rows} == {
        r["value"]: r["count"] for r in rows(db_path, facet, {})}


async def test_facet_counts_table_answers_as_datasettes_own_facets(db_path, tmp_path, monkeypatch):
    """build/facets.py counts the models table's facets at build time; plugins/ptm_serving.py answers
    a facet of the whole table, or of the table filtered on one facet value, from those counts.
    Every such page gives the same facet results as Datasette's own facet queries (the same
    database without facet_counts), and the counts table answered every facet of those pages;
    a page it does not cover (two filters, another column) runs Datasette's queries."""
    from datasette.plugins import pm

    from build.facets import MODEL_FACETS

    metadata = yaml.safe_load((Path(__file__).resolve().parent.parent / "metadata.yml").read_text())
    assert tuple(metadata["databases"]["ptm_reuse"]["tables"]["models"]["facets"]) == MODEL_FACETS
    plain = tmp_path / "ptm_reuse.db"
    shutil.copy(db_path, plain)
    with connect(plain) as conn:
        conn.execute("DROP TABLE facet_counts")
    counted, own = make_datasette(db_path), make_datasette(plain)
    serving = next(p for p in pm.get_plugins() if getattr(p, "__name__", "") == "ptm_serving.py")
    answered, precounted = [], serving._precounted

    async def recording(db, sql, params):
        results = await precounted(db, sql, params)
        answered.append((db.path, sql, dict(params or {}), results is not None))
        return results

    monkeypatch.setattr(serving, "_precounted", recording)

    async def facets(ds, query):
        response = await ds.client.get("/ptm_reuse/models.json?_size=0" + query)
        assert response.status_code == 200, query
        data = response.json()
        assert not data.get("facets_timed_out"), query
        return data["facet_results"]

    whole = await facets(own, "")
    assert set(whole) == set(MODEL_FACETS)
    pages = ["", "&_facet_size=1"] + [
        f"&{column}={quote(str(r['value']))}" for column in MODEL_FACETS for r in whole[column]["results"]]
    pages += ["&has_card=1.0", "&pipeline_tag=TEXT-CLASSIFICATION", "&license=no-such-license"]
    assert len(pages) > 10
    for page in pages:
        answered.clear()
        assert await facets(counted, page) == await facets(own, page), page
        from_table = [a[3] for a in answered if a[0] == str(db_path)]
        assert len(from_table) == len(MODEL_FACETS), page
        if page not in ("&pipeline_tag=TEXT-CLASSIFICATION", "&license=no-such-license"):
            assert all(from_table), page  # (a value no model has: Datasette's query, an index seek)
    gated = next(r["value"] for r in whole["gated"]["results"])
    for page in [f"&has_card=1&gated={gated}", "&_facet=author", "&_search=gpt2"]:
        answered.clear()
        assert await facets(counted, page) == await facets(own, page), page
        assert not any(a[3] for a in answered if "select pipeline_tag as value" in a[1]), page


# ------------------------------------------------------------------ model ids link to their pages


async def test_model_ids_in_tables_link_to_their_pages(ds):
    lineage = (await ds.client.get("/ptm_reuse/lineage")).text
    assert '<a href="/models/org/merged">org/merged</a>' in lineage
    bert = await canonical_page(ds, "bert-base-uncased")
    assert f'<a href="{bert}">{bert.removeprefix("/models/")}</a>' in lineage  # base_model_id
    view = (await ds.client.get("/ptm_reuse/model_reuse?_sort=model_id")).text
    assert '<a href="/models/owner/undated-only">owner/undated-only</a>' in view
    aliases = (await ds.client.get("/ptm_reuse/model_aliases")).text
    assert '<a href="/models/gpt2">gpt2</a>' in aliases  # new_id
    observations = (await ds.client.get("/ptm_reuse_observations/model_observations?source=beta")).text
    assert "<img src=x" not in observations and '<a href="/models/evil/%3Cscript%3E' in observations


async def test_a_models_row_links_to_the_model_page(ds):
    html = (await ds.client.get("/ptm_reuse/models/org~2Fmerged")).text
    assert '<a href="/models/org/merged">The model\'s page</a>' in html
    other = (await ds.client.get("/ptm_reuse/lineage")).text
    assert "The model's page" not in other
