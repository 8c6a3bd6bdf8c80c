"""Canned queries rewritten for speed at Hub scale (docs/benchmarks.md) give the answer of their
plain definition: each is compared, row for row, with the straightforward SQL it replaced, on the
database built from the real sources, for several parameter values.

Some read build-time summary tables (build/summaries.py) instead of grouping the base tables on
every request; their plain definitions below are the queries as they were before, over the base
tables only, so the summaries and the rewritten queries are both checked against them."""


import pytest

from build.findings import _with_params, load_queries
from build.db import connect

# The plain definitions: group every reuse link / every lineage edge, then rank.
REFERENCE = {
    "f01_most_reused_models": """
WITH p AS (SELECT CAST(:top_n AS INTEGER) AS top_n),
per_model AS (
  SELECT model_id, count(*) AS links, count(DISTINCT dependent) AS repositories
  FROM dependents WHERE kind = 'github' GROUP BY model_id
),
ranked AS (
  SELECT *, row_number() OVER (ORDER BY repositories DESC, model_id) AS rank, sum(links) OVER () AS all_links
  FROM per_model
)
SELECT printf('%0' || length((SELECT top_n FROM p)) || 'd %s', rank, r.model_id) AS ranked_model,
  r.model_id, r.repositories, r.links, round(1.0 * r.links / r.all_links, 4) AS share_of_links,
  round(1.0 * sum(r.links) OVER (ORDER BY rank) / r.all_links, 4) AS cumulative_share,
  m.downloads_30d, m.downloads_source, m.license, m.has_card
FROM ranked r JOIN models m USING (model_id)
WHERE rank <= (SELECT top_n FROM p) ORDER BY rank""",
    "f07_base_model_fanout": """
WITH p AS (SELECT CAST(:top_n AS INTEGER) AS top_n),
per_base AS (
  SELECT base_model_id AS model_id, count(DISTINCT model_id) AS derived_models,
         count(DISTINCT model_id) FILTER (WHERE relation = 'finetune') AS finetunes,
         count(DISTINCT model_id) FILTER (WHERE relation = 'adapter') AS adapters,
         count(DISTINCT model_id) FILTER (WHERE relation = 'quantized') AS quantized,
         count(DISTINCT model_id) FILTER (WHERE relation = 'merge') AS merges,
         count(DISTINCT model_id) FILTER (WHERE relation IS NULL) AS relation_not_stated,
         group_concat(DISTINCT source) AS sources
  FROM lineage GROUP BY base_model_id
  ORDER BY derived_models DESC, model_id LIMIT (SELECT top_n FROM p)
)
SELECT printf('%0' || length((SELECT top_n FROM p)) || 'd %s', rank() OVER (ORDER BY b.derived_models DESC),
              b.model_id) AS ranked_model,
  rank() OVER (ORDER BY b.derived_models DESC) AS rank, b.*, m.downloads_30d, m.downloads_source
FROM per_base b JOIN models m USING (model_id)
ORDER BY b.derived_models DESC, b.model_id""",
}


@pytest.mark.real_sources
@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("top_n", [None, "5", "50"])
def test_fast_query_gives_the_plain_answer(real_db, name, top_n):
    query = load_queries()[name]
    params = {k: str(v) for k, v in query.params.items()}
    if top_n:
        params["top_n"] = top_n
    conn = connect(real_db)
    got = conn.execute(query.sql, params).fetchall()
    expected = conn.execute(REFERENCE[name], params).fetchall()
    assert got == expected
    assert len(got) == int(params["top_n"])  # the real data has more than 50 reused models and bases


# The plain definitions of the queries that read summary tables (build/summaries.py): the SQL after
# the header as it was, over the base tables; the parameter CTE `p` is added as for the canned query.
PLAIN = {
    "f03_card_sections": """
WITH card_set AS (  -- one set of card texts: the parameter, else the card texts F3 uses (f03_card_completeness)
  SELECT coalesce(nullif((SELECT source FROM p), ''),
                  (SELECT pop.population FROM (SELECT population FROM populations WHERE has_card > 0
                                               ORDER BY date DESC, population LIMIT 1) pop
                    WHERE EXISTS (SELECT 1 FROM cards WHERE source = pop.population)),
                  (SELECT source FROM cards GROUP BY source ORDER BY count(*) DESC, source LIMIT 1)) AS id
),
chosen AS (
  SELECT model_id, source FROM cards WHERE source = (SELECT id FROM card_set)
),
per_section AS (
  SELECT
    s.canonical AS section,
    count(DISTINCT s.model_id || char(0) || s.source) FILTER (WHERE NOT s.is_filler) AS cards_filled,
    count(DISTINCT s.model_id || char(0) || s.source) FILTER (WHERE s.is_filler) AS cards_filler_only
  FROM card_sections s JOIN chosen c ON c.model_id = s.model_id AND c.source = s.source
  WHERE s.canonical IS NOT NULL
  GROUP BY s.canonical
)
SELECT
  printf('%02d %s', row_number() OVER (ORDER BY cards_filled DESC, section), section) AS ranked_section,
  section, cards_filled, cards_filler_only,
  round(1.0 * cards_filled / (SELECT count(*) FROM chosen), 4) AS share_of_cards,
  (SELECT id FROM card_set) AS source
FROM per_section
ORDER BY cards_filled DESC, section""",
    "f03_card_score_distribution": """
WITH card_set AS (  -- one set of card texts: the parameter, else the card texts F3 uses (f03_card_completeness)
  SELECT coalesce(nullif((SELECT source FROM p), ''),
                  (SELECT pop.population FROM (SELECT population FROM populations WHERE has_card > 0
                                               ORDER BY date DESC, population LIMIT 1) pop
                    WHERE EXISTS (SELECT 1 FROM cards WHERE source = pop.population)),
                  (SELECT source FROM cards GROUP BY source ORDER BY count(*) DESC, source LIMIT 1)) AS id
)
SELECT
  round(min(CAST(score * 10 + 1e-9 AS INTEGER), 9) / 10.0, 1) AS score_from,
  count(*) AS cards,
  round(1.0 * count(*) / sum(count(*)) OVER (), 4) AS share_of_cards,
  round(avg(template_only), 4) AS share_unfilled_templates,
  (SELECT id FROM card_set) AS source
FROM cards
WHERE score IS NOT NULL AND cards.source = (SELECT id FROM card_set)
GROUP BY 1
ORDER BY 1""",
    "f05_eval_results_by_task": """
WITH chosen AS (
  SELECT coalesce(nullif((SELECT sample FROM p), ''),
                  (SELECT source FROM cards GROUP BY source ORDER BY count(*) DESC, source LIMIT 1)) AS sample
),
c AS (
  SELECT coalesce(c.pipeline_tag, m.pipeline_tag, 'none') AS task,
         c.eval_reporting = 'model-index' AS machine_readable,
         c.eval_reporting = 'prose-table' AS prose_table,
         c.eval_reporting = 'prose-text' AS prose_text,
         c.eval_reporting = 'prose-text'
           AND c.trainer_results_list AS trainer_list  -- the text's LIKE, computed by the builder (test_build)
  FROM cards c JOIN models m USING (model_id)
  WHERE c.source = (SELECT sample FROM chosen)
),
per_task AS (
  SELECT task, count(*) AS cards, sum(machine_readable) AS machine_readable,
         sum(prose_table) AS prose_table, sum(prose_text) AS prose_text, sum(trainer_list) AS trainer_list
  FROM c GROUP BY task HAVING count(*) >= (SELECT min_cards FROM p)
),
everything AS (
  SELECT 'all tasks' AS task, count(*) AS cards, sum(machine_readable) AS machine_readable,
         sum(prose_table) AS prose_table, sum(prose_text) AS prose_text, sum(trainer_list) AS trainer_list
  FROM c HAVING count(*) > 0
),
shares AS (
  SELECT k, task, cards, machine_readable, prose_table, prose_text, trainer_list,
         prose_table + prose_text AS prose_only,
         machine_readable + prose_table + prose_text AS any_evaluation,
         1.0 * machine_readable / cards AS pm, 1.0 * (machine_readable + prose_table + prose_text) / cards AS pa,
         1.96 * 1.96 / cards AS z2n
  FROM (SELECT 0 AS k, * FROM everything UNION ALL SELECT 1, * FROM per_task)
)
-- 95% Wilson interval: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.96
SELECT task, (SELECT sample FROM chosen) AS sample, cards,
       machine_readable, round(pm, 4) AS machine_readable_share,
       round((pm + z2n / 2 - 1.96 * sqrt(pm * (1 - pm) / cards + z2n / cards / 4)) / (1 + z2n), 4) AS machine_readable_low,
       round((pm + z2n / 2 + 1.96 * sqrt(pm * (1 - pm) / cards + z2n / cards / 4)) / (1 + z2n), 4) AS machine_readable_high,
       prose_only, round(1.0 * prose_only / cards, 4) AS prose_only_share, prose_table, prose_text,
       trainer_list AS prose_text_trainer_list,
       any_evaluation, round(pa, 4) AS any_share,
       round((pa + z2n / 2 - 1.96 * sqrt(pa * (1 - pa) / cards + z2n / cards / 4)) / (1 + z2n), 4) AS any_low,
       round((pa + z2n / 2 + 1.96 * sqrt(pa * (1 - pa) / cards + z2n / cards / 4)) / (1 + z2n), 4) AS any_high
FROM shares
ORDER BY k, cards DESC, task""",
    "f07_dataset_fanout": """
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
),
chosen AS (
  SELECT coalesce(nullif((SELECT sample FROM p), ''),
                  (SELECT source FROM dataset_links GROUP BY source ORDER BY count(*) DESC, source LIMIT 1)) AS source
),
per_dataset AS (
  SELECT dataset, count(*) AS models FROM dataset_links WHERE source = (SELECT source FROM chosen) GROUP BY dataset
  ORDER BY models DESC, dataset LIMIT (SELECT top_n FROM p)
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s',
         row_number() OVER (ORDER BY models DESC, dataset), dataset) AS ranked_dataset,
  dataset, models, (SELECT source FROM chosen) AS source
FROM per_dataset
ORDER BY models DESC, dataset""",
    "f07_lineage_depth": """
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
SELECT depth, count(*) AS models
FROM deepest GROUP BY depth ORDER BY depth""",
    "f08_license_conflicts": """
WITH repo_family AS MATERIALIZED (
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
  GROUP BY d.dependent
),
matrix AS (
  SELECT
    coalesce(lc.category, CASE WHEN d.model_license IS NULL THEN 'none stated' ELSE 'uncategorized' END)
      AS model_license_category,
    f.family AS repository_license,
    count(*) AS links, count(DISTINCT d.dependent) AS repositories, count(DISTINCT d.model_id) AS models
  FROM repo_family f
  CROSS JOIN dependents d ON d.dependent = f.repo AND d.kind = 'github'
  LEFT JOIN license_categories lc ON lc.license_id = d.model_license AND lc.source = 'openfuture'
  GROUP BY 1, 2
),
flagged AS (
  SELECT *, model_license_category IN ('NC use only', 'RAIL', 'Other use restrictions', 'Copyleft / SA')
              AND repository_license = 'permissive' AS may_conflict
  FROM matrix
)
SELECT
  model_license_category, repository_license, links,
  round(1.0 * links / sum(links) OVER (PARTITION BY model_license_category), 4) AS share_of_category,
  repositories, models, may_conflict,
  sum(links) OVER () AS total_links,
  round(1.0 * sum(links) FILTER (WHERE model_license_category = 'Permissive / BY') OVER () / sum(links) OVER (), 4)
    AS permissive_link_share,
  sum(links) FILTER (WHERE may_conflict) OVER () AS conflict_links,
  round(1.0 * sum(links) FILTER (WHERE may_conflict) OVER () / sum(links) OVER (), 4) AS conflict_share,
  (SELECT round(avg(family = 'no license'), 4) FROM repo_family) AS unlicensed_repo_share,
  (SELECT group_concat(source, ', ') FROM (SELECT DISTINCT source FROM dependents WHERE kind = 'github' ORDER BY source))
    AS link_sources
FROM flagged
ORDER BY links DESC""",
    "f08_reuse_link_licenses": """
SELECT coalesce(d.model_license, 'none stated') AS license, lc.category,
       count(*) AS links, count(DISTINCT d.dependent) AS repositories, count(DISTINCT d.model_id) AS models,
       round(1.0 * count(*) / (SELECT count(*) FROM dependents WHERE kind = 'github'), 4) AS share_of_links,
       (SELECT group_concat(source, ', ') FROM (SELECT DISTINCT source FROM dependents WHERE kind = 'github' ORDER BY source))
         AS link_sources
FROM dependents d LEFT JOIN license_categories lc ON lc.license_id = d.model_license AND lc.source = 'openfuture'
WHERE d.kind = 'github'
GROUP BY 1
ORDER BY links DESC, license
LIMIT (SELECT top_n FROM p)""",
    "f01_downloads_histogram": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
pop_date AS (SELECT coalesce((SELECT date FROM populations WHERE population = pop.id),
                             (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS date FROM pop),
buckets AS (
  SELECT CASE WHEN o.downloads_30d <= 0 THEN 0 ELSE length(o.downloads_30d) END AS digits, count(*) AS models
  FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.downloads_30d IS NOT NULL
  GROUP BY 1
)
SELECT
  CASE WHEN digits = 0 THEN 0 ELSE CAST(substr('1000000000000000', 1, digits) AS INTEGER) END AS downloads_at_least,
  CASE WHEN digits = 0 THEN 0 ELSE CAST(substr('9999999999999999', 1, digits) AS INTEGER) END AS downloads_at_most,
  models,
  round(1.0 * models / sum(models) OVER (), 4) AS share_of_models,
  (SELECT id FROM pop) AS population,
  (SELECT date FROM pop_date) AS date
FROM buckets
ORDER BY digits""",
    "f01_download_share_by_rank": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
pop_date AS (SELECT coalesce((SELECT date FROM populations WHERE population = pop.id),
                             (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS date FROM pop),
obs AS NOT MATERIALIZED (
  SELECT o.downloads_30d AS n FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.downloads_30d IS NOT NULL
),
total AS (SELECT count(*) AS models, sum(n) AS downloads FROM obs),
tops(top_models, downloads) AS (
  SELECT 1, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 1))
  UNION ALL SELECT 10, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 10))
  UNION ALL SELECT 100, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 100))
  UNION ALL SELECT 1000, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 1000))
  UNION ALL SELECT 10000, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 10000))
)
SELECT tops.top_models, tops.downloads,
       round(1.0 * tops.downloads / total.downloads, 4) AS share_of_downloads,
       round(1.0 * tops.top_models / total.models, 4) AS share_of_models,
       (SELECT id FROM pop) AS population, (SELECT date FROM pop_date) AS date
FROM tops, total WHERE tops.top_models < total.models
UNION ALL
SELECT models, downloads, 1.0, 1.0, (SELECT id FROM pop), (SELECT date FROM pop_date) FROM total WHERE models > 0
ORDER BY top_models""",
    "f02_reuse_by_popularity": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
dep AS (
  SELECT model_id, count(*) AS links FROM dependents WHERE kind = 'github' GROUP BY model_id
),
buckets AS (
  SELECT CASE WHEN downloads_30d <= 0 THEN 0 ELSE length(downloads_30d) END AS digits, count(*) AS models
  FROM model_observations
  WHERE source = (SELECT id FROM pop) AND downloads_30d IS NOT NULL
  GROUP BY 1
),
reused AS (
  SELECT CASE WHEN o.downloads_30d <= 0 THEN 0 ELSE length(o.downloads_30d) END AS digits,
         count(*) AS models, sum(dep.links) AS links
  FROM dep JOIN model_observations o ON o.model_id = dep.model_id AND o.source = (SELECT id FROM pop)
  WHERE o.downloads_30d IS NOT NULL
  GROUP BY 1
)
SELECT
  CASE WHEN b.digits = 0 THEN 0 ELSE CAST(substr('1000000000000000', 1, b.digits) AS INTEGER) END AS downloads_at_least,
  b.models,
  coalesce(r.models, 0) AS reused_models,
  round(1.0 * coalesce(r.models, 0) / b.models, 4) AS share_reused,
  coalesce(r.links, 0) AS links,
  (SELECT id FROM pop) AS population
FROM buckets b LEFT JOIN reused r USING (digits)
ORDER BY b.digits""",
    "f02_documentation_by_reuse": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
)
SELECT
  CASE WHEN m.github_dependents < 1 THEN 0 WHEN m.github_dependents < 2 THEN 1 WHEN m.github_dependents < 10 THEN 2
       WHEN m.github_dependents < 100 THEN 10 ELSE 100 END AS reused_by_at_least,
  CASE WHEN m.github_dependents < 1 THEN 0 WHEN m.github_dependents < 2 THEN 1 WHEN m.github_dependents < 10 THEN 9
       WHEN m.github_dependents < 100 THEN 99 END AS reused_by_at_most,
  count(*) AS models,
  sum(o.has_card) AS with_card,
  round(avg(o.has_card), 4) AS card_share,
  count(m.card_score) AS scored_cards,
  round(avg(m.card_score), 3) AS mean_card_score,
  (SELECT id FROM pop) AS population
FROM model_observations o JOIN models m ON m.model_id = o.model_id
WHERE o.source = (SELECT id FROM pop) AND o.has_card IS NOT NULL
GROUP BY 1
ORDER BY 1""",
    "f03_card_presence_by_source": """
WITH per_source AS (
  SELECT o.source, count(*) AS models, sum(o.has_card) AS with_card,
         1.0 * sum(o.downloads_30d) FILTER (WHERE o.has_card = 1) / nullif(sum(o.downloads_30d), 0) AS download_share
  FROM model_observations o WHERE o.has_card IS NOT NULL GROUP BY o.source
)
SELECT ps.source, coalesce(pop.date, s.snapshot_date) AS snapshot_date,
       CASE WHEN pop.population IS NOT NULL THEN 'registry population' ELSE 'sample' END AS coverage,
       ps.models, ps.with_card, round(1.0 * ps.with_card / ps.models, 4) AS card_share,
       round(ps.download_share, 4) AS download_share_with_card
FROM per_source ps JOIN sources s ON s.id = ps.source
LEFT JOIN populations pop ON pop.population = ps.source
ORDER BY ps.models DESC""",
    "f11_models_created_per_month": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE created_at > 0 ORDER BY date DESC, population LIMIT 1)) AS id
)
SELECT substr(created_at, 1, 7) AS month, count(*) AS models,
       sum(has_card) AS with_card, round(avg(has_card), 4) AS card_share, (SELECT id FROM pop) AS population
FROM model_observations
WHERE source = (SELECT id FROM pop) AND created_at IS NOT NULL
GROUP BY 1
ORDER BY 1""",
    "f11_practices_by_cohort": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE created_at > 0 AND has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
obs AS NOT MATERIALIZED (
  SELECT o.model_id, CAST(substr(o.created_at, 1, 4) AS INTEGER) AS year, o.has_card
  FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.created_at IS NOT NULL
),
presence AS (
  SELECT year, count(*) AS models, count(has_card) AS card_known, sum(has_card) AS with_card,
         round(avg(has_card), 4) AS card_share
  FROM obs GROUP BY year
),
scored AS (
  SELECT obs.year, count(*) AS scored_cards, round(avg(c.score), 3) AS mean_card_score
  FROM (SELECT model_id, max(score) AS score FROM cards WHERE score IS NOT NULL GROUP BY model_id) c
  JOIN obs USING (model_id)
  GROUP BY obs.year
),
about AS (
  SELECT (SELECT id FROM pop) AS population,
         coalesce((SELECT date FROM populations WHERE population = (SELECT id FROM pop)),
                  (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM pop))) AS observed,
         (SELECT substr(max(created_at), 1, 10) FROM model_observations
           WHERE source = (SELECT id FROM pop)) AS last_created,
         (SELECT sum(models) FROM presence) AS dated_models,
         (SELECT sum(card_known) FROM presence) AS card_known_models
),
-- the answer's sentence, from the data: the population, its date, the denominators, and the
-- last three cohorts whatever their years
sentence AS (
  SELECT CASE
    WHEN about.population IS NULL THEN
      'No registry population of this database gives both creation dates and card presence, so card presence by creation year is not measured.'
    WHEN coalesce(about.card_known_models, 0) = 0 THEN
      printf('%s (%s) gives no creation dates with card presence, so card presence by creation year is not measured.',
             about.population, coalesce(about.observed, 'date unknown'))
    ELSE printf('In %s (%s), of the %,d models with a creation date, by the year their repository was created: %s (the last year to %s).',
                about.population, about.observed, about.dated_models,
                (SELECT group_concat(printf('%,d models in %d, %.1f%% of %s with a model card', models, year,
                                            100.0 * card_share,
                                            CASE WHEN card_known = models THEN 'them'
                                                 ELSE printf('the %,d whose card presence is known', card_known) END), '; ')
                   FROM (SELECT * FROM presence WHERE card_known > 0 ORDER BY year DESC LIMIT 3)),
                about.last_created)
    END AS sentence
  FROM about
)
SELECT presence.year, models, card_known, with_card, card_share,
       coalesce(scored_cards, 0) AS scored_cards, mean_card_score,
       about.last_created, about.population, about.observed, sentence.sentence
FROM presence LEFT JOIN scored USING (year), about, sentence
UNION ALL
SELECT NULL, 0, 0, 0, NULL, 0, NULL, about.last_created, about.population, about.observed, sentence.sentence
FROM about, sentence
WHERE NOT EXISTS (SELECT 1 FROM presence)
ORDER BY 1""",
    "f01_reuse_concentration": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
obs AS NOT MATERIALIZED (
  SELECT o.downloads_30d AS n FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.downloads_30d IS NOT NULL
),
stats AS (SELECT count(*) AS models, sum(n) AS total, avg(n = 0) AS zero_share FROM obs),
gh AS (SELECT model_id, dependent, source FROM dependents WHERE kind = 'github'),
links AS (SELECT model_id, count(*) AS n FROM gh GROUP BY model_id),
reuse AS (
  SELECT (SELECT count(*) FROM gh) AS link_rows,
         (SELECT count(DISTINCT dependent || char(0) || model_id) FROM gh) AS link_pairs,
         (SELECT count(DISTINCT dependent) FROM gh) AS link_repos,
         (SELECT count(*) FROM links) AS link_models,
         (SELECT group_concat(source, ', ') FROM (SELECT DISTINCT source FROM gh ORDER BY source)) AS link_sources,
         (SELECT round(1.0 * sum(n) / (SELECT sum(n) FROM links), 4)
            FROM (SELECT n FROM links ORDER BY n DESC LIMIT 10)) AS top10_link_share
)
SELECT
  nullif((SELECT count(*) FROM models WHERE in_paper_snapshot = 1), 0) AS paper_ids,
  CASE WHEN EXISTS (SELECT 1 FROM models WHERE in_paper_snapshot = 1)
       THEN (SELECT printf('The paper''s clone (%s, %s) lists %,d models. ', s.id, s.snapshot_date,
                           (SELECT count(*) FROM models WHERE in_paper_snapshot = 1))
             FROM sources s WHERE s.id = (SELECT o.source FROM model_observations o WHERE o.in_paper_snapshot = 1 LIMIT 1))
       ELSE '' END AS paper_sentence,
  pop.id AS population,
  coalesce((SELECT date FROM populations WHERE population = pop.id),
           (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS observed,
  nullif(stats.models, 0) AS models,
  (SELECT CAST(round(avg(n)) AS INTEGER) FROM
     (SELECT n FROM obs ORDER BY n LIMIT 2 - (SELECT models FROM stats) % 2
      OFFSET ((SELECT models FROM stats) - 1) / 2)) AS median_downloads,
  round(stats.zero_share, 4) AS zero_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 10)) AS top10_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 100)) AS top100_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 1000)) AS top1000_share,
  reuse.*,
  CASE WHEN reuse.link_rows > 0 THEN printf(
    'In the GitHub reuse links of %s, %,d links join %,d repositories to %,d models, and the 10 most reused models take %.1f%% of them.',
    (SELECT group_concat(s.id || ' (' || CASE WHEN s.snapshot_date GLOB '[0-9][0-9][0-9][0-9]*' THEN s.snapshot_date
                                              ELSE 'date not stated' END || ')', ', ') FROM sources s
      WHERE instr(', ' || reuse.link_sources || ', ', ', ' || s.id || ', ') > 0),
    reuse.link_rows, reuse.link_repos, reuse.link_models, 100 * reuse.top10_link_share)
  ELSE 'No source in this database gives GitHub reuse links, so reuse concentration is not measured.' END AS reuse_sentence
FROM pop, stats, reuse""",
    "f02_popularity_vs_reuse": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 AND has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
dep AS (
  SELECT model_id, count(DISTINCT dependent) AS repos, count(*) AS links
  FROM dependents WHERE kind = 'github' GROUP BY model_id
),
reused AS (
  SELECT o.downloads_30d AS downloads, dep.repos
  FROM dep JOIN model_observations o ON o.model_id = dep.model_id AND o.source = (SELECT id FROM pop)
  WHERE o.downloads_30d IS NOT NULL
),
ranked AS (
  SELECT rank() OVER (ORDER BY downloads) + (count(*) OVER (PARTITION BY downloads) - 1) / 2.0 AS rd,
         rank() OVER (ORDER BY repos) + (count(*) OVER (PARTITION BY repos) - 1) / 2.0 AS rr
  FROM reused
),
spearman AS (
  SELECT sum((rd - md) * (rr - mr)) / sqrt(sum((rd - md) * (rd - md)) * sum((rr - mr) * (rr - mr))) AS rho
  FROM ranked, (SELECT avg(rd) AS md, avg(rr) AS mr FROM ranked)
),
top100 AS (
  SELECT o.model_id FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.downloads_30d IS NOT NULL
  ORDER BY o.downloads_30d DESC LIMIT 100
),
all_links AS (SELECT count(*) AS n, (SELECT group_concat(source, ', ') FROM (SELECT DISTINCT source FROM dependents
                                                   WHERE kind = 'github' ORDER BY source)) AS link_sources
              FROM dependents WHERE kind = 'github')
SELECT
  (SELECT id FROM pop) AS population,
  coalesce((SELECT date FROM populations WHERE population = (SELECT id FROM pop)),
           (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM pop))) AS observed,
  (SELECT count(*) FROM model_observations
    WHERE source = (SELECT id FROM pop) AND downloads_30d IS NOT NULL) AS models,
  (SELECT count(*) FROM reused) AS reused_models,
  (SELECT round(rho, 3) FROM spearman) AS spearman,
  all_links.n AS links, all_links.link_sources,
  (SELECT round(1.0 * sum(dep.links) / all_links.n, 4) FROM top100 JOIN dep USING (model_id)) AS top100_link_share,
  (SELECT count(*) FROM top100 JOIN dep USING (model_id)) AS reused_top100,
  round(cards.reused, 4) AS card_share_reused,
  round(cards.other, 4) AS card_share_other,
  cards.models AS card_models, cards.reused_models AS card_models_reused
FROM all_links,
  (SELECT avg(o.has_card) FILTER (WHERE m.github_dependents > 0) AS reused,
          avg(o.has_card) FILTER (WHERE m.github_dependents = 0) AS other,
          count(*) AS models, count(*) FILTER (WHERE m.github_dependents > 0) AS reused_models
   FROM model_observations o JOIN models m ON m.model_id = o.model_id
   WHERE o.source = (SELECT id FROM pop) AND o.has_card IS NOT NULL) AS cards""",
    "f07_dependency_concentration": """
WITH children AS (
  SELECT base_model_id, count(DISTINCT model_id) AS n, group_concat(DISTINCT source) AS sources
  FROM lineage GROUP BY base_model_id
),
family_samples AS (  -- sources whose lineage is one model's family tree (a single root): hand-picked
  SELECT source FROM lineage l
  WHERE NOT EXISTS (SELECT 1 FROM lineage x WHERE x.source = l.source AND x.model_id = l.base_model_id)
  GROUP BY source HAVING count(DISTINCT base_model_id) = 1
),
top AS (SELECT * FROM children WHERE n = (SELECT max(n) FROM children)),
top_sources AS (
  SELECT DISTINCT l.source FROM lineage l JOIN top USING (base_model_id)
),
open_children AS (  -- the same count without the family samples
  SELECT base_model_id, count(DISTINCT model_id) AS n, group_concat(DISTINCT source) AS sources FROM lineage
  WHERE source NOT IN (SELECT source FROM family_samples) GROUP BY base_model_id
),
open_top AS (SELECT * FROM open_children WHERE n = (SELECT max(n) FROM open_children)),
desc_ranked AS (
  SELECT descendants, row_number() OVER (ORDER BY descendants DESC) AS rank, count(*) OVER () AS total
  FROM descendant_counts
)
SELECT
  CASE WHEN (SELECT count(*) FROM top) > 1 THEN 'models (tied)' ELSE 'model' END AS top_base_label,
  CASE WHEN (SELECT count(*) FROM top) > 1 THEN 'have' ELSE 'has' END AS top_base_verb,
  CASE WHEN (SELECT count(*) FROM top) > 1 THEN ' each' ELSE '' END AS top_base_each,
  CASE WHEN NOT EXISTS (SELECT 1 FROM top_sources WHERE source NOT IN (SELECT source FROM family_samples))
       THEN ', a hand-picked sample of one model family (' || (SELECT count(*) FROM lineage
              WHERE source IN (SELECT source FROM top_sources)) || ' of the ' || (SELECT count(*) FROM lineage)
            || ' lineage edges), so it shows how that sample was drawn, not the registry'
       ELSE '' END AS top_base_caveat,
  (SELECT group_concat(base_model_id, ' and ') FROM (SELECT base_model_id FROM top ORDER BY base_model_id)) AS top_base_model,
  (SELECT count(*) FROM top) AS top_base_tied,
  (SELECT max(n) FROM children) AS top_base_children,
  (SELECT group_concat(source, ', ') FROM top_sources) AS top_base_sources,
  CASE WHEN (SELECT count(*) FROM top_sources WHERE source NOT IN (SELECT source FROM family_samples)) = 0
       THEN 1 ELSE 0 END AS top_from_family_sample,
  (SELECT count(*) FROM lineage WHERE source IN (SELECT source FROM top_sources)) AS top_sources_edges,
  (SELECT count(*) FROM lineage) AS lineage_edges,
  (SELECT group_concat(base_model_id, ' and ') FROM (SELECT base_model_id FROM open_top ORDER BY base_model_id)) AS top_base_model_outside_family_samples,
  (SELECT max(n) FROM open_children) AS top_base_children_outside_family_samples,
  (SELECT group_concat(DISTINCT sources) FROM open_top) AS top_base_sources_outside_family_samples,
  (SELECT count(*) FROM children) AS base_models,
  (SELECT nullif(count(*), 0) FROM descendant_counts) AS descendant_models,
  (SELECT max(descendants) FROM descendant_counts) AS max_descendants,
  (SELECT round(1.0 * sum(descendants) FILTER (WHERE rank <= max(1, total / 100)) / sum(descendants), 4)
     FROM desc_ranked) AS top1pct_descendant_share""",
    "f03_card_completeness": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
card_set AS (
  SELECT coalesce((SELECT id FROM pop WHERE EXISTS (SELECT 1 FROM cards WHERE source = pop.id)),
                  (SELECT source FROM cards GROUP BY source ORDER BY count(*) DESC, source LIMIT 1)) AS id
),
obs AS NOT MATERIALIZED (
  SELECT model_id, has_card, coalesce(downloads_30d, 0) AS downloads FROM model_observations
  WHERE source = (SELECT id FROM pop) AND has_card IS NOT NULL
),
presence AS (
  SELECT count(*) AS models, sum(has_card) AS with_card,
         1.0 * sum(downloads) FILTER (WHERE has_card = 1) / nullif(sum(downloads), 0) AS download_share
  FROM obs
),
scored AS (SELECT score, template_only FROM cards WHERE source = (SELECT id FROM card_set) AND score IS NOT NULL),
quality AS (
  SELECT count(*) AS cards, avg(score < 0.5) AS low_share, avg(template_only) AS template_share FROM scored
),
own AS (  -- the population's models with its own scored card text, when it has card texts
  SELECT count(*) FILTER (WHERE obs.has_card = 0) AS no_card,
         count(*) FILTER (WHERE obs.has_card = 1 AND c.score < 0.5) AS low,
         count(*) FILTER (WHERE obs.has_card = 1 AND c.score >= 0.5) AS adequate,
         count(*) FILTER (WHERE obs.has_card = 1 AND c.score IS NULL) AS unscored
  FROM obs LEFT JOIN cards c ON c.model_id = obs.model_id AND c.source = (SELECT id FROM pop)
  WHERE EXISTS (SELECT 1 FROM cards WHERE source = (SELECT id FROM pop))
)
SELECT
  (SELECT id FROM pop) AS population,
  coalesce((SELECT date FROM populations WHERE population = (SELECT id FROM pop)),
           (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM pop))) AS observed,
  nullif(presence.models, 0) AS models,
  presence.with_card,
  round(1.0 * presence.with_card / nullif(presence.models, 0), 4) AS card_share,
  round(presence.download_share, 4) AS download_share_with_card,
  (SELECT id FROM card_set) AS cards_source,
  (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM card_set)) AS cards_observed,
  nullif(quality.cards, 0) AS cards,
  (SELECT avg(score) FROM (SELECT score FROM scored ORDER BY score
     LIMIT 2 - (SELECT cards FROM quality) % 2 OFFSET ((SELECT cards FROM quality) - 1) / 2)) AS median_score,
  round(quality.low_share, 4) AS low_score_share,
  round(quality.template_share, 4) AS template_share,
  (SELECT round(1.0 * (no_card + low) / nullif(no_card + low + adequate, 0), 4) FROM own) AS missing_or_low_share,
  (SELECT unscored FROM own) AS cards_unscored
FROM presence, quality""",
    "f06_missing_attributes": """
WITH card_sources AS (  -- per card source: its cards, and how many record each attribute
  SELECT source, count(*) AS cards,
         count(license) AS license,
         sum(coalesce(datasets, '[]') <> '[]') AS datasets,
         sum(coalesce(language, '[]') <> '[]') AS language,
         sum(coalesce(base_model, '[]') <> '[]') AS base_model
  FROM cards GROUP BY source
),
card_attributes(attribute, source, cards, present) AS (
  SELECT 'license', source, cards, license FROM card_sources
  UNION ALL SELECT 'datasets', source, cards, datasets FROM card_sources
  UNION ALL SELECT 'language', source, cards, language FROM card_sources
  UNION ALL SELECT 'base_model', source, cards, base_model FROM card_sources
),
card_rows AS (  -- a source none of whose cards records the attribute does not carry it: unknown
  SELECT attribute, source, cards, present,
         row_number() OVER (PARTITION BY attribute ORDER BY cards DESC, source) AS size_rank,
         (SELECT coalesce(sum(u.cards), 0) FROM card_attributes u
           WHERE u.attribute = a.attribute AND u.present = 0) AS unknown
  FROM card_attributes a WHERE present > 0
),
lic AS (  -- Open Future's first count of repositories with a license
  SELECT date, sum(repos) AS repos FROM license_stats WHERE scope = 'general' AND level = 'license'
    AND date = (SELECT min(date) FROM license_stats WHERE scope = 'general')
  HAVING date IS NOT NULL
),
near AS (  -- the registry population closest in date to it
  SELECT q.population, q.date, q.models FROM populations q, lic WHERE q.models > 0
  ORDER BY abs(julianday(q.date) - julianday(substr(lic.date, 1, 10))), q.population LIMIT 1
),
measures(measure, attribute, source, observed, kind, models, missing, unknown) AS (
  SELECT 'task/' || pp.population, 'task', pp.population, pp.date, 'registry listing', pp.models,
         (SELECT count(*) FROM model_observations o WHERE o.source = pp.population AND o.pipeline_tag IS NULL), 0
  FROM populations pp WHERE pp.task > 0
  UNION ALL
  SELECT 'license/' || pp.population, 'license', pp.population, pp.date, 'registry listing', pp.models,
         (SELECT count(*) FROM model_observations o WHERE o.source = pp.population AND o.license IS NULL), 0
  FROM populations pp WHERE pp.license > 0
  UNION ALL
  SELECT 'base_model/' || pp.population, 'base_model', pp.population, pp.date, 'registry listing', pp.models,
         (SELECT count(*) FROM model_observations o WHERE o.source = pp.population AND NOT EXISTS (
            SELECT 1 FROM lineage l WHERE l.model_id = o.model_id AND l.source = o.source)), 0
  FROM populations pp WHERE pp.lineage > 0
  UNION ALL
  SELECT 'license/registry estimate', 'license', 'openfuture + ' || near.population, lic.date || ' / ' || near.date,
         'estimate from two listings', near.models, near.models - lic.repos, 0
  FROM lic, near
  UNION ALL
  SELECT attribute || CASE size_rank WHEN 1 THEN '/card texts' ELSE '/card texts ' || source END,
         attribute, c.source, s.snapshot_date, 'sample', cards, cards - present, unknown
  FROM card_rows c LEFT JOIN sources s ON s.id = c.source
  UNION ALL
  SELECT 'datasets/sail2024 sample', 'datasets', 'sail2024', '2024', 'sample',
         count(*), sum(json_extract(extra, '$.Dataset') <> 'Yes'),
         (SELECT count(*) FROM model_observations WHERE source = 'sail2024') - count(*)
  FROM model_observations WHERE source = 'sail2024' AND json_extract(extra, '$.Dataset') IS NOT NULL
),
shares AS (
  SELECT *, 1.0 * missing / models AS p, 1.96 * 1.96 / models AS z2n FROM measures
  WHERE models > 0 AND missing IS NOT NULL
)
SELECT measure, attribute, source, observed, kind, models, missing, unknown,
       round(p, 4) AS missing_share,
       round(1 - p, 4) AS present_share,
       CASE WHEN kind = 'sample' THEN round((p + z2n / 2 - 1.96 * sqrt(p * (1 - p) / models + z2n / models / 4)) / (1 + z2n), 4) END AS missing_low,
       CASE WHEN kind = 'sample' THEN round((p + z2n / 2 + 1.96 * sqrt(p * (1 - p) / models + z2n / models / 4)) / (1 + z2n), 4) END AS missing_high,
       -- the answer's license clause: the newest population that gives licenses, else the estimate
       coalesce(
         (SELECT printf('%.1f%% of the %,d models of %s (%s) have no license', 100.0 * s.p, s.models, s.source, s.observed)
            FROM shares s WHERE s.attribute = 'license' AND s.kind = 'registry listing'
            ORDER BY s.observed DESC LIMIT 1),
         (SELECT printf('about %.0f%% of the registry had no license (%s, %s)', 100.0 * s.p, s.source, s.observed)
            FROM shares s WHERE s.measure = 'license/registry estimate'),
         'no registry population of this database gives licenses') AS license_sentence
FROM shares
ORDER BY instr('task license datasets language base_model', attribute), kind, observed DESC, measure""",
    "f09_dependents_by_method": """
WITH links AS (
  SELECT DISTINCT source || ' / ' || coalesce(method, 'published list') AS found_by, kind,
         lower(dependent) AS dependent, model_id
  FROM dependents
),
methods AS (
  SELECT found_by, kind, count(*) AS links FROM links GROUP BY 1, 2
),
pairs AS (
  SELECT a.found_by AS first, b.found_by AS second, a.kind, a.links
  FROM methods a LEFT JOIN methods b ON a.kind = b.kind AND a.found_by != b.found_by
),
common AS (
  SELECT p.first, p.second, p.kind, x.dependent, x.model_id,
         EXISTS (SELECT 1 FROM links z WHERE z.found_by = p.second AND z.kind = p.kind
                 AND z.dependent = x.dependent AND z.model_id = x.model_id) AS confirmed
  FROM pairs p JOIN links x ON x.found_by = p.first AND x.kind = p.kind
  WHERE x.dependent IN (SELECT y.dependent FROM links y WHERE y.found_by = p.second AND y.kind = p.kind)
)
SELECT
  p.first || coalesce('  vs  ' || p.second, '') || ' (' || p.kind || ')' AS comparison,
  p.first AS found_by, p.second AS compared_with, p.kind, p.links,
  count(DISTINCT c.dependent) AS common_dependents,
  count(c.model_id) AS links_on_common,
  coalesce(sum(c.confirmed), 0) AS confirmed,
  round(1.0 * sum(c.confirmed) / nullif(count(c.model_id), 0), 4) AS confirmed_share
FROM pairs p LEFT JOIN common c ON c.first = p.first AND c.second = p.second AND c.kind = p.kind
GROUP BY p.first, p.second, p.kind, p.links
ORDER BY p.kind, p.first, p.second""",
    "f04_popular_but_undocumented": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 AND has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
top AS (
  SELECT has_card FROM model_observations
  WHERE source = (SELECT id FROM pop) AND downloads_30d IS NOT NULL
  ORDER BY downloads_30d DESC LIMIT (SELECT top_n FROM p)
),
one AS (
  SELECT o.downloads_30d, o.has_card FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.model_id = coalesce(
    (SELECT new_id FROM model_aliases WHERE old_id = (SELECT model_id FROM p)), (SELECT model_id FROM p))
),
v AS (
  SELECT
    pop.id AS population,
    coalesce((SELECT date FROM populations WHERE population = pop.id),
             (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS observed,
    p.top_n,
    (SELECT count(*) FROM top) AS ranked,
    (SELECT count(*) FROM top WHERE has_card = 0) AS without_card,
    (SELECT count(*) FROM top WHERE has_card IS NULL) AS card_unknown,
    (SELECT count(*) FROM model_observations WHERE source = pop.id AND downloads_30d IS NOT NULL) AS models,
    p.model_id,
    (SELECT 1 + count(*) FROM model_observations o
      WHERE o.source = pop.id AND o.downloads_30d > (SELECT downloads_30d FROM one)
      HAVING (SELECT downloads_30d FROM one) IS NOT NULL) AS model_rank,
    (SELECT downloads_30d FROM one) AS model_downloads,
    (SELECT has_card FROM one) AS model_has_card
  FROM p, pop
)
SELECT v.*,
  CASE (SELECT has_card FROM one) WHEN 1 THEN 'has a' WHEN 0 THEN 'no' ELSE 'an unknown' END AS model_card_text,
  -- the answer's sentence, from the data: which population, its date, the denominator
  CASE WHEN v.population IS NULL THEN
    'No registry population of this database gives download counts and card presence, so how many of the most downloaded models lack a model card is not measured.'
  WHEN v.ranked = 0 THEN
    printf('%s gives no 30-day download counts, so how many of its most downloaded models lack a model card is not measured.', v.population)
  WHEN v.card_unknown = v.ranked THEN
    printf('%s (%s) does not say whether its models have a model card, so how many of its most downloaded models lack one is not measured.',
           v.population, v.observed)
  ELSE printf('%,d of the %,d most downloaded models of %s (%s; ranked among its %,d models with a 30-day download count) have no model card',
              v.without_card, v.ranked, v.population, v.observed, v.models)
    || CASE WHEN v.card_unknown > 0 THEN printf('; for %,d of them the population does not say whether they have one', v.card_unknown) ELSE '' END
    || '. '
    || CASE WHEN v.model_rank IS NULL
         THEN printf('The paper''s example %s has no download count in %s.', v.model_id, v.population)
       ELSE printf('The paper''s example %s ranks #%,d of %,d there with %,d downloads in 30 days and %s model card.',
                   v.model_id, v.model_rank, v.models, v.model_downloads,
                   CASE v.model_has_card WHEN 1 THEN 'has a' WHEN 0 THEN 'no' ELSE 'an unknown' END)
       END
  END AS sentence
FROM v""",
    "f12_defenses": """
WITH
z AS (SELECT 1.959963984540054 AS z),  -- 95% two-sided normal quantile
authors_run AS (  -- the newest source with author answers
  SELECT source, max(observed) AS observed FROM authors GROUP BY source ORDER BY observed DESC LIMIT 1),
author_sample AS (
  SELECT a.* FROM authors a JOIN authors_run r ON a.source = r.source
  WHERE EXISTS (SELECT 1 FROM json_each(a.sample) WHERE value = 'random')),
orgs AS (
  SELECT (SELECT source FROM authors_run) AS source, count(*) AS sampled,
         sum(is_organization = 1) AS organizations,
         sum(is_organization = 1 AND is_verified IS NOT NULL) AS n,
         sum(is_organization = 1 AND is_verified = 1) AS x
  FROM author_sample),
scans_run AS (
  SELECT source, max(observed) AS observed FROM security_scans GROUP BY source ORDER BY observed DESC LIMIT 1),
scans AS (
  SELECT (SELECT source FROM scans_run) AS source, count(*) AS sampled,
         sum(scans_done = 1) AS n,
         sum(scans_done = 1 AND files_with_issues IS NOT NULL AND files_with_issues <> '{}') AS x
  FROM security_scans s JOIN scans_run r ON s.source = r.source
  WHERE EXISTS (SELECT 1 FROM json_each(s.sample) WHERE value = 'random')),
wilson AS (
  SELECT 'verified organizations' AS defense, source, sampled, n, x, organizations FROM orgs
  UNION ALL
  SELECT 'malware-scan flags', source, sampled, n, x, NULL FROM scans),
shares AS (
  SELECT w.*, 1.0 * x / n AS p,
         (1.0 * x / n + z * z / (2.0 * n)) / (1 + z * z / n) AS center,
         z * sqrt((1.0 * x / n) * (1 - 1.0 * x / n) / n + z * z / (4.0 * n * n)) / (1 + z * z / n) AS half
  FROM wilson w, z WHERE n > 0),
family_samples AS (  -- sources whose lineage is one model's family tree (a single root): hand-picked
  SELECT source FROM lineage l
  WHERE NOT EXISTS (SELECT 1 FROM lineage x WHERE x.source = l.source AND x.model_id = l.base_model_id)
  GROUP BY source HAVING count(DISTINCT base_model_id) = 1),
gated AS (
  SELECT sum(gated NOT IN ('false', '0')) AS x, count(*) AS n,
         coalesce(group_concat(DISTINCT source), 'none') AS sources,
         count(*) > 0 AND sum(CASE WHEN source NOT IN (SELECT source FROM family_samples) THEN 1 ELSE 0 END) = 0 AS family
  FROM model_observations WHERE gated IS NOT NULL),
gated_share AS (
  SELECT g.*, (1.0 * x / n + z * z / (2.0 * n)) / (1 + z * z / n) AS center,
         z * sqrt((1.0 * x / n) * (1 - 1.0 * x / n) / n + z * z / (4.0 * n * n)) / (1 + z * z / n) AS half
  FROM gated g, z WHERE n > 0)
SELECT 'verified organizations' AS defense,
       s.p AS value, s.n AS models, round(s.center - s.half, 4) AS ci_low, round(s.center + s.half, 4) AS ci_high,
       CASE WHEN s.n IS NULL THEN 'not measurable from these sources (no mining run with author answers)'
            ELSE printf('%d of %d organizations verified (%.1f%%, 95%% Wilson interval %.1f%%-%.1f%%) in a random sample of %d authors, of whom %d are organizations (source %s)',
                        s.x, s.n, 100 * s.p, 100 * (s.center - s.half), 100 * (s.center + s.half),
                        s.sampled, s.organizations, s.source) END AS summary,
       CASE WHEN s.n IS NULL THEN 'not measurable from these sources; a live mining run records it for a random sample of authors'
            ELSE 'sample: a simple random sample of the authors the mining run listed; n = the organizations among them with a verification status' END AS note
FROM (SELECT 1) LEFT JOIN shares s ON s.defense = 'verified organizations'
UNION ALL
SELECT 'signed commits', NULL, NULL, NULL, NULL,
       'not measurable: the Hub API does not report commit signatures',
       'not measurable from these sources, nor from the Hub API (huggingface_hub''s GitCommitInfo has no signature field)'
UNION ALL
SELECT 'malware-scan flags',
       s.p, s.n, round(s.center - s.half, 4), round(s.center + s.half, 4),
       CASE WHEN s.n IS NULL THEN 'not measurable from these sources (no mining run with security scans)'
            ELSE printf('%d of %d scanned repositories have a file the Hub''s scanners flag (%.1f%%, 95%% Wilson interval %.1f%%-%.1f%%) in a random sample of %d models (source %s)',
                        s.x, s.n, 100 * s.p, 100 * (s.center - s.half), 100 * (s.center + s.half),
                        s.sampled, s.source) END,
       CASE WHEN s.n IS NULL THEN 'not measurable from these sources; a live mining run records the Hub''s security scan status for a random sample of models'
            ELSE 'sample: a simple random sample of the models the mining run listed; n = those whose scans are done' END
FROM (SELECT 1) LEFT JOIN shares s ON s.defense = 'malware-scan flags'
UNION ALL
SELECT 'gated models', 1.0 * g.x, g.n,  -- REAL like the shares above (one column type, in DuckDB too)
       round(g.center - g.half, 4), round(g.center + g.half, 4),
       CASE WHEN g.n IS NULL THEN 'no source records an access state'
            ELSE printf('%d of %d models gated (95%% Wilson interval %.1f%%-%.1f%%), from %s%s', g.x, g.n,
                        100 * (g.center - g.half), 100 * (g.center + g.half), g.sources,
                        CASE WHEN g.family THEN ', one model family picked by hand, not the registry' ELSE '' END) END,
       'models whose access state a source records (gated = auto or manual): ' || coalesce(g.sources, 'none')
FROM (SELECT 1) LEFT JOIN gated_share g ON 1 = 1""",
    "choose_model": """
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 AND task > 0
                   ORDER BY date DESC, population LIMIT 1)) AS id
),
candidates AS (
  SELECT m.model_id, o.downloads_30d, m.github_dependents, m.derived_models,
         m.has_card, m.card_score, coalesce(o.library_name, m.library_name) AS library_name, m.likes, m.created_at,
         CASE WHEN (SELECT library FROM p) = '' THEN NULL
              WHEN coalesce(o.library_name, m.library_name) IS NULL THEN 'unknown'
              ELSE 'matches' END AS library_status,
         coalesce(o.license, m.license, (SELECT d.model_license FROM dependents d
                               WHERE d.model_id = m.model_id AND d.model_license IS NOT NULL
                               ORDER BY d.id LIMIT 1)) AS license,
         CASE (SELECT sort FROM p) WHEN 'dependents' THEN m.github_dependents
                                   WHEN 'card_score' THEN m.card_score
                                   ELSE o.downloads_30d END AS sort_value
  FROM model_observations o JOIN models m ON m.model_id = o.model_id
  WHERE o.source = (SELECT id FROM pop)
    AND o.pipeline_tag = (SELECT task FROM p)
    AND coalesce(o.downloads_30d, 0) >= (SELECT min_downloads FROM p)
    AND ((SELECT library FROM p) = '' OR coalesce(o.library_name, m.library_name) IS NULL
         OR coalesce(o.library_name, m.library_name) = (SELECT library FROM p))
),
chosen AS (
  SELECT * FROM candidates
  WHERE (SELECT license FROM p) IN ('', license)
  ORDER BY sort_value DESC NULLS LAST, downloads_30d DESC NULLS LAST, model_id
  LIMIT (SELECT top_n FROM p)
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s',
         row_number() OVER (ORDER BY sort_value DESC NULLS LAST, downloads_30d DESC NULLS LAST, model_id),
         model_id) AS ranked_model,
  model_id, downloads_30d, github_dependents, derived_models, has_card, card_score,
  license, library_name, library_status, likes, created_at,
  (SELECT id FROM pop) AS population,
  coalesce((SELECT date FROM populations WHERE population = (SELECT id FROM pop)),
           (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM pop))) AS observed
FROM chosen
ORDER BY sort_value DESC NULLS LAST, downloads_30d DESC NULLS LAST, model_id""",
}

# Parameter values each query is compared for (besides its defaults): every card sample of the real
# database, every registry population, samples, a source that does not exist, and rankings cut short and long.
POPULATIONS = [{"population": p} for p in ("", "liang2024", "huggingfacer", "icse23", "sail2024", "hfco2",
                                           "hn5318-cards", "esem2024", "no-such-population")]
PARAMS = {
    "f03_card_sections": [{"source": s} for s in ("", "hn5318-cards", "hfco2", "liang2024", "no-such-sample")],
    "f03_card_score_distribution": [{"source": s} for s in ("", "hn5318-cards", "hfco2", "liang2024", "no-such-sample")],
    "f05_eval_results_by_task": [{"sample": s, "min_cards": n} for s in ("", "hn5318-cards", "hfco2", "no-such-sample")
                                 for n in ("", "1", "40")],
    **{name: POPULATIONS for name in ("f01_reuse_concentration", "f02_popularity_vs_reuse", "f01_downloads_histogram", "f01_download_share_by_rank", "f02_reuse_by_popularity",
                                      "f02_documentation_by_reuse", "f11_models_created_per_month", "f03_card_completeness",
                                      "f11_practices_by_cohort")},
    "f03_card_presence_by_source": [{}],
    "f07_dataset_fanout": [{"top_n": n, "sample": s} for n in ("", "3", "500")
                           for s in ("", "hfco2", "hn5318-cards", "mistral-family-2025", "no-such-sample")],
    "f07_lineage_depth": [{}],
    "choose_model": [{"population": pop, "task": task, "min_downloads": low, "license": lic, "library": lib,
                      "sort": sort, "top_n": n}
                     for pop, task, low, lic, lib, sort, n in [
                         ("", "", "", "", "", "", ""), ("", "", "", "", "", "dependents", ""),
                         ("", "", "", "", "", "card_score", "5"), ("", "fill-mask", "", "apache-2.0", "", "", "50"),
                         ("", "", "1000", "", "transformers", "", ""), ("", "", "", "mit", "", "downloads", "500"),
                         ("liang2024", "text-generation", "", "", "", "", ""), ("huggingfacer", "", "", "", "", "", "3"),
                         ("icse23", "", "", "", "", "", ""), ("no-such-population", "", "", "", "", "", "")]],
    "f12_defenses": [{}],
    "f04_popular_but_undocumented": [{**p, "top_n": n, "model_id": m} for p in POPULATIONS for n in ("", "5")
                                     for m in ("", "bert-base-uncased", "no-such/model")],
    "f09_dependents_by_method": [{}],
    "f06_missing_attributes": [{}],
    "f07_dependency_concentration": [{}],
    "f08_license_conflicts": [{}],
    "f08_reuse_link_licenses": [{"top_n": n} for n in ("", "3", "500")],
}


def _rows_in_order(cursor, order_by: list[str]) -> list[tuple]:
    """The rows, and where the query's ORDER BY leaves ties, those rows in a fixed order."""
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if not order_by:
        return rows
    key = [columns.index(c) for c in order_by]
    groups: dict = {}
    for row in rows:
        groups.setdefault(tuple(row[i] for i in key), []).append(row)
    return [r for k in groups for r in sorted(groups[k], key=repr)]


# Queries whose ORDER BY leaves ties (rows of equal `links`), compared within ties as sets.
TIES = {"f08_license_conflicts": ["links"]}


@pytest.mark.real_sources
@pytest.mark.parametrize("name", sorted(PLAIN))
def test_summary_query_gives_the_plain_answer(real_db, name):
    query = load_queries()[name]
    assert set(PARAMS[name][0]) == set(query.params)
    plain = _with_params(PLAIN[name].strip(), query.params)
    conn = connect(real_db)
    answered = 0
    for values in PARAMS[name]:
        got = _rows_in_order(conn.execute(query.sql, values), TIES.get(name, []))
        expected = _rows_in_order(conn.execute(plain, values), TIES.get(name, []))
        assert got == expected, (name, values)
        answered += bool(got)
    assert answered >= min(2, len(PARAMS[name]))  # the comparison is not only of empty answers


@pytest.mark.real_sources
def test_summaries_recomputed_in_python(real_db):
    """Two summaries recomputed without SQL from the rows they summarise: the lineage depths by a
    walk of the lineage graph from its roots, the card evaluations by counting card rows."""
    conn = connect(real_db)
    children: dict[str, set] = {}
    has_base = set()
    for child, base in conn.execute("SELECT model_id, base_model_id FROM lineage"):
        children.setdefault(base, set()).add(child)
        has_base.add(child)
    deepest: dict[str, int] = {}

    def walk(model, depth, path):
        for child in children.get(model, ()):
            if child not in path:
                deepest[child] = max(deepest.get(child, 0), depth)
                if depth < 20:
                    walk(child, depth + 1, path | {child})

    for root in set(children) - has_base:
        walk(root, 1, {root})
    by_depth: dict[int, int] = {}
    for depth in deepest.values():
        by_depth[depth] = by_depth.get(depth, 0) + 1
    assert conn.execute("SELECT depth, models FROM lineage_depths ORDER BY depth").fetchall() == sorted(by_depth.items())
    assert len(by_depth) >= 2

    model_task = dict(conn.execute("SELECT model_id, pipeline_tag FROM models"))
    counts: dict[tuple, list] = {}
    conn.execute("ATTACH DATABASE ? AS cd", [str(real_db.with_name("ptm_reuse_cards.db"))])  # the card texts
    for source, model, task, reporting, text in conn.execute(
            "SELECT c.source, c.model_id, c.pipeline_tag, c.eval_reporting, t.text FROM cards c "
            "JOIN cd.card_texts t USING (model_id, source)"):
        row = counts.setdefault((source, task or model_task[model] or "none"), [0, 0, 0, 0, 0])
        row[0] += 1
        row[1] += reporting == "model-index"
        row[2] += reporting == "prose-table"
        row[3] += reporting == "prose-text"
        row[4] += reporting == "prose-text" and "achieves the following results on the evaluation set" in text.lower()
    got = {(s, t): list(r) for s, t, *r in conn.execute(
        "SELECT source, task, cards, machine_readable, prose_table, prose_text, trainer_list FROM card_evaluations")}
    assert got == counts
    assert sum(r[4] for r in counts.values()) > 0
