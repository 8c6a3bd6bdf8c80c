/* ---
title: "F1 in numbers: how concentrated are downloads and reuse?"
finding: F1
description: >-
  One row of headline numbers. Registry size: the model ids of the paper's HFTorrent clone
  (icse23, 2022-08-15). Downloads: the 30-day download counts one source gives (parameter
  source, default huggingfacer, 2022-07-02; liang2024 gives 2022-10-01, peatmoss and esem2024
  cover only popular models, so their medians are not the registry's): the median, the share of
  models with none, the share of all downloads taken by the top 10, 100 and 1,000 models.
  Reuse: the PeaTMOSS mapping of GitHub repositories to the Hugging Face models they use (2023):
  link rows in the source file (link_rows), links in the dependents table (links),
  distinct repository-model pairs (one pair is listed twice, with two licenses), repositories,
  models, and the share of links that go to the 10 most reused models. Caveat: each source is a different
  snapshot; none covers every model of its day's registry.
params:
  source: huggingfacer
chart: f01_download_share_by_rank
answer: >-
  The paper's clone lists {paper_ids:,} models. In {source} ({observed}) the median model had
  {median_downloads:,} downloads in 30 days, {zero_share:.1%} had none, and the 10 most
  downloaded models took {top10_share:.1%} of all downloads. In PeaTMOSS, {link_rows:,} reuse
  links join {link_repos:,} GitHub repositories to {link_models:,} models, and the 10 most
  reused models take {top10_link_share:.1%} of them.
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
  - id: F1-median-downloads
    claim: Median 30-day downloads per model (huggingfaceR, 2022-07-02)
    cited_in: "computed from the source: huggingfaceR data set models_with_downloads (github.com/farach/huggingfaceR, 2022-07-02)"
    quoted_value: "2"
    column: median_downloads
    format: "{:,}"
    expected: 2
  - id: F1-zero-downloads
    claim: Share of models with zero 30-day downloads (huggingfaceR, 2022-07-02)
    cited_in: "computed from the source: huggingfaceR data set models_with_downloads (github.com/farach/huggingfaceR, 2022-07-02)"
    quoted_value: 30.9%
    column: zero_share
    format: "{:.1%}"
    expected: 0.309
  - id: F1-reuse-links
    claim: Reuse links in the PeaTMOSS mapping
    cited_in: "PeaTMOSS artifact (Jiang et al., MSR 2024, arXiv:2402.00699; github.com/PurdueDualityLab/PeaTMOSS-Artifact)"
    quoted_value: 22,861 links between 7,956 GitHub repositories and 1,512 models
    column: link_rows
    format: "{:,}"
    expected: 22861
  - id: F1-top10-link-share
    claim: Share of reuse links that go to the 10 most reused models (PeaTMOSS)
    cited_in: "computed from the source: PeaTMOSS artifact mapping.csv (Jiang et al., MSR 2024, arXiv:2402.00699; github.com/PurdueDualityLab/PeaTMOSS-Artifact)"
    quoted_value: 32.6%
    column: top10_link_share
    format: "{:.1%}"
    expected: 0.326
--- */
WITH obs AS NOT MATERIALIZED (
  SELECT o.downloads_30d AS n FROM model_observations o
  WHERE o.source = (SELECT source FROM p) AND o.downloads_30d IS NOT NULL
),
stats AS (SELECT count(*) AS models, sum(n) AS total, avg(n = 0) AS zero_share FROM obs),
links AS (
  SELECT model_id, count(*) AS n FROM dependents
  WHERE source = 'peatmoss' AND kind = 'github' GROUP BY model_id
)
SELECT
  (SELECT count(*) FROM models WHERE in_paper_snapshot = 1) AS paper_ids,
  p.source,
  (SELECT snapshot_date FROM sources WHERE id = p.source) AS observed,
  stats.models,
  (SELECT CAST(round(avg(n)) AS INTEGER) FROM
     (SELECT n FROM obs ORDER BY n LIMIT 2 - (SELECT models FROM stats) % 2
      OFFSET ((SELECT models FROM stats) - 1) / 2)) AS median_downloads,
  round(stats.zero_share, 4) AS zero_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 10)) AS top10_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 100)) AS top100_share,
  (SELECT round(1.0 * sum(n) / stats.total, 4) FROM (SELECT n FROM obs ORDER BY n DESC LIMIT 1000)) AS top1000_share,
  (SELECT json_extract(rows_by_kind, '$.dependents') FROM sources WHERE id = 'peatmoss') AS link_rows,
  (SELECT sum(n) FROM links) AS links,
  (SELECT count(DISTINCT dependent || char(0) || model_id) FROM dependents
    WHERE source = 'peatmoss' AND kind = 'github') AS link_pairs,
  (SELECT count(DISTINCT dependent) FROM dependents WHERE source = 'peatmoss' AND kind = 'github') AS link_repos,
  (SELECT count(*) FROM links) AS link_models,
  (SELECT round(1.0 * sum(n) / (SELECT sum(n) FROM links), 4)
     FROM (SELECT n FROM links ORDER BY n DESC LIMIT 10)) AS top10_link_share
FROM p, stats
