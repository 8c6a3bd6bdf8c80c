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
SELECT depth, models
FROM lineage_depths  -- every model's longest chain of base models, followed by the builder (build/summaries.py)
ORDER BY depth
