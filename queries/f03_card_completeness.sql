/* ---
title: "F3 in numbers: how many models have a model card, and how complete are the cards?"
finding: F3
description: >-
  Card presence from one source's has_card (parameter source, default liang2024: Liang et al.'s
  74,970 models, about 2022-10-01; only sources that record whether a README exists give a
  number): models, models with a card, their share, and the share of the source's 30-day
  downloads that models with a card hold. Card completeness from every card text this database
  holds (the cards table: 758 cards sampled by hn5318 in 2024 and 44 from HFCO2, scored by
  build/cards.py from 0 to 1): cards, median score, share scoring under 0.5, and share that are
  unfilled templates (template filler such as "More information needed" and nothing written by
  a person). Caveat: the card texts are samples chosen by other studies, not the registry.
params:
  source: liang2024
chart: f03_card_score_distribution
answer: >-
  In {source} ({observed}), {with_card:,} of {models:,} models ({card_share:.2%}) have a model
  card, and they hold {download_share_with_card:.1%} of all downloads. Of the {cards:,} card
  texts scored here the median completeness is {median_score:.2f} out of 1, {low_score_share:.1%}
  score under 0.5 and {template_share:.1%} are unfilled templates.
claims:
  - id: F3-card-share-liang
    claim: Models with a model card in Liang et al.'s model_info (about 2022-10-01)
    cited_in: "computed from the source: Liang et al. 2024 model_info.parquet (doi:10.1038/s42256-024-00857-z; github.com/Weixin-Liang/AI-model-card-analysis-HuggingFace)"
    quoted_value: 32,111 of 74,970 (42.83%)
    column: card_share
    format: "{:.2%}"
    expected: 0.4283
  - id: F3-card-download-share
    claim: Share of all downloads held by models that have a card
    cited_in: "Liang et al. 2024, Nature Machine Intelligence, doi:10.1038/s42256-024-00857-z"
    quoted_value: 90.5% of downloads
    column: download_share_with_card
    format: "{:.1%}"
    expected: 0.905
    why: >-
      The study counted downloads from its own Hub crawl; its published model_info.parquet,
      used here, gives each model's 30-day downloads at about 2022-10-01.
  - id: F3-documented-share-oreamuno
    claim: Share of models that are documented (have a model card)
    cited_in: "Oreamuno et al. 2023, The State of Documentation Practices of Third-party Machine Learning Models and Datasets, arXiv:2312.15058"
    quoted_value: 39.62% of models documented
    column: card_share
    format: "{:.2%}"
    expected: 0.3962
    why: >-
      Oreamuno et al. crawled the Hub at another date; this value is Liang et al.'s (about
      2022-10-01), the closest snapshot in the sources.
  - id: F3-inadequate-documentation
    claim: Share of models whose documentation is missing or inadequate
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074)"
    quoted_value: documentation "missing or inadequate for 80% of PTMs"
    column: missing_or_low_share
    format: "{:.1%}"
    expected: 0.80
    tolerance: 0.05
    why: >-
      Computed as the share without a card plus, for the rest, the share of scored cards under
      0.5 (the card texts are a 2024 sample, not the models of the card-presence source); the
      paper's judgement of "inadequate" came from interviews and a manual review.
--- */
WITH obs AS NOT MATERIALIZED (
  SELECT has_card, coalesce(downloads_30d, 0) AS downloads FROM model_observations
  WHERE source = (SELECT source FROM p) AND has_card IS NOT NULL
),
presence AS (
  SELECT count(*) AS models, sum(has_card) AS with_card,
         1.0 * sum(downloads) FILTER (WHERE has_card = 1) / nullif(sum(downloads), 0) AS download_share
  FROM obs
),
scored AS (SELECT score FROM cards WHERE score IS NOT NULL),
quality AS (
  SELECT count(*) AS cards, avg(score < 0.5) AS low_share,
         (SELECT avg(template_only) FROM cards) AS template_share
  FROM scored
)
SELECT
  (SELECT source FROM p) AS source,
  (SELECT snapshot_date FROM sources WHERE id = (SELECT source FROM p)) AS observed,
  nullif(presence.models, 0) AS models,
  presence.with_card,
  round(1.0 * presence.with_card / nullif(presence.models, 0), 4) AS card_share,
  round(presence.download_share, 4) AS download_share_with_card,
  nullif(quality.cards, 0) AS cards,
  (SELECT avg(score) FROM (SELECT score FROM scored ORDER BY score
     LIMIT 2 - (SELECT cards FROM quality) % 2 OFFSET ((SELECT cards FROM quality) - 1) / 2)) AS median_score,
  round(quality.low_share, 4) AS low_score_share,
  round(quality.template_share, 4) AS template_share,
  round((1 - 1.0 * presence.with_card / nullif(presence.models, 0))
        + 1.0 * presence.with_card / nullif(presence.models, 0) * quality.low_share, 4) AS missing_or_low_share
FROM presence, quality
