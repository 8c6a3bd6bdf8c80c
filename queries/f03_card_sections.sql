/* ---
title: "F3: which sections do model cards have?"
finding: F3
description: >-
  For each canonical section of a model card (the Hugging Face template, Mitchell et al. 2019
  and the Trainer's generated card; build/cards.py maps each heading to one), how many card
  texts have it with real content, how many only with template filler ("More information
  needed"), and the share of all card texts that have it filled (parameter source; empty =
  every card text). The label puts the rank first so that the chart keeps the order. Headings that map to no canonical section are left out. Caveat: a card may
  give the information without a heading, which this count misses.
fragment: g.mark=bar&g.x_column=share_of_cards&g.x_type=quantitative&g.y_column=ranked_section&g.y_type=ordinal
params:
  source: ""
--- */
WITH chosen AS (
  SELECT model_id, source FROM cards WHERE (SELECT source FROM p) IN ('', source)
),
per_section AS (
  SELECT
    s.canonical AS section,
    count(DISTINCT s.model_id || char(0) || s.source) FILTER (WHERE NOT s.is_filler) AS cards_filled,
    count(DISTINCT s.model_id || char(0) || s.source) FILTER (WHERE s.is_filler) AS cards_filler_only
  FROM card_sections s JOIN chosen c ON c.model_id = s.model_id AND c.source = s.source
  WHERE s.canonical IS NOT NULL
  GROUP BY s.canonical
)
SELECT
  printf('%02d %s', row_number() OVER (ORDER BY cards_filled DESC, section), section) AS ranked_section,
  section, cards_filled, cards_filler_only,
  round(1.0 * cards_filled / (SELECT count(*) FROM chosen), 4) AS share_of_cards
FROM per_section
ORDER BY cards_filled DESC, section
