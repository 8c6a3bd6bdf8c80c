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
SELECT
  found_by || coalesce('  vs  ' || compared_with, '') || ' (' || kind || ')' AS comparison,
  found_by, compared_with, kind, links, common_dependents, links_on_common, confirmed, confirmed_share
FROM dependent_method_overlaps  -- the methods compared pairwise by the builder (build/summaries.py)
ORDER BY kind, found_by, compared_with
