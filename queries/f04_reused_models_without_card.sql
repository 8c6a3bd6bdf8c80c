/* ---
title: "F4: the most reused models without a model card"
finding: F4
description: >-
  The top_n (default 25) models with the most dependent GitHub repositories (PeaTMOSS, 2023)
  that have no model card (models.has_card = 0: the most recent source that says so found no
  README) or whose card scores below max_score (default 0.3, build/cards.py, where this
  database has the card text). The label puts the rank first so that the chart keeps the
  ranking. Caveat: most card presence comes from Liang et al. (about 2022-10-01), a year before
  the links.
fragment: g.mark=bar&g.x_column=github_dependents&g.x_type=quantitative&g.y_column=ranked_model&g.y_type=ordinal
params:
  top_n: 25
  max_score: 0.3
--- */
WITH chosen AS (
  SELECT model_id, github_dependents, has_card, card_score, downloads_30d, downloads_source, pipeline_tag
  FROM models
  WHERE github_dependents > 0 AND (has_card = 0 OR card_score < (SELECT max_score FROM p))
  ORDER BY github_dependents DESC, model_id LIMIT (SELECT top_n FROM p)
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s', row_number() OVER (ORDER BY github_dependents DESC, model_id), model_id) AS ranked_model,
  *
FROM chosen
ORDER BY github_dependents DESC, model_id
