/* ---
title: "F9: do pipeline() calls ask for a task their model does not declare?"
finding: F9
description: >-
  A labelled list of what the offline sources can and cannot say about transformers.pipeline
  calls. The code search (filter-peatmoss, 2023) keeps each file's calls and the model ids it
  names, not the calls' arguments, so the task a call asks for is not recorded and a mismatch
  with the model's declared task (pipeline_tag) cannot be measured here: that row is empty and
  says so. The live miner (scripts/mine_hub.py) could fill it by fetching each file from GitHub
  and reading the pipeline's first argument. The rows that can be measured: pipeline() files
  naming a Hub model, those whose model declares a task, and the tasks most often named.
--- */
WITH pipeline_files AS (
  SELECT u.id, m.model_id FROM code_usages u JOIN code_usage_models m ON m.usage_id = u.id
  WHERE u.library = 'transformers' AND u.api = 'pipeline'
),
with_task AS (
  SELECT f.id, x.pipeline_tag FROM pipeline_files f JOIN models x USING (model_id) WHERE x.pipeline_tag IS NOT NULL
),
top_tasks AS (
  SELECT pipeline_tag, count(DISTINCT id) AS files FROM with_task GROUP BY 1 ORDER BY files DESC, 1 LIMIT 5
)
SELECT 'pipeline() files naming a Hub model' AS measure, (SELECT count(DISTINCT id) FROM pipeline_files) AS files,
       'filter-peatmoss code search' AS note
UNION ALL
SELECT 'of which the model declares a task', (SELECT count(DISTINCT id) FROM with_task),
       'the model''s pipeline_tag, from the most recent source that gives one'
UNION ALL
SELECT 'of which the call asks for a task the model does not declare', NULL,
       'not measurable from these sources: the code search keeps no call arguments; the live miner could read them from the GitHub file'
UNION ALL
SELECT * FROM (SELECT 'declared task: ' || pipeline_tag, files, 'files naming a model with this task' FROM top_tasks)
