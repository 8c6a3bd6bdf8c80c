/* ---
title: "F3: how complete are model cards? (score distribution)"
finding: F3
description: >-
  Card texts by completeness score (0 to 1, build/cards.py: intended use, limitations,
  training data, evaluation, license, how to use, description and task, weighted; see
  docs/cards.md), in steps of 0.1, from one source (parameter source; empty = the card texts F3's
  headline uses: the newest card-presence population's own, else the largest sample; column
  source names it; samples are never pooled). The sources are samples: hn5318-cards (758 cards, 2024) and hfco2 (44, 2023). Caveat:
  the score measures what a card covers, not whether it is true.
fragment: g.mark=bar&g.x_column=score_from&g.x_type=ordinal&g.y_column=cards&g.y_type=quantitative
labels:
  score_from: "Card completeness score (from)"
  cards: "Model cards"
params:
  source: ""
--- */
WITH card_set AS (  -- one set of card texts: the parameter, else the card texts F3 uses (f03_card_completeness)
  SELECT coalesce(nullif((SELECT source FROM p), ''),
                  (SELECT pop.population FROM (SELECT population FROM populations WHERE has_card > 0
                                               ORDER BY date DESC, population LIMIT 1) pop
                    WHERE EXISTS (SELECT 1 FROM cards WHERE source = pop.population)),
                  (SELECT source FROM card_evaluations GROUP BY source ORDER BY sum(cards) DESC, source LIMIT 1)) AS id
)
SELECT
  score_from,
  sum(cards) AS cards,
  round(1.0 * sum(cards) / sum(sum(cards)) OVER (), 4) AS share_of_cards,
  round(1.0 * sum(template_only) / sum(template_only_known), 4) AS share_unfilled_templates,
  (SELECT id FROM card_set) AS source
FROM card_score_bins  -- scored cards per card sample and tenth of the score (build/summaries.py)
WHERE card_score_bins.source = (SELECT id FROM card_set)
GROUP BY score_from
ORDER BY score_from
