/* ---
title: "F7: which base models have the most derived models?"
finding: F7
description: >-
  The top_n (default 20) base models with the most distinct derived models in the lineage
  table, split by relation (fine-tune, adapter, quantized, merge, or not stated), with the
  base model's downloads. Lineage comes from base_model tags of the hn5318 card sample (2024)
  and the 2025 Mistral-Small fine-tune tree, plus any a live mining run adds: a sample, so the
  ranking shows the shape, not the registry's true leaders. rank comes from derived_models:
  models with as many derived models share a rank (ties are shown, not broken by name); the
  label puts the rank first. sources: where the edges come from (mistral-family-2025 is one
  model's family tree, picked by hand).
fragment: g.mark=bar&g.x_column=derived_models&g.x_type=quantitative&g.y_column=ranked_model&g.y_type=ordinal
params:
  top_n: 20
--- */
WITH top AS (
  -- cut at top_n by the indexed models.derived_models (the build's count of distinct models
  -- naming it as base) before any lineage row is grouped
  SELECT model_id FROM models WHERE derived_models > 0
  ORDER BY derived_models DESC, model_id LIMIT (SELECT top_n FROM p)
),
per_base AS (  -- lineage_bases: each base's derived models by relation, counted by the builder (build/summaries.py)
  SELECT b.base_model_id AS model_id, b.children AS derived_models, b.finetunes, b.adapters, b.quantized,
         b.merges, b.relation_not_stated, b.sources
  FROM top JOIN lineage_bases b ON b.base_model_id = top.model_id
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s',
         rank() OVER (ORDER BY b.derived_models DESC), b.model_id) AS ranked_model,
  rank() OVER (ORDER BY b.derived_models DESC) AS rank,
  b.*, m.downloads_30d, m.downloads_source
FROM per_base b JOIN models m USING (model_id)
ORDER BY b.derived_models DESC, b.model_id
