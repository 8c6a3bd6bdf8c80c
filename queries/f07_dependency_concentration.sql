/* ---
title: "F7 in numbers: how much depends on a single base model?"
finding: F7
description: >-
  The largest fan-outs this data shows. Base models: the model with the most derived models in
  the lineage table (from base_model tags of the hn5318 card sample and the 2025 Mistral
  fine-tune tree: a small sample), and how many base models have any. Descendants: the ESEM
  2024 artifact's per-model counts of direct descendants (3,471 models, PeaTMOSS 2023, no model
  ids): the largest count, and the share of all descendants that the top 1% of those models
  have. Datasets have their own query (f07_dataset_fanout). Caveat: lineage covers only the
  sampled models.
chart: f07_base_model_fanout
answer: >-
  The most derived-from model in the lineage samples, {top_base_model}, has
  {top_base_children:,} derived models; among the {descendant_models:,} models with descendants
  in the ESEM 2024 data the largest has {max_descendants:,} direct descendants, and the top 1%
  have {top1pct_descendant_share:.1%} of all descendants.
--- */
WITH children AS (
  SELECT base_model_id, count(DISTINCT model_id) AS n FROM lineage GROUP BY base_model_id
),
desc_ranked AS (
  SELECT descendants, row_number() OVER (ORDER BY descendants DESC) AS rank, count(*) OVER () AS total
  FROM descendant_counts
)
SELECT
  (SELECT base_model_id FROM children ORDER BY n DESC, base_model_id LIMIT 1) AS top_base_model,
  (SELECT max(n) FROM children) AS top_base_children,
  (SELECT count(*) FROM children) AS base_models,
  (SELECT nullif(count(*), 0) FROM descendant_counts) AS descendant_models,
  (SELECT max(descendants) FROM descendant_counts) AS max_descendants,
  (SELECT round(1.0 * sum(descendants) FILTER (WHERE rank <= max(1, total / 100)) / sum(descendants), 4)
     FROM desc_ranked) AS top1pct_descendant_share
