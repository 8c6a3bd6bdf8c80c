/* ---
title: "F7: which datasets do the most models depend on?"
finding: F7
description: >-
  The top_n (default 20) datasets named by the most models, from Hub dataset tags
  (dataset:...), the datasets field of card metadata and HFCO2's datasets column. Those cover
  the card samples (hn5318 2024, HFCO2 2023) and the 2025 Mistral family: a few thousand models,
  so the counts are small and the ranking reflects the samples. Names are lower-cased; the same
  dataset under two names counts twice. The label puts the rank first.
fragment: g.mark=bar&g.x_column=models&g.x_type=quantitative&g.y_column=ranked_dataset&g.y_type=ordinal
params:
  top_n: 20
claims:
  - id: F7-dataset-fanout
    claim: Downstream models of the most depended-upon dataset
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Table IV"
    quoted_value: one dataset has 1,673 downstream PTMs
    column: models
    format: "{:,}"
    expected: 1673
    why: >-
      Dataset links here come only from the sampled card texts, their tags and HFCO2's
      CO2-reporting models, not from every model of the registry.
  - id: F7-top-dataset
    claim: The most depended-upon dataset
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Fig. 6"
    quoted_value: Universal Dependencies
    column: dataset
    expected: universal_dependencies
    why: >-
      The paper counted every model of August 2022, when many spaCy and Stanza pipelines were
      trained on Universal Dependencies; the samples here are of 2023-2024.
--- */
WITH per_dataset AS (  -- dataset_models: the models naming each dataset, counted by the builder (build/summaries.py)
  SELECT dataset, models FROM dataset_models
  ORDER BY models DESC, dataset LIMIT (SELECT top_n FROM p)
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s',
         row_number() OVER (ORDER BY models DESC, dataset), dataset) AS ranked_dataset,
  dataset, models
FROM per_dataset
ORDER BY models DESC, dataset
