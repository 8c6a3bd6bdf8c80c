/* ---
title: "Trends: one headline measure across registry populations, 2022 to the newest mining run"
finding: extra
description: >-
  One measure of the trends table (parameter measure, default median_downloads; one of models,
  median_downloads, zero_downloads_share, top10_download_share, top100_download_share,
  top1000_download_share, card_share, card_download_share, no_task_share, no_license_share,
  no_base_model_share, models_created_last_month) for every registry population that gives the
  fields it needs, by date: the value, its numerator and denominator, and what it counts. The
  line chart draws the measure across dates; change the measure to draw another. A population
  that lacks a field (the 2022 sources record no license or base model) has no point rather
  than a zero. Caveat: each population is a different source with its own coverage.
fragment: g.mark=line&g.x_column=date&g.x_type=temporal&g.y_column=value&g.y_type=quantitative
params:
  measure: median_downloads
--- */
SELECT t.date, t.population, t.measure, t.value, t.numerator, t.denominator, t.note
FROM trends t
WHERE t.measure = (SELECT measure FROM p)
ORDER BY t.date, t.population
