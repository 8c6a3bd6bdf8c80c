/* ---
title: "F7: how many direct descendants do models have? (ESEM 2024)"
finding: F7
description: >-
  The ESEM 2024 artifact ("What do we know about Hugging Face?", PeaTMOSS 2023 data) counts,
  for 3,471 models that have at least one, their direct descendant (fine-tuned) models, with
  the model's downloads but not its id. Models grouped by that count (1, 2-4, 5-9, 10-49,
  50-99, 100 or more: descendants_at_least is the group's lower bound), with the descendants
  they account for and the most downloaded model of the group. A few base models carry most descendants. Caveat: no model ids, so these cannot
  be joined to the other tables.
fragment: g.mark=bar&g.x_column=descendants_at_least&g.x_type=ordinal&g.y_column=models&g.y_type=quantitative
--- */
SELECT
  CASE WHEN descendants < 2 THEN 1 WHEN descendants < 5 THEN 2 WHEN descendants < 10 THEN 5
       WHEN descendants < 50 THEN 10 WHEN descendants < 100 THEN 50 ELSE 100 END AS descendants_at_least,
  CASE WHEN descendants < 2 THEN 1 WHEN descendants < 5 THEN 4 WHEN descendants < 10 THEN 9
       WHEN descendants < 50 THEN 49 WHEN descendants < 100 THEN 99 END AS descendants_at_most,
  count(*) AS models,
  sum(descendants) AS descendants,
  round(1.0 * sum(descendants) / (SELECT sum(descendants) FROM descendant_counts), 4) AS share_of_descendants,
  max(downloads) AS max_downloads
FROM descendant_counts
GROUP BY 1
ORDER BY 1
