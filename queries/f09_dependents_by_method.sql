/* ---
title: "F9: do the methods that find dependents agree where they overlap?"
finding: F9
description: >-
  Reuse links (a repository or Space that uses a model: the dependents table) by the source and
  method that found them - the PeaTMOSS mapping (a Sourcegraph code search, 2023), the Hub API's Spaces list,
  the code scanner (scripts/scan_code.py), GitHub code search (scripts/mine_github.py) and the
  Spaces code scan (scripts/mine_spaces.py) - compared pairwise on the dependents both methods
  looked at (same kind, repository or Space names compared case-insensitively). links: the
  first method's links; common_dependents: dependents both methods have at least one link for;
  links_on_common: the first method's links on those; confirmed: of those, the links the second
  method found too (same dependent and model id as written); confirmed_share = confirmed /
  links_on_common. A low share means the second method misses links the first reports (or the
  first over-reports). Links that carry no method are labelled "published list". A method
  with no other method of its kind to compare with has one row, compared_with empty.
--- */
WITH links AS (
  SELECT DISTINCT source || ' / ' || coalesce(method, 'published list') AS found_by, kind,
         lower(dependent) AS dependent, model_id
  FROM dependents
),
methods AS (
  SELECT found_by, kind, count(*) AS links FROM links GROUP BY 1, 2
),
pairs AS (
  SELECT a.found_by AS first, b.found_by AS second, a.kind, a.links
  FROM methods a LEFT JOIN methods b ON a.kind = b.kind AND a.found_by != b.found_by
),
common AS (
  SELECT p.first, p.second, p.kind, x.dependent, x.model_id,
         EXISTS (SELECT 1 FROM links z WHERE z.found_by = p.second AND z.kind = p.kind
                 AND z.dependent = x.dependent AND z.model_id = x.model_id) AS confirmed
  FROM pairs p JOIN links x ON x.found_by = p.first AND x.kind = p.kind
  WHERE x.dependent IN (SELECT y.dependent FROM links y WHERE y.found_by = p.second AND y.kind = p.kind)
)
SELECT
  p.first || coalesce('  vs  ' || p.second, '') || ' (' || p.kind || ')' AS comparison,
  p.first AS found_by, p.second AS compared_with, p.kind, p.links,
  count(DISTINCT c.dependent) AS common_dependents,
  count(c.model_id) AS links_on_common,
  coalesce(sum(c.confirmed), 0) AS confirmed,
  round(1.0 * sum(c.confirmed) / nullif(count(c.model_id), 0), 4) AS confirmed_share
FROM pairs p LEFT JOIN common c ON c.first = p.first AND c.second = p.second AND c.kind = p.kind
GROUP BY p.first, p.second, p.kind, p.links
ORDER BY p.kind, p.first, p.second
