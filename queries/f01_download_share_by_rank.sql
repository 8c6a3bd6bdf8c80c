/* ---
title: "F1: what share of all downloads do the top models take?"
finding: F1
description: >-
  The share of all 30-day downloads taken by the 1, 10, 100, 1,000 and 10,000 most downloaded
  models, and by all of them, over one registry population (parameter population, any source id;
  default: the newest population with download counts, see the populations table; the population
  and its date are columns). A steep curve means reuse is concentrated on a few models. Caveat:
  sources that list only popular models (peatmoss, esem2024) flatten the curve.
fragment: g.mark=line&g.x_column=top_models&g.x_type=ordinal&g.y_column=share_of_downloads&g.y_type=quantitative
labels:
  top_models: "Most downloaded models (top N)"
  share_of_downloads: "Share of all 30-day downloads"
params:
  population: ""
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
pop_date AS (SELECT coalesce((SELECT date FROM populations WHERE population = pop.id),
                             (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS date FROM pop),
obs AS NOT MATERIALIZED (
  SELECT o.downloads_30d AS n FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.downloads_30d IS NOT NULL
),
total AS (  -- observation_counts: the population's models and downloads (build/summaries.py)
  SELECT sum(models) AS models, sum(downloads) AS downloads FROM observation_counts
  WHERE source = (SELECT id FROM pop) AND download_digits IS NOT NULL
),
tops(top_models, downloads) AS (
  SELECT 1, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 1))
  UNION ALL SELECT 10, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 10))
  UNION ALL SELECT 100, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 100))
  UNION ALL SELECT 1000, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 1000))
  UNION ALL SELECT 10000, (SELECT sum(n) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 10000))
)
SELECT tops.top_models, tops.downloads,
       round(1.0 * tops.downloads / total.downloads, 4) AS share_of_downloads,
       round(1.0 * tops.top_models / total.models, 4) AS share_of_models,
       (SELECT id FROM pop) AS population, (SELECT date FROM pop_date) AS date
FROM tops, total WHERE tops.top_models < total.models
UNION ALL
SELECT models, downloads, 1.0, 1.0, (SELECT id FROM pop), (SELECT date FROM pop_date) FROM total WHERE models > 0
ORDER BY top_models
