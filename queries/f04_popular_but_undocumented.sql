/* ---
title: "F4 in numbers: how many of the most downloaded models lack a model card?"
finding: F4
description: >-
  Among the top_n (default 100) most downloaded models of one registry population (parameter
  population, any source id; default: the newest population with download counts and card
  presence, see the populations table), how many have no
  model card; and, for one model (parameter model_id, default SpanBERT/spanbert-large-cased, the
  paper's example), its download rank, its 30-day downloads and whether it had a card in that
  source. Caveat: has_card says a README exists, not that it documents the model; the paper's
  ranking was by monthly downloads in August 2022.
params:
  population: ""
  top_n: 100
  model_id: SpanBERT/spanbert-large-cased
answer: >-
  {without_card} of the {top_n} most downloaded models in {population} ({observed}) have no model card; the
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
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 AND has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
top AS (
  SELECT has_card FROM model_observations
  WHERE source = (SELECT id FROM pop) AND downloads_30d IS NOT NULL
  ORDER BY downloads_30d DESC LIMIT (SELECT top_n FROM p)
),
one AS (
  SELECT o.downloads_30d, o.has_card FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.model_id = coalesce(
    (SELECT new_id FROM model_aliases WHERE old_id = (SELECT model_id FROM p)), (SELECT model_id FROM p))
)
SELECT
  pop.id AS population,
  coalesce((SELECT date FROM populations WHERE population = pop.id),
           (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS observed,
  p.top_n,
  (SELECT count(*) FROM top WHERE has_card = 0) AS without_card,
  (SELECT count(*) FROM top WHERE has_card IS NULL) AS card_unknown,
  p.model_id,
  (SELECT 1 + count(*) FROM model_observations o
    WHERE o.source = pop.id AND o.downloads_30d > (SELECT downloads_30d FROM one)) AS model_rank,
  (SELECT downloads_30d FROM one) AS model_downloads,
  (SELECT has_card FROM one) AS model_has_card,
  CASE (SELECT has_card FROM one) WHEN 1 THEN 'has a' WHEN 0 THEN 'no' ELSE 'an unknown' END AS model_card_text
FROM p, pop
