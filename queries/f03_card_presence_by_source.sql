/* ---
title: "F3: share of models with a model card, by source"
finding: F3
description: >-
  For every source that records whether a model's repository has a README model card
  (has_card), the models it saw, how many had a card and the share, with the source's date.
  Liang et al. covers the whole registry of about 2022-10-01; the Mistral family of 2025 is a
  single fine-tune tree; a live mining run adds its own row. Caveat: a card may be a one-line
  stub; see the score distribution.
fragment: g.mark=bar&g.x_column=source&g.x_type=nominal&g.y_column=card_share&g.y_type=quantitative
--- */
WITH per_source AS (
  SELECT s.id AS source, s.snapshot_date,
         (SELECT count(*) FROM model_observations o WHERE o.source = s.id AND o.has_card IS NOT NULL) AS models,
         (SELECT count(*) FROM model_observations o WHERE o.source = s.id AND o.has_card = 1) AS with_card
  FROM sources s
)
SELECT source, snapshot_date, models, with_card, round(1.0 * with_card / models, 4) AS card_share
FROM per_source
WHERE models > 0
ORDER BY models DESC
