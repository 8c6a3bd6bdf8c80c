/* ---
title: "F2 in numbers: do GitHub projects reuse the most downloaded models?"
finding: F2
description: >-
  Popularity (30-day downloads over one registry population: parameter population, any source
  id; default: the newest population with download counts and card presence, see the populations
  table) against reuse (GitHub repositories that name the model in code: PeaTMOSS,
  2023). Columns: models with a download count; how many of them are reused by at least one
  repository; Spearman's rank correlation of downloads and dependent repositories among the
  reused models (Pearson's correlation of the average ranks, the textbook definition when values
  are tied, as scipy.stats.spearmanr computes it; dependent counts are heavily tied, so the
  no-ties shortcut 1 - 6 sum(d^2) / (n (n^2 - 1)) would overstate it); the share of all reuse
  links that go to the 100 most downloaded models; how many of those 100 are reused at all; and
  the share of reused and of other models that have a model card, over the same population's
  models (its own has_card: whether its repository had a README). Caveats: downloads and links were observed about a year apart; links found by code
  search miss reuse that does not name the model.
params:
  population: ""
chart: f02_reuse_by_popularity
answer: >-
  {reused_top100} of the 100 most downloaded models in {population} ({observed}) are
  reused by GitHub projects, and they receive {top100_link_share:.1%} of all {links:,} reuse
  links of {link_sources:dated}; among the {reused_models:,} reused models, downloads and dependent repositories have a
  rank correlation of {spearman:.2f}. {card_share_reused:.1%} of reused models have a model
  card, against {card_share_other:.1%} of the models no GitHub project was found reusing (over the
  {card_models:,} models of {population} that say whether they have one).
--- */
WITH pop AS (
  SELECT coalesce(nullif((SELECT population FROM p), ''),
                  (SELECT population FROM populations WHERE downloads > 0 AND has_card > 0 ORDER BY date DESC, population LIMIT 1)) AS id
),
spearman AS (  -- reuse_rank_correlations, github_reuse_totals, observation_counts: build/summaries.py
  SELECT spearman AS rho FROM reuse_rank_correlations WHERE source = (SELECT id FROM pop)
),
top100 AS (
  SELECT o.model_id, (SELECT count(*) FROM dependents d WHERE d.model_id = o.model_id AND d.kind = 'github') AS links
  FROM model_observations o
  WHERE o.source = (SELECT id FROM pop) AND o.downloads_30d IS NOT NULL
  ORDER BY o.downloads_30d DESC LIMIT 100
),
all_links AS (SELECT link_rows AS n, link_sources FROM github_reuse_totals)
SELECT
  (SELECT id FROM pop) AS population,
  coalesce((SELECT date FROM populations WHERE population = (SELECT id FROM pop)),
           (SELECT snapshot_date FROM sources WHERE id = (SELECT id FROM pop))) AS observed,
  (SELECT coalesce(sum(models), 0) FROM observation_counts
    WHERE source = (SELECT id FROM pop) AND download_digits IS NOT NULL) AS models,
  coalesce((SELECT reused_models FROM reuse_rank_correlations WHERE source = (SELECT id FROM pop)), 0) AS reused_models,
  (SELECT round(rho, 3) FROM spearman) AS spearman,
  all_links.n AS links, all_links.link_sources,
  (SELECT round(1.0 * sum(links) FILTER (WHERE links > 0) / all_links.n, 4) FROM top100) AS top100_link_share,
  (SELECT count(*) FROM top100 WHERE links > 0) AS reused_top100,
  round(cards.reused, 4) AS card_share_reused,
  round(cards.other, 4) AS card_share_other,
  cards.models AS card_models, cards.reused_models AS card_models_reused
FROM all_links,
  (SELECT 1.0 * sum(has_card * models) FILTER (WHERE reused_by_at_least > 0)
            / sum(models) FILTER (WHERE reused_by_at_least > 0) AS reused,
          1.0 * sum(has_card * models) FILTER (WHERE reused_by_at_least = 0)
            / sum(models) FILTER (WHERE reused_by_at_least = 0) AS other,
          coalesce(sum(models), 0) AS models,
          coalesce(sum(models) FILTER (WHERE reused_by_at_least > 0), 0) AS reused_models
   FROM observation_counts
   WHERE source = (SELECT id FROM pop) AND has_card IS NOT NULL) AS cards
