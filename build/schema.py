"""What ptm_reuse.db looks like, as data (after dogsheep's github-to-sqlite).

TABLES, FOREIGN_KEYS, INDEXES, FTS_CONFIG and VIEWS are the one place that says which tables,
columns, keys, indexes, full-text indexes and views the database has. `create_tables()` creates
the empty tables with their keys and indexes before the builder (build/db.py) fills them;
`ensure_db_shape()` adds what is computed from their contents (full-text indexes, views) at
the end. docs/database.md and metadata.yml describe the same tables for people.

The tables loaded from snapshot records take their columns and types from the snapshot format's
one declaration, build.snapshot.KINDS (the record fields, in order, plus `id` where the table has
no natural key); the other tables (models, sources, cards' parsed fields, ...) are declared here.
`list`, `MODEL_IDS` and `dict` are stored as JSON text, `bool` as 0/1, and `BOOL_OR_TEXT` (the
Hub's `gated`: false, true, "auto" or "manual") as the text "false", "true", "auto" or "manual".
"""

from __future__ import annotations

import sqlite_utils

from build.snapshot import BOOL_OR_TEXT, DATE, KINDS, MODEL_ID, MODEL_IDS  # noqa: F401 (re-exported)

# A record field stored under another column name: a card's own `tags` field (from its front
# matter, build/cards.py) takes the name, so the Hub tags the record came with are `hub_tags`.
RENAMED = {"cards": {"tags": "hub_tags"}}

# The raw snapshot's record kinds and the table each is loaded into.
KIND_TABLES = {
    "models": "model_observations",
    "cards": "cards",
    "lineage": "lineage",
    "dependents": "dependents",
    "repositories": "repositories",
    "code_usages": "code_usages",
    "code_files": "code_files",
    "code_calls": "code_calls",
    "repo_libraries": "repo_libraries",
    "aliases": "model_aliases",
    "license_stats": "license_stats",
    "license_categories": "license_categories",
    "registry_downloads": "registry_downloads",
    "extracted_metadata": "extracted_metadata",
    "descendant_counts": "descendant_counts",
    "security_scans": "security_scans",
    "authors": "authors",
}

# The fields build.cards.analyze() returns for a card (docs/cards.md), stored in `cards` after the
# record's own columns. tests/test_cards.py checks that analyze() returns exactly these, typed so.
CARD_FIELDS = {
    "words": int, "has_front_matter": bool, "parse_error": str, "license": str, "datasets": list,
    "language": list, "base_model": list, "library_name": str, "pipeline_tag": str, "tags": list,
    "metrics": list, "eval_results": int, "metadata_source": str, "eval_reporting": str,
    "sections_count": int, "sections_present": list, "filler_sections": list, "filler_count": int,
    "template_only": bool, "has_usage_code": bool, "has_intro": bool, "score": float,
    "score_reasons": list}


# Computed by the builder (build/db.py) from a card's text, stored in `cards` after CARD_FIELDS:
# what the canned queries need of the text, which itself lives in the cards database.
CARD_TEXT_FACTS = {"trainer_results_list": bool}
# The phrase of the Hugging Face Trainer's generated results list ("It achieves the following
# results on the evaluation set:"), matched as SQLite's LIKE would (ASCII letters in any case).
TRAINER_RESULTS_PHRASE = "achieves the following results on the evaluation set"


def _record_columns(kind: str, id_column: bool = False, without: tuple = ()) -> dict:
    """The columns of a table loaded from one record kind: its fields as KINDS declares them."""
    renamed = RENAMED.get(KIND_TABLES[kind], {})
    return {**({"id": int} if id_column else {}),
            **{renamed.get(name, name): field.type for name, field in KINDS[kind].items() if name not in without}}


# table -> {"pk": key, "columns": {name: type}}. Order matters: a table comes after the tables
# its foreign keys point to. Tables whose records have no key the sources respect (PeaTMOSS lists
# one repository-model link twice, with two licenses) take `id`, the record's position in its file.
TABLES: dict[str, dict] = {
    "sources": {"pk": "id", "columns": {
        "id": str, "title": str, "repo": str, "commit": str, "url": str, "license": str,
        "citation": str, "snapshot_date": str, "coverage": str, "rows_contributed": int,
        "rows_by_kind": dict}},
    "source_files": {"pk": ("source", "path"), "columns": {
        "source": str, "path": str, "sha256": str, "bytes": int}},
    "snapshot": {"pk": "key", "columns": {"key": str, "value": str}},
    "models": {"pk": "model_id", "columns": {
        "model_id": str, "author": str, "in_paper_snapshot": bool, "seen_in": list, "n_sources": int,
        "created_at": str, "last_modified": str, "pipeline_tag": str, "library_name": str,
        "license": str, "downloads_30d": int, "downloads_observed": str, "downloads_source": str,
        "downloads_all_time": int, "likes": int, "parameters": int, "has_card": bool,
        "gated": BOOL_OR_TEXT, "card_score": float, "github_dependents": int, "space_dependents": int,
        "derived_models": int, "code_usages": int, "is_hub_id": bool}},
    "model_observations": {"pk": ("model_id", "source"), "columns": _record_columns("models")},
    # The card's text is not here: it is in the cards database (CARDS_TABLES), with its full-text index.
    "cards": {"pk": ("model_id", "source"),
              "columns": {**_record_columns("cards", without=("text",)), **CARD_FIELDS, **CARD_TEXT_FACTS}},
    "card_sections": {"pk": ("model_id", "source", "position"), "columns": {
        "model_id": str, "source": str, "position": int, "canonical": str, "heading": str,
        "level": int, "words": int, "is_filler": bool}},
    "lineage": {"pk": ("model_id", "base_model_id", "source"), "columns": _record_columns("lineage")},
    # The method, as data: build/signatures.py, written by the builder (not from the snapshot).
    "reuse_signatures": {"pk": "id", "columns": {
        "id": str, "library": str, "language": str, "call": str, "module": str, "function": str,
        "owner_pattern": str, "model_id_passed": str, "task_passed": str, "hub_id_prefixes": list,
        "bare_namespace": str, "pattern": str, "example": str, "note": str}},
    "pipeline_task_compatibility": {"pk": ("pipeline_tag", "task"), "columns": {
        "pipeline_tag": str, "task": str}},
    "dependents": {"pk": "id", "columns": _record_columns("dependents", id_column=True)},
    "repositories": {"pk": "repo", "columns": _record_columns("repositories")},
    "code_usages": {"pk": "id", "columns": _record_columns("code_usages", id_column=True)},
    "code_usage_models": {"pk": ("usage_id", "model_id"), "columns": {"usage_id": int, "model_id": str}},
    "code_files": {"pk": "id", "columns": _record_columns("code_files", id_column=True)},
    "code_calls": {"pk": "id", "columns": {**_record_columns("code_calls", id_column=True),
                                           "task_tag": str}},  # computed: build/signatures.canonical_task
    "repo_libraries": {"pk": "id", "columns": _record_columns("repo_libraries", id_column=True)},
    # reason and evidence: why build/identity.py merged the ids (a Hub redirect record, or the data)
    "model_aliases": {"pk": "old_id", "columns": {**_record_columns("aliases"), "reason": str, "evidence": str}},
    "license_stats": {"pk": ("date", "scope", "level", "license"), "columns": _record_columns("license_stats")},
    "license_categories": {"pk": "id", "columns": _record_columns("license_categories", id_column=True)},
    "registry_downloads": {"pk": "id", "columns": _record_columns("registry_downloads", id_column=True)},
    "extracted_metadata": {"pk": ("model_id", "method", "source"), "columns": _record_columns("extracted_metadata")},
    "descendant_counts": {"pk": "id", "columns": _record_columns("descendant_counts", id_column=True)},
    "security_scans": {"pk": ("model_id", "source"), "columns": _record_columns("security_scans")},
    "authors": {"pk": ("author", "source"), "columns": _record_columns("authors")},
    # Computed by the builder (build/populations.py), not loaded from records.
    "populations": {"pk": "population", "columns": {
        "population": str, "title": str, "date": DATE, "models": int, "downloads": int,
        "has_card": int, "task": int, "license": int, "created_at": int, "library": int,
        "lineage": int, "spaces": int, "cards": int, "fields": list}},
    "trends": {"pk": ("population", "measure"), "columns": {
        "population": str, "date": DATE, "measure": str, "value": float, "numerator": float,
        "denominator": int, "note": str}},
    "redactions": {"pk": ("table_name", "column_name"), "columns": {
        "table_name": str, "column_name": str, "redacted": int}},
}

# (table, column, other table, other column). Every `source` column points to sources.id and
# every model id column to models.model_id (the builder gives every id seen a models row).
FOREIGN_KEYS = [
    *[(table, "source", "sources", "id") for table, spec in TABLES.items()
      if "source" in spec["columns"] and table != "sources"],
    ("model_observations", "model_id", "models", "model_id"),
    ("cards", "model_id", "models", "model_id"),
    ("card_sections", "model_id", "models", "model_id"),
    ("lineage", "model_id", "models", "model_id"),
    ("lineage", "base_model_id", "models", "model_id"),
    ("dependents", "model_id", "models", "model_id"),
    ("code_usage_models", "usage_id", "code_usages", "id"),
    ("code_usage_models", "model_id", "models", "model_id"),
    ("code_calls", "model_id", "models", "model_id"),
    ("code_calls", "call", "reuse_signatures", "id"),
    ("extracted_metadata", "model_id", "models", "model_id"),
    ("security_scans", "model_id", "models", "model_id"),
    ("populations", "population", "sources", "id"),
    ("trends", "population", "populations", "population"),
]

# Columns people filter, facet, sort and join on (a primary key's leading column is indexed already):
# (table, columns) or (table, columns, WHERE of a partial index). Each is here because a canned query,
# a page (a table's sort or filter, the model page, the search) or the build needs it at 2,000,000
# models (EXPLAIN QUERY PLAN, docs/benchmarks.md "#11 size"); the main file is at most 1 GiB there.
# A partial index serves the queries whose WHERE implies its own: `col = ?` implies `col IS NOT NULL`,
# and the canned queries that rank by a count say `count > 0`. Facet counts come from facet_counts
# (build/facets.py), not from these indexes.
INDEXES = [
    ("models", ["author"]),  # ?author=, and the search's author match
    # a facet's value picked: its models by downloads, and their count (models with no value left out)
    ("models", ["pipeline_tag", "downloads_30d"], "pipeline_tag IS NOT NULL"),
    ("models", ["library_name", "downloads_30d"], "library_name IS NOT NULL"),
    ("models", ["license", "downloads_30d"], "license IS NOT NULL"),
    ("models", ["gated", "downloads_30d"], "gated IS NOT NULL"),
    ("models", ["has_card"]),
    ("models", ["in_paper_snapshot"], "in_paper_snapshot = 1"),  # F1's paper-list counts
    ("models", ["downloads_30d"]),  # the models table's default order
    ("models", ["created_at"]),  # sorted by creation date
    ("models", ["github_dependents"]),  # sorted by reuse (the most reused first; F1, F4 too)
    # F7 fan-out ranks models with derived_models > 0 (most models have none); sorting the whole
    # table by it reads the table (about 0.7 s CPU at 2,000,000 models)
    ("models", ["derived_models"], "derived_models > 0"),
    # per-source rankings, medians and card presence (F1-F4), cohorts (F11): the observations database
    ("model_observations", ["source", "downloads_30d", "has_card"]),
    ("model_observations", ["source", "created_at", "has_card"]),
    ("cards", ["source"]),  # the cards database
    ("lineage", ["base_model_id"]),
    ("dependents", ["model_id", "kind"]),
    # F9 counts distinct files (repo, path) and matches a code_files row to a usage of the same call
    ("code_usages", ["repo", "file_path", "library", "api"]),
    ("code_usages", ["library", "api"]),
    ("code_usage_models", ["model_id"]),
    ("code_files", ["library", "api"]),
    ("code_calls", ["model_id"]),
    ("code_calls", ["repo"]),
    ("code_calls", ["call", "ref_kind"]),
    ("code_calls", ["task_tag"]),
    ("repo_libraries", ["library"]),
    ("repo_libraries", ["repo"]),
    ("code_files", ["repo", "file_path", "library", "api"]),
    ("model_aliases", ["new_id"]),
    ("trends", ["measure", "date"]),
    ("license_categories", ["license_id"]),
    ("extracted_metadata", ["method"]),
]

# Ids looked up in any letter case (/models/<id>, the search's exact and prefix matches in
# plugins/ptm_models.py): `= ? COLLATE NOCASE` and `LIKE ?` walk these instead of the table.
NOCASE_INDEXES = [("models", "model_id"), ("model_aliases", "old_id")]

FTS_CONFIG = {
    "models": ["model_id", "author"],
}

# The files beside the main database, built in the same run: `<db>_<name>.db` (e.g. ptm_reuse.db ->
# ptm_reuse_cards.db, ptm_reuse_observations.db), name -> the tables of TABLES it holds. They keep the
# main file small enough to download (at most 1 GiB at 2,000,000 models, issue #11). The builder and the
# server (plugins/ptm_serving.py) attach each one, read-only, to the main database's connection under
# its name (build.db.attach_siblings()), so SQL names their tables unqualified as if they were in it.
SIBLINGS: dict[str, list[str]] = {
    "cards": ["cards", "card_sections"],  # the model cards: texts, per-card analysis and sections
    "observations": ["model_observations"],  # every source's own record of each model at each date
}
TABLE_FILE = {table: name for name, tables in SIBLINGS.items() for table in tables}  # table -> sibling
CARDS_DB_SUFFIX = "_cards"
# Tables only the siblings have: the card texts (and their full-text index) in the cards database, and
# in each sibling `build`: which build wrote it (the main database's input_hash, to pair the files).
BUILD_TABLE = {"pk": "key", "columns": {"key": str, "value": str}}
CARDS_TABLES: dict[str, dict] = {
    "card_texts": {"pk": ("model_id", "source"), "columns": {
        "model_id": str, "source": str, "observed": DATE, "text": str}},
    "build": BUILD_TABLE,
}
CARDS_FTS_CONFIG = {"card_texts": ["text"]}


def sibling_tables(name: str) -> dict[str, dict]:
    """Every table of one sibling file: its tables of TABLES, then those only it has."""
    own = {table: TABLES[table] for table in SIBLINGS[name]}
    return {**own, **CARDS_TABLES} if name == "cards" else {**own, "build": BUILD_TABLE}


# A view in the main database reads only the main database (SQLite binds its names to the file the
# view is in), never the siblings.
VIEWS = {
    "model_reuse": """
SELECT
  m.model_id, m.author, m.pipeline_tag, m.library_name, m.license, m.in_paper_snapshot,
  m.created_at, m.downloads_30d, m.downloads_observed, m.downloads_source, m.likes,
  m.github_dependents, m.space_dependents, m.derived_models, m.code_usages,
  m.has_card, m.card_score
FROM models m
""",
}


def storage_type(column_type) -> type:
    """The SQLite column type (via sqlite-utils) a record type is stored as."""
    if column_type in (int, bool):
        return int
    if column_type is float:
        return float
    return str


# Tables stored WITHOUT ROWID: their rows in the b-tree of their primary key, so the key's columns
# are stored once, not in the table and again in its key's index (card_sections: 59 MiB -> 42 MiB at
# 200,000 synthetic models). Only card_sections so far: a table whose rowid something reads
# (model_observations: the order its sources first appear, build/summaries.py; models: its full-text
# index) keeps it, and a table scanned in rowid order by a group_concat (lineage) would change order.
WITHOUT_ROWID = {"card_sections"}


def _create(db: sqlite_utils.Database, name: str, spec: dict, foreign_keys=(), where: str | None = None) -> None:
    """CREATE TABLE name, in the attached schema `where` if given (sqlite-utils writes the SQL)."""
    columns = {column: storage_type(t) for column, t in spec["columns"].items()}
    if name not in WITHOUT_ROWID and where is None:
        db[name].create(columns, pk=spec["pk"], foreign_keys=list(foreign_keys))
        return
    sql = db.create_table_sql(name, columns, pk=spec["pk"], foreign_keys=list(foreign_keys)).strip().rstrip(";")
    if where is not None:
        sql = sql.replace(sql.split("(", 1)[0], f"CREATE TABLE [{where}].[{name}] ", 1)  # CREATE TABLE "x" (
    db.execute(sql + (" WITHOUT ROWID" if name in WITHOUT_ROWID else ""))


def create_tables(db: sqlite_utils.Database, indexes: bool = True) -> None:
    """Create every table of TABLES that the main database holds (not those of SIBLINGS), empty,
    with its primary key, foreign keys and (unless indexes=False: the builder adds them once the
    rows are in, create_indexes()) indexes."""
    for name, spec in TABLES.items():
        if name not in TABLE_FILE:
            _create(db, name, spec, [(col, other, other_col) for table, col, other, other_col in FOREIGN_KEYS
                                     if table == name and other not in TABLE_FILE])
    if indexes:
        create_indexes(db, tables=set(TABLES) - set(TABLE_FILE))


def create_sibling_tables(db: sqlite_utils.Database, name: str, attached: bool = False) -> None:
    """Create the tables of one sibling file (sibling_tables()), empty, on its own connection, or
    (attached=True) in the database attached to db's connection under the sibling's name (no
    foreign keys: SQLite keeps them within one file)."""
    for table, spec in sibling_tables(name).items():
        _create(db, table, spec, where=name if attached else None)


def create_indexes(db: sqlite_utils.Database, tables=None) -> None:
    """The secondary indexes of INDEXES and NOCASE_INDEXES (only those on `tables` if given: the
    builder indexes `models` once its rows are in). An index on a table of a sibling file goes in
    that file, attached to `db`'s connection under its name."""
    def where(table):
        return f"[{TABLE_FILE[table]}]." if table in TABLE_FILE else ""

    for table, columns, *partial in INDEXES:
        if tables is None or table in tables:
            db.execute(f"CREATE INDEX {where(table)}[idx_{table}_{'_'.join(columns)}] "
                       f"ON [{table}] ({', '.join(f'[{c}]' for c in columns)})"
                       + (f" WHERE {partial[0]}" if partial else ""))
    for table, column in NOCASE_INDEXES:
        if tables is None or table in tables:
            db.execute(f"CREATE INDEX {where(table)}[idx_{table}_{column}_nocase] ON [{table}] ([{column}] COLLATE NOCASE)")


# FTS5 keeps the terms of the rows being inserted in memory and writes them out as a new segment
# of the index when they pass its `hashsize` (1 MiB by default), merging segments as they pile up.
# The card texts (2.6 GB at 2,000,000 models) are indexed in one INSERT: at 1 MiB that is thousands
# of small segments merged level after level; at 16 MiB far fewer (173 -> 121 CPU s at 2,000,000
# models; 64 MiB: 119). The index's terms, positions and sizes are the same, so every search finds
# the same rows in the same rank order; the setting stays in card_texts_fts_config (it only sizes
# later writes, and the files are read-only once built).
CARDS_FTS_HASHSIZE = 16 * 2**20


def ensure_cards_db_shape(db: sqlite_utils.Database) -> None:
    """The cards database's full-text index, once its texts are in (as sqlite-utils' enable_fts()
    makes it, the same SQL, with a larger hashsize, CARDS_FTS_HASHSIZE, set before the rows go in)."""
    for table, columns in CARDS_FTS_CONFIG.items():
        db[table].disable_fts()
        db.execute(f'CREATE VIRTUAL TABLE "{table}_fts" USING FTS5 (\n'
                   + "".join(f'    "{c}",\n' for c in columns) + f'    content="{table}"\n)')
        db.execute(f"INSERT INTO [{table}_fts] ([{table}_fts], rank) VALUES ('hashsize', {CARDS_FTS_HASHSIZE})")
        db[table].populate_fts(columns)


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Add what is computed from the filled tables: full-text indexes and views."""
    for table, columns in FTS_CONFIG.items():
        # as sqlite-utils' enable_fts() would, without the per-row column sizes (columnsize=0: 21 MiB
        # at 2,000,000 models) that only bm25() ranking reads: the search ranks by downloads
        db.execute(f"DROP TABLE IF EXISTS [{table}_fts]")
        db.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 ({', '.join(f'[{c}]' for c in columns)}, "
                   f"content=[{table}], columnsize=0)")
        db.execute(f"INSERT INTO [{table}_fts] ([{table}_fts]) VALUES ('rebuild')")
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
