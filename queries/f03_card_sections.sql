/* ---
title: "F3: which sections do model cards have?"
finding: F3
description: >-
  For each canonical section of a model card (the Hugging Face template, Mitchell et al. 2019
  and the Trainer's generated card; build/cards.py maps each heading to one), how many card
  texts have it with real content, how many only with template filler ("More information
  needed"), and the share of all card texts that have it filled (parameter source; empty = the card
  texts F3's headline uses: the newest card-presence population's own, else the largest sample;
  column source names it; samples are never pooled). The label puts the rank first so that the chart keeps the order. Headings that map to no canonical section are left out. Caveat: a card may
  give the information without a heading, which this count misses.
fragment: g.mark=bar&g.x_column=share_of_cards&g.x_type=quantitative&g.y_column=ranked_section&g.y_type=ordinal
params:
  source: ""
--- */
WITH card_set AS (  -- one set of card texts: the parameter, else the card texts F3 uses (f03_card_completeness)
  SELECT coalesce(nullif((SELECT source FROM p), ''),
                  (SELECT pop.population FROM (SELECT population FROM populations WHERE has_card > 0
                                               ORDER BY date DESC, population LIMIT 1) pop
                    WHERE EXISTS (SELECT 1 FROM cards WHERE source = pop.population)),
                  (SELECT source FROM card_evaluations GROUP BY source ORDER BY sum(cards) DESC, source LIMIT 1)) AS id
),
per_section AS (  -- card_section_counts, card_evaluations: counted per card sample by the builder (build/summaries.py)
  SELECT section, sum(cards_filled) AS cards_filled, sum(cards_filler_only) AS cards_filler_only
  FROM card_section_counts WHERE source = (SELECT id FROM card_set)
  GROUP BY section
)
SELECT
  printf('%02d %s', row_number() OVER (ORDER BY cards_filled DESC, section), section) AS ranked_section,
  section, cards_filled, cards_filler_only,
  round(1.0 * cards_filled / (SELECT sum(cards) FROM card_evaluations WHERE source = (SELECT id FROM card_set)), 4)
    AS share_of_cards,
  (SELECT id FROM card_set) AS source
FROM per_section
ORDER BY cards_filled DESC, section
