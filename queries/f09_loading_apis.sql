/* ---
title: "F9: which libraries and calls load Hub models in GitHub code?"
finding: F9
description: >-
  Source files on GitHub found by Sourcegraph code search (filter-peatmoss, PeaTMOSS era,
  2023), by library and loading call (transformers.pipeline, from_pretrained,
  SentenceTransformer, spacy.load, timm.create_model, ...). Every count is of DISTINCT source
  files (repository + path): files_naming_models: files whose call names a Hub model id
  literally (code_usages); files_without_model_id: files that call the API with no literal id
  found (code_files, searched for more libraries), leaving out the files already counted as
  naming a model for the same call (code_files_also_naming_models of the code_files rows are
  the same file and call as a usage); files: both, each file once per call. total_files counts
  each file once whatever it calls. spacy_share: the share of the files naming a model that
  name a spaCy pipeline (spacy.load("en_core_web_sm") or en_core_web_sm.load()). Those names
  match Hub ids (spacy/en_core_web_sm) but are pip packages, mostly installed from PyPI or
  GitHub, not downloaded from the Hub: spacy_top_model is the most named one, with its
  dependent repositories beside its newest 30-day Hub download count (source and date given).
  The first row is the call with the most files naming models. Caveat: a code search, not
  every repository; model ids built at run time are missed.
fragment: g.mark=bar&g.x_column=files&g.x_type=quantitative&g.y_column=call&g.y_type=nominal
labels:
  files: "Source files"
  call: "Loading call"
answer: >-
  In the GitHub code search results of {files_sources}, {total_files:,} distinct source files call a model-loading API; {total_usage_files:,}
  of them, in {total_usage_repos:,} repositories, name a model literally, but
  {spacy_share:.1%} of those ({spacy_files:,}) name a spaCy pipeline, a pip package rather than
  a Hub download ({spacy_top_model} is named in {spacy_top_repos:,} repositories and had
  {spacy_top_downloads:,} Hub downloads in 30 days in {spacy_top_downloads_source},
  {spacy_top_downloads_observed}). The most common call naming a Hub model otherwise is
  {top_other_call} ({top_other_call_files:,} files).
--- */
WITH other_calls AS MATERIALIZED (  -- code_files rows that are not the file and call of a usage naming a model
  SELECT f.repo, f.file_path, f.library, f.api FROM code_files f
  WHERE NOT EXISTS (SELECT 1 FROM code_usages u WHERE u.repo = f.repo AND u.file_path = f.file_path
                      AND u.library = f.library AND u.api = f.api)
),
usage AS (
  SELECT library, api, count(*) AS files, count(DISTINCT repo) AS repos
  FROM (SELECT DISTINCT repo, file_path, library, api FROM code_usages) GROUP BY 1, 2
),
usage_models AS (
  SELECT u.library, u.api, count(DISTINCT m.model_id) AS models
  FROM code_usages u JOIN code_usage_models m ON m.usage_id = u.id GROUP BY 1, 2
),
other AS (SELECT library, api, count(*) AS files FROM other_calls GROUP BY 1, 2),
per_call AS (SELECT library, api FROM usage UNION SELECT library, api FROM other),
usage_files AS MATERIALIZED (SELECT DISTINCT repo, file_path FROM code_usages),
spacy_top AS (  -- the spaCy pipeline named in the most repositories
  SELECT m.model_id, count(DISTINCT u.repo) AS repos
  FROM code_usages u JOIN code_usage_models m ON m.usage_id = u.id
  WHERE u.library = 'spacy' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1
),
spacy_top_downloads AS (  -- its newest observation with a download count
  SELECT o.source, o.observed, o.downloads_30d FROM model_observations o JOIN spacy_top t USING (model_id)
  WHERE o.downloads_30d IS NOT NULL ORDER BY o.observed DESC, o.source LIMIT 1
),
other_top AS (  -- the call naming models in the most files, spaCy aside
  SELECT library || '.' || api AS call, files FROM usage
  WHERE library <> 'spacy' ORDER BY files DESC, call LIMIT 1
),
totals AS MATERIALIZED (
  SELECT
    (SELECT count(*) FROM (SELECT repo, file_path FROM usage_files
                           UNION SELECT repo, file_path FROM other_calls)) AS total_files,
    (SELECT count(*) FROM usage_files) AS total_usage_files,
    (SELECT count(DISTINCT repo) FROM usage_files) AS total_usage_repos,
    (SELECT count(*) FROM code_files) - (SELECT count(*) FROM other_calls) AS code_files_also_naming_models,
    (SELECT count(*) FROM (SELECT DISTINCT repo, file_path FROM code_usages WHERE library = 'spacy')) AS spacy_files,
    (SELECT group_concat(s.id || ' (' || CASE WHEN s.snapshot_date GLOB '[0-9][0-9][0-9][0-9]*' THEN s.snapshot_date
                                              ELSE 'date not stated' END || ')', ', ')
       FROM sources s WHERE s.id IN (SELECT source FROM code_usages UNION SELECT source FROM code_files)) AS files_sources
)
SELECT
  c.library || '.' || c.api AS call,
  c.library, c.api,
  coalesce(u.files, 0) AS files_naming_models,
  coalesce(u.repos, 0) AS repositories_naming_models,
  coalesce(um.models, 0) AS models,
  coalesce(o.files, 0) AS files_without_model_id,
  coalesce(u.files, 0) + coalesce(o.files, 0) AS files,
  t.total_files, t.total_usage_files, t.total_usage_repos,
  t.total_files - t.total_usage_files AS total_other_files,
  t.code_files_also_naming_models,
  t.spacy_files, round(1.0 * t.spacy_files / t.total_usage_files, 4) AS spacy_share, t.files_sources,
  (SELECT model_id FROM spacy_top) AS spacy_top_model,
  (SELECT repos FROM spacy_top) AS spacy_top_repos,
  (SELECT downloads_30d FROM spacy_top_downloads) AS spacy_top_downloads,
  (SELECT source FROM spacy_top_downloads) AS spacy_top_downloads_source,
  (SELECT observed FROM spacy_top_downloads) AS spacy_top_downloads_observed,
  (SELECT call FROM other_top) AS top_other_call,
  (SELECT files FROM other_top) AS top_other_call_files
FROM per_call c
LEFT JOIN usage u USING (library, api)
LEFT JOIN usage_models um USING (library, api)
LEFT JOIN other o USING (library, api)
CROSS JOIN totals t
ORDER BY 4 DESC, 8 DESC, 1
