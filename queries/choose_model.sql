/* ---
title: "Choose a model: candidates for a task, with documentation, reuse, license and downloads side by side"
finding: extra
description: >-
  Beyond the paper: the models that declare a task (parameter task, the Hub's pipeline tag,
  default text-classification), with at least min_downloads 30-day downloads, optionally only
  one license (parameter license, e.g. apache-2.0; empty = any) or library (parameter library,
  e.g. transformers; empty = any), ranked by sort: downloads (default), dependents (GitHub
  repositories reusing it) or card_score (model card completeness, 0-1, where this database
  has the card text). Shown side by side: downloads (and which source counted them), GitHub
  dependents, derived models, whether it has a card and its score, and the license (from the
  model's metadata, else from the PeaTMOSS reuse links). The top top_n (default 20). Caveat:
  each fact comes from the most recent source that gives it, so dates differ between columns.
fragment: g.mark=bar&g.x_column=downloads_30d&g.x_type=quantitative&g.y_column=ranked_model&g.y_type=ordinal&g.color_column=license
params:
  task: text-classification
  min_downloads: 0
  license: ""
  library: ""
  sort: downloads
  top_n: 20
--- */
WITH candidates AS (
  SELECT m.model_id, m.downloads_30d, m.downloads_source, m.github_dependents, m.derived_models,
         m.has_card, m.card_score, m.library_name, m.likes, m.created_at,
         coalesce(m.license, (SELECT d.model_license FROM dependents d
                               WHERE d.model_id = m.model_id AND d.model_license IS NOT NULL
                               ORDER BY d.id LIMIT 1)) AS license,
         CASE (SELECT sort FROM p) WHEN 'dependents' THEN m.github_dependents
                                   WHEN 'card_score' THEN m.card_score
                                   ELSE m.downloads_30d END AS sort_value
  FROM models m
  WHERE m.pipeline_tag = (SELECT task FROM p)
    AND coalesce(m.downloads_30d, 0) >= (SELECT min_downloads FROM p)
    AND (SELECT library FROM p) IN ('', m.library_name)
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
  model_id, downloads_30d, downloads_source, github_dependents, derived_models, has_card, card_score,
  license, library_name, likes, created_at
FROM chosen
ORDER BY sort_value DESC NULLS LAST, downloads_30d DESC NULLS LAST, model_id
