/* ---
title: "F12: are Hugging Face's defenses adopted? (verified organizations, signed commits, malware scans)"
finding: F12
description: >-
  The paper's Table IV measured three defenses on the Hub of August 2022: verified
  organizations, repositories with signed commits and malware-scan flags. None of them is in
  the offline research artifacts, so those rows have no value here and say so; the live miner
  (scripts/mine_hub.py) could fill them from the Hub API (organization verification, the
  commit list's signatures, the security-scan status of repository files). One access-control
  measure the sources do hold is shown for context: the share of models that are gated
  (access on request), from the sources that record it (the 2025 Mistral-Small family and any
  live mining run).
answer: >-
  Not measurable from these sources: none of the offline artifacts records verified
  organizations, signed commits or malware scans (the paper found {by[verified organizations][paper_value]}
  organizations verified and {by[signed commits][paper_value]} repositories with signed commits);
  of the {by[gated models][models]:,} models whose access state is known here,
  {by[gated models][value]:,} are gated.
claims:
  - id: F12-verified-organizations
    claim: Share of organizations that are verified
    cited_in: paper (Jiang et al., ICSE 2023), Table IV
    quoted_value: 199 of 6,243 organizations (3.19%)
    column: by[verified organizations][value]
    expected: 0.0319
    note: The live miner could read each organization's verification status from the Hub API.
  - id: F12-signed-commits
    claim: Share of model repositories with signed commits
    cited_in: paper (Jiang et al., ICSE 2023), Table IV
    quoted_value: 132 of 63,182 repositories (0.21%)
    column: by[signed commits][value]
    expected: 0.0021
    note: The live miner could read commit signatures from each repository's commit list.
  - id: F12-malware
    claim: Packages flagged by a malware scan
    cited_in: paper (Jiang et al., ICSE 2023), Table IV
    quoted_value: ClamAV flagged zero packages
    column: by[malware-scan flags][value]
    expected: 0
    note: The live miner could read the Hub's security-scan status of each repository's files.
--- */
SELECT 'verified organizations' AS defense, NULL AS value, NULL AS models,
       '199 of 6,243 (3.19%)' AS paper_value,
       'not measurable from these sources; the live miner could read organization verification from the Hub API' AS note
UNION ALL
SELECT 'signed commits', NULL, NULL, '132 of 63,182 (0.21%)',
       'not measurable from these sources; the live miner could read commit signatures from the Hub API'
UNION ALL
SELECT 'malware-scan flags', NULL, NULL, '0 (ClamAV)',
       'not measurable from these sources; the live miner could read the Hub''s file security scans'
UNION ALL
SELECT 'gated models', sum(gated NOT IN ('false', '0')), count(*), NULL,
       'models whose access state a source records (gated = auto or manual): ' || coalesce(group_concat(DISTINCT source), 'none')
FROM model_observations WHERE gated IS NOT NULL
