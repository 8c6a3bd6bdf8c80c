/* ---
title: "F7: how deep are chains of derived models?"
finding: F7
description: >-
  For every model in the lineage table, the length of its longest chain of base models (1 = a
  direct derivative of a root model), and how many models sit at each depth. Long chains
  spread a base model's flaws and licence terms far downstream. Lineage covers the hn5318 card
  sample (2024) and the 2025 Mistral-Small fine-tune tree; cycles in the data are cut at depth
  20.
fragment: g.mark=bar&g.x_column=depth&g.x_type=ordinal&g.y_column=models&g.y_type=quantitative
--- */
WITH RECURSIVE chain(model_id, depth, path) AS (
  SELECT l.model_id, 1, char(0) || l.base_model_id || char(0) || l.model_id || char(0)
  FROM lineage l
  WHERE NOT EXISTS (SELECT 1 FROM lineage up WHERE up.model_id = l.base_model_id)
  UNION
  SELECT l.model_id, c.depth + 1, c.path || l.model_id || char(0)
  FROM chain c JOIN lineage l ON l.base_model_id = c.model_id
  WHERE c.depth < 20 AND instr(c.path, char(0) || l.model_id || char(0)) = 0
),
deepest AS (SELECT model_id, max(depth) AS depth FROM chain GROUP BY model_id)
SELECT depth, count(*) AS models
FROM deepest GROUP BY depth ORDER BY depth
