/* ---
title: "F3: how complete are model cards? (score distribution)"
finding: F3
description: >-
  Card texts by completeness score (0 to 1, build/cards.py: intended use, limitations,
  training data, evaluation, license, how to use, description and task, weighted; see
  docs/cards.md), in steps of 0.1, from one source (parameter source; empty = every card
  text). The sources are samples: hn5318-cards (758 cards, 2024) and hfco2 (44, 2023). Caveat:
  the score measures what a card covers, not whether it is true.
fragment: g.mark=bar&g.x_column=score_from&g.x_type=ordinal&g.y_column=cards&g.y_type=quantitative
labels:
  score_from: "Card completeness score (from)"
  cards: "Model cards"
params:
  source: ""
--- */
SELECT
  round(min(CAST(score * 10 + 1e-9 AS INTEGER), 9) / 10.0, 1) AS score_from,
  count(*) AS cards,
  round(1.0 * count(*) / sum(count(*)) OVER (), 4) AS share_of_cards,
  round(avg(template_only), 4) AS share_unfilled_templates
FROM cards
WHERE score IS NOT NULL AND (SELECT source FROM p) IN ('', cards.source)
GROUP BY 1
ORDER BY 1
