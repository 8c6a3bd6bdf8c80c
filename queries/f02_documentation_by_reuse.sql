/* ---
title: "F2: are the most reused models the best documented?"
finding: F2
description: >-
  The models of one registry population (parameter population, any source id; default: the
  newest population that says whether each model has a card, see the populations table) grouped
  by how many GitHub repositories reuse them (0, 1, 2-9, 10-99, 100 or more; reused_by_at_least
  is the group's lower bound; the dependents table: PeaTMOSS links, 2023, in the default build),
  with the share that had a model card in that population (its own has_card) and the mean
  completeness score of the cards this database has the text of (build/cards.py; a 2023-24
  sample, so the score is often n/a). Caveat: a card's presence is not its quality; see F3.
fragment: g.mark=bar&g.x_column=reused_by_at_least&g.x_type=ordinal&g.y_column=card_share&g.y_type=quantitative
params:
  population: ""
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
)
SELECT
  reused_by_at_least,
  CASE reused_by_at_least WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 9 WHEN 10 THEN 99 END AS reused_by_at_most,
  sum(models) AS models,
  sum(has_card * models) AS with_card,
  round(1.0 * sum(has_card * models) / sum(models), 4) AS card_share,
  sum(scored_cards) AS scored_cards,
  round(sum(card_score_sum) / sum(scored_cards), 3) AS mean_card_score,
  (SELECT id FROM pop) AS population
FROM observation_counts  -- the population's models counted per reuse and card presence (build/summaries.py)
WHERE source = (SELECT id FROM pop) AND has_card IS NOT NULL
GROUP BY 1
ORDER BY 1
