/* ---
title: "F9: which libraries and calls load Hub models in GitHub code?"
finding: F9
description: >-
  Source files on GitHub found by Sourcegraph code search (filter-peatmoss, PeaTMOSS era,
  2023), by library and loading call (transformers.pipeline, from_pretrained,
  SentenceTransformer, spacy.load, timm.create_model, ...). files_naming_models: files whose
  call names a Hub model id literally (code_usages); files_without_model_id: files that import
  the library and call the API with no literal id found (code_files; searched for more
  libraries); repositories and distinct models for the first kind. The first row is the call
  with the most files naming models. Caveat: a code search, not every repository; model ids
  built at run time are missed.
fragment: g.mark=bar&g.x_column=files&g.x_type=quantitative&g.y_column=call&g.y_type=nominal
answer: >-
  {total_usage_files:,} source files in {total_usage_repos:,} GitHub repositories load a Hub
  model by name; the most common call is {call} ({files_naming_models:,} files, {models:,}
  distinct models), and {total_other_files:,} more files call a loading API without a literal
  model id.
--- */
WITH usage AS (
  SELECT library, api, count(*) AS files, count(DISTINCT repo) AS repos FROM code_usages GROUP BY 1, 2
),
usage_models AS (
  SELECT u.library, u.api, count(DISTINCT m.model_id) AS models
  FROM code_usages u JOIN code_usage_models m ON m.usage_id = u.id GROUP BY 1, 2
),
other AS (
  SELECT library, api, count(*) AS files, count(DISTINCT repo) AS repos FROM code_files GROUP BY 1, 2
),
calls AS (
  SELECT library, api FROM usage UNION SELECT library, api FROM other
)
SELECT
  c.library || '.' || c.api AS call,
  c.library, c.api,
  coalesce(u.files, 0) AS files_naming_models,
  coalesce(u.repos, 0) AS repositories_naming_models,
  coalesce(um.models, 0) AS models,
  coalesce(o.files, 0) AS files_without_model_id,
  coalesce(u.files, 0) + coalesce(o.files, 0) AS files,
  (SELECT count(*) FROM code_usages) AS total_usage_files,
  (SELECT count(DISTINCT repo) FROM code_usages) AS total_usage_repos,
  (SELECT count(*) FROM code_files) AS total_other_files
FROM calls c
LEFT JOIN usage u USING (library, api)
LEFT JOIN usage_models um USING (library, api)
LEFT JOIN other o USING (library, api)
ORDER BY files_naming_models DESC, files DESC, call
