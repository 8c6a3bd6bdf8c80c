"""Datasette plugin: a page per model at /models/<model id>, and the site's search at /-/search.

- `/models/<model id>` (ids keep their slash: /models/SpanBERT/spanbert-large-cased) shows what the
  database knows of one model, part by part. Each part is one SQL query of MODEL_PARTS, run with
  the parameter `model_id`; the page links every part to the same query in Datasette's SQL editor
  and to its JSON, and `/models/<model id>.json` gives all parts at once.
- An id the database knows only as a legacy or redirected id (`model_aliases.old_id`), or with
  other letter case, redirects to the model's own page; an unknown id gets a 404 page with the
  search box.
- `/-/search?q=...` finds models by id or author (models_fts) and cards by text (card_texts_fts,
  in the cards database that the build writes beside the main one, e.g. ptm_reuse_cards.db).
  An exact id (or a legacy id, in any case) lands on the model's page; otherwise exact id
  matches rank first, then ids starting with the words, then by 30-day downloads. A query with
  more than SEARCH_CANDIDATES matches ranks a bounded pool of them (search_models_sql()): its most
  downloaded matches are looked for among the SEARCH_WALK most downloaded models only.
- Lookups in any letter case use the builder's COLLATE NOCASE indexes (build/schema.py).
- `/-/ptm-static/<file>` serves plugins/static/ (the chart script and the vendored vega
  libraries): scripts are files, never inline, so that a strict Content-Security-Policy works.

Card text, model ids and repository names are untrusted: the templates autoescape them, and a
card's Markdown is rendered to HTML only through the nh3 sanitiser (render_card()).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

import nh3
from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response, asgi_static
from markdown_it import MarkdownIt
from markupsafe import Markup

ROOT = Path(__file__).resolve().parent.parent
STATIC = Path(__file__).resolve().parent / "static"
if str(ROOT) not in sys.path:  # `datasette serve` does not run from the project's folder on sys.path
    sys.path.insert(0, str(ROOT))

from build.cards import SCORE_WEIGHTS  # noqa: E402

LIST_LIMIT = 100  # rows listed per part (counts are always complete)
TREE_DEPTH = 3  # generations shown up and down the lineage
TREE_LIMIT = 300  # edges fetched per direction

# ------------------------------------------------------------------ the parts of a model page

def lineage_sql(start: str, step: str) -> str:
    """The lineage edges TREE_DEPTH generations from :model_id: up (start model_id, step to
    base_model_id) or down (start base_model_id, step to model_id), each with its relations."""
    return f"""
WITH RECURSIVE walk(depth, model_id, base_model_id) AS (
  SELECT 1, model_id, base_model_id FROM lineage WHERE {start} = :model_id
  UNION
  SELECT walk.depth + 1, l.model_id, l.base_model_id FROM lineage l JOIN walk ON l.{start} = walk.{step}
  WHERE walk.depth < {TREE_DEPTH}
  LIMIT {TREE_LIMIT}
)
SELECT walk.depth, walk.{start}, walk.{step},
       (SELECT group_concat(DISTINCT coalesce(l.relation, 'relation not stated')) FROM lineage l
        WHERE l.model_id = walk.model_id AND l.base_model_id = walk.base_model_id) AS relations,
       (SELECT group_concat(DISTINCT l.source) FROM lineage l
        WHERE l.model_id = walk.model_id AND l.base_model_id = walk.base_model_id) AS sources
FROM walk ORDER BY walk.depth, walk.{step}"""


# name -> (title, SQL with :model_id). The page shows them in this order; each links to its SQL.
MODEL_PARTS: dict[str, tuple[str, str]] = {
    "model": ("Merged metadata (models)", """
SELECT * FROM models WHERE model_id = :model_id"""),
    "aliases": ("Legacy and redirected ids (model_aliases)", """
SELECT old_id, source, observed FROM model_aliases WHERE new_id = :model_id ORDER BY old_id"""),
    "observations": ("What each source saw, and when (model_observations)", """
SELECT o.source, o.observed, s.snapshot_date AS source_snapshot_date, o.downloads_30d,
       o.downloads_all_time, o.likes, o.pipeline_tag, o.library_name, o.license, o.has_card,
       o.gated, o.created_at, o.last_modified
FROM model_observations o LEFT JOIN sources s ON s.id = o.source
WHERE o.model_id = :model_id
ORDER BY o.observed IS NULL, o.observed, o.source"""),
    "downloads": ("Downloads over time (dated observations)", """
SELECT observed, source, downloads_30d FROM model_observations
WHERE model_id = :model_id AND observed IS NOT NULL AND downloads_30d IS NOT NULL
ORDER BY observed, source"""),
    "cards": ("Model cards and their scores (cards)", """
SELECT source, observed, score, score_reasons, sections_present, filler_sections, words,
       eval_reporting, license
FROM cards WHERE model_id = :model_id ORDER BY score DESC, source"""),
    "card_sections": ("Card sections (card_sections)", """
SELECT source, position, level, heading, canonical, words, is_filler
FROM card_sections WHERE model_id = :model_id ORDER BY source, position"""),
    "bases": ("Base models, up to three generations (lineage)", lineage_sql("model_id", "base_model_id")),
    "derived": ("Derived models, up to three generations (lineage)", lineage_sql("base_model_id", "model_id")),
    "dependent_counts": ("Dependents, counted (dependents, code_usage_models)", """
SELECT kind, count(DISTINCT dependent) AS dependents, count(*) AS links
FROM dependents WHERE model_id = :model_id GROUP BY kind
UNION ALL
SELECT 'code file', count(*), count(*) FROM code_usage_models WHERE model_id = :model_id
ORDER BY kind"""),
    "dependents": ("GitHub repositories and Spaces that reuse it (dependents, repositories)", f"""
SELECT d.kind, d.dependent, group_concat(DISTINCT d.source) AS sources,
       group_concat(DISTINCT d.model_license) AS model_license_recorded,
       (SELECT r.licenses FROM repositories r WHERE r.repo = d.dependent) AS repository_licenses
FROM dependents d WHERE d.model_id = :model_id
GROUP BY d.kind, d.dependent ORDER BY d.kind, d.dependent LIMIT {LIST_LIMIT}"""),
    "code_files": ("Code files that load it, with the loading call (code_usages)", f"""
SELECT u.repo, u.file_path, u.library, u.api, u.calls, u.source
FROM code_usage_models x JOIN code_usages u ON u.id = x.usage_id
WHERE x.model_id = :model_id ORDER BY u.repo, u.file_path LIMIT {LIST_LIMIT}"""),
    "licenses": ("Its license beside the licenses of the repositories that reuse it", """
SELECT 'model' AS whose, coalesce(license, 'not stated') AS license, NULL AS repositories, 'models' AS said_by
FROM models WHERE model_id = :model_id
UNION ALL
SELECT 'model, as the reuse links record it', d.model_license, count(DISTINCT d.dependent), group_concat(DISTINCT d.source)
FROM dependents d WHERE d.model_id = :model_id AND d.model_license IS NOT NULL GROUP BY d.model_license
UNION ALL
SELECT 'reusing repositories', coalesce(j.value, CASE WHEN r.repo IS NULL THEN 'unknown' ELSE 'not stated' END),
       count(DISTINCT d.dependent), 'repositories'
FROM dependents d LEFT JOIN repositories r ON r.repo = d.dependent LEFT JOIN json_each(r.licenses) j
WHERE d.model_id = :model_id AND d.kind = 'github'
GROUP BY 2
ORDER BY 1, 3 DESC, 2"""),
}

# The parts read from a sibling database of the main one (build/schema.py SIBLINGS), which the server
# attaches to the main database's connections when it serves that file too (plugins/ptm_serving.py):
# part -> sibling. Without it the part is empty and the page says where its rows live.
PART_SIBLINGS = {"observations": "observations", "downloads": "observations",
                 "cards": "cards", "card_sections": "cards"}

# The card texts, from the cards database (they are not in the main one).
CARD_TEXTS_SQL = "SELECT source, text FROM card_texts WHERE model_id = :model_id"

# Resolving an id: the model itself, a legacy id, then the same in any letter case.
RESOLVE_SQL = [
    ("exact", "SELECT model_id FROM models WHERE model_id = :id"),
    ("alias", "SELECT a.new_id FROM model_aliases a JOIN models m ON m.model_id = a.new_id "
              "WHERE a.old_id = :id ORDER BY a.observed DESC, a.source LIMIT 1"),
    ("case", "SELECT model_id FROM models WHERE model_id = :id COLLATE NOCASE "
             "ORDER BY downloads_30d IS NULL, downloads_30d DESC, model_id LIMIT 1"),
    ("alias", "SELECT a.new_id FROM model_aliases a JOIN models m ON m.model_id = a.new_id "
              "WHERE a.old_id = :id COLLATE NOCASE ORDER BY a.observed DESC, a.source LIMIT 1"),
]

# ------------------------------------------------------------------ card text -> safe HTML

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(\n|\Z)", re.S)
# nh3's defaults minus images (a card must not make the browser fetch from other hosts), and
# only web and mail links. nh3 drops <script>, <style>, event handlers and style attributes.
CARD_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}
CARD_URL_SCHEMES = {"http", "https", "mailto"}


def render_card(text: str | None) -> tuple[str, Markup]:
    """(front matter as plain text, body as sanitised HTML) of a card's Markdown."""
    text = text or ""
    front, body = "", text
    m = _FRONT_MATTER.match(text)
    if m:
        front, body = (m.group(1) or "").strip(), text[m.end():]
    html = _MARKDOWN.render(body)
    clean = nh3.clean(html, tags=CARD_TAGS, url_schemes=CARD_URL_SCHEMES,
                      link_rel="noopener noreferrer nofollow ugc")
    return front, Markup(clean)  # noqa: S704 - sanitised by nh3 just above


# ------------------------------------------------------------------ helpers


async def models_database(datasette):
    """The first database built by this project (one with a `models` table), or None."""
    for name, db in datasette.databases.items():
        if not name.startswith("_") and await db.table_exists("models"):
            return db
    return None


async def cards_database(datasette, db):
    """The cards database built beside `db` (ptm_reuse -> ptm_reuse_cards), or None if not served."""
    cards = datasette.databases.get(f"{db.name}_cards") if db is not None else None
    if cards is not None and await cards.table_exists("card_texts"):
        return cards
    return None


def model_url(datasette, model_id: str, suffix: str = "") -> str:
    return datasette.urls.path("/models/" + quote(model_id, safe="/") + suffix)


def sql_links(datasette, database: str, sql: str, params: dict) -> dict:
    """The SQL editor and the JSON of one query with its parameters."""
    query = urlencode({"sql": sql.strip(), **params})
    return {"sql": datasette.urls.database(database) + "?" + query,
            "json": datasette.urls.database(database, format="json") + "?" + query + "&_shape=array"}


def _json_list(value) -> list:
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return [value]
    return parsed if isinstance(parsed, list) else [parsed]


def tree(rows: list[dict], root: str, parent_key: str, child_key: str) -> list[dict]:
    """Nested [{id, relations, sources, children}] from edge rows, starting at root.

    Works up (parent=model, child=base) and down (parent=base, child=model); a model met again
    on its own path (a cycle) is shown once and not expanded.
    """
    edges: dict[str, list[dict]] = {}
    for row in rows:
        edges.setdefault(row[parent_key], []).append(row)

    def grow(node: str, path: frozenset, depth: int) -> list[dict]:
        out = []
        for row in edges.get(node, []):
            child = row[child_key]
            cycle = child in path
            out.append({"id": child, "relations": row["relations"], "sources": row["sources"], "cycle": cycle,
                        "children": [] if cycle or depth >= TREE_DEPTH else grow(child, path | {child}, depth + 1)})
        return out

    return grow(root, frozenset({root}), 1)


async def resolve(db, model_id: str) -> tuple[str | None, str | None]:
    """(the model id the database keeps for `model_id`, how it was found) or (None, None)."""
    for how, sql in RESOLVE_SQL:
        if how == "alias" and not await db.table_exists("model_aliases"):
            continue
        rows = (await db.execute(sql, {"id": model_id})).rows
        if rows and rows[0][0] is not None:
            return rows[0][0], how
    return None, None


async def model_parts(datasette, db, model_id: str) -> dict:
    """{part: {"title", "rows", "links"}} for one model (every part of MODEL_PARTS)."""
    parts = {}
    attached = {r["name"] for r in (await db.execute("PRAGMA database_list")).rows}
    for name, (title, sql) in MODEL_PARTS.items():
        sibling = PART_SIBLINGS.get(name)
        missing = f"{db.name}_{sibling}.db" if sibling and sibling not in attached else None
        rows = [] if missing else [dict(r) for r in (await db.execute(sql, {"model_id": model_id})).rows]
        parts[name] = {"title": title, "rows": rows, "missing": missing,
                       "links": sql_links(datasette, db.name, sql, {"model_id": model_id})}
    cards_db = await cards_database(datasette, db)
    texts = {}
    if cards_db is not None:
        texts = {r["source"]: r["text"] for r in (await cards_db.execute(CARD_TEXTS_SQL, {"model_id": model_id})).rows}
    for card in parts["cards"]["rows"]:
        card["text"] = texts.get(card["source"])
    return parts


def card_views(cards: list[dict], sections: list[dict]) -> list[dict]:
    """Each card with its score items, sections present / missing / filler and its safe HTML."""
    out = []
    for card in cards:
        front, html = render_card(card["text"])
        reasons = _json_list(card.get("score_reasons"))
        items = []
        for item, weight in SCORE_WEIGHTS.items():
            reason = next((r for r in reasons if str(r).split(" ", 1)[-1].startswith(item + ":")), None)
            evidence = str(reason).split(":", 1)[1].strip() if reason else "missing"
            items.append({"item": item, "weight": weight, "met": evidence != "missing", "evidence": evidence})
        out.append({
            **{k: v for k, v in card.items() if k != "text"},
            "front_matter": front, "html": html, "chars": len(card["text"] or ""),
            "has_text": card["text"] is not None,
            "items": items,
            "present": _json_list(card.get("sections_present")),
            "filler": _json_list(card.get("filler_sections")),
            "missing": [i["item"] for i in items if not i["met"]],
            "sections": [s for s in sections if s["source"] == card["source"]],
        })
    return out


def search_box_context(datasette) -> dict:
    """What every page of this plugin's templates needs: the search form's target, the site title."""
    return {"search_url": datasette.urls.path("/-/search"), "metadata": datasette.metadata()}


# ------------------------------------------------------------------ views


async def model_page(datasette, request):
    db = await models_database(datasette)
    if db is None:
        return Response.html("No database with a models table is served.", status=404)
    asked = unquote(request.url_vars["model_id"])  # Datasette routes on the raw, %-encoded path
    want_json = False
    model_id, how = await resolve(db, asked)
    if model_id is None and asked.endswith(".json"):
        model_id, how = await resolve(db, asked[: -len(".json")])
        want_json = model_id is not None
    if model_id is None:
        html = await datasette.render_template(
            "ptm_model_not_found.html", {"asked": asked, **search_box_context(datasette)}, request=request)
        return Response.html(html, status=404)
    if how != "exact":
        target = model_url(datasette, model_id, ".json" if want_json else "")
        return Response.redirect(target + "?" + urlencode({"from": asked}))

    parts = await model_parts(datasette, db, model_id)
    if want_json:
        return Response.json({"model_id": model_id, "database": db.name,
                              "parts": {name: part["rows"] for name, part in parts.items()}})
    model = parts["model"]["rows"][0]
    context = {
        "model_id": model_id,
        "model": model,
        "seen_in": _json_list(model.get("seen_in")),
        "asked_as": request.args.get("from"),
        "database": db.name,
        "parts": parts,
        "cards": card_views(parts["cards"]["rows"], parts["card_sections"]["rows"]),
        # the card texts are in the cards database: when it is not served, the page says so
        "cards_database": getattr(await cards_database(datasette, db), "name", None),
        "cards_file": f"{db.name}_cards.db",
        "up": tree(parts["bases"]["rows"], model_id, "model_id", "base_model_id"),
        "down": tree(parts["derived"]["rows"], model_id, "base_model_id", "model_id"),
        "list_limit": LIST_LIMIT,
        "json_url": model_url(datasette, model_id, ".json"),
        "row_url": datasette.urls.row(db.name, "models", tilde_encode(model_id)),
        "downloads_chart": json.dumps(DOWNLOADS_CHART),
        **search_box_context(datasette),
    }
    return Response.html(await datasette.render_template("ptm_model.html", context, request=request))


# The page's own chart (not a finding): 30-day downloads at each dated observation.
DOWNLOADS_CHART = {
    "mark": {"type": "line", "point": True},
    "encoding": {
        "x": {"field": "observed", "type": "temporal", "title": "Date observed"},
        "y": {"field": "downloads_30d", "type": "quantitative", "title": "Downloads in the 30 days before",
              "axis": {"format": "~s"}},
        "tooltip": [{"field": "observed", "type": "temporal", "title": "observed"},
                    {"field": "source", "type": "nominal", "title": "source"},
                    {"field": "downloads_30d", "type": "quantitative", "title": "downloads (30 days)",
                     "format": ","}],
    },
}


SEARCH_LIMIT = 50
# A query matching at most SEARCH_CANDIDATES models ranks all of them. One matching more ranks a
# bounded pool: the ids equal to it, the first SEARCH_POOL ids starting with it and of its author,
# and its SEARCH_POOL most downloaded matches, so that no search reads or sorts the whole table.
SEARCH_CANDIDATES = 20_000
SEARCH_POOL = 2_000
# Its most downloaded matches are looked for among the SEARCH_WALK most downloaded models, each
# checked against the full-text index on its own (an index walk that stops at SEARCH_POOL found),
# by the query's words whole (`model`, not `model*`: a prefix makes FTS5 merge the posting lists of
# every term it starts on each check, about 80 ms at 2,000,000 models). When that finds fewer than
# SEARCH_LIMIT, every match is read instead (SEARCH_ALL_MATCHES_SQL).
SEARCH_WALK = 5_000

# One ranking for both ways: exact id (any case) first, then ids, authors or names (the part after
# the slash) that start with the words, then the other full-text matches; each by 30-day downloads.
_SEARCH_SELECT = """
SELECT m.model_id, m.author, m.pipeline_tag, m.downloads_30d, m.has_card, m.card_score,
       CASE WHEN m.model_id = :q COLLATE NOCASE THEN 0
            WHEN m.model_id LIKE :prefix OR m.author = :q COLLATE NOCASE
              OR substr(m.model_id, instr(m.model_id, '/') + 1) LIKE :prefix THEN 1
            ELSE 2 END AS match_rank
FROM models m"""
_SEARCH_ORDER = f"""
ORDER BY match_rank, m.downloads_30d IS NULL, m.downloads_30d DESC, m.model_id
LIMIT {SEARCH_LIMIT}"""

SEARCH_COUNT_SQL = """
SELECT count(*) FROM (SELECT rowid FROM models_fts WHERE models_fts MATCH :fts LIMIT :cap + 1)"""

# At most SEARCH_CANDIDATES matches: rank every one.
SEARCH_MODELS_SQL = f"""{_SEARCH_SELECT}
JOIN models_fts f ON f.rowid = m.rowid
WHERE models_fts MATCH :fts{_SEARCH_ORDER}"""

# More: rank the pool. Each part is index-driven (the case-insensitive id index of build/schema.py
# for = and LIKE, the author index, and a walk of the downloads index that stops at :pool).
_POOL = """
WITH pool(id) AS (
  SELECT rowid FROM models WHERE model_id = :q COLLATE NOCASE
  UNION SELECT * FROM (SELECT rowid FROM models WHERE model_id LIKE :prefix LIMIT :pool)
  UNION SELECT * FROM (SELECT rowid FROM models WHERE author = :q LIMIT :pool)
  UNION SELECT * FROM ({top})
)"""
# The most downloaded models matching the words whole, among the :walk most downloaded (bounded).
_TOP_WALKED = """SELECT rowid FROM (SELECT rowid FROM models ORDER BY downloads_30d DESC LIMIT :walk) w
                       WHERE EXISTS (SELECT 1 FROM models_fts WHERE models_fts MATCH :words AND models_fts.rowid = w.rowid)
                       LIMIT :pool"""
SEARCH_MANY_MODELS_SQL = _POOL.format(top=_TOP_WALKED) + f"""{_SEARCH_SELECT}
WHERE m.rowid IN pool{_SEARCH_ORDER}"""
SEARCH_WALK_COUNT_SQL = f"SELECT count(*) FROM ({_TOP_WALKED.replace(':pool', ':limit')})"
# Too few of those: every match, most downloaded first (reads the whole posting list).
SEARCH_ALL_MATCHES_SQL = _POOL.format(top="""SELECT rowid FROM models
                       WHERE +rowid IN (SELECT rowid FROM models_fts WHERE models_fts MATCH :fts)
                       ORDER BY downloads_30d DESC LIMIT :pool""") + f"""{_SEARCH_SELECT}
WHERE m.rowid IN pool{_SEARCH_ORDER}"""


# On the cards database; the scores of the cards found come from the main one (CARD_SCORES_SQL).
SEARCH_CARDS_SQL = f"""
SELECT t.model_id, t.source,
       snippet(card_texts_fts, 0, char(1), char(2), ' … ', 16) AS snippet
FROM card_texts_fts JOIN card_texts t ON t.rowid = card_texts_fts.rowid
WHERE card_texts_fts MATCH :fts
ORDER BY rank
LIMIT {SEARCH_LIMIT}"""
CARD_SCORES_SQL = """
SELECT model_id, source, score FROM cards
WHERE (model_id, source) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:keys))"""


def fts_query(q: str) -> str:
    """The words of q as FTS5 phrases, the last one a prefix: `bert base` -> "bert" "base"*.

    Not when the last word ends in a single letter or digit (`model-5`): a one-character prefix
    merges the lists of a large share of all terms (at Hub size, over half a second)."""
    words = [w for w in re.split(r"[\s/]+", q) if w]
    phrases = ['"' + w.replace('"', '""') + '"' for w in words]
    tokens = re.findall(r"[^\W_]+", words[-1]) if words else []
    if tokens and len(tokens[-1]) > 1:
        phrases[-1] += "*"
    return " ".join(phrases)


def marked_snippet(snippet: str | None) -> Markup:
    """An FTS snippet with its matches in <mark>: the text is escaped first, then marked."""
    escaped = Markup.escape(snippet or "")
    return Markup(str(escaped).replace("\x01", "<mark>").replace("\x02", "</mark>"))  # noqa: S704


async def search_models_sql(db, q: str, fts: str) -> tuple[str, dict]:
    """The search's SQL for q and its parameters: all matches ranked, or the bounded pool."""
    params = {"q": q, "prefix": q + "%", "fts": fts}
    matches = (await db.execute(SEARCH_COUNT_SQL, {"fts": fts, "cap": SEARCH_CANDIDATES})).rows[0][0]
    if matches <= SEARCH_CANDIDATES:
        return SEARCH_MODELS_SQL, params
    walk = {"words": fts.removesuffix("*"), "walk": SEARCH_WALK}
    found = (await db.execute(SEARCH_WALK_COUNT_SQL, {**walk, "limit": SEARCH_LIMIT})).rows[0][0]
    if found < SEARCH_LIMIT:
        return SEARCH_ALL_MATCHES_SQL, {**params, "pool": SEARCH_POOL}
    return SEARCH_MANY_MODELS_SQL, {**params, **walk, "pool": SEARCH_POOL}


def pool_note(sql: str | None) -> str | None:
    """What the page says when it ranked a pool rather than every match."""
    many = f"More than {SEARCH_CANDIDATES:,} models match: ranked here are the exact id, the ids and the author starting with it, and "
    if sql == SEARCH_MANY_MODELS_SQL:
        return many + f"the models among the {SEARCH_WALK:,} most downloaded that hold its words whole."
    if sql == SEARCH_ALL_MATCHES_SQL:
        return many + f"its {SEARCH_POOL:,} most downloaded matches."
    return None


async def search_page(datasette, request):
    q = (request.args.get("q") or "").strip()
    db = await models_database(datasette)
    cards_db = await cards_database(datasette, db)
    models, cards, error, models_sql, params = [], [], None, None, {}
    if q and db is not None:
        model_id, _ = await resolve(db, q)
        if model_id is not None and not request.args.get("all"):
            return Response.redirect(model_url(datasette, model_id))
        fts = fts_query(q)
        if fts:
            try:
                models_sql, params = await search_models_sql(db, q, fts)
                models = [dict(r) for r in (await db.execute(models_sql, params)).rows]
                if cards_db is not None:
                    found = (await cards_db.execute(SEARCH_CARDS_SQL, {"fts": fts})).rows
                    keys = json.dumps([[r["model_id"], r["source"]] for r in found])
                    scores = {(r["model_id"], r["source"]): r["score"]
                              for r in (await db.execute(CARD_SCORES_SQL, {"keys": keys})).rows}
                    cards = [{**dict(r), "score": scores.get((r["model_id"], r["source"])),
                              "snippet": marked_snippet(r["snippet"])} for r in found]
            except Exception as e:  # an FTS syntax error or a time limit: say so, do not fail the page
                error = str(e)
    html = await datasette.render_template("ptm_search.html", {
        "q": q, "models": models, "cards": cards, "error": error, "limit": SEARCH_LIMIT,
        "database": db.name if db is not None else None,
        "cards_database": cards_db.name if cards_db is not None else None,
        "models_sql": sql_links(datasette, db.name, models_sql, params) if models_sql else None,
        "pool_note": pool_note(models_sql),
        **search_box_context(datasette)}, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [
        (r"^/models/(?P<model_id>.+)$", model_page),
        (r"^/-/search$", search_page),
        (r"^/-/ptm-static/(?P<path>.*)$", asgi_static(STATIC)),
    ]


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["model_url"] = lambda model_id: model_url(datasette, str(model_id))
    env.filters["json_list"] = _json_list


MODEL_ID_COLUMNS = {"model_id", "base_model_id"}


@hookimpl
def render_cell(value, column, table, database, datasette):
    """A model id in any table or query result (model_id, base_model_id, model_aliases.new_id)
    links to the model's page. The models table's own key keeps Datasette's row link."""
    if column not in MODEL_ID_COLUMNS and (table, column) != ("model_aliases", "new_id"):
        return None
    if isinstance(value, dict) and "value" in value:  # a foreign key Datasette expanded
        value = value["value"]
    if not isinstance(value, str) or not value:
        return None
    return Markup('<a href="{}">{}</a>').format(model_url(datasette, value), value)
