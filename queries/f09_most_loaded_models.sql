/* ---
title: "F9: which models does GitHub code load by name most often?"
finding: F9
description: >-
  The top_n (default 20) Hub model ids named in the most GitHub source files (filter-peatmoss
  code search, 2023), for one library (parameter library, e.g. transformers, spacy, timm,
  sentence_transformers, diffusers; empty = all), with the repositories and the model's task.
  The label puts the rank first. Caveat: spaCy pipelines (en_core_web_sm) are loaded by name
  from pip packages as well as from the Hub.
fragment: g.mark=bar&g.x_column=files&g.x_type=quantitative&g.y_column=ranked_model&g.y_type=ordinal
params:
  library: ""
  top_n: 20
--- */
WITH per_model AS (
  SELECT m.model_id, count(*) AS files, count(DISTINCT u.repo) AS repositories
  FROM code_usage_models m JOIN code_usages u ON u.id = m.usage_id
  WHERE (SELECT library FROM p) IN ('', u.library)
  GROUP BY m.model_id
  ORDER BY files DESC, m.model_id LIMIT (SELECT top_n FROM p)
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s',
         row_number() OVER (ORDER BY x.files DESC, x.model_id), x.model_id) AS ranked_model,
  x.model_id, x.files, x.repositories, m.pipeline_tag, m.library_name, m.downloads_30d
FROM per_model x JOIN models m USING (model_id)
ORDER BY x.files DESC, x.model_id
