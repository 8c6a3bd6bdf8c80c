/* ---
title: "Choose a model: candidates for a task, with documentation, reuse, license and downloads side by side"
finding: extra
description: >-
  Beyond the paper: the models of one dated registry population (parameter population, any
  source id; default: the newest population with download counts and tasks, see the
  populations table; columns population and observed say which) that declare a task there
  (parameter task, the Hub's pipeline tag, default text-classification), with at least
  min_downloads 30-day downloads in that population, optionally only one license (parameter
  license, e.g. apache-2.0; empty = any) or library (parameter library, e.g. transformers; empty
  = any), ranked by sort: downloads (default), dependents (GitHub repositories reusing it) or
  card_score (model card completeness, 0-1, where this database has the card text). The library
  is unknown for most models of the 2022 populations (they do not record it): a library filter
  keeps the models whose library is that one or unknown (library_status says which) and drops
  only those known to use another, so an unknown library never hides a popular model. Shown
  side by side: downloads and rank in the population, GitHub dependents, derived models, whether
  it has a card and its score, and the license (from the model's metadata, else from the
  PeaTMOSS reuse links). The top top_n (default 20). Caveat: downloads, task and rank come from
  the one population; reuse, card score and license from every source, so their dates differ.
fragment: g.mark=bar&g.x_column=downloads_30d&g.x_type=quantitative&g.y_column=ranked_model&g.y_type=ordinal&g.color_column=license
params:
  population: ""
  task: text-classification
  min_downloads: 0
  license: ""
  library: ""
  sort: downloads
  top_n: 20
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 AND task > 0
                   ORDER BY date DESC, population LIMIT 1)) AS id
),
candidates AS NOT MATERIALIZED (
  SELECT o.model_id, o.downloads_30d, m.github_dependents, m.derived_models,
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
chosen AS (  -- ranked by downloads, the candidates are read in the order of an index until top_n are chosen
  SELECT * FROM (
    SELECT * FROM candidates
    WHERE (SELECT sort FROM p) NOT IN ('dependents', 'card_score') AND (SELECT license FROM p) IN ('', license)
    ORDER BY downloads_30d DESC, model_id  -- NULLs last: SQLite orders NULL lowest
    LIMIT (SELECT top_n FROM p))
  UNION ALL
  SELECT * FROM (
    SELECT * FROM candidates
    WHERE (SELECT sort FROM p) IN ('dependents', 'card_score') AND (SELECT license FROM p) IN ('', license)
    ORDER BY sort_value DESC NULLS LAST, downloads_30d DESC NULLS LAST, model_id
    LIMIT (SELECT top_n FROM p))
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
ORDER BY sort_value DESC NULLS LAST, downloads_30d DESC NULLS LAST, model_id
