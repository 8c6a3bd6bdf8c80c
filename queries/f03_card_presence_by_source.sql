/* ---
title: "F3: share of models with a model card, by source"
finding: F3
description: >-
  For every source that records whether a model's repository has a README model card
  (has_card), the models it saw (the denominator), how many had a card and the share, the share
  of its 30-day downloads held by models with a card, the source's date, and whether it is a
  registry population (the populations table) or a sample. Liang et al. cover the registry of
  about 2022-10-01; the Mistral family of 2025 is a single fine-tune tree; each mining run adds
  its own row. Caveat: a card may be a one-line stub; see the score distribution.
fragment: g.mark=bar&g.x_column=source&g.x_type=nominal&g.y_column=card_share&g.y_type=quantitative
claims:
  - id: F3-card-share-liang
    claim: Models with a model card in Liang et al.'s model_info (about 2022-10-01)
    cited_in: "computed from the source: Liang et al. 2024 model_info.parquet (doi:10.1038/s42256-024-00857-z; github.com/Weixin-Liang/AI-model-card-analysis-HuggingFace)"
    quoted_value: 32,111 of 74,970 (42.83%)
    column: by[liang2024][card_share]
    format: "{:.2%}"
    expected: 0.4283
    over: {source: "by[liang2024][source]", date: "by[liang2024][snapshot_date]", n: "by[liang2024][models]", unit: models}
  - id: F3-card-download-share
    claim: Share of all downloads held by models that have a card
    cited_in: "Liang et al. 2024, Nature Machine Intelligence, doi:10.1038/s42256-024-00857-z"
    quoted_value: 90.5% of downloads
    column: by[liang2024][download_share_with_card]
    format: "{:.1%}"
    expected: 0.905
    why: >-
      The study counted downloads from its own Hub crawl; its published model_info.parquet,
      used here, gives each model's 30-day downloads at about 2022-10-01.
    over: {source: "by[liang2024][source]", date: "by[liang2024][snapshot_date]", n: "by[liang2024][models]", unit: models}
  - id: F3-documented-share-oreamuno
    claim: Share of models that are documented (have a model card)
    cited_in: "Oreamuno et al. 2023, The State of Documentation Practices of Third-party Machine Learning Models and Datasets, arXiv:2312.15058"
    quoted_value: 39.62% of models documented
    column: by[liang2024][card_share]
    format: "{:.2%}"
    expected: 0.3962
    why: >-
      Oreamuno et al. crawled the Hub at another date; this value is Liang et al.'s (about
      2022-10-01), the closest population in the sources.
    over: {source: "by[liang2024][source]", date: "by[liang2024][snapshot_date]", n: "by[liang2024][models]", unit: models}
--- */
WITH per_source AS (  -- observation_counts: every source's models counted per card presence (build/summaries.py)
  SELECT source, sum(models) AS models, sum(has_card * models) AS with_card,
         1.0 * sum(downloads) FILTER (WHERE has_card = 1) / nullif(sum(downloads), 0) AS download_share
  FROM observation_counts WHERE has_card IS NOT NULL GROUP BY source
)
SELECT ps.source, coalesce(pop.date, s.snapshot_date) AS snapshot_date,
       CASE WHEN pop.population IS NOT NULL THEN 'registry population' ELSE 'sample' END AS coverage,
       ps.models, ps.with_card, round(1.0 * ps.with_card / ps.models, 4) AS card_share,
       round(ps.download_share, 4) AS download_share_with_card
FROM per_source ps JOIN sources s ON s.id = ps.source
LEFT JOIN populations pop ON pop.population = ps.source
ORDER BY ps.models DESC
