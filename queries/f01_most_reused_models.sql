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
WITH per_model AS (
  SELECT model_id, count(*) AS links, count(DISTINCT dependent) AS repositories
  FROM dependents WHERE kind = 'github' GROUP BY model_id
),
ranked AS (
  SELECT *, row_number() OVER (ORDER BY repositories DESC, model_id) AS rank,
         sum(links) OVER () AS all_links
  FROM per_model
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s', rank, r.model_id) AS ranked_model,
  r.model_id, r.repositories, r.links,
  round(1.0 * r.links / r.all_links, 4) AS share_of_links,
  round(1.0 * sum(r.links) OVER (ORDER BY rank) / r.all_links, 4) AS cumulative_share,
  m.downloads_30d, m.downloads_source, m.license, m.has_card
FROM ranked r JOIN models m USING (model_id)
WHERE rank <= (SELECT top_n FROM p)
ORDER BY rank
