/* ---
title: "F1: how many models get how many downloads?"
finding: F1
description: >-
  Models by their 30-day download count, in buckets of powers of ten (0, 1-9, 10-99, ...), as
  one source saw them (parameter source, default huggingfacer, 2022-07-02; try liang2024 for
  2022-10-01). The long tail: most models are downloaded a handful of times or never, a few
  millions of times. Caveat: a source's own coverage (peatmoss and esem2024 list only popular
  models) shapes its histogram.
fragment: g.mark=bar&g.x_column=downloads_at_least&g.x_type=ordinal&g.y_column=models&g.y_type=quantitative
params:
  source: huggingfacer
--- */
WITH buckets AS (
  SELECT CASE WHEN o.downloads_30d <= 0 THEN 0 ELSE length(o.downloads_30d) END AS digits, count(*) AS models
  FROM model_observations o
  WHERE o.source = (SELECT source FROM p) AND o.downloads_30d IS NOT NULL
  GROUP BY 1
)
SELECT
  CASE WHEN digits = 0 THEN 0 ELSE CAST(substr('1000000000000000', 1, digits) AS INTEGER) END AS downloads_at_least,
  CASE WHEN digits = 0 THEN 0 ELSE CAST(substr('9999999999999999', 1, digits) AS INTEGER) END AS downloads_at_most,
  models,
  round(1.0 * models / sum(models) OVER (), 4) AS share_of_models,
  (SELECT source FROM p) AS source
FROM buckets
ORDER BY digits
