/* ---
title: "F4 in numbers: how many of the most downloaded models lack a model card?"
finding: F4
description: >-
  Among the top_n (default 100) most downloaded models of one registry population (parameter
  population, any source id; default: the newest population with download counts and card
  presence, see the populations table), how many have no
  model card; and, for one model (parameter model_id, default SpanBERT/spanbert-large-cased, the
  paper's example), its download rank, its 30-day downloads and whether it had a card in that
  source. ranked is the denominator (top_n, or fewer when the population has fewer models with
  a download count); card_unknown counts those of them whose card presence the population does
  not give (unknown is not "no card"); models is the number of models the rank is out of.
  Caveat: has_card says a README exists, not that it documents the model; the paper's ranking
  was by monthly downloads in August 2022.
params:
  population: ""
  top_n: 100
  model_id: SpanBERT/spanbert-large-cased
answer: >-
  {sentence}
claims:
  - id: F4-spanbert-no-card
    claim: SpanBERT/spanbert-large-cased has no model card (1 = has one, 0 = none)
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074)"
    quoted_value: "has no model card"
    column: model_has_card
    expected: 0
    over: {source: population, date: observed, n: models, unit: models with a 30-day download count}
  - id: F4-spanbert-rank
    claim: Download rank of SpanBERT/spanbert-large-cased
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074)"
    quoted_value: the 9th most downloaded model
    column: model_rank
    expected: 9
    why: >-
      The paper ranked monthly downloads of August 2022; this is the rank among Liang et al.'s
      30-day downloads of about 2022-10-01.
    over: {source: population, date: observed, n: models, unit: models with a 30-day download count}
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
    over: {source: population, date: observed, n: models, unit: models with a 30-day download count}
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
),
v AS (
  SELECT
    pop.id AS population,
    coalesce((SELECT date FROM populations WHERE population = pop.id),
             (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS observed,
    p.top_n,
    (SELECT count(*) FROM top) AS ranked,
    (SELECT count(*) FROM top WHERE has_card = 0) AS without_card,
    (SELECT count(*) FROM top WHERE has_card IS NULL) AS card_unknown,
    (SELECT coalesce(sum(models), 0) FROM observation_counts  -- counted by the builder (build/summaries.py)
      WHERE source = pop.id AND download_digits IS NOT NULL) AS models,
    p.model_id,
    (SELECT 1 + count(*) FROM model_observations o
      WHERE o.source = pop.id AND o.downloads_30d > (SELECT downloads_30d FROM one)
      HAVING (SELECT downloads_30d FROM one) IS NOT NULL) AS model_rank,
    (SELECT downloads_30d FROM one) AS model_downloads,
    (SELECT has_card FROM one) AS model_has_card
  FROM p, pop
)
SELECT v.*,
  CASE (SELECT has_card FROM one) WHEN 1 THEN 'has a' WHEN 0 THEN 'no' ELSE 'an unknown' END AS model_card_text,
  -- the answer's sentence, from the data: which population, its date, the denominator
  CASE WHEN v.population IS NULL THEN
    'No registry population of this database gives download counts and card presence, so how many of the most downloaded models lack a model card is not measured.'
  WHEN v.ranked = 0 THEN
    printf('%s gives no 30-day download counts, so how many of its most downloaded models lack a model card is not measured.', v.population)
  WHEN v.card_unknown = v.ranked THEN
    printf('%s (%s) does not say whether its models have a model card, so how many of its most downloaded models lack one is not measured.',
           v.population, v.observed)
  ELSE printf('%,d of the %,d most downloaded models of %s (%s; ranked among its %,d models with a 30-day download count) have no model card',
              v.without_card, v.ranked, v.population, v.observed, v.models)
    || CASE WHEN v.card_unknown > 0 THEN printf('; for %,d of them the population does not say whether they have one', v.card_unknown) ELSE '' END
    || '. '
    || CASE WHEN v.model_rank IS NULL
         THEN printf('The paper''s example %s has no download count in %s.', v.model_id, v.population)
       ELSE printf('The paper''s example %s ranks #%,d of %,d there with %,d downloads in 30 days and %s model card.',
                   v.model_id, v.model_rank, v.models, v.model_downloads,
                   CASE v.model_has_card WHEN 1 THEN 'has a' WHEN 0 THEN 'no' ELSE 'an unknown' END)
       END
  END AS sentence
FROM v
