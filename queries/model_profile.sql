/* ---
title: "Model profile: everything this database knows about one model"
finding: extra
description: >-
  Beyond the paper: one model (parameter model_id, default bert-base-uncased) as labelled
  rows: its merged metadata (the models table), what each source saw of it and when
  (model_observations), each card text's score, evaluation reporting, license, datasets and
  sections (cards, card_sections), the GitHub repositories and Spaces that reuse it
  (dependents, first 20), the files that load it (code_usages), its base models and derived
  models (lineage, first 20), and legacy ids that redirect to it. A legacy id (bert-base-uncased)
  or one spelled with other letter case shows the model it was merged into (model_aliases). The card
  texts themselves are in the cards database (ptm_reuse_cards, table card_texts) and on the model's
  page. Untrusted text from the Hub (headings) is shown as text, never as HTML.
params:
  model_id: bert-base-uncased
--- */
WITH id AS (  -- a legacy or differently cased id is looked up as the model it was merged into
  SELECT coalesce((SELECT new_id FROM model_aliases WHERE old_id = p.model_id),
                  (SELECT model_id FROM models WHERE model_id = p.model_id),
                  (SELECT new_id FROM model_aliases WHERE old_id = p.model_id COLLATE NOCASE LIMIT 1),
                  (SELECT model_id FROM models WHERE model_id = p.model_id COLLATE NOCASE LIMIT 1),
                  p.model_id) AS model_id FROM p
),
m AS (SELECT * FROM models WHERE model_id = (SELECT model_id FROM id))
SELECT 1 AS part, 'model' AS what, 'model_id' AS item, model_id AS value FROM m
UNION ALL SELECT 1, 'model', 'author', author FROM m
UNION ALL SELECT 1, 'model', 'task (pipeline_tag)', pipeline_tag FROM m
UNION ALL SELECT 1, 'model', 'library', library_name FROM m
UNION ALL SELECT 1, 'model', 'license', license FROM m
UNION ALL SELECT 1, 'model', 'created_at', created_at FROM m
UNION ALL SELECT 1, 'model', 'downloads_30d', printf('%,d (%s, %s)', downloads_30d, downloads_source, coalesce(downloads_observed, 'date not stated')) FROM m WHERE downloads_30d IS NOT NULL
UNION ALL SELECT 1, 'model', 'likes', likes FROM m WHERE likes IS NOT NULL
UNION ALL SELECT 1, 'model', 'has_card', CASE has_card WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END FROM m
UNION ALL SELECT 1, 'model', 'card_score (best card)', card_score FROM m
UNION ALL SELECT 1, 'model', 'GitHub dependents', github_dependents FROM m
UNION ALL SELECT 1, 'model', 'Space dependents', space_dependents FROM m
UNION ALL SELECT 1, 'model', 'derived models', derived_models FROM m
UNION ALL SELECT 1, 'model', 'code files loading it', code_usages FROM m
UNION ALL SELECT 1, 'model', 'in the paper''s 2022-08-15 snapshot', CASE in_paper_snapshot WHEN 1 THEN 'yes' ELSE 'no' END FROM m
UNION ALL SELECT 1, 'model', 'seen in sources', seen_in FROM m
UNION ALL
SELECT 2, 'observation: ' || o.source, coalesce(o.observed, 'date not stated'),
       trim(coalesce('downloads_30d=' || o.downloads_30d || '; ', '') || coalesce('task=' || o.pipeline_tag || '; ', '')
            || coalesce('has_card=' || o.has_card || '; ', '') || coalesce('license=' || o.license || '; ', '')
            || coalesce('likes=' || o.likes || '; ', '') || coalesce('created_at=' || o.created_at || '; ', ''))
FROM model_observations o WHERE o.model_id = (SELECT model_id FROM id)
UNION ALL
SELECT 3, 'card: ' || c.source, 'score', c.score FROM cards c WHERE c.model_id = (SELECT model_id FROM id)
UNION ALL
SELECT 3, 'card: ' || c.source, 'evaluation reporting', c.eval_reporting FROM cards c WHERE c.model_id = (SELECT model_id FROM id)
UNION ALL
SELECT 3, 'card: ' || c.source, 'license / datasets / language',
       coalesce(c.license, '-') || ' / ' || coalesce(c.datasets, '-') || ' / ' || coalesce(c.language, '-')
FROM cards c WHERE c.model_id = (SELECT model_id FROM id)
UNION ALL
SELECT 3, 'card: ' || c.source, 'words', c.words FROM cards c WHERE c.model_id = (SELECT model_id FROM id)
UNION ALL
SELECT 4, 'card section: ' || s.source, s.heading,
       coalesce(s.canonical, 'unmapped') || CASE WHEN s.is_filler THEN ' (template filler only)' ELSE '' END
FROM card_sections s WHERE s.model_id = (SELECT model_id FROM id)
UNION ALL
SELECT 5, 'reused by', d.kind || ' (' || d.source || ')', d.dependent
FROM (SELECT * FROM dependents WHERE model_id = (SELECT model_id FROM id) ORDER BY kind, dependent LIMIT 20) d
UNION ALL
SELECT 5, 'reused by', 'total', count(*) || ' links from ' || count(DISTINCT dependent) || ' repositories or Spaces'
FROM dependents WHERE model_id = (SELECT model_id FROM id) HAVING count(*) > 0
UNION ALL
SELECT 6, 'loaded in code', u.library || '.' || u.api, u.repo || '/' || u.file_path
FROM (SELECT u.* FROM code_usage_models x JOIN code_usages u ON u.id = x.usage_id
      WHERE x.model_id = (SELECT model_id FROM id) ORDER BY u.repo, u.file_path LIMIT 20) u
UNION ALL
SELECT 7, 'base model', coalesce(l.relation, 'relation not stated') || ' (' || l.source || ')', l.base_model_id
FROM lineage l WHERE l.model_id = (SELECT model_id FROM id)
UNION ALL
SELECT 7, 'derived model', coalesce(l.relation, 'relation not stated') || ' (' || l.source || ')', l.model_id
FROM (SELECT * FROM lineage WHERE base_model_id = (SELECT model_id FROM id) ORDER BY model_id LIMIT 20) l
UNION ALL
SELECT 8, 'legacy id', a.old_id, 'redirects to ' || a.new_id
FROM model_aliases a WHERE a.new_id = (SELECT model_id FROM id)
UNION ALL
SELECT 0, 'not found', (SELECT model_id FROM p), 'no model with this id or alias in the database'
WHERE NOT EXISTS (SELECT 1 FROM m)
ORDER BY part
