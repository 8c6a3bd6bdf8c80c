/* ---
title: "F9: do pipeline() calls ask for a task their model does not declare?"
finding: F9
description: >-
  transformers.pipeline(task, model=...) calls (Python, and pipeline(task, model) in
  @huggingface/transformers JavaScript) found by the code scanner (code_calls: scripts/scan_code.py,
  the GitHub miner and the Spaces miner; see the source and method columns) that name both a task
  and a Hub model, compared with the task the model declares (models.pipeline_tag, from the most
  recent source that gives one). The task a call names is mapped to the Hub's tag first
  (task_tag: sentiment-analysis is text-classification, ner is token-classification,
  translation_en_to_fr is translation); tasks a declared task serves by design
  (pipeline_task_compatibility: a text2text-generation model summarises) are not mismatches.
  One row per pair of named task and declared task, mismatches first, and last a row of totals
  (verdict all); calls is the number of call sites, files the distinct files. Calls whose model declares no task are listed with
  declared_task empty. The published code-search sources (filter-peatmoss) keep no call
  arguments, so only scanned code counts here. Empty where the database holds no scan.
--- */
WITH calls AS (
  SELECT c.id, c.repo, c.file_path, c.source, c.task, c.task_tag, c.model_id, m.pipeline_tag
  FROM code_calls c JOIN models m USING (model_id)
  WHERE c.call IN ('transformers.pipeline', '@huggingface/transformers.pipeline')
    AND c.task_tag IS NOT NULL AND c.model_id IS NOT NULL
),
judged AS (
  SELECT *, CASE
      WHEN pipeline_tag IS NULL THEN 'model declares no task'
      WHEN task_tag = pipeline_tag THEN 'match'
      WHEN EXISTS (SELECT 1 FROM pipeline_task_compatibility x
                   WHERE x.pipeline_tag = calls.pipeline_tag AND x.task = calls.task_tag) THEN 'compatible'
      ELSE 'mismatch' END AS verdict
  FROM calls
),
rows AS (
  SELECT
    task_tag || ' <- ' || coalesce(pipeline_tag, '(none declared)') AS pair,
    verdict, task_tag AS asked_task, pipeline_tag AS declared_task,
    count(*) AS calls, count(DISTINCT repo || '/' || file_path) AS files, count(DISTINCT model_id) AS models,
    group_concat(DISTINCT task) AS tasks_as_written
  FROM judged
  GROUP BY task_tag, pipeline_tag, verdict
)
SELECT *, (SELECT count(*) FROM judged) AS total_calls,
       (SELECT count(*) FROM judged WHERE pipeline_tag IS NOT NULL) AS with_declared_task,
       (SELECT count(*) FROM judged WHERE verdict = 'mismatch') AS mismatched_calls
FROM (
  SELECT * FROM rows
  UNION ALL
  -- the totals, also when the database holds no scanned code (then every count is 0)
  SELECT 'all pipeline() calls naming a task and a model', 'all', NULL, NULL,
         (SELECT count(*) FROM judged), (SELECT count(DISTINCT repo || '/' || file_path) FROM judged),
         (SELECT count(DISTINCT model_id) FROM judged), NULL
)
ORDER BY verdict = 'all', verdict = 'mismatch' DESC, calls DESC, pair
