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
  score_from,
  sum(cards) AS cards,
  round(1.0 * sum(cards) / sum(sum(cards)) OVER (), 4) AS share_of_cards,
  round(1.0 * sum(template_only) / sum(template_only_known), 4) AS share_unfilled_templates
FROM card_score_bins  -- scored cards per card sample and tenth of the score (build/summaries.py)
WHERE (SELECT source FROM p) IN ('', card_score_bins.source)
GROUP BY score_from
ORDER BY score_from
