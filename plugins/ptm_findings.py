"""Datasette plugin: the canned queries of queries/*.sql, and the findings on the home page.

- `canned_queries`: every queries/*.sql file (parsed by build.findings.load_queries, the same
  code the builder uses) becomes a canned query of each database built by this project (one
  with a `models` table). The SQL is never copied into metadata.yml.
- `extra_template_vars`: the home page (templates/index.html) lists the `findings` rows, each
  with its chart: `chart_spec()` turns the chart query's header (its datasette-vega fragment, its
  `labels` and the claims quoted on the charted column) into a Vega-Lite spec without data, and
  plugins/static/ptm_charts.js draws it from the same canned query's JSON. Nothing is typed in.
- `render_cell`: the `query` and `chart` columns of `findings` and `paper_claims` link to the
  canned query. Every other value, card text and model ids included, is left to Datasette,
  which escapes it.
"""

import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl

from datasette import hookimpl
from markupsafe import Markup

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `datasette serve` does not run from the project's folder on sys.path
    sys.path.insert(0, str(ROOT))

from build.findings import QUERIES_DIR, Query, load_queries  # noqa: E402

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


@lru_cache(maxsize=1)
def _queries(signature: tuple) -> dict:
    return load_queries()


def queries() -> dict[str, Query]:
    signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(QUERIES_DIR.glob("*.sql")))
    return _queries(signature)


def label(query: Query, column: str) -> str:
    """A column in words: the query header's `labels`, else its name with spaces."""
    if column in query.labels:
        return query.labels[column]
    words = column.replace("_", " ").replace(" 30d", " (30 days)")
    return words[:1].upper() + words[1:]


def is_share(column: str) -> bool:
    return "share" in column


_BY = re.compile(r"^by\[(?P<key>[^\]]*)\]\[(?P<column>[^\]]+)\]$")


def quoted_marks(query: Query, column: str) -> list[dict]:
    """The numbers the header's claims quote for the charted column: [{key, column, value, label}].
    `key` names the row (its first column's value; None for the first row)."""
    marks = []
    for claim in query.claims:
        m = _BY.match(claim["column"])
        key, claimed = (m["key"], m["column"]) if m else (None, claim["column"])
        if claimed == column and isinstance(claim["expected"], (int, float)):
            marks.append({"key": key, "column": column, "value": claim["expected"],
                          "label": f"{claim['quoted_value']} ({claim['cited_in']})"})
    return marks


def chart_spec(query: Query) -> dict | None:
    """A Vega-Lite spec, without data, for the query's datasette-vega fragment."""
    if not query.fragment:
        return None
    g = {k.removeprefix("g."): v for k, v in parse_qsl(query.fragment)}
    if not {"mark", "x_column", "x_type", "y_column", "y_type"} <= set(g):
        return None
    encoding, tooltip = {}, []
    for axis in ("x", "y"):
        column, kind = g[f"{axis}_column"], g[f"{axis}_type"]
        enc = {"field": column, "type": kind, "title": label(query, column)}
        if kind in ("ordinal", "nominal"):
            enc["sort"] = None  # the query's own order
            enc["axis"] = {"labelLimit": 180}
            if axis == "x":
                enc["axis"]["labelAngle"] = -40
        elif kind == "quantitative":
            enc["axis"] = {"format": ".0%" if is_share(column) else "~s"}
        encoding[axis] = enc
        tooltip.append({"field": column, "type": kind, "title": enc["title"],
                        **({"format": ".1%" if is_share(column) else ","} if kind == "quantitative" else {})})
    if g.get("color_column"):
        encoding["color"] = {"field": g["color_column"], "type": "nominal", "title": label(query, g["color_column"]),
                             "sort": None, "legend": {"orient": "bottom", "columns": 2, "labelLimit": 220}}
        tooltip.append({"field": g["color_column"], "type": "nominal", "title": encoding["color"]["title"]})
    encoding["tooltip"] = tooltip
    spec = {"mark": {"type": g["mark"], "tooltip": True, **({"point": True} if g["mark"] == "line" else {})},
            "encoding": encoding}
    if encoding["y"]["type"] in ("ordinal", "nominal"):
        spec["height"] = {"step": 16}
    value_axis = "y" if encoding["y"]["type"] == "quantitative" else "x"
    marks = quoted_marks(query, encoding[value_axis]["field"])
    if marks:
        spec["ptm_marks"] = marks
    return spec


MISSING = "n/a"  # how build.findings (its _Formatter) prints a value the data does not give
_SENTENCE_END = re.compile(r"(?<=[.;])\s+")


def measured_sentences(answer: str | None) -> tuple[list[str], bool]:
    """(the answer's sentences that the data gives, whether any was left out). A sentence
    holding a missing value is left out: a database built from other sources (a mining run
    alone has no GitHub links, no registry comparison) cannot answer it, and "n/a" or the
    zeros beside it would pose as an answer."""
    sentences = [s for s in _SENTENCE_END.split(answer or "") if s.strip()]
    kept = [s for s in sentences if not re.search(r"(?<![\w/])" + re.escape(MISSING) + r"(?![\w/])", s)]
    return kept, len(kept) < len(sentences)


@hookimpl
def extra_template_vars(template, datasette):
    if template != "index.html":
        return {}

    async def inner():
        findings = []
        known = queries()
        for name, db in datasette.databases.items():
            if name.startswith("_") or not await db.table_exists("findings"):
                continue
            result = await db.execute(
                "SELECT id, title, answer, query, chart FROM findings "
                "ORDER BY CAST(substr(id, 2) AS INTEGER)")
            for row in result.rows:
                chart_query = known.get((row["chart"] or "").partition("#")[0])
                spec = chart_spec(chart_query) if chart_query else None
                answered, unanswered = measured_sentences(row["answer"])
                findings.append({
                    "database": name, **dict(row),
                    "answered": " ".join(answered), "unanswered": unanswered,
                    "chart_title": chart_query.title if spec else None,
                    "chart_spec": json.dumps(spec) if spec else None,
                    "chart_url": (datasette.urls.query(name, chart_query.name, format="json") + "?_shape=array")
                    if spec else None,
                    "chart_marks": spec.get("ptm_marks", []) if spec else [],
                })
        return {"findings": findings, "search_url": datasette.urls.path("/-/search")}

    return inner


@hookimpl
def render_cell(value, column, table, database, datasette):
    if (table, column) not in LINKED_COLUMNS or not isinstance(value, str) or not value:
        return None
    name, _, fragment = value.partition("#")
    href = datasette.urls.query(database, name) + (f"#{fragment}" if fragment else "")
    return Markup('<a href="{}">{}</a>').format(href, value)
