"""The Parquet export (build/parquet.py, `make parquet`), read back with DuckDB.

Row counts and a sample of rows of every table are compared with SQLite, value by value and type
by type; every canned query that the export says runs on DuckDB is run there on the Parquet files,
unchanged, and must give SQLite's answer; the ones it says do not must indeed fail there.
"""

import json
import sqlite3

import pytest

from build.findings import load_queries
from build.db import cards_db_path, connect, sibling_paths
from build.parquet import NOT_ON_DUCKDB, ExportError, duckdb_sql, duckdb_views, export, exported_tables

duckdb = pytest.importorskip("duckdb")


@pytest.fixture(scope="module")
def exported(real_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("parquet") / "ptm_reuse-parquet"
    export(real_db, out)
    return out


@pytest.fixture(scope="module")
def duck(exported):
    conn = duckdb.connect()
    for statement in duckdb_views(exported):
        conn.execute(statement)
    yield conn
    conn.close()


def _tables(real_db):
    """(table, its SQLite connection) for every table of the main database and of its siblings (the
    cards and observations databases; not their `build` table, which only pairs them with the main one)."""
    main = sqlite3.connect(real_db)
    siblings = [sqlite3.connect(p) for p in sibling_paths(real_db).values()]
    return [(table, main) for table in exported_tables(main)] + \
        [(table, conn) for conn in siblings for table in exported_tables(conn) if table != "build"]


def _cell(value):
    return round(value, 9) if isinstance(value, float) else value


@pytest.mark.real_sources
def test_every_table_is_exported_with_its_rows_and_types(real_db, exported):
    pairs = _tables(real_db)
    tables = [table for table, _ in pairs]
    assert {"models", "model_observations", "cards", "dependents", "lineage", "sources"} <= set(tables)
    assert {"card_texts", "card_sections"} <= set(tables)  # from the databases beside the main one
    assert len(set(tables)) == len(tables)
    assert not any(t.startswith("sqlite_") or "_fts" in t for t in tables)
    assert "facet_counts" not in tables  # mixed-type values (build/facets.py): not a Parquet column
    manifest = json.loads((exported / "manifest.json").read_text())
    assert set(manifest["tables"]) == set(tables)
    assert manifest["databases"] == [real_db.name, *(p.name for p in sibling_paths(real_db).values())]
    assert manifest["tables"]["card_texts"]["database"] == cards_db_path(real_db).name
    assert manifest["tables"]["cards"]["database"] == cards_db_path(real_db).name
    assert manifest["tables"]["model_observations"]["database"] == sibling_paths(real_db)["observations"].name
    assert manifest["tables"]["models"]["database"] == real_db.name
    d = duckdb.connect()
    for table, conn in pairs:
        path = exported / f"{table}.parquet"
        n = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        assert d.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0] == n, table
        assert manifest["tables"][table]["rows"] == n
        # types kept: each column's DuckDB type is its SQLite declared type
        declared = dict(conn.execute("SELECT name, upper(type) FROM pragma_table_info(?)", [table]).fetchall())
        described = dict(d.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))",
                                   [str(path)]).fetchall())
        assert list(described) == list(declared), table
        for column, sqlite_type in declared.items():
            expected = {"INTEGER": "BIGINT", "REAL": "DOUBLE", "FLOAT": "DOUBLE", "BLOB": "BLOB"}.get(sqlite_type, "VARCHAR")
            assert described[column] == expected, f"{table}.{column}: {sqlite_type} exported as {described[column]}"


@pytest.mark.real_sources
def test_a_sample_of_rows_is_identical(real_db, exported):
    d = duckdb.connect()
    compared = 0
    for table, conn in _tables(real_db):
        n = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        positions = sorted({0, n // 3, n // 2, (2 * n) // 3, n - 1} & set(range(n)))
        for position in positions:
            without_rowid = "WITHOUT ROWID" in conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
            order = "" if without_rowid else " ORDER BY rowid"  # the export's order: the key's for a WITHOUT ROWID table
            expected = conn.execute(f'SELECT * FROM "{table}"{order} LIMIT 1 OFFSET ?', [position]).fetchone()
            got = d.execute("SELECT * EXCLUDE (file_row_number) FROM read_parquet(?, file_row_number = true) "
                            "WHERE file_row_number = ?", [str(exported / f"{table}.parquet"), position]).fetchone()
            assert tuple(map(_cell, got)) == tuple(map(_cell, expected)), f"{table} row {position}"
            assert [type(v) for v in got] == [type(v) for v in expected], f"{table} row {position}: types"
            compared += 1
    assert compared > 50


def _answer(rows):
    """Rows as a sorted list: ties may come in another order; DuckDB types a UNION of numbers and
    text as text, so numbers are compared as text."""
    return sorted((tuple(str(v) if isinstance(v, int) else _cell(v) for v in row) for row in rows), key=repr)


@pytest.mark.real_sources
@pytest.mark.parametrize("name", list(load_queries()))
def test_canned_query_on_duckdb(name, real_db, exported, duck):
    query = load_queries()[name]
    params = {k: str(v) for k, v in query.params.items()}  # Datasette passes every parameter as text
    conn = connect(real_db)
    expected = conn.execute(query.sql, params).fetchall()
    published = (exported / "queries" / f"{name}.sql").read_text()
    assert published.strip() == query.sql.strip()
    manifest = json.loads((exported / "manifest.json").read_text())["queries"][name]
    assert manifest["duckdb"] == (name not in NOT_ON_DUCKDB)
    try:
        got = duck.execute(duckdb_sql(published), params or None).fetchall()
    except duckdb.Error as e:
        if name in NOT_ON_DUCKDB:
            return
        pytest.fail(f"{name} does not run on DuckDB ({str(e).splitlines()[0]}): make it portable, or list it "
                    "in build.parquet.NOT_ON_DUCKDB with the reason")
    if name in NOT_ON_DUCKDB:
        pytest.fail(f"{name} runs on DuckDB now: remove it from build.parquet.NOT_ON_DUCKDB")
    assert _answer(got) == _answer(expected)


def test_a_value_that_does_not_fit_its_type_is_named(tmp_path):
    db = tmp_path / "bad.db"
    conn = connect(db)
    conn.execute("CREATE TABLE models (model_id TEXT, downloads INTEGER)")
    conn.executemany("INSERT INTO models VALUES (?, ?)", [("a", 1), ("b", "many")])
    conn.commit()
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous export")
    with pytest.raises(ExportError, match=r"models\.downloads \(rowid 2\)"):
        export(db, out)
    assert (out / "keep.txt").read_text() == "previous export"  # a failed export replaces nothing
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


def test_small_database_round_trip(tmp_path):
    db = tmp_path / "small.db"
    conn = connect(db)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, raw BLOB)")
    conn.execute("CREATE TABLE empty (x INTEGER)")
    conn.execute("CREATE VIEW v AS SELECT name, score * 2 AS double_score FROM t")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [(1, "é", 0.5, b"\x00\x01"), (2, None, None, None)])
    conn.commit()
    manifest = export(db, tmp_path / "out")
    assert manifest["tables"]["t"]["columns"] == {"id": "int64", "name": "string", "score": "double", "raw": "binary"}
    assert manifest["tables"]["empty"]["rows"] == 0
    d = duckdb.connect()
    for statement in duckdb_views(tmp_path / "out"):
        d.execute(statement)
    assert d.execute("SELECT * FROM t ORDER BY id").fetchall() == [(1, "é", 0.5, b"\x00\x01"), (2, None, None, None)]
    assert d.execute("SELECT * FROM v ORDER BY name").fetchall() == [("é", 1.0), (None, None)]
    assert d.execute("SELECT count(*) FROM empty").fetchone() == (0,)


def test_the_cards_database_beside_it_is_exported_too(tmp_path):
    db = tmp_path / "small.db"
    conn = connect(db)
    conn.execute("CREATE TABLE models (model_id TEXT)")
    conn.execute("INSERT INTO models VALUES ('gpt2')")
    conn.commit()
    cards = sqlite3.connect(tmp_path / "small_cards.db")
    cards.execute("CREATE TABLE card_texts (model_id TEXT, text TEXT)")
    cards.execute("INSERT INTO card_texts VALUES ('gpt2', '# GPT-2')")
    cards.commit()
    manifest = export(db, tmp_path / "out")
    assert manifest["databases"] == ["small.db", "small_cards.db"]
    assert manifest["tables"]["card_texts"]["database"] == "small_cards.db"
    d = duckdb.connect()
    for statement in duckdb_views(tmp_path / "out"):
        d.execute(statement)
    assert d.execute("SELECT m.model_id, c.text FROM models m JOIN card_texts c USING (model_id)").fetchall() \
        == [("gpt2", "# GPT-2")]
    # a table in both files cannot become one file of the export: said, and nothing is replaced
    cards.execute("CREATE TABLE models (model_id TEXT)")
    cards.commit()
    with pytest.raises(ExportError, match=r"small_cards\.db: table models is also in small\.db"):
        export(db, tmp_path / "out")
    assert json.loads((tmp_path / "out" / "manifest.json").read_text()) == manifest
