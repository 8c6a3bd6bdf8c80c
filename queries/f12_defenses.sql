/* ---
title: "F12: are Hugging Face's defenses adopted? (verified organizations, signed commits, malware scans)"
finding: F12
description: >-
  The paper's Table IV measured three defenses on the Hub of August 2022: verified organizations,
  repositories with signed commits and malware-scan flags. None of them is in the offline research
  artifacts. A live mining run (scripts/mine_hub.py) records two of them for a documented sample
  (docs/mining.md): the Hub's security scan status of each sampled repository
  (HfApi.model_info(securityStatus=True)) and whether each sampled author is a verified organization
  (HfApi.get_organization_overview). Shares are computed over the random part of the newest run's
  sample only (a simple random sample of the models, or authors, that run listed), with n and a 95%
  Wilson interval; the most downloaded models, also asked, are a census of the top and not mixed in.
  Signed commits: the Hub API does not report commit signatures (huggingface_hub's GitCommitInfo has
  none), so that row has no value. The paper's own figures are quotations, kept only in the
  replication table (paper_claims, finding F12), never typed into this query. For context, how many
  models are gated (access on request), over every observation that records an access state, with
  a 95% Wilson interval, the sources named, and whether they are all one model's family tree picked
  by hand (a source whose lineage has a single root model), which says nothing of the registry.
answer: >-
  Verified organizations: {by[verified organizations][summary]}. Malware-scan flags:
  {by[malware-scan flags][summary]}. Signed commits: {by[signed commits][summary]}. Gating, for
  context: {by[gated models][summary]}.
claims:
  - id: F12-verified-organizations
    claim: Share of organizations that are verified
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Table IV"
    quoted_value: 199 of 6,243 organizations (3.19%)
    column: by[verified organizations][value]
    format: "{:.2%}"
    expected: 0.0319
    why: >-
      The paper counted every organization of August 2022; the value here is a random sample of the
      authors a mining run listed (see the query's n and interval), on a later Hub.
    note: Measured by the live miner on a random sample of authors (HfApi.get_organization_overview).
  - id: F12-signed-commits
    claim: Share of model repositories with signed commits
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Table IV"
    quoted_value: 132 of 63,182 repositories (0.21%)
    column: by[signed commits][value]
    expected: 0.0021
    note: >-
      The Hub API gives nothing about commit signatures (the commit list of HfApi.list_repo_commits
      has no signature field), so neither the sources nor the miner can measure it.
  - id: F12-malware
    claim: Packages flagged by a malware scan
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Table IV"
    quoted_value: ClamAV flagged zero packages
    column: by[malware-scan flags][value]
    format: "{:.2%}"
    expected: 0
    tolerance: 0
    why: >-
      The paper ran ClamAV over 2022 packages; the value here is the share of a random sample of
      today's repositories with a file the Hub's own scanners (ClamAV and pickle import scans among
      them) report an issue for.
    note: Measured by the live miner on a random sample of models (model_info securityStatus).
--- */
WITH
z AS (SELECT 1.959963984540054 AS z),  -- 95% two-sided normal quantile
authors_run AS (  -- the newest source with author answers
  SELECT source, max(observed) AS observed FROM authors GROUP BY source ORDER BY observed DESC LIMIT 1),
author_sample AS (
  SELECT a.* FROM authors a JOIN authors_run r ON a.source = r.source
  WHERE EXISTS (SELECT 1 FROM json_each(a.sample) WHERE value = 'random')),
orgs AS (
  SELECT (SELECT source FROM authors_run) AS source, count(*) AS sampled,
         sum(is_organization = 1) AS organizations,
         sum(is_organization = 1 AND is_verified IS NOT NULL) AS n,
         sum(is_organization = 1 AND is_verified = 1) AS x
  FROM author_sample),
scans_run AS (
  SELECT source, max(observed) AS observed FROM security_scans GROUP BY source ORDER BY observed DESC LIMIT 1),
scans AS (
  SELECT (SELECT source FROM scans_run) AS source, count(*) AS sampled,
         sum(scans_done = 1) AS n,
         sum(scans_done = 1 AND files_with_issues IS NOT NULL AND files_with_issues <> '{}') AS x
  FROM security_scans s JOIN scans_run r ON s.source = r.source
  WHERE EXISTS (SELECT 1 FROM json_each(s.sample) WHERE value = 'random')),
wilson AS (
  SELECT 'verified organizations' AS defense, source, sampled, n, x, organizations FROM orgs
  UNION ALL
  SELECT 'malware-scan flags', source, sampled, n, x, NULL FROM scans),
shares AS (
  SELECT w.*, 1.0 * x / n AS p,
         (1.0 * x / n + z * z / (2.0 * n)) / (1 + z * z / n) AS center,
         z * sqrt((1.0 * x / n) * (1 - 1.0 * x / n) / n + z * z / (4.0 * n * n)) / (1 + z * z / n) AS half
  FROM wilson w, z WHERE n > 0),
family_samples AS (  -- sources whose lineage is one model's family tree (a single root): hand-picked
  SELECT source FROM lineage_sources WHERE family_sample = 1),  -- lineage_sources, gated_counts: build/summaries.py
gated AS (
  SELECT sum(gated) AS x, coalesce(sum(models), 0) AS n,
         coalesce(group_concat(source), 'none') AS sources,
         coalesce(sum(models), 0) > 0
           AND coalesce(sum(models) FILTER (WHERE source NOT IN (SELECT source FROM family_samples)), 0) = 0 AS family
  FROM gated_counts),
gated_share AS (
  SELECT g.*, (1.0 * x / n + z * z / (2.0 * n)) / (1 + z * z / n) AS center,
         z * sqrt((1.0 * x / n) * (1 - 1.0 * x / n) / n + z * z / (4.0 * n * n)) / (1 + z * z / n) AS half
  FROM gated g, z WHERE n > 0)
SELECT 'verified organizations' AS defense,
       s.p AS value, s.n AS models, round(s.center - s.half, 4) AS ci_low, round(s.center + s.half, 4) AS ci_high,
       CASE WHEN s.n IS NULL THEN 'not measurable from these sources (no mining run with author answers)'
            ELSE printf('%d of %d organizations verified (%.1f%%, 95%% Wilson interval %.1f%%-%.1f%%) in a random sample of %d authors, of whom %d are organizations (source %s)',
                        s.x, s.n, 100 * s.p, 100 * (s.center - s.half), 100 * (s.center + s.half),
                        s.sampled, s.organizations, s.source) END AS summary,
       CASE WHEN s.n IS NULL THEN 'not measurable from these sources; a live mining run records it for a random sample of authors'
            ELSE 'sample: a simple random sample of the authors the mining run listed; n = the organizations among them with a verification status' END AS note
FROM (SELECT 1) LEFT JOIN shares s ON s.defense = 'verified organizations'
UNION ALL
SELECT 'signed commits', NULL, NULL, NULL, NULL,
       'not measurable: the Hub API does not report commit signatures',
       'not measurable from these sources, nor from the Hub API (huggingface_hub''s GitCommitInfo has no signature field)'
UNION ALL
SELECT 'malware-scan flags',
       s.p, s.n, round(s.center - s.half, 4), round(s.center + s.half, 4),
       CASE WHEN s.n IS NULL THEN 'not measurable from these sources (no mining run with security scans)'
            ELSE printf('%d of %d scanned repositories have a file the Hub''s scanners flag (%.1f%%, 95%% Wilson interval %.1f%%-%.1f%%) in a random sample of %d models (source %s)',
                        s.x, s.n, 100 * s.p, 100 * (s.center - s.half), 100 * (s.center + s.half),
                        s.sampled, s.source) END,
       CASE WHEN s.n IS NULL THEN 'not measurable from these sources; a live mining run records the Hub''s security scan status for a random sample of models'
            ELSE 'sample: a simple random sample of the models the mining run listed; n = those whose scans are done' END
FROM (SELECT 1) LEFT JOIN shares s ON s.defense = 'malware-scan flags'
UNION ALL
SELECT 'gated models', 1.0 * g.x, g.n,  -- REAL like the shares above (one column type, in DuckDB too)
       round(g.center - g.half, 4), round(g.center + g.half, 4),
       CASE WHEN g.n IS NULL THEN 'no source records an access state'
            ELSE printf('%d of %d models gated (95%% Wilson interval %.1f%%-%.1f%%), from %s%s', g.x, g.n,
                        100 * (g.center - g.half), 100 * (g.center + g.half), g.sources,
                        CASE WHEN g.family THEN ', one model family picked by hand, not the registry' ELSE '' END) END,
       'models whose access state a source records (gated = auto or manual): ' || coalesce(g.sources, 'none')
FROM (SELECT 1) LEFT JOIN gated_share g ON 1 = 1
