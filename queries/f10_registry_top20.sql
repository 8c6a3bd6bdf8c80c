/* ---
title: "F10: top-20 downloads of Hugging Face models beside npm and PyPI packages (paper Fig. 1)"
finding: F10
description: >-
  The data behind the paper's Figure 1, from its artifact (icse23): the 20 most downloaded
  Hugging Face models (monthly downloads, August 2022), npm packages (weekly downloads, as the
  paper plotted them) and PyPI packages (monthly), by rank. rank is computed from the download
  counts (1 = most downloaded; equal counts share a rank), not taken from the order of the
  artifact's files, which is not sorted everywhere (npm's lodash, 43.6 M a week, is listed 19th
  but is 7th by downloads); listed_at keeps the file's order. One line per registry. Caveat: the
  npm counts are per week, the others per month, exactly as in the paper's figure.
fragment: g.mark=line&g.x_column=rank&g.x_type=ordinal&g.y_column=downloads&g.y_type=quantitative&g.color_column=registry
labels:
  rank: "Rank in its registry"
  downloads: "Downloads (npm per week, others per month)"
  registry: "Registry"
claims:
  - id: F10-distilgpt2
    claim: Monthly downloads of distilgpt2, the top Hugging Face model of Fig. 1
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Fig. 1"
    quoted_value: 16.7 M
    column: by[distilgpt2][downloads]
    format: "{:,}"
    expected: 16700000
    over: {source: "by[distilgpt2][source]"}
  - id: F10-bert-base-uncased
    claim: Monthly downloads of bert-base-uncased (Fig. 1)
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Fig. 1"
    quoted_value: 16.4 M
    column: by[bert-base-uncased][downloads]
    format: "{:,}"
    expected: 16400000
    over: {source: "by[bert-base-uncased][source]"}
  - id: F10-gpt2
    claim: Monthly downloads of gpt2 (Fig. 1)
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Fig. 1"
    quoted_value: 13.1 M
    column: by[gpt2][downloads]
    format: "{:,}"
    expected: 13100000
    over: {source: "by[gpt2][source]"}
--- */
SELECT package, registry,
  rank() OVER (PARTITION BY registry ORDER BY downloads DESC) AS rank,
  downloads, period, rank AS listed_at, source
FROM registry_downloads
WHERE figure = 'top20'
ORDER BY registry, 3, package
