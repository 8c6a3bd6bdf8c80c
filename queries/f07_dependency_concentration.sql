/* ---
title: "F7 in numbers: how much depends on a single base model?"
finding: F7
description: >-
  The largest fan-outs this data shows. Base models: the model(s) with the most derived models
  in the lineage table (base_model tags of the hn5318 card sample and the 2025 Mistral
  fine-tune tree: samples), with every model tied at the top listed (top_base_tied), not one
  picked alphabetically; the sources their edges come from, and whether those are all family
  samples: sources whose lineage is one model's family tree (a single root base model), drawn
  by hand around that model, so its fan-out says how the sample was drawn, not how the
  registry reuses models. The same ranking without the family samples follows
  (..._outside_family_samples), and how many base models have any derived model.
  Descendants: the ESEM 2024 artifact's per-model counts of direct descendants (3,471 models,
  PeaTMOSS 2023, no model ids): the largest count, and the share of all descendants that the
  top 1% of those models have. Datasets have their own query (f07_dataset_fanout). Caveat:
  lineage covers only the sampled models.
chart: f07_base_model_fanout
answer: >-
  The most derived-from {top_base_label} in the lineage data, {top_base_model},
  {top_base_verb} {top_base_children:,} derived models{top_base_each}, all from
  {top_base_sources}{top_base_caveat}; outside such family samples the top is
  {top_base_model_outside_family_samples} with {top_base_children_outside_family_samples:,}
  ({top_base_sources_outside_family_samples}). Among the {descendant_models:,} models with
  descendants in the ESEM 2024 data the largest has {max_descendants:,} direct descendants,
  and the top 1% have {top1pct_descendant_share:.1%} of all descendants.
--- */
WITH children AS NOT MATERIALIZED (  -- lineage_bases, lineage_sources: the lineage counted by the builder (build/summaries.py)
  SELECT base_model_id, children AS n, sources FROM lineage_bases
),
family_samples AS (  -- sources whose lineage is one model's family tree (a single root): hand-picked
  SELECT source FROM lineage_sources WHERE family_sample = 1
),
top AS (SELECT * FROM children WHERE n = (SELECT max(n) FROM children)),
top_sources AS (
  SELECT DISTINCT l.source FROM lineage l JOIN top USING (base_model_id)
),
open_children AS NOT MATERIALIZED (  -- the same count without the family samples
  SELECT base_model_id, children_outside_family_samples AS n, sources_outside_family_samples AS sources
  FROM lineage_bases WHERE children_outside_family_samples IS NOT NULL
),
open_top AS (SELECT * FROM open_children WHERE n = (SELECT max(n) FROM open_children)),
desc_ranked AS (
  SELECT descendants, row_number() OVER (ORDER BY descendants DESC) AS rank, count(*) OVER () AS total
  FROM descendant_counts
)
SELECT
  CASE WHEN (SELECT count(*) FROM top) > 1 THEN 'models (tied)' ELSE 'model' END AS top_base_label,
  CASE WHEN (SELECT count(*) FROM top) > 1 THEN 'have' ELSE 'has' END AS top_base_verb,
  CASE WHEN (SELECT count(*) FROM top) > 1 THEN ' each' ELSE '' END AS top_base_each,
  CASE WHEN NOT EXISTS (SELECT 1 FROM top_sources WHERE source NOT IN (SELECT source FROM family_samples))
       THEN ', a hand-picked sample of one model family (' || (SELECT coalesce(sum(edges), 0) FROM lineage_sources
              WHERE source IN (SELECT source FROM top_sources)) || ' of the ' || (SELECT coalesce(sum(edges), 0) FROM lineage_sources)
            || ' lineage edges), so it shows how that sample was drawn, not the registry'
       ELSE '' END AS top_base_caveat,
  (SELECT group_concat(base_model_id, ' and ') FROM (SELECT base_model_id FROM top ORDER BY base_model_id)) AS top_base_model,
  (SELECT count(*) FROM top) AS top_base_tied,
  (SELECT max(n) FROM children) AS top_base_children,
  (SELECT group_concat(source, ', ') FROM top_sources) AS top_base_sources,
  CASE WHEN (SELECT count(*) FROM top_sources WHERE source NOT IN (SELECT source FROM family_samples)) = 0
       THEN 1 ELSE 0 END AS top_from_family_sample,
  (SELECT coalesce(sum(edges), 0) FROM lineage_sources WHERE source IN (SELECT source FROM top_sources)) AS top_sources_edges,
  (SELECT coalesce(sum(edges), 0) FROM lineage_sources) AS lineage_edges,
  (SELECT group_concat(base_model_id, ' and ') FROM (SELECT base_model_id FROM open_top ORDER BY base_model_id)) AS top_base_model_outside_family_samples,
  (SELECT max(n) FROM open_children) AS top_base_children_outside_family_samples,
  (SELECT group_concat(DISTINCT sources) FROM open_top) AS top_base_sources_outside_family_samples,
  (SELECT count(*) FROM children) AS base_models,
  (SELECT nullif(count(*), 0) FROM descendant_counts) AS descendant_models,
  (SELECT max(descendants) FROM descendant_counts) AS max_descendants,
  (SELECT round(1.0 * sum(descendants) FILTER (WHERE rank <= max(1, total / 100)) / sum(descendants), 4)
     FROM desc_ranked) AS top1pct_descendant_share
