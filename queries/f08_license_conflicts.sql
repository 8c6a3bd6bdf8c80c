/* ---
title: "F8: reuse links where the model's license may conflict with the repository's"
finding: F8
description: >-
  Reuse links (PeaTMOSS, 2023) by the model license's category (Open Future's licenses.csv;
  "none stated" where the link has no license) and the reusing GitHub repository's license
  family (from GitHub's license detection in PeaTMOSS: non-commercial if any license is -nc,
  copyleft if any is GPL/AGPL/LGPL/MPL/EPL/EUPL/CeCILL/CC-BY-SA, permissive if any is MIT,
  Apache, BSD, ISC, CC0, Unlicense, zlib, PSF or CC-BY, else other; "no license" where GitHub
  found none). may_conflict marks a coarse screen, not legal advice: a model whose license
  restricts use (non-commercial, RAIL or other use restrictions) or requires share-alike
  (copyleft) reused in a repository that offers its code under a permissive license.
  share_of_category: "Share of the category’s reuse links"
  license family takes (the chart stacks them to 1). The last columns repeat totals over every
  link on each row: all links, the share to permissively licensed models, the links that may
  conflict and their share, and the share of reusing repositories with no license.
fragment: g.mark=bar&g.x_column=model_license_category&g.x_type=nominal&g.y_column=share_of_category&g.y_type=quantitative&g.color_column=repository_license
labels:
  model_license_category: "Model license category"
  share_of_category: "Share of the category’s reuse links"
  repository_license: "Reusing repository’s license"
answer: >-
  {permissive_link_share:.1%} of the {total_links:,} reuse links go to permissively licensed
  models, yet {conflict_links:,} links ({conflict_share:.1%}) put a non-commercial, RAIL or
  share-alike model in a permissively licensed repository, and {unlicensed_repo_share:.1%} of the
  reusing repositories state no license at all.
--- */
WITH repo_family AS MATERIALIZED (
  SELECT d.dependent AS repo,
         CASE WHEN r.repo IS NULL THEN 'not checked'
              WHEN count(j.value) = 0 THEN 'no license'
              WHEN max(j.value LIKE '%-nc%' OR j.value LIKE '%non-commercial%') THEN 'non-commercial'
              WHEN max(j.value LIKE '%gpl%' OR j.value LIKE 'mpl%' OR j.value LIKE 'epl%' OR j.value LIKE 'eupl%'
                       OR j.value LIKE 'cecill%' OR j.value LIKE 'cc-by-sa%' OR j.value LIKE '%copyleft%') THEN 'copyleft'
              WHEN max(j.value LIKE 'mit%' OR j.value LIKE 'apache%' OR j.value LIKE 'bsd%' OR j.value LIKE 'psf%'
                       OR j.value LIKE 'cc-by-_._' OR j.value IN ('isc', 'unlicense', 'zlib', 'cc0-1.0', 'other-permissive'))
                THEN 'permissive'
              ELSE 'other' END AS family
  FROM (SELECT DISTINCT dependent FROM dependents WHERE kind = 'github') d
  LEFT JOIN repositories r ON r.repo = d.dependent
  LEFT JOIN json_each(r.licenses) j
  GROUP BY d.dependent
),
matrix AS (
  SELECT
    coalesce(lc.category, CASE WHEN d.model_license IS NULL THEN 'none stated' ELSE 'uncategorized' END)
      AS model_license_category,
    f.family AS repository_license,
    count(*) AS links, count(DISTINCT d.dependent) AS repositories, count(DISTINCT d.model_id) AS models
  FROM repo_family f
  CROSS JOIN dependents d ON d.dependent = f.repo AND d.kind = 'github'
  LEFT JOIN license_categories lc ON lc.license_id = d.model_license AND lc.source = 'openfuture'
  GROUP BY 1, 2
),
flagged AS (
  SELECT *, model_license_category IN ('NC use only', 'RAIL', 'Other use restrictions', 'Copyleft / SA')
              AND repository_license = 'permissive' AS may_conflict
  FROM matrix
)
SELECT
  model_license_category, repository_license, links,
  round(1.0 * links / sum(links) OVER (PARTITION BY model_license_category), 4) AS share_of_category,
  repositories, models, may_conflict,
  sum(links) OVER () AS total_links,
  round(1.0 * sum(links) FILTER (WHERE model_license_category = 'Permissive / BY') OVER () / sum(links) OVER (), 4)
    AS permissive_link_share,
  sum(links) FILTER (WHERE may_conflict) OVER () AS conflict_links,
  round(1.0 * sum(links) FILTER (WHERE may_conflict) OVER () / sum(links) OVER (), 4) AS conflict_share,
  (SELECT round(avg(family = 'no license'), 4) FROM repo_family) AS unlicensed_repo_share
FROM flagged
ORDER BY links DESC
