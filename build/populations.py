"""Registry populations and the trends of headline measures across them.

A *population* is a source that lists the registry, or a large part of it, at one date: its
manifest entry says `"coverage": "registry"` (the importer's pins for icse23, liang2024 and
huggingfacer; every unfiltered mining run). Everything else is a sample chosen by some study.
Every headline number is computed over exactly one population (or one named sample) and says
which, with its date and denominator.

`write(db)` runs after the `models` table exists (so only canonical Hub ids count, see
build/identity.py) and fills

- `populations`: one row per population with its date, its models, and for each field how many
  of its models carry it (0: the source does not give that field, so a measure that needs it is
  not computed, rather than counted as missing). `fields` lists the fields it carries.
- `trends`: one row per (population, measure): MEASURES below, each with its numerator and
  denominator, over the population's models. A measure whose fields the population lacks has no
  row. Queries read the newest population that has the fields they need, in SQL:

      SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1
"""

from __future__ import annotations

import sqlite_utils

# Field of `populations` -> (what it counts, SQL over the population's observations `o`).
FIELDS = {
    "downloads": "count(o.downloads_30d)",
    "has_card": "count(o.has_card)",
    "task": "count(o.pipeline_tag)",
    "license": "count(o.license)",
    "created_at": "count(o.created_at)",
    "library": "count(o.library_name)",
}
# the columns of the observations FIELDS and MEASURES read besides source, model_id, downloads_30d
OBS_COLUMNS = ["has_card", "pipeline_tag", "license", "created_at", "library_name"]

# The observations of Hub models (build/identity.py) by the registry populations, with the columns
# FIELDS and MEASURES read: joined to `models` once, in one pass over model_observations, for both
# the populations and every population's trends (at 2,000,000 models, joining them once for the
# populations and again for each population's trends, every column copied, took 55 of this step's
# 95 CPU s). Keyed by population and model (WITHOUT ROWID: each population's rows together, all
# their columns in the key's b-tree, and in each population the models in id order, so that the
# lineage lookups of no_base_model_share go in order): a population's rows are read without a
# lookup a row, and no index is built (at 2,000,000 models a table and a covering index of every
# column took 27.6 CPU s, this 16.4; the median and the top-N shares now sort the downloads).
HUB_OBS_SQL = [f"""
CREATE TEMP TABLE hub_obs (source TEXT, model_id TEXT, downloads_30d, {', '.join(OBS_COLUMNS)},
                           PRIMARY KEY (source, model_id)) WITHOUT ROWID
""", f"""
INSERT INTO temp.hub_obs
SELECT o.source, o.model_id, o.downloads_30d, {', '.join(f'o.{c}' for c in OBS_COLUMNS)}
FROM model_observations o JOIN models m ON m.model_id = o.model_id AND m.is_hub_id = 1
WHERE o.source IN (SELECT id FROM sources WHERE coverage = 'registry')
"""]

POPULATIONS_SQL = f"""
INSERT INTO populations (population, title, date, models, {', '.join(FIELDS)}, lineage, spaces, cards, fields)
SELECT s.id, s.title,
       CASE WHEN s.snapshot_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN s.snapshot_date
            WHEN s.snapshot_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
              THEN substr(s.snapshot_date, 12)
            ELSE (SELECT substr(max(observed), 1, 10) FROM model_observations WHERE source = s.id) END,
       f.models, {', '.join(f'f.{name}' for name in FIELDS)},
       (SELECT count(*) FROM lineage l WHERE l.source = s.id),
       (SELECT count(*) FROM dependents d WHERE d.source = s.id AND d.kind = 'space'),
       (SELECT count(*) FROM cards c WHERE c.source = s.id),
       NULL
FROM sources s
JOIN (SELECT o.source, count(*) AS models, {', '.join(f'{sql} AS {name}' for name, sql in FIELDS.items())}
      FROM temp.hub_obs o GROUP BY o.source) f ON f.source = s.id
WHERE s.coverage = 'registry'
"""

FIELDS_LIST_SQL = """
UPDATE populations SET fields = (
  SELECT json_group_array(name) FROM (
    SELECT 'downloads' AS name, downloads AS n UNION ALL SELECT 'has_card', has_card
    UNION ALL SELECT 'task', task UNION ALL SELECT 'license', license
    UNION ALL SELECT 'created_at', created_at UNION ALL SELECT 'library', library
    UNION ALL SELECT 'lineage', lineage UNION ALL SELECT 'spaces', spaces UNION ALL SELECT 'cards', cards)
  WHERE n > 0)
"""

# measure -> (fields it needs, SQL giving value, numerator, denominator over the CTE `obs`: the
# population's observations of Hub models, and `pop`: its populations row). One row each.
_TOP = ("SELECT 1.0 * sum(n) / (SELECT sum(downloads_30d) FROM obs WHERE downloads_30d IS NOT NULL),"
        " sum(n), (SELECT count(downloads_30d) FROM obs) FROM (SELECT downloads_30d AS n FROM obs"
        " WHERE downloads_30d IS NOT NULL ORDER BY downloads_30d DESC LIMIT {n})"
        " WHERE (SELECT count(downloads_30d) FROM obs) > {n}")
MEASURES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "models": ((), "SELECT count(*), NULL, NULL FROM obs",
               "Hub models the population lists"),
    "median_downloads": (("downloads",), """
        SELECT avg(n), NULL, (SELECT count(downloads_30d) FROM obs) FROM (
          SELECT downloads_30d AS n FROM obs WHERE downloads_30d IS NOT NULL ORDER BY downloads_30d
          LIMIT 2 - (SELECT count(downloads_30d) FROM obs) % 2
          OFFSET ((SELECT count(downloads_30d) FROM obs) - 1) / 2)""",
        "median 30-day downloads of the models with a download count"),
    "zero_downloads_share": (("downloads",),
        "SELECT avg(downloads_30d = 0), sum(downloads_30d = 0), count(downloads_30d) FROM obs "
        "WHERE downloads_30d IS NOT NULL",
        "share of the models with a download count that have none"),
    "top10_download_share": (("downloads",), _TOP.format(n=10),
        "share of all 30-day downloads taken by the 10 most downloaded models (numerator: their downloads)"),
    "top100_download_share": (("downloads",), _TOP.format(n=100),
        "share of all 30-day downloads taken by the 100 most downloaded models"),
    "top1000_download_share": (("downloads",), _TOP.format(n=1000),
        "share of all 30-day downloads taken by the 1,000 most downloaded models"),
    "card_share": (("has_card",),
        "SELECT avg(has_card), sum(has_card), count(has_card) FROM obs WHERE has_card IS NOT NULL",
        "share of the models whose repository has a model card (README.md)"),
    "card_download_share": (("has_card", "downloads"),
        "SELECT 1.0 * sum(downloads_30d) FILTER (WHERE has_card = 1) / sum(downloads_30d), "
        "sum(downloads_30d) FILTER (WHERE has_card = 1), count(*) FROM obs "
        "WHERE has_card IS NOT NULL AND downloads_30d IS NOT NULL HAVING sum(downloads_30d) > 0",
        "share of all 30-day downloads held by models with a model card (numerator: their downloads)"),
    "no_task_share": (("task",),
        "SELECT avg(pipeline_tag IS NULL), sum(pipeline_tag IS NULL), count(*) FROM obs",
        "share of the models without a task (pipeline tag)"),
    "no_license_share": (("license",),
        "SELECT avg(license IS NULL), sum(license IS NULL), count(*) FROM obs",
        "share of the models without a license"),
    "no_base_model_share": (("lineage",),
        "SELECT 1.0 * n / total, n, total FROM (SELECT count(*) AS total, count(*) FILTER (WHERE NOT EXISTS "
        "(SELECT 1 FROM lineage l WHERE l.model_id = obs.model_id AND l.source = obs.source)) AS n FROM obs)",
        "share of the models that name no base model"),
    "models_created_last_month": (("created_at",), """
        SELECT count(*) FILTER (WHERE substr(created_at, 1, 7) = month), NULL, count(created_at)
        FROM obs, (SELECT strftime('%Y-%m', (SELECT date FROM pop), 'start of month', '-1 month') AS month)""",
        "models created in the last full calendar month before the population's date"),
}

# Every measure reads the population's observations of Hub models from temp.hub_obs (above; at
# 2,000,000 models, joining them again for each of the 12 measures took most of this step), each
# mention of `obs` its own walk of the population's rows (NOT MATERIALIZED: no copy of the rows).
TRENDS_SQL = """
WITH pop AS (SELECT * FROM populations WHERE population = :population),
obs AS NOT MATERIALIZED (SELECT * FROM temp.hub_obs WHERE source = :population)
{measure}
"""


def write(db: sqlite_utils.Database) -> None:
    """Fill `populations` and `trends` (after `models`, before the findings)."""
    db.execute("DROP TABLE IF EXISTS temp.hub_obs")
    for sql in HUB_OBS_SQL:
        db.execute(sql)
    db.execute(POPULATIONS_SQL)
    db.execute(FIELDS_LIST_SQL)
    rows = []
    for population, date, fields in db.execute(
            "SELECT population, date, fields FROM populations ORDER BY date, population").fetchall():
        carried = {v for (v,) in db.execute("SELECT value FROM json_each(?)", [fields])}
        for measure, (needs, sql, note) in MEASURES.items():
            if not set(needs) <= carried:
                continue
            result = db.execute(TRENDS_SQL.format(measure=sql), {"population": population}).fetchone()
            if result is None or result[0] is None:
                continue
            value, numerator, denominator = result
            if measure == "models_created_last_month":
                month = db.execute("SELECT strftime('%Y-%m', ?, 'start of month', '-1 month')", [date]).fetchone()[0]
                note = f"models created in {month}, the last full month before {date}"
            rows.append({"population": population, "date": date, "measure": measure, "value": value,
                         "numerator": numerator, "denominator": denominator, "note": note})
    db.execute("DROP TABLE temp.hub_obs")
    db["trends"].insert_all(rows, pk=("population", "measure"), replace=True)
