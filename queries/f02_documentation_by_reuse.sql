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
  CASE WHEN m.github_dependents < 1 THEN 0 WHEN m.github_dependents < 2 THEN 1 WHEN m.github_dependents < 10 THEN 2
       WHEN m.github_dependents < 100 THEN 10 ELSE 100 END AS reused_by_at_least,
  CASE WHEN m.github_dependents < 1 THEN 0 WHEN m.github_dependents < 2 THEN 1 WHEN m.github_dependents < 10 THEN 9
       WHEN m.github_dependents < 100 THEN 99 END AS reused_by_at_most,
  count(*) AS models,
  sum(o.has_card) AS with_card,
  round(avg(o.has_card), 4) AS card_share,
  count(m.card_score) AS scored_cards,
  round(avg(m.card_score), 3) AS mean_card_score,
  (SELECT id FROM pop) AS population
FROM model_observations o JOIN models m ON m.model_id = o.model_id
WHERE o.source = (SELECT id FROM pop) AND o.has_card IS NOT NULL
GROUP BY 1
ORDER BY 1
