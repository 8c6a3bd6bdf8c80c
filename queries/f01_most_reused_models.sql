/* ---
title: "F1: which models do GitHub projects reuse most?"
finding: F1
description: >-
  The models with the most dependent GitHub repositories (table dependents, kind github: the
  PeaTMOSS mapping of 2023, plus any links a live mining run added), with their share of all
  reuse links and the cumulative share of the top N (parameter top_n, default 20). The label
  puts the rank first so that the chart keeps the ranking. Caveat: PeaTMOSS found links by
  searching GitHub code for model names, so it sees only reuse that names a model in code.
fragment: g.mark=bar&g.x_column=repositories&g.x_type=quantitative&g.y_column=ranked_model&g.y_type=ordinal
params:
  top_n: 20
--- */
WITH top AS (
  -- ranked by models.github_dependents (the build's per-model count of distinct GitHub dependents,
  -- indexed) and cut at top_n before any dependent row is read, not by grouping every link
  SELECT model_id, github_dependents AS repositories
  FROM models WHERE github_dependents > 0
  ORDER BY github_dependents DESC, model_id
  LIMIT (SELECT top_n FROM p)
),
ranked AS (
  SELECT t.model_id, t.repositories,
         (SELECT count(*) FROM dependents d WHERE d.model_id = t.model_id AND d.kind = 'github') AS links,
         row_number() OVER (ORDER BY t.repositories DESC, t.model_id) AS rank,
         (SELECT link_rows FROM github_reuse_totals) AS all_links  -- every GitHub link (build/summaries.py)
  FROM top t
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s', rank, r.model_id) AS ranked_model,
  r.model_id, r.repositories, r.links,
  round(1.0 * r.links / r.all_links, 4) AS share_of_links,
  round(1.0 * sum(r.links) OVER (ORDER BY rank) / r.all_links, 4) AS cumulative_share,
  m.downloads_30d, m.downloads_source, m.license, m.has_card
FROM ranked r JOIN models m USING (model_id)
ORDER BY rank
