/* ---
title: "F1 across populations: downloads per model in each registry population"
finding: F1
description: >-
  One row per registry population that has download counts (the populations table: a source
  that lists the registry, or a large part of it, at one date), newest first, read from the
  trends table: its date, the models with a download count (the denominator of every share),
  the median 30-day downloads, the share with none, and the share of all downloads taken by the
  10, 100 and 1,000 most downloaded models. Caveat: each population is a different source; a
  30-day count depends on the month it was taken.
fragment: g.mark=line&g.x_column=date&g.x_type=temporal&g.y_column=zero_downloads_share&g.y_type=quantitative
claims:
  - id: F1-median-downloads
    claim: Median 30-day downloads per model (huggingfaceR, 2022-07-02)
    cited_in: "computed from the source: huggingfaceR data set models_with_downloads (github.com/farach/huggingfaceR, 2022-07-02)"
    quoted_value: "2"
    column: by[huggingfacer][median_downloads]
    format: "{:,g}"
    expected: 2
    over: {source: "by[huggingfacer][population]", n: "by[huggingfacer][models_with_downloads]", unit: models with a download count}
  - id: F1-zero-downloads
    claim: Share of models with zero 30-day downloads (huggingfaceR, 2022-07-02)
    cited_in: "computed from the source: huggingfaceR data set models_with_downloads (github.com/farach/huggingfaceR, 2022-07-02)"
    quoted_value: 30.9%
    column: by[huggingfacer][zero_downloads_share]
    format: "{:.1%}"
    expected: 0.309
    over: {source: "by[huggingfacer][population]", n: "by[huggingfacer][models_with_downloads]", unit: models with a download count}
--- */
SELECT population, date,
       max(denominator) FILTER (WHERE measure = 'median_downloads') AS models_with_downloads,
       max(value) FILTER (WHERE measure = 'median_downloads') AS median_downloads,
       round(max(value) FILTER (WHERE measure = 'zero_downloads_share'), 4) AS zero_downloads_share,
       round(max(value) FILTER (WHERE measure = 'top10_download_share'), 4) AS top10_download_share,
       round(max(value) FILTER (WHERE measure = 'top100_download_share'), 4) AS top100_download_share,
       round(max(value) FILTER (WHERE measure = 'top1000_download_share'), 4) AS top1000_download_share
FROM trends
WHERE population IN (SELECT population FROM populations WHERE downloads > 0)
GROUP BY population, date
ORDER BY date DESC, population
