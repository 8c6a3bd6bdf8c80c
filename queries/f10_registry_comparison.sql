/* ---
title: "F10 in numbers: Hugging Face beside npm and PyPI"
finding: F10
description: >-
  One row per registry, from the paper's Figure 1 data (icse23 artifact, August 2022): its top
  package by downloads (not by its position in the file) and that package's downloads, the sum of its top 20, the counting period (npm
  weekly, the others monthly), and, from the raw per-package counts behind the figure, how
  many packages they cover and their total downloads. Caveat: periods differ between
  registries, as in the paper; the raw counts cover only the packages the study sampled.
answer: >-
  In the paper's Figure 1 data ({by[huggingface][source]}, {by[huggingface][observed]}), the most downloaded Hugging Face model, {by[huggingface][top_package]}, had
  {by[huggingface][top_downloads]:,} downloads a month and the top 20 models
  {by[huggingface][top20_downloads]:,}, against {by[pypi][top20_downloads]:,} a month for
  PyPI's top 20 and {by[npm][top20_downloads]:,} a week for npm's.
--- */
WITH top20 AS (
  SELECT registry, max(period) AS period, sum(downloads) AS top20_downloads,
         group_concat(DISTINCT source) AS source FROM registry_downloads
  WHERE figure = 'top20' GROUP BY registry
),
everything AS (
  SELECT registry, count(*) AS packages, sum(downloads) AS downloads FROM registry_downloads
  WHERE figure = 'all' GROUP BY registry
)
SELECT
  t.registry,
  (SELECT package FROM registry_downloads r WHERE r.figure = 'top20' AND r.registry = t.registry ORDER BY downloads DESC, package LIMIT 1) AS top_package,
  (SELECT downloads FROM registry_downloads r WHERE r.figure = 'top20' AND r.registry = t.registry ORDER BY downloads DESC, package LIMIT 1) AS top_downloads,
  t.top20_downloads, t.period,
  e.packages AS sampled_packages, e.downloads AS sampled_downloads,
  t.source, (SELECT snapshot_date FROM sources WHERE id = t.source) AS observed
FROM top20 t LEFT JOIN everything e USING (registry)
ORDER BY t.registry
