"""Build-time summary tables: what the slow canned queries would otherwise group on every request.

At Hub scale (2,000,000 models, docs/benchmarks.md) a canned query that groups every reuse link,
every card or every lineage chain takes seconds. `write(db)` runs once per build, after the
`models` and `populations` tables and before the findings (which run the canned queries), and
fills the small tables below, each with one INSERT ... SELECT inside SQLite (deterministic: the
same database gives the same rows, in key order).

A summary never freezes a canned query's parameter: it is grouped by whatever the parameter
selects (a card sample `source`, a `population`), so the query filters the summary where it used
to filter the base table; a parameter that only cuts a ranking (`top_n`) or a threshold
(`min_cards`) is applied by the query to the summary's rows. tests/test_query_speedups.py checks
each rewritten query against its plain definition over the base tables, row for row, for several
parameter values. metadata.yml and docs/database.md describe every table and column.

The card texts are not in this database (they are in the cards database, docs/database.md): the
trainer-list flag of `card_evaluations` counts `cards.trainer_results_list`, which the builder
computes from each text.
"""

from __future__ import annotations

import collections
import sqlite3
import threading

import sqlite_utils

# table -> (CREATE TABLE, INSERT ... SELECT). In dependency order.
SUMMARIES: dict[str, tuple[str, str]] = {
    # F5 (f05_eval_results_by_task) and F3 (f03_card_sections' denominator): cards per sample and task.
    "card_evaluations": ("""
CREATE TABLE card_evaluations (
  source TEXT NOT NULL REFERENCES sources(id),
  task TEXT NOT NULL,
  cards INTEGER NOT NULL,
  machine_readable INTEGER,
  prose_table INTEGER,
  prose_text INTEGER,
  trainer_list INTEGER,
  PRIMARY KEY (source, task)
)""", """
INSERT INTO card_evaluations
SELECT c.source, coalesce(c.pipeline_tag, m.pipeline_tag, 'none') AS task, count(*),
       sum(c.eval_reporting = 'model-index'), sum(c.eval_reporting = 'prose-table'),
       sum(c.eval_reporting = 'prose-text'),
       sum(c.eval_reporting = 'prose-text'
           AND c.trainer_results_list)
-- NOT INDEXED: the cards in stored order, not a walk of their source index with a lookup a card
-- (at 2,000,000 models 12.4 -> 10.7 CPU s)
FROM cards c NOT INDEXED JOIN models m USING (model_id)
GROUP BY 1, 2 ORDER BY 1, 2"""),
    # F3 (f03_card_sections): cards with each canonical section, per card sample.
    "card_section_counts": ("""
CREATE TABLE card_section_counts (
  source TEXT NOT NULL REFERENCES sources(id),
  section TEXT NOT NULL,
  cards_filled INTEGER NOT NULL,
  cards_filler_only INTEGER NOT NULL,
  PRIMARY KEY (source, section)
)""", """
INSERT INTO card_section_counts
SELECT s.source, s.canonical,
       count(DISTINCT s.model_id) FILTER (WHERE NOT s.is_filler),
       count(DISTINCT s.model_id) FILTER (WHERE s.is_filler)
FROM card_sections s JOIN cards c ON c.model_id = s.model_id AND c.source = s.source
WHERE s.canonical IS NOT NULL
GROUP BY s.source, s.canonical ORDER BY 1, 2"""),
    # F3 (f03_card_score_distribution): scored cards per sample and tenth of the score.
    "card_score_bins": ("""
CREATE TABLE card_score_bins (
  source TEXT NOT NULL REFERENCES sources(id),
  score_from REAL NOT NULL,
  cards INTEGER NOT NULL,
  template_only INTEGER,
  template_only_known INTEGER NOT NULL,
  low_score INTEGER NOT NULL,
  PRIMARY KEY (source, score_from)
)""", """
INSERT INTO card_score_bins
SELECT source, round(min(CAST(score * 10 + 1e-9 AS INTEGER), 9) / 10.0, 1), count(*),
       sum(template_only), count(template_only), sum(score < 0.5)
FROM cards NOT INDEXED WHERE score IS NOT NULL  -- stored order, as above (3.3 -> 2.6 CPU s)
GROUP BY 1, 2 ORDER BY 1, 2"""),
    # F8 (f08_license_conflicts): the license family of every repository that reuses a model.
    "repository_license_families": ("""
CREATE TABLE repository_license_families (
  family TEXT PRIMARY KEY,
  repositories INTEGER NOT NULL
)""", """
INSERT INTO repository_license_families
SELECT family, count(*) FROM temp.repo_family GROUP BY family ORDER BY family"""),
    # F8 (f08_license_conflicts): GitHub reuse links by model license category x repository license family.
    "license_matrix": ("""
CREATE TABLE license_matrix (
  model_license_category TEXT NOT NULL,
  repository_license TEXT NOT NULL,
  links INTEGER NOT NULL,
  repositories INTEGER NOT NULL,
  models INTEGER NOT NULL,
  PRIMARY KEY (model_license_category, repository_license)
)""", """
INSERT INTO license_matrix
SELECT
  coalesce(lc.category, CASE WHEN d.model_license IS NULL THEN 'none stated' ELSE 'uncategorized' END),
  f.family, count(*), count(DISTINCT d.dependent), count(DISTINCT d.model_id)
FROM dependents d
-- each GitHub link looks its repository up (SQLite would otherwise build an index of dependents per query)
CROSS JOIN temp.repo_family f ON f.repo = d.dependent
LEFT JOIN license_categories lc ON lc.license_id = d.model_license AND lc.source = 'openfuture'
WHERE d.kind = 'github'
GROUP BY 1, 2 ORDER BY 1, 2"""),
    # F8 (f08_reuse_link_licenses): GitHub reuse links by the model's license.
    "reuse_link_licenses": ("""
CREATE TABLE reuse_link_licenses (
  license TEXT PRIMARY KEY,
  category TEXT,
  links INTEGER NOT NULL,
  repositories INTEGER NOT NULL,
  models INTEGER NOT NULL,
  share_of_links REAL
)""", """
INSERT INTO reuse_link_licenses
SELECT coalesce(d.model_license, 'none stated'), lc.category,
       count(*), count(DISTINCT d.dependent), count(DISTINCT d.model_id),
       round(1.0 * count(*) / (SELECT count(*) FROM dependents WHERE kind = 'github'), 4)
FROM dependents d LEFT JOIN license_categories lc ON lc.license_id = d.model_license AND lc.source = 'openfuture'
WHERE d.kind = 'github'
GROUP BY 1 ORDER BY 1"""),
    # F7 (f07_lineage_depth): models by the length of their longest chain of base models.
    "lineage_depths": ("""
CREATE TABLE lineage_depths (
  depth INTEGER PRIMARY KEY,
  models INTEGER NOT NULL
)""", """
INSERT INTO lineage_depths
WITH RECURSIVE chain(model_id, depth, path) AS (
  SELECT l.model_id, 1, char(0) || l.base_model_id || char(0) || l.model_id || char(0)
  FROM lineage l
  WHERE NOT EXISTS (SELECT 1 FROM lineage up WHERE up.model_id = l.base_model_id)
  UNION
  SELECT l.model_id, c.depth + 1, c.path || l.model_id || char(0)
  FROM chain c JOIN lineage l ON l.base_model_id = c.model_id
  WHERE c.depth < 20 AND instr(c.path, char(0) || l.model_id || char(0)) = 0
),
deepest AS (SELECT model_id, max(depth) AS depth FROM chain GROUP BY model_id)
SELECT depth, count(*) FROM deepest GROUP BY depth ORDER BY depth"""),
    # F7 (f07_dataset_fanout): models trained or evaluated on each dataset (tags, card metadata, HFCO2).
    "dataset_models": ("""
CREATE TABLE dataset_models (
  source TEXT NOT NULL REFERENCES sources(id),
  dataset TEXT NOT NULL,
  models INTEGER NOT NULL,
  PRIMARY KEY (source, dataset)
)""", """
INSERT INTO dataset_models
WITH dataset_links AS (
  SELECT DISTINCT source, model_id, lower(dataset) AS dataset FROM (
    SELECT o.source, o.model_id, substr(t.value, 9) AS dataset
    FROM model_observations o, json_each(o.tags) t
    WHERE o.tags LIKE '%dataset:%' AND t.value LIKE 'dataset:%'
    UNION ALL
    SELECT c.source, c.model_id, d.value FROM cards c, json_each(c.datasets) d WHERE c.datasets <> '[]'
    UNION ALL
    SELECT o.source, o.model_id, d.value FROM model_observations o, json_each(o.extra, '$.datasets') d
    WHERE o.source = 'hfco2' AND json_valid(o.extra) AND json_type(o.extra, '$.datasets') = 'array'
  )
  WHERE trim(dataset) <> ''
)
SELECT source, dataset, count(*) FROM dataset_links GROUP BY source, dataset ORDER BY source, dataset"""),
    # F1, F2, F3, F11 (downloads histogram, reuse by popularity, documentation by reuse, card presence
    # by source, models created per month, practices by cohort): the observations of every source,
    # counted per creation month, download magnitude, card presence and reuse, so that a query over
    # one population sums a few hundred rows instead of scanning its models.
    "observation_counts": ("""
CREATE TABLE observation_counts (
  source TEXT NOT NULL REFERENCES sources(id),
  created_month TEXT,
  download_digits INTEGER,
  has_card INTEGER,
  reused_by_at_least INTEGER NOT NULL,
  models INTEGER NOT NULL,
  downloads INTEGER,
  zero_downloads INTEGER,
  reused_models INTEGER NOT NULL,
  links INTEGER,
  scored_cards INTEGER NOT NULL,
  card_score_sum REAL
)""", """
INSERT INTO observation_counts
SELECT source, created_month, download_digits, has_card, reused_by_at_least,
       count(*), sum(downloads_30d), sum(downloads_30d = 0), count(links), sum(links),
       count(card_score), sum(card_score)
FROM (
  SELECT o.source, substr(o.created_at, 1, 7) AS created_month,
         CASE WHEN o.downloads_30d <= 0 THEN 0 ELSE length(o.downloads_30d) END AS download_digits,
         o.has_card,
         CASE WHEN m.github_dependents < 1 THEN 0 WHEN m.github_dependents < 2 THEN 1
              WHEN m.github_dependents < 10 THEN 2 WHEN m.github_dependents < 100 THEN 10 ELSE 100 END
           AS reused_by_at_least,
         o.downloads_30d, dep.links, m.card_score
  -- the models in their stored order, each one's observations by key (CROSS JOIN: SQLite would walk
  -- an index of model_observations and look each row and its model up, 50 CPU s at 2,000,000 models;
  -- this 34); within each group the rows are summed in that index's order (downloads, card, rowid),
  -- so that the sum of the (real) card scores does not depend on the plan, to the last bit
  FROM models m CROSS JOIN model_observations o ON o.model_id = m.model_id
  LEFT JOIN (SELECT model_id, count(*) AS links FROM dependents WHERE kind = 'github' GROUP BY model_id) dep
    ON dep.model_id = m.model_id
  ORDER BY 1, 2, 3, 4, 5, o.downloads_30d, o.has_card, o.rowid)
GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"""),
    # F1 (f01_reuse_concentration): every source's median 30-day downloads.
    "download_medians": ("""
CREATE TABLE download_medians (
  source TEXT PRIMARY KEY REFERENCES sources(id),
  models INTEGER NOT NULL,
  median_downloads INTEGER
)""", """
INSERT INTO download_medians
SELECT source, max(c), CAST(round(avg(n)) AS INTEGER) FROM (
  SELECT source, downloads_30d AS n, count(*) OVER (PARTITION BY source) AS c,
         row_number() OVER (PARTITION BY source ORDER BY downloads_30d) AS k
  FROM model_observations WHERE downloads_30d IS NOT NULL
)
WHERE k BETWEEN (c + 1) / 2 AND c / 2 + 1
GROUP BY source ORDER BY source"""),
    # F1, F2 (f01_reuse_concentration, f02_popularity_vs_reuse): the GitHub reuse links in one row.
    "github_reuse_totals": ("""
CREATE TABLE github_reuse_totals (
  link_rows INTEGER NOT NULL,
  link_pairs INTEGER NOT NULL,
  link_repos INTEGER NOT NULL,
  link_models INTEGER NOT NULL,
  link_sources TEXT,
  top10_link_share REAL
)""", """
INSERT INTO github_reuse_totals
-- dependents read where each value is used (a copy of every GitHub link, scanned four times, cost
-- more: at 2,000,000 models 6.6 -> 5.1 CPU s); each model's links counted in the order of the
-- (model_id, kind) index, without a sort
WITH links AS (SELECT model_id, count(*) AS n FROM dependents WHERE kind = 'github' GROUP BY model_id)
SELECT (SELECT count(*) FROM dependents WHERE kind = 'github'),
       -- the distinct (repository, model) pairs: the sum of every model's distinct reusing repositories,
       -- which MODELS_SQL (build/db.py) counted from the same links (a DISTINCT over every link: 11 CPU s)
       (SELECT coalesce(sum(github_dependents), 0) FROM models),
       (SELECT count(DISTINCT dependent) FROM dependents WHERE kind = 'github'),
       (SELECT count(*) FROM links),
       (SELECT group_concat(source, ', ') FROM (SELECT DISTINCT source FROM dependents WHERE kind = 'github' ORDER BY source)),
       (SELECT round(1.0 * sum(n) / (SELECT sum(n) FROM links), 4)
          FROM (SELECT n FROM links ORDER BY n DESC LIMIT 10))"""),
    # F2 (f02_popularity_vs_reuse): per source, the rank correlation (Spearman, ties averaged) of the
    # reused models' downloads and reusing repositories.
    "reuse_rank_correlations": ("""
CREATE TABLE reuse_rank_correlations (
  source TEXT PRIMARY KEY REFERENCES sources(id),
  reused_models INTEGER NOT NULL,
  spearman REAL
)""", """
INSERT INTO reuse_rank_correlations
WITH dep AS (
  SELECT model_id, count(DISTINCT dependent) AS repos FROM dependents WHERE kind = 'github' GROUP BY model_id
),
reused AS (
  SELECT o.source, o.downloads_30d AS downloads, dep.repos
  FROM dep JOIN model_observations o ON o.model_id = dep.model_id
  WHERE o.downloads_30d IS NOT NULL
),
ranked AS (
  SELECT source,
         rank() OVER (PARTITION BY source ORDER BY downloads)
           + (count(*) OVER (PARTITION BY source, downloads) - 1) / 2.0 AS rd,
         rank() OVER (PARTITION BY source ORDER BY repos)
           + (count(*) OVER (PARTITION BY source, repos) - 1) / 2.0 AS rr
  FROM reused
),
means AS (SELECT source, avg(rd) AS md, avg(rr) AS mr FROM ranked GROUP BY source)
SELECT source, count(*),
       sum((rd - md) * (rr - mr)) / sqrt(sum((rd - md) * (rd - md)) * sum((rr - mr) * (rr - mr)))
FROM ranked JOIN means USING (source)
GROUP BY source ORDER BY source"""),
    # F7 (f07_dependency_concentration): lineage edges per source, and which sources are one model's
    # family tree (a single root: a hand-picked sample).
    "lineage_sources": ("""
CREATE TABLE lineage_sources (
  source TEXT PRIMARY KEY REFERENCES sources(id),
  edges INTEGER NOT NULL,
  family_sample INTEGER NOT NULL
)""", """
INSERT INTO lineage_sources
SELECT l.source, count(*), l.source IN (
         SELECT source FROM lineage f
         WHERE NOT EXISTS (SELECT 1 FROM lineage x WHERE x.source = f.source AND x.model_id = f.base_model_id)
         GROUP BY source HAVING count(DISTINCT base_model_id) = 1)
FROM lineage l GROUP BY l.source ORDER BY l.source"""),
    # F7 (f07_base_model_fanout, f07_dependency_concentration): every base model's derived models, by
    # relation, and without the family samples.
    "lineage_bases": ("""
CREATE TABLE lineage_bases (
  base_model_id TEXT PRIMARY KEY REFERENCES models(model_id),
  children INTEGER NOT NULL,
  finetunes INTEGER NOT NULL,
  adapters INTEGER NOT NULL,
  quantized INTEGER NOT NULL,
  merges INTEGER NOT NULL,
  relation_not_stated INTEGER NOT NULL,
  sources TEXT NOT NULL,
  children_outside_family_samples INTEGER,
  sources_outside_family_samples TEXT
)""", """
INSERT INTO lineage_bases
WITH family_samples AS (SELECT source FROM lineage_sources WHERE family_sample = 1)
SELECT base_model_id, count(DISTINCT model_id),
       count(DISTINCT model_id) FILTER (WHERE relation = 'finetune'),
       count(DISTINCT model_id) FILTER (WHERE relation = 'adapter'),
       count(DISTINCT model_id) FILTER (WHERE relation = 'quantized'),
       count(DISTINCT model_id) FILTER (WHERE relation = 'merge'),
       count(DISTINCT model_id) FILTER (WHERE relation IS NULL),
       group_concat(DISTINCT source),
       nullif(count(DISTINCT model_id) FILTER (WHERE source NOT IN family_samples), 0),
       group_concat(DISTINCT source) FILTER (WHERE source NOT IN family_samples)
FROM lineage
GROUP BY base_model_id ORDER BY base_model_id"""),
    # F3 (f03_card_completeness): every card sample's median completeness score.
    "card_score_medians": ("""
CREATE TABLE card_score_medians (
  source TEXT PRIMARY KEY REFERENCES sources(id),
  scored_cards INTEGER NOT NULL,
  median_score REAL
)""", """
INSERT INTO card_score_medians
SELECT source, max(c), avg(score) FROM (
  SELECT source, score, count(*) OVER (PARTITION BY source) AS c,
         row_number() OVER (PARTITION BY source ORDER BY score) AS k
  FROM cards WHERE score IS NOT NULL
)
WHERE k BETWEEN (c + 1) / 2 AND c / 2 + 1
GROUP BY source ORDER BY source"""),
    # F3 (f03_card_completeness): for a source that gives both card presence and its own card texts
    # (a mining run), its models by card presence and their card's score.
    "population_card_scores": ("""
CREATE TABLE population_card_scores (
  source TEXT PRIMARY KEY REFERENCES sources(id),
  no_card INTEGER NOT NULL,
  low INTEGER NOT NULL,
  adequate INTEGER NOT NULL,
  unscored INTEGER NOT NULL
)""", """
INSERT INTO population_card_scores
WITH observed AS (
  SELECT source, count(*) FILTER (WHERE has_card = 0) AS no_card, count(*) FILTER (WHERE has_card = 1) AS with_card
  -- NOT INDEXED: the rows in stored order (an index of model_observations would be walked, and each of
  -- its rows looked up)
  FROM model_observations NOT INDEXED
  WHERE has_card IS NOT NULL AND source IN (SELECT DISTINCT source FROM cards)
  GROUP BY source
),
-- the models observed with a card whose card is scored low or adequate: each card looks its
-- observation up (one lookup a card, not one an observation: at 2,000,000 models 10.8 -> 6.3 CPU s);
-- the other models with a card (no card row, or no score) are unscored
scored AS (
  SELECT c.source, count(*) FILTER (WHERE c.score < 0.5) AS low, count(*) FILTER (WHERE c.score >= 0.5) AS adequate
  FROM cards c JOIN model_observations o ON o.model_id = c.model_id AND o.source = c.source
  WHERE o.has_card = 1
  GROUP BY c.source
)
SELECT o.source, o.no_card, coalesce(s.low, 0), coalesce(s.adequate, 0),
       o.with_card - coalesce(s.low, 0) - coalesce(s.adequate, 0)
FROM observed o LEFT JOIN scored s ON s.source = o.source
ORDER BY o.source"""),
    # F6 (f06_missing_attributes): per card sample, its cards and how many record each attribute.
    "card_attribute_counts": ("""
CREATE TABLE card_attribute_counts (
  source TEXT PRIMARY KEY REFERENCES sources(id),
  cards INTEGER NOT NULL,
  license INTEGER NOT NULL,
  datasets INTEGER,
  language INTEGER,
  base_model INTEGER
)""", """
INSERT INTO card_attribute_counts
SELECT source, count(*), count(license),
       sum(coalesce(datasets, '[]') <> '[]'), sum(coalesce(language, '[]') <> '[]'),
       sum(coalesce(base_model, '[]') <> '[]')
FROM cards GROUP BY source ORDER BY source"""),
    # F6 (f06_missing_attributes): per source, its observed models without a task, a license or a
    # base model (a lineage edge from the same source).
    "missing_attribute_counts": ("""
CREATE TABLE missing_attribute_counts (
  source TEXT PRIMARY KEY REFERENCES sources(id),
  models INTEGER NOT NULL,
  no_task INTEGER NOT NULL,
  no_license INTEGER NOT NULL,
  no_base_model INTEGER NOT NULL
)""", """
INSERT INTO missing_attribute_counts
WITH observed AS (
  SELECT source, count(*) AS models, count(*) FILTER (WHERE pipeline_tag IS NULL) AS no_task,
         count(*) FILTER (WHERE license IS NULL) AS no_license
  FROM model_observations NOT INDEXED  -- stored order, as above
  GROUP BY source
),
-- the observed models with a base model: each (model, source) of lineage looks its observation up
-- (one lookup a lineage edge, not one an observation: at 2,000,000 models 8.3 -> 3.1 CPU s)
based AS (
  SELECT l.source, count(*) AS models
  FROM (SELECT DISTINCT model_id, source FROM lineage) l
  WHERE EXISTS (SELECT 1 FROM model_observations o WHERE o.model_id = l.model_id AND o.source = l.source)
  GROUP BY l.source
)
SELECT o.source, o.models, o.no_task, o.no_license, o.models - coalesce(b.models, 0)
FROM observed o LEFT JOIN based b ON b.source = o.source
ORDER BY o.source"""),
    # F9 (f09_dependents_by_method): the methods that found dependents, compared pairwise on the
    # dependents both looked at (temp.method_links: each distinct link, indexed for the comparison).
    "dependent_method_overlaps": ("""
CREATE TABLE dependent_method_overlaps (
  found_by TEXT NOT NULL,
  compared_with TEXT,
  kind TEXT NOT NULL,
  links INTEGER NOT NULL,
  common_dependents INTEGER NOT NULL,
  links_on_common INTEGER NOT NULL,
  confirmed INTEGER NOT NULL,
  confirmed_share REAL
)""", """
INSERT INTO dependent_method_overlaps
WITH methods AS (
  SELECT found_by, kind, count(*) AS links FROM temp.method_links GROUP BY 1, 2
),
pairs AS (
  SELECT a.found_by AS first, b.found_by AS second, a.kind, a.links
  FROM methods a LEFT JOIN methods b ON a.kind = b.kind AND a.found_by != b.found_by
),
common AS (
  SELECT p.first, p.second, p.kind, x.dependent, x.model_id,
         EXISTS (SELECT 1 FROM temp.method_links z WHERE z.found_by = p.second AND z.kind = p.kind
                 AND z.dependent = x.dependent AND z.model_id = x.model_id) AS confirmed
  FROM pairs p JOIN temp.method_links x ON x.found_by = p.first AND x.kind = p.kind
  WHERE x.dependent IN (SELECT y.dependent FROM temp.method_links y WHERE y.found_by = p.second AND y.kind = p.kind)
)
SELECT p.first, p.second, p.kind, p.links,
       count(DISTINCT c.dependent), count(c.model_id), coalesce(sum(c.confirmed), 0),
       round(1.0 * sum(c.confirmed) / nullif(count(c.model_id), 0), 4)
FROM pairs p LEFT JOIN common c ON c.first = p.first AND c.second = p.second AND c.kind = p.kind
GROUP BY p.first, p.second, p.kind, p.links
ORDER BY p.kind, p.first, p.second"""),
    # F12 (f12_defenses): per source, its models with a recorded access state and how many are gated
    # (in the order the sources first appear in model_observations).
    "gated_counts": ("""
CREATE TABLE gated_counts (
  source TEXT PRIMARY KEY REFERENCES sources(id),
  models INTEGER NOT NULL,
  gated INTEGER
)""", """
INSERT INTO gated_counts
SELECT source, count(*), sum(gated NOT IN ('false', '0'))
FROM model_observations NOT INDEXED  -- stored order, as above (4.1 -> 0.6 CPU s at 2,000,000 models)
WHERE gated IS NOT NULL
GROUP BY source ORDER BY min(rowid)"""),
}

# Helper tables (name -> statements), made on a connection by the first summary that reads
# `temp.<name>` and dropped after the summaries are written.
TEMP_TABLES = {"repo_family": ["""
CREATE TEMP TABLE repo_family AS
SELECT d.dependent AS repo,
       CASE WHEN r.repo IS NULL THEN 'not checked'
            WHEN count(j.value) = 0 THEN 'no license'
            WHEN max(j.value LIKE '%-nc%' OR j.value LIKE '%non-commercial%') THEN 'non-commercial'
            WHEN max(j.value LIKE '%gpl%' OR j.value LIKE 'mpl%' OR j.value LIKE 'epl%' OR j.value LIKE 'eupl%'
                     OR j.value LIKE 'cecill%' OR j.value LIKE 'cc-by-sa%' OR j.value LIKE '%copyleft%') THEN 'copyleft'
            WHEN max(j.value LIKE 'mit%' OR j.value LIKE 'apache%' OR j.value LIKE 'bsd%' OR j.value LIKE 'psf%'
                     OR j.value LIKE 'cc-by-_._' OR j.value IN ('isc', 'unlicense', 'zlib', 'cc0-1.0', 'other-permissive'))
              THEN 'permissive'
            ELSE 'other' END AS family
FROM (SELECT DISTINCT dependent FROM dependents WHERE kind = 'github') d
LEFT JOIN repositories r ON r.repo = d.dependent
LEFT JOIN json_each(r.licenses) j
GROUP BY d.dependent""",
    # with the family: license_matrix's lookup a link reads the index only (at 2,000,000 models
    # 16.1 -> 11.4 CPU s)
    "CREATE INDEX temp.idx_repo_family_repo ON repo_family (repo, family)"],
    # each distinct link once: the key is the index the comparison searches, the rows go in sorted
    # (at 2,000,000 models a DISTINCT into a table, then an index on it: 22.8 CPU s; this: 6.7)
    "method_links": ["""
CREATE TEMP TABLE method_links (found_by, kind, dependent, model_id,
                                PRIMARY KEY (found_by, kind, dependent, model_id)) WITHOUT ROWID""", """
INSERT OR IGNORE INTO temp.method_links
SELECT source || ' / ' || coalesce(method, 'published list'), kind, lower(dependent), model_id
FROM dependents ORDER BY 1, 2, 3, 4"""],
}

# Indexes for canned queries that stay on the base tables (a lookup by one model, a short list):
# what the planner needs to avoid scanning every model. (schema.INDEXES declares plain column
# indexes, schema.NOCASE_INDEXES the case-insensitive ones model_profile's lookup uses; these need
# a WHERE clause or a descending column.)
INDEXES = [
    # model_identity: the few ids that are not Hub ids
    "CREATE INDEX idx_models_not_hub_id ON models (model_id) WHERE is_hub_id = 0",
    # choose_model ranked by downloads: a population's models of one task, most downloaded first
    # (in the observations database beside the main one: schema.SIBLINGS)
    "CREATE INDEX observations.idx_model_observations_task_downloads ON model_observations (source, pipeline_tag, downloads_30d DESC)",
    # and on the summary tables, for the queries that rank or filter them
    "CREATE INDEX idx_lineage_bases_children ON lineage_bases (children)",
    "CREATE INDEX idx_lineage_bases_outside ON lineage_bases (children_outside_family_samples)",
    "CREATE INDEX idx_observation_counts_source ON observation_counts (source, download_digits)",
    "CREATE INDEX idx_dataset_models_rank ON dataset_models (source, models DESC, dataset)",
    "CREATE INDEX idx_reuse_link_licenses_rank ON reuse_link_licenses (links DESC, license)",
]


def jobs() -> list[list[str]]:
    """The summaries in groups, each run in order on one connection: those that read the same temp
    table (TEMP_TABLES), or one another, go together. In SUMMARIES order."""
    groups: list[tuple[list[str], set[str]]] = []  # (summaries, the tables they read)
    for name, (_, insert) in SUMMARIES.items():
        reads = {t for t in TEMP_TABLES if f"temp.{t}" in insert} | {o for o in SUMMARIES if o != name and o in insert}
        group = next((g for g in groups if reads & (g[1] | set(g[0]))), None)
        if group is None:
            groups.append(([name], reads))
        else:
            group[0].append(name)
            group[1].update(reads)
    return [names for names, _ in groups]


def _run(conn: sqlite3.Connection, job: list[str], made: set[str], temp: bool) -> None:
    """Fill the summaries of one job on conn, making the temp tables they read first (once a
    connection); into the temp schema when `temp` (a helper connection's: see write())."""
    for name in job:
        create, insert = SUMMARIES[name]
        for table, statements in TEMP_TABLES.items():
            if f"temp.{table}" in insert and table not in made:
                for sql in statements:
                    conn.execute(sql)
                made.add(table)
        if temp:  # the unqualified INSERT INTO then finds the temp table first (SQLite's name lookup)
            conn.execute(create.replace("CREATE TABLE ", "CREATE TEMP TABLE ", 1))
        conn.execute(insert)


class _Helper:
    """A second connection (opened by `connect()`, in its own thread) that fills summaries into its
    temp schema while the first runs populations and summaries of its own; SQLite runs a statement
    without holding Python's lock, so the two use both cores. join() hands its tables over."""

    def __init__(self, connect, take):
        self.tables: dict[str, list[tuple]] = {}
        self.error: BaseException | None = None
        self.conn: sqlite3.Connection | None = None
        self.ready, self.stopped = threading.Event(), threading.Event()

        def run():
            made: set[str] = set()
            try:
                self.conn = connect()
                self.ready.set()
                while not self.stopped.is_set() and (job := take()) is not None:
                    _run(self.conn, job, made, temp=True)
                    for name in job:
                        self.tables[name] = self.conn.execute(f"SELECT * FROM temp.[{name}]").fetchall()
                    self.conn.commit()  # of its temp schema only; ends its read of the main file
            except BaseException as e:  # handed to join()
                self.error = e
            finally:
                self.ready.set()
                if self.conn is not None:
                    self.conn.close()

        self.thread = threading.Thread(target=run, daemon=True)  # daemon: Ctrl-C does not wait for it
        self.thread.start()

    def stop(self) -> None:
        """Stop the helper (the build failed or was stopped): it takes no more jobs, and the
        statement it runs is interrupted (again until it ends: an interrupt that lands between two
        statements is lost); then wait for it."""
        self.stopped.set()
        self.ready.wait()
        while self.thread.is_alive():
            try:
                if self.conn is not None:
                    self.conn.interrupt()
            except sqlite3.ProgrammingError:  # closed meanwhile
                pass
            self.thread.join(0.05)

    def join(self) -> dict[str, list[tuple]]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.tables


def write(db: sqlite_utils.Database, connect=None, alongside=None) -> dict[str, int]:
    """Create (or replace) and fill every summary table; return their row counts.

    With `connect` (a function that opens another connection to the same database, with the
    same attached databases; the main file must then be in WAL mode so that one connection reads
    what the other writes), a helper thread takes groups of summaries (jobs()) from the same queue
    as this connection, computes them into its temp schema, and this connection copies its rows
    into the tables afterwards: the same rows as one connection alone (a summary is one INSERT ...
    SELECT over tables neither changes), in about half the time on two cores. `alongside()`, if
    given, runs on this connection first (build.populations.write: nothing here reads what it writes)."""
    for name in SUMMARIES:
        db.execute(f"DROP TABLE IF EXISTS [{name}]")
    for sql in INDEXES:  # the indexes on base tables (those on summaries go with their table)
        db.execute("DROP INDEX IF EXISTS " + sql.split()[2])
    for table in TEMP_TABLES:
        db.execute(f"DROP TABLE IF EXISTS temp.[{table}]")
    for create, _ in SUMMARIES.values():  # every table in SUMMARIES order, whichever connection fills it
        db.execute(create)
    db.conn.commit()
    queue, lock = collections.deque(jobs()), threading.Lock()

    def take() -> list[str] | None:
        with lock:
            return queue.popleft() if queue else None

    helper = _Helper(connect, take) if connect is not None else None
    try:
        if alongside is not None:
            alongside()
        made: set[str] = set()
        while (job := take()) is not None:
            _run(db.conn, job, made, temp=False)
        tables = helper.join() if helper is not None else {}
    finally:
        if helper is not None:
            helper.stop()
    for name, rows in tables.items():
        if rows:
            db.conn.executemany(f"INSERT INTO [{name}] VALUES ({', '.join('?' * len(rows[0]))})", rows)
    for sql in INDEXES:
        db.execute(sql)
    # Statistics for the new tables and indexes (the builder's ANALYZE ran before them): without
    # them the planner may take a new index for an old query's (f11's max(created_at) took the
    # task index and ran 50x slower at 200,000 models).
    for sql in INDEXES:
        db.execute("ANALYZE " + sql.split()[2])
    for name in SUMMARIES:
        db.execute(f"ANALYZE [{name}]")
    for table in made:
        db.execute(f"DROP TABLE temp.[{table}]")
    db.conn.commit()
    return {name: db[name].count for name in SUMMARIES}


def main(argv: list[str] | None = None) -> int:
    """python -m build.summaries DB: (re)write the summary tables of an existing database, e.g. one
    built before they existed, to benchmark the canned queries on it (scripts/bench_scale.py)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m build.summaries", description=main.__doc__)
    parser.add_argument("db", help="an existing database built by `python -m build`")
    args = parser.parse_args(argv)
    from build.db import connect

    with sqlite_utils.Database(connect(args.db, mode="rw")) as db:  # the siblings too: an index is theirs
        for name, rows in write(db).items():
            print(f"{name:<28} {rows:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
