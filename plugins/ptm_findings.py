"""Datasette plugin: the canned queries of queries/*.sql, and the findings on the home page.

- `canned_queries`: every queries/*.sql file (parsed by build.findings.load_queries, the same
  code the builder uses) becomes a canned query of each database built by this project (one
  with a `models` table). The SQL is never copied into metadata.yml.
- `extra_template_vars`: the home page (templates/index.html) lists the `findings` rows.
- `render_cell`: the `query` and `chart` columns of `findings` and `paper_claims` link to the
  canned query. Every other value, card text and model ids included, is left to Datasette,
  which escapes it.
"""

import sys
from functools import lru_cache
from pathlib import Path

from datasette import hookimpl
from markupsafe import Markup

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `datasette serve` does not run from the project's folder on sys.path
    sys.path.insert(0, str(ROOT))

from build.findings import QUERIES_DIR, load_queries  # noqa: E402

LINKED_COLUMNS = {("findings", "query"), ("findings", "chart"), ("paper_claims", "query")}


async def _is_ours(datasette, database: str) -> bool:
    try:
        db = datasette.get_database(database)
    except KeyError:
        return False
    return await db.table_exists("models")


@lru_cache(maxsize=1)
def _canned(signature: tuple) -> dict:
    return {name: query.canned() for name, query in load_queries().items()}


def canned() -> dict:
    """The canned queries, parsed again only when a queries/*.sql file is added, removed or changed."""
    signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(QUERIES_DIR.glob("*.sql")))
    return {name: dict(query) for name, query in _canned(signature).items()}


@hookimpl
def canned_queries(datasette, database):
    async def inner():
        return canned() if await _is_ours(datasette, database) else {}

    return inner


@hookimpl
def extra_template_vars(template, datasette):
    if template != "index.html":
        return {}

    async def inner():
        findings = []
        for name, db in datasette.databases.items():
            if name.startswith("_") or not await db.table_exists("findings"):
                continue
            result = await db.execute(
                "SELECT id, title, answer, query, chart FROM findings "
                "ORDER BY CAST(substr(id, 2) AS INTEGER)")
            findings += [{"database": name, **dict(row)} for row in result.rows]
        return {"findings": findings}

    return inner


@hookimpl
def render_cell(value, column, table, database, datasette):
    if (table, column) not in LINKED_COLUMNS or not isinstance(value, str) or not value:
        return None
    name, _, fragment = value.partition("#")
    href = datasette.urls.query(database, name) + (f"#{fragment}" if fragment else "")
    return Markup('<a href="{}">{}</a>').format(href, value)
