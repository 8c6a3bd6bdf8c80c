/* ---
title: "F2: are the most reused models the best documented?"
finding: F2
description: >-
  Models grouped by how many GitHub repositories reuse them (0, 1, 2-9, 10-99, 100 or more;
  reused_by_at_least is the group's lower bound; PeaTMOSS links, 2023), with the share that has a model card (models.has_card: whether the
  most recent source that says so found a README; models no source says anything about are
  left out) and the mean completeness score of the cards this database has the text of
  (build/cards.py; few cards, so the score is often n/a). Caveat: a card's presence is not its
  quality; see F3 for the score.
fragment: g.mark=bar&g.x_column=reused_by_at_least&g.x_type=ordinal&g.y_column=card_share&g.y_type=quantitative
--- */
SELECT
  CASE WHEN github_dependents < 1 THEN 0 WHEN github_dependents < 2 THEN 1 WHEN github_dependents < 10 THEN 2
       WHEN github_dependents < 100 THEN 10 ELSE 100 END AS reused_by_at_least,
  CASE WHEN github_dependents < 1 THEN 0 WHEN github_dependents < 2 THEN 1 WHEN github_dependents < 10 THEN 9
       WHEN github_dependents < 100 THEN 99 END AS reused_by_at_most,
  count(*) AS models,
  sum(has_card) AS with_card,
  round(avg(has_card), 4) AS card_share,
  count(card_score) AS scored_cards,
  round(avg(card_score), 3) AS mean_card_score
FROM models
WHERE has_card IS NOT NULL
GROUP BY 1
ORDER BY 1
