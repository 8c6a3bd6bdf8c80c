"""The builder (build/db.py, python -m build): raw snapshot -> SQLite.

Most tests build tests/fixtures/snapshot, a hand-written snapshot of three sources ("alpha"
dated 2022-08-15, "beta" dated 2022-10-01, "gamma" undated) with a record of every kind; the
expected rows below are read off those files. The last test builds the real default snapshot.
"""

import json
import signal
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from build import cards, schema, signatures
from build.db import build, cards_db_path, connect, input_hash, sibling_paths
from build.redact import REPLACEMENT, TOKEN_PATTERN
from build.snapshot import SnapshotError, SnapshotWriter

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "snapshot"


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> sqlite_utils.Database:
    path = tmp_path_factory.mktemp("fixture-db") / "ptm_reuse.db"
    summary = build(FIXTURE, path, progress=False)
    assert summary["skipped"] is False
    return sqlite_utils.Database(connect(path))


def home(db: sqlite_utils.Database, table: str) -> sqlite_utils.db.Table:
    """A table of a database built by build(), opened in the file that holds it: the main one, or
    the sibling (cards, observations) attached to db's connection (sqlite-utils reads a table's
    columns and keys from its own file)."""
    if table not in schema.TABLE_FILE:
        return db[table]
    files = {name: path for _, name, path in db.execute("PRAGMA database_list").fetchall()}
    return sqlite_utils.Database(files[schema.TABLE_FILE[table]])[table]


@pytest.fixture(scope="module")
def fixture_cards_db(fixture_db) -> sqlite_utils.Database:
    """The cards database the same build wrote beside fixture_db."""
    return sqlite_utils.Database(cards_db_path(fixture_db.execute("PRAGMA database_list").fetchone()[2]))


def rows(db, sql, params=None):
    return [dict(r) for r in db.query(sql, params or [])]


def write_snapshot(folder: Path, records: dict, sources=("s",)) -> Path:
    w = SnapshotWriter(folder)
    for kind, recs in records.items():
        for r in recs:
            w.write(kind, r)
    w.finish({"name": "t", "producer": "tests", "created": "2024-01-01", "description": "test",
              "sources": [{"id": s, "title": s, "license": "CC0-1.0", "files": []} for s in sources]})
    return folder


# ---------------------------------------------------------------- tables and rows

def test_tables_and_row_counts(fixture_db):
    counts = {t: fixture_db[t].count for t in schema.TABLES}
    assert counts == {
        "sources": 3, "source_files": 3, "snapshot": 10,  # 9 facts + snapshots (build/combine.py)
        "models": 10,               # the ten distinct ids named anywhere (aliases are not models)
        "model_observations": 7,    # 8 records, two of them (org/merged, beta) merged
        "cards": 2, "card_sections": sum(len(cards.analyze(json.loads(line)["text"])["sections"])
                                         for line in (FIXTURE / "cards.jsonl").read_text().splitlines()),
        "lineage": 3,
        "dependents": 5,            # every link record is a row, even one repeating a link
        "repositories": 2,          # 3 records, one repeating a repository
        "code_usages": 2,
        "code_usage_models": 3,     # gpt2 named twice in one file counts once
        "code_files": 1, "code_calls": 0, "repo_libraries": 0,
        "reuse_signatures": len(signatures.SIGNATURES),           # the method, from build/signatures.py
        "pipeline_task_compatibility": len(signatures.compatibility_rows()),
        "model_aliases": 1, "license_stats": 1, "license_categories": 1,
        "registry_downloads": 2, "extracted_metadata": 1, "descendant_counts": 1,
        "security_scans": 0, "authors": 0,  # mining runs only (tests/test_f12.py)
        "redactions": 4,
        "populations": 0, "trends": 0,  # no source of the fixture declares registry coverage
    }
    assert set(fixture_db.view_names()) == set(schema.VIEWS)
    assert fixture_db["model_reuse"].count == 10


def test_primary_keys(fixture_db):
    for table, spec in schema.TABLES.items():
        pk = [spec["pk"]] if isinstance(spec["pk"], str) else list(spec["pk"])
        assert home(fixture_db, table).pks == pk, table


def test_keys_and_integrity(fixture_db):
    assert fixture_db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert fixture_db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    fks = {(t, fk.column, fk.other_table, fk.other_column) for t in schema.TABLES for fk in home(fixture_db, t).foreign_keys}
    # SQLite keeps a foreign key within one file: none from the siblings' tables (cards, observations)
    assert fks == {fk for fk in schema.FOREIGN_KEYS if fk[0] not in schema.TABLE_FILE}
    for table, column, other, other_column in schema.FOREIGN_KEYS:  # those held all the same
        if table in schema.TABLE_FILE:
            assert fixture_db.execute(f"SELECT count(*) FROM [{table}] WHERE [{column}] IS NOT NULL AND [{column}] "
                                      f"NOT IN (SELECT [{other_column}] FROM [{other}])").fetchone()[0] == 0


def test_stored_values_have_their_columns_types(fixture_db):
    """No number stored as text or the reverse (card fields included): SQL comparisons stay right."""
    allowed = {"INTEGER": {"integer"}, "REAL": {"real"}, "FLOAT": {"real"}, "TEXT": {"text"}}
    wrong = []
    for table in schema.TABLES:
        for column in home(fixture_db, table).columns:
            got = {t for (t,) in fixture_db.execute(f"SELECT DISTINCT typeof([{column.name}]) FROM [{table}]")} - {"null"}
            if not got <= allowed[column.type]:
                wrong.append((table, column.name, column.type, got))
    assert wrong == []


def test_every_model_id_seen_anywhere_has_a_models_row(fixture_db):
    assert [r["model_id"] for r in rows(fixture_db, "SELECT model_id FROM models ORDER BY model_id")] == [
        "card-only-model", "dep/only", "google-bert/bert-base-uncased", "gpt2", "meta/only", "org/child2",
        "org/merged", f"owner/{REPLACEMENT}", "owner/undated-only", "usage/only"]


MODEL_COLUMNS = ("model_id, author, in_paper_snapshot, seen_in, n_sources, created_at, pipeline_tag, license, "
                 "downloads_30d, downloads_observed, downloads_source, likes, has_card, "
                 "github_dependents, space_dependents, derived_models, code_usages")


def test_models_aggregate_across_sources(fixture_db):
    got = {r["model_id"]: r for r in rows(fixture_db, f"SELECT {MODEL_COLUMNS} FROM models")}
    # the fixture's alias record (a Hub redirect) merges the legacy id into its successor
    assert got["google-bert/bert-base-uncased"] == {
        "model_id": "google-bert/bert-base-uncased",
        "author": "google-bert",
        "in_paper_snapshot": 1,
        "seen_in": '["alpha","beta","gamma"]', "n_sources": 3,
        "created_at": "2019-12-31T00:00:00Z",  # the earliest any source gives
        "pipeline_tag": "text-classification",  # beta (2022-10-01) is newer than alpha (2022-08-15)
        "license": "apache-2.0",            # only alpha gives one
        # the newest dated observation with a count is alpha's; gamma's 999 is undated
        "downloads_30d": 100, "downloads_observed": "2022-08-15", "downloads_source": "alpha",
        "likes": 5, "has_card": None,
        "github_dependents": 2, "space_dependents": 1,
        "derived_models": 2,                # org/merged (named by two sources) and org/child2
        "code_usages": 0,
    }
    undated = got["owner/undated-only"]
    assert (undated["downloads_30d"], undated["downloads_observed"], undated["downloads_source"]) == (7, None, "gamma")
    assert (undated["author"], undated["has_card"]) == ("owner", 0)
    assert got["gpt2"]["in_paper_snapshot"] == 1
    assert got["gpt2"]["seen_in"] == '["alpha","beta","gamma"]'  # observation, card, code usage
    assert got["gpt2"]["code_usages"] == 2
    assert got["gpt2"]["has_card"] == 1
    assert got["usage/only"]["code_usages"] == 1
    assert got["dep/only"]["github_dependents"] == 1
    assert got["meta/only"]["seen_in"] == '["beta"]'
    assert got["card-only-model"]["has_card"] == 1   # no source says; a card text exists
    assert got["org/merged"]["in_paper_snapshot"] == 0


def test_observations_of_one_model_by_one_source_are_merged(fixture_db):
    [merged] = rows(fixture_db, "SELECT * FROM model_observations WHERE model_id = 'org/merged'")
    assert (merged["tags"], merged["downloads_30d"], json.loads(merged["extra"])) == ('["license:mit"]', 3, {"a": 1, "b": 2})
    [gpt2] = rows(fixture_db, "SELECT gated, has_card, in_paper_snapshot FROM model_observations WHERE model_id = 'gpt2'")
    assert gpt2 == {"gated": "false", "has_card": 1, "in_paper_snapshot": 1}


def test_a_repeated_key_keeps_the_later_record(fixture_db):
    assert rows(fixture_db, "SELECT licenses FROM repositories WHERE repo = 'u1/r1'") == [{"licenses": '["Apache-2.0"]'}]


def test_a_repeated_link_is_kept_as_the_source_lists_it(fixture_db):
    assert rows(fixture_db, "SELECT id, model_license FROM dependents WHERE model_id = 'google-bert/bert-base-uncased' "
                            "AND dependent = 'u1/r1' ORDER BY id") == [
        {"id": 1, "model_license": "apache"}, {"id": 5, "model_license": "apache-2.0"}]


def test_code_usages_and_their_models(fixture_db):
    assert rows(fixture_db, "SELECT id, repo, file_path, library, api, calls, model_ids, source FROM code_usages ORDER BY id") == [
        {"id": 1, "repo": "u1/r1", "file_path": "a.py", "library": "transformers", "api": "pipeline",
         "calls": '["transformers.pipeline"]', "model_ids": '["gpt2", "usage/only", "gpt2"]', "source": "gamma"},
        {"id": 2, "repo": "u2/r2", "file_path": "b.py", "library": "transformers", "api": "from_pretrained",
         "calls": None, "model_ids": '["gpt2"]', "source": "gamma"}]
    assert rows(fixture_db, "SELECT usage_id, model_id FROM code_usage_models ORDER BY 1, 2") == [
        {"usage_id": 1, "model_id": "gpt2"}, {"usage_id": 1, "model_id": "usage/only"}, {"usage_id": 2, "model_id": "gpt2"}]


def test_other_kinds(fixture_db):
    assert rows(fixture_db, "SELECT repo, licenses, source, observed FROM repositories ORDER BY repo") == [
        {"repo": "u1/r1", "licenses": '["Apache-2.0"]', "source": "gamma", "observed": None},
        {"repo": "u2/r2", "licenses": None, "source": "gamma", "observed": None}]
    assert rows(fixture_db, "SELECT * FROM model_aliases") == [
        {"old_id": "bert-base-uncased", "new_id": "google-bert/bert-base-uncased", "source": "beta", "observed": "2022-10-01",
         "reason": "hub redirect",
         "evidence": "the Hub API redirected bert-base-uncased to google-bert/bert-base-uncased on 2022-10-01"}]
    assert rows(fixture_db, "SELECT registry, figure, package, rank, downloads, period FROM registry_downloads ORDER BY id") == [
        {"registry": "huggingface", "figure": "top20", "package": "distilgpt2", "rank": 1, "downloads": 16700000, "period": "month"},
        {"registry": "npm", "figure": "all", "package": None, "rank": None, "downloads": 5, "period": None}]
    assert rows(fixture_db, "SELECT * FROM license_stats") == [
        {"date": "2022-09-27", "scope": "general", "level": "license", "license": "mit", "repos": 10, "downloads": 100, "source": "alpha"}]
    assert rows(fixture_db, "SELECT downloads, descendants FROM descendant_counts") == [{"downloads": 100, "descendants": 3}]
    [meta] = rows(fixture_db, "SELECT * FROM extracted_metadata")
    assert (meta["model_id"], meta["method"], json.loads(meta["fields"])) == ("meta/only", "llm", {"license": "mit", "note": REPLACEMENT})


def test_cards_store_what_the_card_parser_returns(fixture_db, fixture_cards_db):
    texts = [json.loads(line) for line in (FIXTURE / "cards.jsonl").read_text().splitlines()]
    for record in texts:
        result = cards.analyze(record["text"], record.get("tags") or ())
        [row] = rows(fixture_db, "SELECT * FROM cards WHERE model_id = ? AND source = ?",
                     [record["model_id"], record["source"]])
        for field, value in result["card"].items():
            expected = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (list, dict)) else (
                int(value) if isinstance(value, bool) else value)
            if isinstance(expected, str):
                expected = TOKEN_PATTERN.sub(REPLACEMENT, expected)
            assert row[field] == expected, field
        sections = rows(fixture_db, "SELECT position, canonical, heading, level, words, is_filler FROM card_sections "
                                    "WHERE model_id = ? AND source = ? ORDER BY position", [record["model_id"], record["source"]])
        assert sections == [{**s, "is_filler": int(s["is_filler"])} for s in result["sections"]]
    # the text itself is in the cards database, nowhere in the main one
    assert "text" not in home(fixture_db, "cards").columns_dict
    [gpt2] = rows(fixture_cards_db, "SELECT observed, text FROM card_texts WHERE model_id = 'gpt2'")
    assert gpt2 == {"observed": "2022-10-01", "text": texts[0]["text"]}


def test_card_score_in_models_is_the_best_card_score(fixture_db):
    got = rows(fixture_db, "SELECT m.model_id, m.card_score, max(c.score) AS best FROM models m JOIN cards c USING (model_id) GROUP BY 1")
    assert len(got) == 2 and all(r["card_score"] == r["best"] for r in got)
    assert rows(fixture_db, "SELECT count(*) AS n FROM models WHERE card_score IS NOT NULL") == [{"n": 2}]


def test_full_text_search(fixture_db, fixture_cards_db):
    assert [r["model_id"] for r in fixture_db["models"].search("merged")] == ["org/merged"]
    assert [r["model_id"] for r in fixture_cards_db["card_texts"].search("WebText")] == ["gpt2"]
    assert not fixture_db["cards_fts"].exists()


# ---------------------------------------------------------------- provenance tables

def test_sources_table(fixture_db):
    got = {r["id"]: r for r in rows(fixture_db, "SELECT * FROM sources")}
    assert {k: got["alpha"][k] for k in ("title", "repo", "commit", "url", "license", "citation", "snapshot_date")} == {
        "title": "Alpha study", "repo": "example/alpha", "commit": "0000000000000000000000000000000000000001",
        "url": "https://github.com/example/alpha", "license": "Apache-2.0", "citation": "Alpha et al. 2022",
        "snapshot_date": "2022-08-15"}
    # rows_contributed = the records of the fixture citing each source
    assert {s: got[s]["rows_contributed"] for s in got} == {"alpha": 6, "beta": 9, "gamma": 16}
    assert json.loads(got["alpha"]["rows_by_kind"]) == {
        "license_categories": 1, "license_stats": 1, "models": 2, "registry_downloads": 2}
    assert rows(fixture_db, "SELECT * FROM source_files ORDER BY source, path") == [
        {"source": "alpha", "path": "data/links.csv", "sha256": "bb", "bytes": 20},
        {"source": "alpha", "path": "data/models.csv", "sha256": "aa", "bytes": 10},
        {"source": "beta", "path": "model_info.parquet", "sha256": "cc", "bytes": 30}]


def test_snapshot_table(fixture_db):
    facts = {r["key"]: r["value"] for r in rows(fixture_db, "SELECT * FROM snapshot")}
    manifest = json.loads((FIXTURE / "snapshot.json").read_text())
    assert {k: facts[k] for k in ("format", "name", "producer", "created", "description")} == {
        k: manifest[k] for k in ("format", "name", "producer", "created", "description")}
    assert facts["input_hash"] == input_hash(FIXTURE)
    assert json.loads(facts["records"])["models"] == 8
    assert json.loads(facts["stats"]) == {"models": 8}
    assert set(facts) == {"format", "name", "producer", "created", "description", "stats", "records",
                          "input_hash", "builder_version", "snapshots"}
    [one] = json.loads(facts["snapshots"])  # one snapshot: its sources, nothing renamed or skipped
    assert one == {"name": manifest["name"], "producer": manifest["producer"], "created": manifest["created"],
                   "sources": [s["id"] for s in manifest["sources"]]}


def test_redactions(fixture_db, fixture_cards_db):
    assert rows(fixture_db, "SELECT * FROM redactions ORDER BY 1, 2") == [
        {"table_name": "card_texts", "column_name": "text", "redacted": 1},
        {"table_name": "extracted_metadata", "column_name": "fields", "redacted": 1},
        {"table_name": "model_observations", "column_name": "model_id", "redacted": 1},
        {"table_name": "models", "column_name": "model_id", "redacted": 1},
    ]
    for db, table in [(db, t) for db in (fixture_db, fixture_cards_db) for t in db.table_names()]:
        for column, ctype in db[table].columns_dict.items():
            if ctype is str:
                leaked = db.execute(f"SELECT [{column}] FROM [{table}] WHERE [{column}] LIKE '%hf\\_%' ESCAPE '\\' "
                                            f"OR [{column}] LIKE '%ghp\\_%' ESCAPE '\\'").fetchall()
                assert not [v for (v,) in leaked if TOKEN_PATTERN.search(v)], (table, column)


def test_redacted_ids_that_collide_are_merged(tmp_path):
    """Two token-named models of one owner become one `owner/[REDACTED]` row (documented)."""
    tok1, tok2 = "hf_" + "A" * 34, "hf_" + "B" * 34
    snap = write_snapshot(tmp_path / "snap", {"models": [
        {"source": "s", "model_id": f"o/{tok1}", "downloads_30d": 1},
        {"source": "s", "model_id": f"o/{tok2}", "likes": 2}]})
    build(snap, tmp_path / "db.db", progress=False)
    db = sqlite_utils.Database(connect(tmp_path / "db.db"))
    assert rows(db, "SELECT model_id, downloads_30d, likes FROM models") == [
        {"model_id": f"o/{REPLACEMENT}", "downloads_30d": 1, "likes": 2}]
    assert rows(db, "SELECT * FROM redactions WHERE table_name = 'model_observations'") == [
        {"table_name": "model_observations", "column_name": "model_id", "redacted": 2}]


# ---------------------------------------------------------------- behaviour

def dump(path: Path) -> list[str]:
    conn = connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_build_is_deterministic(tmp_path):
    build(FIXTURE, tmp_path / "a.db", progress=False)
    build(FIXTURE, tmp_path / "b.db", progress=False)
    a, b = dump(tmp_path / "a.db"), dump(tmp_path / "b.db")
    assert len(a) > 100 and a == b
    a, b = dump(tmp_path / "a_cards.db"), dump(tmp_path / "b_cards.db")
    assert len(a) > 5 and a == b


def test_a_repeated_card_replaces_the_first_with_its_sections(tmp_path):
    first = "# One\n\n## Two\n\ntext\n\n## Three\n\nmore\n"
    second = "# Only heading\n\nbody\n"
    snap = write_snapshot(tmp_path / "snap", {"cards": [
        {"source": "s", "model_id": "m/a", "text": first},
        {"source": "s", "model_id": "m/a", "text": second}]})
    build(snap, tmp_path / "db.db", progress=False)
    db = sqlite_utils.Database(connect(tmp_path / "db.db"))
    assert rows(sqlite_utils.Database(tmp_path / "db_cards.db"), "SELECT text FROM card_texts") == [{"text": second}]
    assert [r["heading"] for r in rows(db, "SELECT heading FROM card_sections ORDER BY position")] == [
        s["heading"] for s in cards.analyze(second)["sections"]]


def test_cards_written_across_batches_are_whole_and_redacted(tmp_path, monkeypatch):
    """Batches of 2 cards: every card row has its parsed fields and its sections, tokens redacted."""
    monkeypatch.setattr("build.db.CARD_BATCH_SIZE", 2)
    token = "hf_" + "T" * 34
    texts = {f"m/{i}": f"---\ntags: [t{i}, {token}]\n---\n# Model {i}\n\n## Training data\n\nsome data\n"
                       f"\n## Evaluation {token}\n\nresults {i}\n" for i in range(7)}
    records = [{"source": "s", "model_id": m, "text": t} for m, t in texts.items()]
    records.insert(5, {"source": "s", "model_id": "m/1", "text": "# Replaced\n"})  # a repeat, in a later batch
    texts["m/1"] = "# Replaced\n"
    snap = write_snapshot(tmp_path / "snap", {"cards": records})
    build(snap, tmp_path / "db.db", progress=False)
    db = sqlite_utils.Database(connect(tmp_path / "db.db"))

    def redacted(value):
        return TOKEN_PATTERN.sub(REPLACEMENT, json.dumps(value) if isinstance(value, list) else value)

    got = {r["model_id"]: r for r in rows(db, "SELECT * FROM cards")}
    assert set(got) == set(texts)
    for model_id, text in texts.items():
        result = cards.analyze(text)
        for field in ("words", "sections_count", "score", "eval_reporting"):
            assert got[model_id][field] == result["card"][field], (model_id, field)
        assert json.loads(got[model_id]["tags"]) == json.loads(redacted(result["card"]["tags"]))
        headings = [r["heading"] for r in rows(db, "SELECT heading FROM card_sections WHERE model_id = ? "
                                                   "ORDER BY position", [model_id])]
        assert headings == [redacted(s["heading"]) for s in result["sections"]], model_id
    for table in ("cards", "card_sections"):
        for row in rows(db, f"SELECT * FROM {table}"):
            assert not any(isinstance(v, str) and token in v for v in row.values()), (table, row["model_id"])


# ---------------------------------------------------------------- the cards database

def test_the_build_writes_three_files_that_belong_together(tmp_path):
    summary = build(FIXTURE, tmp_path / "ptm_reuse.db", progress=False)
    assert summary["cards_db"] == tmp_path / "ptm_reuse_cards.db"
    assert summary["cards_tables"] == {"cards": 2, "card_sections": 4, "card_texts": 2, "build": 2}
    assert summary["siblings"]["observations"] == {"path": tmp_path / "ptm_reuse_observations.db",
                                                   "tables": {"model_observations": 7, "build": 2}}
    conn = connect(tmp_path / "ptm_reuse.db")
    assert [r[1] for r in conn.execute("PRAGMA database_list")] == ["main", "cards", "observations"]
    for name in ("cards", "observations"):
        assert conn.execute(f"SELECT value FROM {name}.build WHERE key = 'input_hash'").fetchone() == \
            (input_hash(FIXTURE),)
    assert conn.execute("SELECT model_id, source FROM cards ORDER BY 1, 2").fetchall() == \
        conn.execute("SELECT model_id, source FROM cards.card_texts ORDER BY 1, 2").fetchall()
    # the cards, their texts, sections and full-text index are only in the cards database, the
    # observations only in theirs: the main file holds none of them
    names = {r[0] for r in conn.execute("SELECT name FROM main.sqlite_master")}
    assert not names & {"cards", "card_sections", "model_observations", "cards_fts"}, names
    assert not {n for n in names if n.startswith(("card_texts", "idx_cards", "idx_model_observations"))}, names
    assert {r[0] for r in conn.execute("SELECT name FROM observations.sqlite_master WHERE type = 'table'")} == \
        {"model_observations", "build", "sqlite_stat1"}
    assert conn.execute("SELECT count(*) FROM card_texts_fts WHERE card_texts_fts MATCH 'WebText'").fetchone() == (1,)
    # read-only: the main database's SQL cannot change them
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM cards")
    conn.close()
    # no WAL file is left: each file is whole by itself
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ["ptm_reuse.db", "ptm_reuse_cards.db", "ptm_reuse_observations.db"]


def test_a_missing_or_foreign_cards_database_is_rebuilt(built, tmp_path):
    snap, db_path = built
    cards_path = cards_db_path(db_path)
    cards_path.unlink()
    assert build(snap, db_path, progress=False)["skipped"] is False and cards_path.exists()
    # a cards database of another build (a build killed between the two renames) is not taken as up to date
    other = write_snapshot(tmp_path / "other", {"cards": [{"source": "s", "model_id": "o/m", "text": "# Other\n"}]})
    build(other, tmp_path / "other.db", progress=False)
    shutil.copy(cards_db_path(tmp_path / "other.db"), cards_path)
    assert build(snap, db_path, progress=False)["skipped"] is False
    assert sqlite_utils.Database(cards_path)["card_texts"].count == 2
    observations = sibling_paths(db_path)["observations"]  # the same for the observations database
    observations.unlink()
    assert build(snap, db_path, progress=False)["skipped"] is False
    assert sqlite_utils.Database(observations)["model_observations"].count > 0
    assert build(snap, db_path, progress=False)["skipped"] is True


def test_card_texts_follow_the_identity_merges(tmp_path):
    """Case variants of one id, each with a card of one source: the card kept in `cards` and the text
    kept in `card_texts` are of the same record (its words count is the text's)."""
    texts = {"Org/Model": "# A\n\none two three\n", "org/model": "# B\n\nfour five\n", "ORG/MODEL": "# C\n\nsix\n"}
    snap = write_snapshot(tmp_path / "snap", {
        "models": [{"source": "s", "model_id": "org/model", "observed": "2024-01-01"}],
        "cards": [{"source": "s", "model_id": m, "text": t} for m, t in texts.items()]
        + [{"source": "t", "model_id": "ORG/MODEL", "text": "# D\n\nseven eight nine ten\n"}]}, sources=("s", "t"))
    build(snap, tmp_path / "db.db", progress=False)
    conn = connect(tmp_path / "db.db")
    conn.execute("ATTACH DATABASE ? AS c", [str(tmp_path / "db_cards.db")])
    got = conn.execute("SELECT k.model_id, k.source, k.words, t.text FROM cards k "
                       "JOIN c.card_texts t USING (model_id, source) ORDER BY 1, 2").fetchall()
    canonical = conn.execute("SELECT model_id FROM models").fetchall()
    assert len(canonical) == 1 and [(m, s) for m, s, _, _ in got] == [(canonical[0][0], "s"), (canonical[0][0], "t")]
    assert all(words == cards.analyze(text)["card"]["words"] for _, _, words, text in got)
    assert conn.execute("SELECT count(*) FROM c.card_texts").fetchone() == (2,)
    conn.close()


def test_trainer_results_list_is_what_like_finds_in_the_text(tmp_path):
    phrase = "achieves the following results on the evaluation set"
    texts = [f"It {phrase}:\n- Loss: 0.1\n", f"It {phrase.upper()}:\n", f"It {phrase.title()}\n",
             "It achieves the following results on the test set:\n", "# Nothing\n", f"ÉÀ {phrase[:20]}\n",
             # non-ASCII texts (matched on their UTF-8 bytes): a match, and U+0130, which lowers to "i" + U+0307
             f"Ünïcode 🤗 {phrase.title()}\n", f"\u212a {phrase.replace('i', chr(0x130), 1)}\n"]
    snap = write_snapshot(tmp_path / "snap", {"cards": [{"source": "s", "model_id": f"m/{i}", "text": t}
                                                        for i, t in enumerate(texts)]})
    build(snap, tmp_path / "db.db", progress=False)
    conn = connect(tmp_path / "db.db")  # with db_cards.db attached
    got = conn.execute("SELECT k.model_id, k.trainer_results_list, t.text LIKE ? FROM cards k "
                       "JOIN card_texts t USING (model_id, source) ORDER BY 1", [f"%{phrase}%"]).fetchall()
    assert [flag for _, flag, _ in got] == [1, 1, 1, 0, 0, 0, 1, 0]
    assert all(flag == like for _, flag, like in got)
    conn.close()


def test_shape_does_not_depend_on_which_kinds_a_snapshot_has(tmp_path, fixture_db):
    snap = write_snapshot(tmp_path / "snap", {"models": [{"source": "s", "model_id": "a/b"}]})
    build(snap, tmp_path / "db.db", progress=False)
    db = sqlite_utils.Database(connect(tmp_path / "db.db"))
    for table in schema.TABLES:
        assert home(db, table).columns_dict == home(fixture_db, table).columns_dict, table
    assert db["cards"].count == 0 and db["models"].count == 1


@pytest.fixture
def built(tmp_path):
    """A copy of the fixture snapshot and a database built from it."""
    snap = tmp_path / "snap"
    shutil.copytree(FIXTURE, snap)
    db_path = tmp_path / "out" / "ptm_reuse.db"
    build(snap, db_path, progress=False)
    return snap, db_path


def append(path: Path, text: str | bytes) -> None:
    with open(path, "ab") as f:
        f.write(text if isinstance(text, bytes) else text.encode("utf-8"))


M = '{"source": "beta", "model_id": %s}\n'  # a models record with the given id (JSON text)

# (file to append to, what to append, what the error must name). models.jsonl has 8 lines,
# lineage.jsonl 3, dependents.jsonl 5, cards.jsonl 2.
BAD_INPUTS = {
    "truncated": ("lineage.jsonl", '{"source": "beta", "model_id": "x/y", "base_model_id": "z"}',
                  ["lineage.jsonl:4", "truncated"]),
    "invalid JSON": ("dependents.jsonl", '{"source": "gamma", "model_id": \n',
                     ["dependents.jsonl:6", "invalid JSON"]),
    "missing field": ("models.jsonl", '{"source": "beta", "downloads_30d": 5}\n',
                      ["models.jsonl:9", "'model_id'"]),
    "unknown source": ("cards.jsonl", '{"source": "zeta", "model_id": "a/b", "text": "hi"}\n',
                       ["cards.jsonl:3", "'source'", "zeta"]),
    "wrong type": ("models.jsonl", '{"source": "beta", "model_id": "a/b", "downloads_30d": "many"}\n',
                   ["models.jsonl:9:", "'downloads_30d'", "integer"]),
    "bad date": ("lineage.jsonl", '{"source": "beta", "model_id": "a/b", "base_model_id": "c", "observed": "10/01/2022"}\n',
                 ["lineage.jsonl:4:", "'observed'", "date"]),
    # the line number counts blank lines: the file's line, not the record's position
    "after blank lines": ("models.jsonl", '\n   \n{"source": "beta", "model_id": "a/b", "likes": 1.5}\n',
                          ["models.jsonl:11:", "'likes'", "integer"]),
    "invalid UTF-8": ("models.jsonl", b'{"source": "beta", "model_id": "a/\xff\xfe"}\n',
                      ["models.jsonl:9:", "not UTF-8", "0xff"]),
    "integer of 2^70": ("models.jsonl", '{"source": "beta", "model_id": "a/b", "likes": %d}\n' % 2 ** 70,
                        ["models.jsonl:9:", "'likes'", "64 bits"]),
    "2^70 inside extra": ("models.jsonl", '{"source": "beta", "model_id": "a/b", "extra": {"n": [%d]}}\n' % 2 ** 70,
                          ["models.jsonl:9:", "'extra'", "64 bits"]),
    "lone surrogate": ("cards.jsonl", '{"source": "beta", "model_id": "a/b", "text": "x\\ud800y"}\n',
                       ["cards.jsonl:3:", "'text'", "surrogate"]),
    "deep nesting": ("models.jsonl", '{"source": "beta", "model_id": "a/b", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
                     ["models.jsonl:9:", "invalid JSON", "nested too deeply"]),
    "nesting within the limit of JSON, beyond ours": (
        "models.jsonl", '{"source": "beta", "model_id": "a/b", "extra": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}\n",
        ["models.jsonl:9:", "'extra'", "deeper than"]),
    "a number too large for a float": ("models.jsonl", '{"source": "beta", "model_id": "a/b", "trending_score": 1e400}\n',
                                       ["models.jsonl:9:", "'trending_score'", "not a JSON number"]),
    "NaN": ("models.jsonl", '{"source": "beta", "model_id": "a/b", "trending_score": NaN}\n',
            ["models.jsonl:9:", "NaN"]),
    "not an object": ("lineage.jsonl", '["a", "b"]\n', ["lineage.jsonl:4:", "expected a JSON object"]),
    "byte order mark": ("lineage.jsonl", b'\xef\xbb\xbf{"source": "beta", "model_id": "a/b", "base_model_id": "c"}\n',
                        ["lineage.jsonl:4:", "byte order mark"]),
    "5 MB model id": ("models.jsonl", M % json.dumps("a/" + "x" * 5_000_000),
                      ["models.jsonl:9:", "'model_id'", "5,000,002 characters"]),
    "blank model id": ("models.jsonl", M % '"   "', ["models.jsonl:9:", "'model_id'", "blank"]),
    "NUL in a model id": ("models.jsonl", M % '"a/b\\u0000c"', ["models.jsonl:9:", "'model_id'", "control"]),
    "bad id in a list of ids": ("code_usages.jsonl", '{"source": "gamma", "repo": "u/r", "file_path": "f.py", '
                                '"library": "l", "api": "a", "model_ids": ["ok/id", " "]}\n',
                                ["code_usages.jsonl:3:", "'model_ids'", "item 1"]),
    "bad base model id": ("lineage.jsonl", '{"source": "beta", "model_id": "a/b", "base_model_id": "x\\ny"}\n',
                          ["lineage.jsonl:4:", "'base_model_id'", "control"]),
}


def files_state(db_path: Path) -> list:
    """The bytes and modification times of a main database and its siblings (cards, observations)."""
    return [(p.read_bytes(), p.stat().st_mtime_ns) for p in (db_path, *sibling_paths(db_path).values())]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_names_the_problem_and_keeps_the_previous_db(built, case):
    snap, db_path = built
    before = files_state(db_path)
    file, text, expected = BAD_INPUTS[case]
    append(snap / file, text)
    with pytest.raises(SnapshotError) as e:
        build(snap, db_path, progress=False)
    for part in expected:
        assert part in str(e.value)
    assert files_state(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["ptm_reuse.db", "ptm_reuse_cards.db", "ptm_reuse_observations.db"]


def test_an_interrupted_build_keeps_the_previous_db(built, monkeypatch):
    snap, db_path = built
    before = files_state(db_path)

    def interrupt(db):
        raise KeyboardInterrupt

    monkeypatch.setattr("build.db.findings.write", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build(snap, db_path, progress=False, force=True)
    assert files_state(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["ptm_reuse.db", "ptm_reuse_cards.db", "ptm_reuse_observations.db"]


def test_unchanged_inputs_are_skipped(built, capsys):
    snap, db_path = built
    mtime = db_path.stat().st_mtime_ns
    summary = build(snap, db_path, progress=False)
    assert summary["skipped"] is True and summary["tables"]["models"] == 10
    assert "up to date" in capsys.readouterr().err
    assert db_path.stat().st_mtime_ns == mtime
    assert build(snap, db_path, progress=False, force=True)["skipped"] is False
    append(snap / "lineage.jsonl", '{"source": "beta", "model_id": "new/child", "base_model_id": "gpt2"}\n')
    summary = build(snap, db_path, progress=False)
    assert summary["skipped"] is False and summary["tables"]["models"] == 11


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "build", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_help():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("SNAPSHOT", "DB", "--force", "--quiet", "snapshot.json", "temporary file"):
        assert word in result.stdout


def test_cli_builds_and_reports_bad_input(tmp_path):
    snap = tmp_path / "snap"
    shutil.copytree(FIXTURE, snap)
    result = run_cli(snap, tmp_path / "x.db", "--quiet")
    assert (result.returncode, result.stderr) == (0, "")
    assert sqlite_utils.Database(connect(tmp_path / "x.db"))["models"].count == 10
    append(snap / "models.jsonl", "{not json}\n")
    result = run_cli(snap, tmp_path / "x.db", "--quiet")
    assert result.returncode == 1
    assert "models.jsonl:9: invalid JSON" in result.stderr


# ---------------------------------------------------------------- the real default snapshot

@pytest.mark.real_sources
def test_real_snapshot_counts(real_db):
    db = sqlite_utils.Database(connect(real_db))

    def one(sql):
        return db.execute(sql).fetchone()[0]

    assert one("SELECT count(*) FROM models WHERE in_paper_snapshot = 1") == 63_367
    seen = "SELECT count(*) FROM models WHERE EXISTS (SELECT 1 FROM json_each(seen_in) WHERE value = '{}')"
    # Liang et al. list muhtasham/Bert-Tiny-... and muhtasham/bert-tiny-...: one repository (build/identity.py)
    assert one(seen.format("liang2024")) == 74_969
    assert one(seen.format("huggingfacer")) == 55_524
    assert one("SELECT count(*) FROM dependents WHERE kind = 'github'") == 22_861
    assert one("SELECT count(DISTINCT dependent) FROM dependents WHERE kind = 'github'") == 7_956
    assert one("SELECT count(DISTINCT model_id) FROM dependents WHERE kind = 'github'") == 1_512
    assert one("SELECT count(*) FROM code_usages WHERE source = 'filter-peatmoss' AND api != 'model_package.load'") == 9_316  # usage1 files
    assert one("SELECT count(*) FROM cards") == 802
    assert one("SELECT count(*) FROM card_sections") == one("SELECT sum(sections_count) FROM cards")
    # the three SAIL ids shaped like tokens: redacted, and still three distinct models
    assert one(f"SELECT count(*) FROM models WHERE instr(model_id, '{REPLACEMENT}')") == 3
    assert one("SELECT redacted FROM redactions WHERE table_name = 'models' AND column_name = 'model_id'") == 3
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


# ---------------------------------------------------------------- killed and stopped builds

def big_snapshot(folder: Path, n: int = 30_000) -> Path:
    """A snapshot that takes the builder a few seconds, long enough to be stopped midway."""
    return write_snapshot(folder, {"models": [{"source": "s", "model_id": f"o{i % 97}/m{i}", "likes": i,
                                               "tags": ["a", "b"]} for i in range(n)]})


def start_build(snap: Path, db_path: Path) -> subprocess.Popen:
    """Start `python -m build` and return once its temporary database file exists."""
    proc = subprocess.Popen([sys.executable, "-m", "build", str(snap), str(db_path), "--quiet", "--force"],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    tmp = db_path.with_name(f"{db_path.name}.tmp-{proc.pid}")
    for _ in range(3000):
        if tmp.exists() or proc.poll() is not None:
            break
        time.sleep(0.01)
    assert tmp.exists(), "the build finished before it could be stopped"
    return proc


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_build_says_so_and_leaves_nothing(tmp_path, signum):
    snap = big_snapshot(tmp_path / "snap")
    db_path = tmp_path / "out" / "ptm_reuse.db"
    build(FIXTURE, db_path, progress=False)
    before = files_state(db_path)
    proc = start_build(snap, db_path)
    proc.send_signal(signum)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode in (128 + signum, 130), err
    assert "is unchanged" in err and "Traceback" not in err
    assert files_state(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["ptm_reuse.db", "ptm_reuse_cards.db", "ptm_reuse_observations.db"]


def test_a_stop_between_begin_and_its_body_rolls_back_while_the_database_is_open(tmp_path, monkeypatch):
    """Ctrl-C can land after `db.atomic()` ran BEGIN and before its `with` body (in contextlib's
    __enter__): the suspended transaction is then kept alive by the traceback and, once the build's
    connection was closed, rolled back on a closed database ("Exception ignored ... Cannot operate on
    a closed database" on stderr, seen in CI). The build must finish it before closing."""
    import build.db as build_db

    def stopped_fill(db, *args):
        pending = db.atomic()
        pending.__enter__()  # BEGIN, and the generator waits at its yield
        raise KeyboardInterrupt

    monkeypatch.setattr(build_db, "_fill", stopped_fill)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    db_path = tmp_path / "out" / "ptm_reuse.db"
    with pytest.raises(KeyboardInterrupt) as stopped:
        build(FIXTURE, db_path, progress=False)
    del stopped  # the traceback, and with it anything it kept alive
    import gc
    gc.collect()
    assert [str(u.exc_value) for u in unraisable] == []
    assert not db_path.parent.exists() or list(db_path.parent.iterdir()) == []


def test_the_next_build_removes_what_a_killed_build_left(tmp_path):
    snap = big_snapshot(tmp_path / "snap")
    db_path = tmp_path / "out" / "ptm_reuse.db"
    proc = start_build(snap, db_path)
    proc.kill()
    proc.wait()
    left = db_path.with_name(f"{db_path.name}.tmp-{proc.pid}")
    assert left.exists()  # kill -9 cannot be caught: the file stays until the next build
    # a build killed while a file is in WAL mode (the cards one, or the main one during the
    # summaries) also leaves SQLite's -wal and -shm files
    for suffix in ("-wal", "-shm"):
        left.with_name(left.name + suffix).write_bytes(b"")
    result = run_cli(FIXTURE, db_path)
    assert result.returncode == 0, result.stderr
    assert f"removed {left}" in result.stderr
    assert f"removed {left}-wal" in result.stderr
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["ptm_reuse.db", "ptm_reuse_cards.db", "ptm_reuse_observations.db"]
