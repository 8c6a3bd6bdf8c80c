/* ---
title: "F8: under which licenses are reused models published?"
finding: F8
description: >-
  Reuse links (a GitHub repository that uses a Hugging Face model: PeaTMOSS mapping, 2023) by
  the model's license as PeaTMOSS recorded it for the link, with the license's category
  (Open Future's licenses.csv), the repositories and the models. The top top_n licenses
  (default 15) are shown. Caveat: one repository-model pair is listed twice with two
  licenses in the source file; both links are kept.
fragment: g.mark=bar&g.x_column=links&g.x_type=quantitative&g.y_column=license&g.y_type=nominal
params:
  top_n: 15
claims:
  - id: F8-links-apache
    claim: Reuse links to models licensed apache-2.0 (PeaTMOSS mapping)
    cited_in: "computed from the source: PeaTMOSS artifact mapping.csv (Jiang et al., MSR 2024, arXiv:2402.00699; github.com/PurdueDualityLab/PeaTMOSS-Artifact)"
    quoted_value: "12,417"
    column: by[apache-2.0][links]
    format: "{:,}"
    expected: 12417
    over: {source: link_sources}
  - id: F8-links-mit
    claim: Reuse links to models licensed mit (PeaTMOSS mapping)
    cited_in: "computed from the source: PeaTMOSS artifact mapping.csv (Jiang et al., MSR 2024, arXiv:2402.00699; github.com/PurdueDualityLab/PeaTMOSS-Artifact)"
    quoted_value: "8,161"
    column: by[mit][links]
    format: "{:,}"
    expected: 8161
    over: {source: link_sources}
  - id: F8-links-cc-by-nc
    claim: Reuse links to models licensed cc-by-nc-4.0 (PeaTMOSS mapping)
    cited_in: "computed from the source: PeaTMOSS artifact mapping.csv (Jiang et al., MSR 2024, arXiv:2402.00699; github.com/PurdueDualityLab/PeaTMOSS-Artifact)"
    quoted_value: "480"
    column: by[cc-by-nc-4.0][links]
    format: "{:,}"
    expected: 480
    over: {source: link_sources}
--- */
SELECT license, category, links, repositories, models, share_of_links,
       (SELECT link_sources FROM github_reuse_totals) AS link_sources
FROM reuse_link_licenses  -- the GitHub reuse links grouped by model license (build/summaries.py)
ORDER BY links DESC, license
LIMIT (SELECT top_n FROM p)
