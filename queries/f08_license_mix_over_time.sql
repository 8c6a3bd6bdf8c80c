/* ---
title: "F8: which licenses do model repositories carry, over time? (Open Future counts)"
finding: F8
description: >-
  Open Future Foundation's counts of Hugging Face model repositories per license at five
  dates (2022-09-27 to 2023-02-27), grouped by license category (parameter level: category,
  default, or license), for all repositories (parameter scope: general, default) or only those
  with more than 30 cumulative downloads (filtered; no filtered count on 2023-02-27), with each
  group's share of the licensed repositories and of their downloads. Caveat: repositories
  without a license are not in these counts (about 70% of the registry; see F6).
fragment: g.mark=bar&g.x_column=date&g.x_type=ordinal&g.y_column=repos&g.y_type=quantitative&g.color_column=license
params:
  scope: general
  level: category
--- */
SELECT date, license, repos, round(1.0 * repos / sum(repos) OVER (PARTITION BY date), 4) AS share_of_repos,
       downloads, round(1.0 * downloads / sum(downloads) OVER (PARTITION BY date), 4) AS share_of_downloads
FROM license_stats
WHERE scope = (SELECT scope FROM p) AND level = (SELECT level FROM p)
ORDER BY date, repos DESC
