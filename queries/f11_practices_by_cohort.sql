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
  Caveats: a card may be added after creation; what the live miner could add is the same view
  for today's registry.
fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=card_share&g.y_type=quantitative
params:
  population: ""
answer: >-
  In {population} ({observed}), by the year their repository was created: {cohorts} (the last
  year to {last_created}).
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE created_at > 0 AND has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
obs AS NOT MATERIALIZED (
  SELECT o.model_id, CAST(substr(o.created_at, 1, 4) AS INTEGER) AS year, o.has_card
  FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.created_at IS NOT NULL
),
presence AS (
  SELECT year, count(*) AS models, sum(has_card) AS with_card, round(avg(has_card), 4) AS card_share
  FROM obs GROUP BY year
),
scored AS (
  SELECT obs.year, count(*) AS scored_cards, round(avg(c.score), 3) AS mean_card_score
  FROM (SELECT model_id, max(score) AS score FROM cards WHERE score IS NOT NULL GROUP BY model_id) c
  JOIN obs USING (model_id)
  GROUP BY obs.year
)
SELECT presence.year, models, with_card, card_share,
       coalesce(scored_cards, 0) AS scored_cards, mean_card_score,
       (SELECT substr(max(created_at), 1, 10) FROM model_observations
         WHERE source = (SELECT id FROM pop)) AS last_created,
       (SELECT id FROM pop) AS population,
       coalesce((SELECT date FROM populations WHERE population = (SELECT id FROM pop)),
                (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM pop))) AS observed,
       -- the answer's sentence: the last three cohorts of this population, whatever its years
       (SELECT group_concat(printf('%,d models in %d, %.1f%% of them with a model card', models, year,
                                   100.0 * card_share), '; ')
          FROM (SELECT * FROM presence ORDER BY year DESC LIMIT 3)) AS cohorts
FROM presence LEFT JOIN scored USING (year)
ORDER BY presence.year
