/* ---
title: "F11: how many models were created each month, and how many of them have a card?"
finding: F11
description: >-
  Models by the month their repository was created, over one registry population (created_at as
  it gives it: parameter population, any source id; default: the newest population with creation
  dates, see the populations table; the trends table has the last full month of each), with how many of
  them had a model card at the snapshot and the share. Growth shows as the line climbing;
  practice as card_share. Caveats: models deleted before the snapshot are not counted; a card
  may have been added long after creation; repositories older than the Hub's creation dates
  (before 2020) carry approximate dates.
fragment: g.mark=line&g.x_column=month&g.x_type=temporal&g.y_column=models&g.y_type=quantitative
labels:
  month: "Month created"
  models: "Models created"
params:
  population: ""
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE created_at > 0 ORDER BY date DESC, population LIMIT 1)) AS id
)
SELECT created_month AS month, sum(models) AS models, sum(has_card * models) AS with_card,
       round(1.0 * sum(has_card * models) / sum(models) FILTER (WHERE has_card IS NOT NULL), 4) AS card_share,
       (SELECT id FROM pop) AS population
FROM observation_counts  -- the population's models counted per creation month (build/summaries.py)
WHERE source = (SELECT id FROM pop) AND created_month IS NOT NULL
GROUP BY 1
ORDER BY 1
