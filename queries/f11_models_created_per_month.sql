/* ---
title: "F11: how many models were created each month, and how many of them have a card?"
finding: F11
description: >-
  Models by the month their repository was created (created_at as one source gives it:
  parameter source, default liang2024, whose snapshot ends about 2022-10-01), with how many of
  them had a model card at the snapshot and the share. Growth shows as the line climbing;
  practice as card_share. Caveats: models deleted before the snapshot are not counted; a card
  may have been added long after creation; repositories older than the Hub's creation dates
  (before 2020) carry approximate dates.
fragment: g.mark=line&g.x_column=month&g.x_type=temporal&g.y_column=models&g.y_type=quantitative
labels:
  month: "Month created"
  models: "Models created"
params:
  source: liang2024
--- */
SELECT substr(created_at, 1, 7) AS month, count(*) AS models,
       sum(has_card) AS with_card, round(avg(has_card), 4) AS card_share
FROM model_observations
WHERE source = (SELECT source FROM p) AND created_at IS NOT NULL
GROUP BY 1
ORDER BY 1
