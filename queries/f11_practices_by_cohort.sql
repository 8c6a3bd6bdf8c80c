/* ---
title: "F11: does documentation keep up? Card presence and completeness by creation year"
finding: F11
description: >-
  Models grouped by the year their repository was created, over one registry population
  (created_at as it gives it: parameter population, any source id; default: the newest
  population with creation dates and card presence, see the populations table): models created, the share
  with a model card at the snapshot, and, for the models whose card text this database holds
  (samples of 2023-2024, scored by build/cards.py; few per year), the mean completeness score.
  last_created is the newest creation date in the source, so the last year may be partial.
  card_share is over card_known, the models of the year whose card presence the population
  gives (unknown is not "no card"). A database with no such population answers with one row
  that says so.
  Caveats: a card may be added after creation; what the live miner could add is the same view
  for today's registry.
fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=card_share&g.y_type=quantitative
params:
  population: ""
answer: >-
  {sentence}
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE created_at > 0 AND has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
obs AS NOT MATERIALIZED (  -- observation_counts: the population's models counted per creation month (build/summaries.py)
  SELECT CAST(substr(created_month, 1, 4) AS INTEGER) AS year, has_card, models, scored_cards, card_score_sum
  FROM observation_counts
  WHERE source = (SELECT id FROM pop) AND created_month IS NOT NULL
),
presence AS (
  SELECT year, sum(models) AS models, coalesce(sum(models) FILTER (WHERE has_card IS NOT NULL), 0) AS card_known,
         sum(has_card * models) AS with_card,
         round(1.0 * sum(has_card * models) / sum(models) FILTER (WHERE has_card IS NOT NULL), 4) AS card_share
  FROM obs GROUP BY year
),
scored AS (  -- a model's card score is the best of its cards' scores (models.card_score)
  SELECT year, sum(scored_cards) AS scored_cards, round(sum(card_score_sum) / sum(scored_cards), 3) AS mean_card_score
  FROM obs GROUP BY year
),
about AS (
  SELECT (SELECT id FROM pop) AS population,
         coalesce((SELECT date FROM populations WHERE population = (SELECT id FROM pop)),
                  (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM pop))) AS observed,
         (SELECT substr(max(created_at), 1, 10) FROM model_observations
           WHERE source = (SELECT id FROM pop)) AS last_created,
         (SELECT sum(models) FROM presence) AS dated_models,
         (SELECT sum(card_known) FROM presence) AS card_known_models
),
-- the answer's sentence, from the data: the population, its date, the denominators, and the
-- last three cohorts whatever their years
sentence AS (
  SELECT CASE
    WHEN about.population IS NULL THEN
      'No registry population of this database gives both creation dates and card presence, so card presence by creation year is not measured.'
    WHEN coalesce(about.card_known_models, 0) = 0 THEN
      printf('%s (%s) gives no creation dates with card presence, so card presence by creation year is not measured.',
             about.population, coalesce(about.observed, 'date unknown'))
    ELSE printf('In %s (%s), of the %,d models with a creation date, by the year their repository was created: %s (the last year to %s).',
                about.population, about.observed, about.dated_models,
                (SELECT group_concat(printf('%,d models in %d, %.1f%% of %s with a model card', models, year,
                                            100.0 * card_share,
                                            CASE WHEN card_known = models THEN 'them'
                                                 ELSE printf('the %,d whose card presence is known', card_known) END), '; ')
                   FROM (SELECT * FROM presence WHERE card_known > 0 ORDER BY year DESC LIMIT 3)),
                about.last_created)
    END AS sentence
  FROM about
)
SELECT presence.year, models, card_known, with_card, card_share,
       coalesce(scored_cards, 0) AS scored_cards, mean_card_score,
       about.last_created, about.population, about.observed, sentence.sentence
FROM presence LEFT JOIN scored USING (year), about, sentence
UNION ALL
SELECT NULL, 0, 0, 0, NULL, 0, NULL, about.last_created, about.population, about.observed, sentence.sentence
FROM about, sentence
WHERE NOT EXISTS (SELECT 1 FROM presence)
ORDER BY 1
