/* ---
title: "F4 in numbers: how many of the most downloaded models lack a model card?"
finding: F4
description: >-
  Among the top_n (default 100) most downloaded models of one source (parameter source, default
  liang2024, about 2022-10-01, which also says whether each model has a card), how many have no
  model card; and, for one model (parameter model_id, default SpanBERT/spanbert-large-cased, the
  paper's example), its download rank, its 30-day downloads and whether it had a card in that
  source. Caveat: has_card says a README exists, not that it documents the model; the paper's
  ranking was by monthly downloads in August 2022.
params:
  source: liang2024
  top_n: 100
  model_id: SpanBERT/spanbert-large-cased
answer: >-
  {without_card} of the {top_n} most downloaded models in {source} have no model card; the
  paper's example {model_id} ranks #{model_rank:,} there with {model_downloads:,} downloads in
  30 days and {model_card_text} model card.
claims:
  - id: F4-spanbert-no-card
    claim: SpanBERT/spanbert-large-cased has no model card (1 = has one, 0 = none)
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074)"
    quoted_value: "has no model card"
    column: model_has_card
    expected: 0
  - id: F4-spanbert-rank
    claim: Download rank of SpanBERT/spanbert-large-cased
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074)"
    quoted_value: the 9th most downloaded model
    column: model_rank
    expected: 9
    why: >-
      The paper ranked monthly downloads of August 2022; this is the rank among Liang et al.'s
      30-day downloads of about 2022-10-01.
  - id: F4-spanbert-downloads
    claim: Monthly downloads of SpanBERT/spanbert-large-cased
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074)"
    quoted_value: 6.9 M downloads a month
    column: model_downloads
    format: "{:,}"
    expected: 6900000
    tolerance: 50000
    why: >-
      Download counts move month to month; this is the 30-day count of about 2022-10-01, not
      the paper's August 2022 month.
--- */
WITH top AS (
  SELECT has_card FROM model_observations
  WHERE source = (SELECT source FROM p) AND downloads_30d IS NOT NULL
  ORDER BY downloads_30d DESC LIMIT (SELECT top_n FROM p)
),
one AS (
  SELECT o.downloads_30d, o.has_card FROM model_observations o
  WHERE o.source = (SELECT source FROM p) AND o.model_id = (SELECT model_id FROM p)
)
SELECT
  p.source, p.top_n,
  (SELECT count(*) FROM top WHERE has_card = 0) AS without_card,
  (SELECT count(*) FROM top WHERE has_card IS NULL) AS card_unknown,
  p.model_id,
  (SELECT 1 + count(*) FROM model_observations o
    WHERE o.source = p.source AND o.downloads_30d > (SELECT downloads_30d FROM one)) AS model_rank,
  (SELECT downloads_30d FROM one) AS model_downloads,
  (SELECT has_card FROM one) AS model_has_card,
  CASE (SELECT has_card FROM one) WHEN 1 THEN 'has a' WHEN 0 THEN 'no' ELSE 'an unknown' END AS model_card_text
FROM p
