/* ---
title: "F1: how many models get how many downloads?"
finding: F1
description: >-
  Models by their 30-day download count, in buckets of powers of ten (0, 1-9, 10-99, ...), over
  one registry population (parameter population, any source id; default: the newest population
  with download counts; the population and its date are columns). The long tail: most models are downloaded a handful of times or never, a few
  millions of times. Caveat: a source's own coverage (peatmoss and esem2024 list only popular
  models) shapes its histogram.
fragment: g.mark=bar&g.x_column=downloads_at_least&g.x_type=ordinal&g.y_column=models&g.y_type=quantitative
params:
  population: ""
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
pop_date AS (SELECT coalesce((SELECT date FROM populations WHERE population = pop.id),
                             (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS date FROM pop),
buckets AS (  -- observation_counts: the population's models counted per download magnitude (build/summaries.py)
  SELECT download_digits AS digits, sum(models) AS models
  FROM observation_counts
  WHERE source = (SELECT id FROM pop) AND download_digits IS NOT NULL
  GROUP BY 1
)
SELECT
  CASE WHEN digits = 0 THEN 0 ELSE CAST(substr('1000000000000000', 1, digits) AS INTEGER) END AS downloads_at_least,
  CASE WHEN digits = 0 THEN 0 ELSE CAST(substr('9999999999999999', 1, digits) AS INTEGER) END AS downloads_at_most,
  models,
  round(1.0 * models / sum(models) OVER (), 4) AS share_of_models,
  (SELECT id FROM pop) AS population,
  (SELECT date FROM pop_date) AS date
FROM buckets
ORDER BY digits
