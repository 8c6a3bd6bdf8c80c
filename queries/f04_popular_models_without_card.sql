/* ---
title: "F4: the most downloaded models without a model card"
finding: F4
description: >-
  The top_n (default 25) most downloaded models of one registry population (parameter
  population, any source id; default: the newest population with download counts and card
  presence) whose repository had no README model card in that population, with
  their downloads and the GitHub repositories that reuse them (PeaTMOSS, 2023). The label puts
  the rank first so that the chart keeps the ranking. Caveat: some of these models may have
  gained a card since; has_card comes from the same source as the downloads.
fragment: g.mark=bar&g.x_column=downloads_30d&g.x_type=quantitative&g.y_column=ranked_model&g.y_type=ordinal
labels:
  downloads_30d: "Downloads in 30 days"
  ranked_model: "Model without a card (rank by downloads)"
params:
  population: ""
  top_n: 25
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 AND has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
undocumented AS (
  SELECT o.model_id, o.downloads_30d
  FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.has_card = 0 AND o.downloads_30d IS NOT NULL
  ORDER BY o.downloads_30d DESC LIMIT (SELECT top_n FROM p)
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s', row_number() OVER (ORDER BY u.downloads_30d DESC, u.model_id), u.model_id) AS ranked_model,
  u.model_id, u.downloads_30d, m.pipeline_tag, m.github_dependents, m.card_score,
  (SELECT id FROM pop) AS population
FROM undocumented u JOIN models m USING (model_id)
ORDER BY u.downloads_30d DESC, u.model_id
