/* ---
title: "F2: are popular models the reused ones?"
finding: F2
description: >-
  Models grouped by their 30-day downloads over one registry population (parameter population,
  any source id; default: the newest population with download counts; buckets of powers of ten), with how many of each bucket GitHub
  projects reuse (PeaTMOSS links, 2023), the share reused and the reuse links they receive. If
  engineers pick by popularity, the share reused climbs with downloads. Caveat: downloads and
  links were observed about a year apart; models created after the download snapshot are not
  in any bucket.
fragment: g.mark=bar&g.x_column=downloads_at_least&g.x_type=ordinal&g.y_column=share_reused&g.y_type=quantitative
labels:
  downloads_at_least: "Models with at least this many 30-day downloads"
  share_reused: "Share reused by GitHub projects"
params:
  population: ""
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
buckets AS (  -- observation_counts: the population's models counted per download magnitude (build/summaries.py)
  SELECT download_digits AS digits, sum(models) AS models
  FROM observation_counts
  WHERE source = (SELECT id FROM pop) AND download_digits IS NOT NULL
  GROUP BY 1
),
reused AS (  -- of those, the models with GitHub reuse links, and their links
  SELECT download_digits AS digits, sum(reused_models) AS models, sum(links) AS links
  FROM observation_counts
  WHERE source = (SELECT id FROM pop) AND download_digits IS NOT NULL
  GROUP BY 1 HAVING sum(reused_models) > 0
)
SELECT
  CASE WHEN b.digits = 0 THEN 0 ELSE CAST(substr('1000000000000000', 1, b.digits) AS INTEGER) END AS downloads_at_least,
  b.models,
  coalesce(r.models, 0) AS reused_models,
  round(1.0 * coalesce(r.models, 0) / b.models, 4) AS share_reused,
  coalesce(r.links, 0) AS links,
  (SELECT id FROM pop) AS population
FROM buckets b LEFT JOIN reused r USING (digits)
ORDER BY b.digits
