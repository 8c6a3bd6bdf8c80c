/* ---
title: "F7: which datasets do the most models depend on?"
finding: F7
description: >-
  The top_n (default 20) datasets named by the most models of one named sample (parameter
  sample; default: the source with the most dataset links; column source), from Hub dataset
  tags (dataset:...), the datasets field of card metadata and HFCO2's datasets column. The
  sources that give them are samples (HFCO2 2023, hn5318 2024, the 2025 Mistral family), counted
  apart, never pooled: the counts are small and the ranking reflects the sample. Names are lower-cased; the same
  dataset under two names counts twice. The label puts the rank first.
fragment: g.mark=bar&g.x_column=models&g.x_type=quantitative&g.y_column=ranked_dataset&g.y_type=ordinal
params:
  sample: ""
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
      Dataset links here come from one sample (computed_over; by default the one with the most
      dataset links, HFCO2's CO2-reporting models), not from every model of the registry.
    over: {source: source}
  - id: F7-top-dataset
    claim: The most depended-upon dataset
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Fig. 6"
    quoted_value: Universal Dependencies
    column: dataset
    expected: universal_dependencies
    why: >-
      The paper counted every model of August 2022, when many spaCy and Stanza pipelines were
      trained on Universal Dependencies; the samples here are of 2023-2024. Datasets tied at the
      top are listed in name order; the first is compared.
    over: {source: source}
--- */
WITH chosen AS (
  SELECT coalesce(nullif((SELECT sample FROM p), ''),
                  (SELECT source FROM dataset_models GROUP BY source ORDER BY sum(models) DESC, source LIMIT 1)) AS source
),
per_dataset AS (  -- dataset_models: the models of each source naming each dataset, counted by the builder (build/summaries.py)
  SELECT dataset, models FROM dataset_models WHERE source = (SELECT source FROM chosen)
  ORDER BY models DESC, dataset LIMIT (SELECT top_n FROM p)
)
SELECT
  printf('%0' || length((SELECT top_n FROM p)) || 'd %s',
         row_number() OVER (ORDER BY models DESC, dataset), dataset) AS ranked_dataset,
  dataset, models, (SELECT source FROM chosen) AS source
FROM per_dataset
ORDER BY models DESC, dataset
