/* ---
title: "F1 in numbers: how concentrated are downloads and reuse?"
finding: F1
description: >-
  One row of headline numbers, each over one named population or sample. Registry size: the
  model ids of the paper's HFTorrent clone (icse23, 2022-08-15), and the Hub models of the
  newest registry population (models). Downloads: over one registry population (parameter
  population, any source id; default: the newest population with download counts, see the
  populations table): the models with a count (the denominator), the median, the share with
  none, the share of all downloads taken by the top 10, 100 and 1,000 models. Reuse: the GitHub
  repository -> model links of the dependents table (the PeaTMOSS mapping of 2023 in the default
  build; link_sources names the sources): link rows (counted here, in the table), distinct
  repository-model pairs (PeaTMOSS lists one pair twice, with two licenses), repositories,
  models, and the share of links that go to the 10 most reused models. The 2022 per-population
  figures are in f01_downloads_by_population. Caveat: no population covers every model of its
  day's registry, and links found by code search miss reuse that does not name the model.
params:
  population: ""
chart: f01_download_share_by_rank
answer: >-
  {paper_sentence}Over the {models:,} models of {population}
  ({observed}), the median 30-day download count was {median_downloads:,}, {zero_share:.2%} had
  none, and the 10 most downloaded models took {top10_share:.1%} of all downloads. {reuse_sentence}
claims:
  - id: F1-registry-size
    claim: Model repositories in the paper's snapshot of the Hub (August 2022)
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074)"
    quoted_value: 63,182 repositories cloned (186 failed)
    column: paper_ids
    format: "{:,}"
    expected: 63182
    why: >-
      The artifact's id list (63,367) names every repository the clone attempted, including
      those that failed; the paper counts the 63,182 that were cloned.
    over: {source: "=icse23"}
  - id: F1-reuse-links
    claim: Reuse links in the PeaTMOSS mapping
    cited_in: "PeaTMOSS artifact (Jiang et al., MSR 2024, arXiv:2402.00699; github.com/PurdueDualityLab/PeaTMOSS-Artifact)"
    quoted_value: 22,861 links between 7,956 GitHub repositories and 1,512 models
    column: link_rows
    format: "{:,}"
    expected: 22861
    over: {source: link_sources}
  - id: F1-top10-link-share
    claim: Share of reuse links that go to the 10 most reused models (PeaTMOSS)
    cited_in: "computed from the source: PeaTMOSS artifact mapping.csv (Jiang et al., MSR 2024, arXiv:2402.00699; github.com/PurdueDualityLab/PeaTMOSS-Artifact)"
    quoted_value: 32.6%
    column: top10_link_share
    format: "{:.1%}"
    expected: 0.326
    note: >-
      Over the links as this database joins them to canonical model ids (build/identity.py):
      a legacy id and its namespaced successor count as one model.
    over: {source: link_sources, n: link_rows, unit: GitHub reuse links}
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
obs AS NOT MATERIALIZED (
  SELECT o.downloads_30d AS n FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.downloads_30d IS NOT NULL
),
stats AS (  -- observation_counts, download_medians: the population counted by the builder (build/summaries.py)
  SELECT coalesce(sum(models), 0) AS models, sum(downloads) AS total, 1.0 * sum(zero_downloads) / sum(models) AS zero_share
  FROM observation_counts WHERE source = (SELECT id FROM pop) AND download_digits IS NOT NULL
),
reuse AS (  -- github_reuse_totals: every GitHub reuse link, counted by the builder
  SELECT link_rows, link_pairs, link_repos, link_models, link_sources, top10_link_share FROM github_reuse_totals
)
SELECT
  nullif((SELECT count(*) FROM models WHERE in_paper_snapshot = 1), 0) AS paper_ids,
  CASE WHEN EXISTS (SELECT 1 FROM models WHERE in_paper_snapshot = 1)
       THEN (SELECT printf('The paper''s clone (%s, %s) lists %,d models. ', s.id, s.snapshot_date,
                           (SELECT count(*) FROM models WHERE in_paper_snapshot = 1))
             FROM sources s WHERE s.id = (SELECT o.source FROM model_observations o WHERE o.in_paper_snapshot = 1 LIMIT 1))
       ELSE '' END AS paper_sentence,
  pop.id AS population,
  coalesce((SELECT date FROM populations WHERE population = pop.id),
           (SELECT snapshot_date FROM sources WHERE id = pop.id)) AS observed,
  nullif(stats.models, 0) AS models,
  (SELECT median_downloads FROM download_medians WHERE source = pop.id) AS median_downloads,
  round(stats.zero_share, 4) AS zero_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 10)) AS top10_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 100)) AS top100_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 1000)) AS top1000_share,
  reuse.*,
  CASE WHEN reuse.link_rows > 0 THEN printf(
    'In the GitHub reuse links of %s, %,d links join %,d repositories to %,d models, and the 10 most reused models take %.1f%% of them.',
    (SELECT group_concat(s.id || ' (' || CASE WHEN s.snapshot_date GLOB '[0-9][0-9][0-9][0-9]*' THEN s.snapshot_date
                                              ELSE 'date not stated' END || ')', ', ') FROM sources s
      WHERE instr(', ' || reuse.link_sources || ', ', ', ' || s.id || ', ') > 0),
    reuse.link_rows, reuse.link_repos, reuse.link_models, 100 * reuse.top10_link_share)
  ELSE 'No source in this database gives GitHub reuse links, so reuse concentration is not measured.' END AS reuse_sentence
FROM pop, stats, reuse
