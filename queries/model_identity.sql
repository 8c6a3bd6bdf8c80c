/* ---
title: "Model identity: which ids were merged into one model, and why"
finding: extra
description: >-
  Every alias of the model_aliases table (build/identity.py): the id as a source spelled it,
  the canonical id it was merged into, the reason (hub redirect: the Hub API redirected it;
  namespace move: a legacy id without owner whose name an organisation took over, as the sources'
  dates show; case: ids that differ only by letter case, which the Hub matches
  case-insensitively) and the evidence, with the sources that name the old id. Then the names
  that are not Hub ids (an id without owner that no registry population lists, such as HFCO2's
  `en_lg` or spaCy package names in code): counted by source, flagged models.is_hub_id = 0 and
  left out of every model count (parameter reason: one reason, or empty for all).
params:
  reason: ""
--- */
SELECT 'merged' AS kind, a.reason, a.old_id, a.new_id, a.source, a.observed, a.evidence, NULL AS names
FROM model_aliases a
WHERE (SELECT reason FROM p) IN ('', a.reason)
UNION ALL
SELECT 'not a Hub id', 'no owner and no registry population lists it', NULL, NULL, j.value, NULL,
       'ids without owner that no registry population lists; e.g. ' || min(m.model_id), count(*)
FROM models m, json_each(m.seen_in) j
WHERE m.is_hub_id = 0 AND (SELECT reason FROM p) IN ('', 'not a Hub id')
GROUP BY j.value
ORDER BY 1, 2, 3, 5
