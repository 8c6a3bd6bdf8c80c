"""Datasette serving the database, configured as `make serve` configures it (tests/conftest.py),
driven in-process; and metadata.yml's completeness. Every test runs on the database built from the
import fixture (tests/fixtures/import: no real sources needed) and again on the real one."""

from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import yaml
from conftest import on_served_db
from build.db import connect

ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text())
TABLES_META = METADATA["databases"]["ptm_reuse"]["tables"]
DATABASES = ["ptm_reuse", "ptm_reuse_cards", "ptm_reuse_observations"]  # the main one and its siblings




@pytest.fixture(scope="session")
async def visible(served):
    """{table or view: [columns]} that Datasette shows (full-text and SQLite tables are hidden)."""
    db = served.ds.get_database("ptm_reuse")
    # a table metadata.yml hides from the index (facet_counts) is still described: count it
    hidden = set(await db.hidden_table_names()) - {n for n, m in TABLES_META.items() if m.get("hidden")}
    names = [t for t in await db.table_names() if t not in hidden] + await db.view_names()
    return {name: [c for c in await db.table_columns(name)] for name in names}


@pytest.fixture(scope="session")
async def visible_siblings(served):
    """The same for the databases the build writes beside the main one (ptm_reuse_cards,
    ptm_reuse_observations): {database: {table: [columns]}}."""
    out = {}
    for name in DATABASES[1:]:
        db = served.ds.get_database(name)
        hidden = set(await db.hidden_table_names())
        names = [t for t in await db.table_names() if t not in hidden] + await db.view_names()
        out[name] = {t: [c for c in await db.table_columns(t)] for t in names}
    return out


def visible_in(database, visible, visible_siblings):
    """({table: [columns]} Datasette shows, {table: metadata}) of one database."""
    shown = visible if database == "ptm_reuse" else visible_siblings[database]
    return shown, METADATA["databases"][database]["tables"]


@on_served_db
async def test_home_page_shows_the_title(served):
    response = await served.ds.client.get("/")
    assert response.status_code == 200
    assert METADATA["title"] in response.text


@on_served_db
async def test_every_table_and_view_page_renders(served, visible):
    assert {"models", "dependents", "sources", "findings"} <= set(visible)
    failed = {}
    for name in visible:
        response = await served.ds.client.get(f"/ptm_reuse/{quote(name)}?_size=5")
        if response.status_code != 200:
            failed[name] = response.status_code
    assert failed == {}


@on_served_db
async def test_database_download(served):
    ds, db_path = served.ds, served.db_path
    response = await ds.client.get("/ptm_reuse.db")
    # Datasette serves the file only for an immutable database (`datasette serve -i DB`,
    # Datasette(immutables=[...])); the built database never changes while served.
    assert response.status_code == 200, "download forbidden: Datasette must open the database immutable (-i)"
    assert response.content[:16] == b"SQLite format 3\x00"
    assert len(response.content) == db_path.stat().st_size
    # the databases beside it are served and downloadable the same way
    for name, table in [("cards", "card_texts"), ("cards", "cards"), ("cards", "card_sections"),
                        ("observations", "model_observations")]:
        path = db_path.with_name(f"ptm_reuse_{name}.db")
        response = await ds.client.get(f"/ptm_reuse_{name}.db")
        assert response.status_code == 200 and response.content == path.read_bytes()
        response = await ds.client.get(f"/ptm_reuse_{name}/{table}?_size=5")
        assert response.status_code == 200


@on_served_db
async def test_the_two_databases_hold_the_same_cards(served):
    """One card text per card row, the same keys, from the same build (input_hash)."""
    main = connect(served.db_path)  # the cards and observations databases attached
    keys = main.execute("SELECT model_id, source FROM cards ORDER BY 1, 2").fetchall()
    assert keys and keys == main.execute("SELECT model_id, source FROM card_texts ORDER BY 1, 2").fetchall()
    for name in ("cards", "observations"):
        assert main.execute("SELECT value FROM snapshot WHERE key = 'input_hash'").fetchone() == \
            main.execute(f"SELECT value FROM {name}.build WHERE key = 'input_hash'").fetchone()
    main.close()


@on_served_db
async def test_json_query(served):
    ds, db_path = served.ds, served.db_path
    sql = "SELECT pipeline_tag, count(*) AS n FROM models WHERE in_paper_snapshot = 1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5"
    response = await ds.client.get("/ptm_reuse.json?" + urlencode({"sql": sql, "_shape": "array"}))
    assert response.status_code == 200
    conn = connect(db_path)
    expected = [{"pipeline_tag": t, "n": n} for t, n in conn.execute(sql)]
    conn.close()
    assert response.json() == expected and len(expected) >= 2


@on_served_db
@pytest.mark.parametrize("database", DATABASES)
async def test_every_table_and_column_is_described(visible, visible_siblings, database):
    visible, tables_meta = visible_in(database, visible, visible_siblings)
    missing = [f"database {database}: no {key}" for key in ("description", "source", "license")
               if not METADATA["databases"][database].get(key)]
    for name, columns in sorted(visible.items()):
        meta = tables_meta.get(name)
        if meta is None:
            missing.append(f"table {name}: no entry in metadata.yml")
            continue
        missing += [f"table {name}: no {key}" for key in ("description", "source", "license") if not meta.get(key)]
        described = meta.get("columns") or {}
        missing += [f"column {name}.{c}: no description" for c in columns if not described.get(c)]
    assert missing == [], "metadata.yml lacks:\n" + "\n".join(missing)


@on_served_db
@pytest.mark.parametrize("database", DATABASES)
async def test_metadata_describes_nothing_that_does_not_exist(visible, visible_siblings, database):
    visible, tables_meta = visible_in(database, visible, visible_siblings)
    stale = []
    for name, meta in tables_meta.items():
        if name not in visible:
            stale.append(f"table {name}")
            continue
        for key in ("columns", "facets", "sortable_columns"):
            for column in meta.get(key) or []:
                if column not in visible[name]:
                    stale.append(f"{key} {name}.{column}")
    assert stale == [], "metadata.yml names what the database does not have:\n" + "\n".join(stale)


def test_no_raw_html_in_metadata():
    """description_html is rendered unescaped; this metadata has no use for it."""
    assert "_html" not in (ROOT / "metadata.yml").read_text()
