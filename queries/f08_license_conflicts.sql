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
  {permissive_link_share:.1%} of the {total_links:,} GitHub reuse links of {link_sources:dated} go to permissively licensed
  models, yet {conflict_links:,} links ({conflict_share:.1%}) put a non-commercial, RAIL or
  share-alike model in a permissively licensed repository, and {unlicensed_repo_share:.1%} of the
  reusing repositories state no license at all.
--- */
WITH matrix AS (  -- links and repositories classified by the builder (build/summaries.py, where the families are defined)
  SELECT * FROM license_matrix
),
flagged AS (
  SELECT *, CAST(model_license_category IN ('NC use only', 'RAIL', 'Other use restrictions', 'Copyleft / SA')
                 AND repository_license = 'permissive' AS INTEGER) AS may_conflict
  FROM matrix
)
SELECT
  model_license_category, repository_license, links,
  round(1.0 * links / sum(links) OVER (PARTITION BY model_license_category), 4) AS share_of_category,
  repositories, models, may_conflict,
  sum(links) OVER () AS total_links,
  round(1.0 * sum(links) FILTER (WHERE model_license_category = 'Permissive / BY') OVER () / sum(links) OVER (), 4)
    AS permissive_link_share,
  sum(links) FILTER (WHERE may_conflict = 1) OVER () AS conflict_links,
  round(1.0 * sum(links) FILTER (WHERE may_conflict = 1) OVER () / sum(links) OVER (), 4) AS conflict_share,
  (SELECT round(1.0 * coalesce(sum(repositories) FILTER (WHERE family = 'no license'), 0) / sum(repositories), 4)
     FROM repository_license_families) AS unlicensed_repo_share,
  (SELECT link_sources FROM github_reuse_totals) AS link_sources
FROM flagged
ORDER BY links DESC, model_license_category, repository_license
