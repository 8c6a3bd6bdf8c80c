/* ---
title: "F3 in numbers: how many models have a model card, and how complete are the cards?"
finding: F3
description: >-
  Card presence over one registry population (parameter population, any source id; default: the
  newest population that says whether each model's repository has a README, see the populations
  table): models (the denominator), models with a card, their share, and the share of the
  population's 30-day downloads that models with a card hold. Card completeness over one named
  set of card texts (the population's own card texts when it has them, as a mining run does;
  else the largest sample of card texts, hn5318-cards in the default build; column
  cards_source), scored by build/cards.py from 0 to 1: cards, median score, share scoring under
  0.5, and share that are unfilled templates (template filler such as "More information needed"
  and nothing written by a person). missing_or_low_share, the paper's "missing or inadequate",
  is computed only over a population that has its own card texts: models without a card plus
  models whose card scores under 0.5, over the models whose card is absent or scored
  (cards_unscored are left out); the replication of 2022 has no such population, so it is n/a.
  Caveat: card samples chosen by other studies are not the registry.
params:
  population: ""
chart: f03_card_score_distribution
answer: >-
  In {population} ({observed}), {with_card:,} of {models:,} models ({card_share:.2%}) have a model
  card, and they hold {download_share_with_card:.1%} of all downloads. Of the {cards:,} card
  texts of {cards_source} ({cards_observed}) the median completeness is {median_score:.2f} out of
  1, {low_score_share:.1%} score under 0.5 and {template_share:.1%} are unfilled templates.
claims:
  - id: F3-inadequate-documentation
    claim: Share of models whose documentation is missing or inadequate
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074)"
    quoted_value: documentation "missing or inadequate for 80% of PTMs"
    column: missing_or_low_share
    format: "{:.1%}"
    expected: 0.80
    tolerance: 0.05
    why: >-
      Computed over one population that has its own card texts (a mining run): models without
      a card plus models whose card scores under 0.5 (build/cards.py), over the models whose
      card is absent or scored; the paper's judgement of "inadequate" came from interviews and
      a manual review. The earlier figure (90.6%) multiplied Liang et al.'s 2022 card presence
      by a threshold share from a 2023-24 card sample, two populations; it is no longer given.
    note: >-
      Needs a registry population with its own card texts (a mining run); the 2022 populations
      record card presence but no card texts, so the default replication cannot measure it.
    over: {source: population, date: observed, n: models, unit: models}
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
-- observation_counts, card_evaluations, card_score_bins, card_score_medians, population_card_scores:
-- the population and the card texts counted by the builder (build/summaries.py)
card_set AS (
  SELECT coalesce((SELECT id FROM pop WHERE EXISTS (SELECT 1 FROM cards WHERE source = pop.id)),
                  (SELECT source FROM card_evaluations GROUP BY source ORDER BY sum(cards) DESC, source LIMIT 1)) AS id
),
presence AS (
  SELECT coalesce(sum(models), 0) AS models, sum(has_card * models) AS with_card,
         1.0 * coalesce(sum(downloads) FILTER (WHERE has_card = 1),
                        CASE WHEN count(*) FILTER (WHERE has_card = 1) > 0 THEN 0 END)
           / nullif(sum(downloads), 0) AS download_share
  FROM observation_counts WHERE source = (SELECT id FROM pop) AND has_card IS NOT NULL
),
quality AS (
  SELECT coalesce(sum(cards), 0) AS cards, 1.0 * sum(low_score) / sum(cards) AS low_share,
         1.0 * sum(template_only) / sum(template_only_known) AS template_share
  FROM card_score_bins WHERE source = (SELECT id FROM card_set)
),
own AS (  -- the population's models with its own scored card text, when it has card texts
  SELECT no_card, low, adequate, unscored FROM population_card_scores WHERE source = (SELECT id FROM pop)
)
SELECT
  (SELECT id FROM pop) AS population,
  coalesce((SELECT date FROM populations WHERE population = (SELECT id FROM pop)),
           (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM pop))) AS observed,
  nullif(presence.models, 0) AS models,
  presence.with_card,
  round(1.0 * presence.with_card / nullif(presence.models, 0), 4) AS card_share,
  round(presence.download_share, 4) AS download_share_with_card,
  (SELECT id FROM card_set) AS cards_source,
  (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM card_set)) AS cards_observed,
  nullif(quality.cards, 0) AS cards,
  (SELECT median_score FROM card_score_medians WHERE source = (SELECT id FROM card_set)) AS median_score,
  round(quality.low_share, 4) AS low_score_share,
  round(quality.template_share, 4) AS template_share,
  (SELECT round(1.0 * (no_card + low) / nullif(no_card + low + adequate, 0), 4) FROM own) AS missing_or_low_share,
  coalesce((SELECT unscored FROM own), 0) AS cards_unscored
FROM presence, quality
