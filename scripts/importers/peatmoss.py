"""PeaTMOSS (PurdueDualityLab/PeaTMOSS-Artifact): GitHub repository -> model reuse links with licenses, repository licenses, license categories, a download list.

The links carry METHOD, a search of GitHub code for a library's import and its loading call with
the model ids matched in the files found (Jiang et al., "PeaTMOSS", MSR 2024). The artifact does not
name its search tool: its README speaks only of "links between the downstream GitHub repositories
and the PTM models", and Data-Collection/List of signatures and GitHub CLI fields and command.xlsx
lists the signatures (import identifier, method). "sourcegraph" is taken from the follow-up that
searched the same signatures, dulaninw/filter-peatmoss, whose SourceGraphProcessing/script_1.sh runs
`src search "... content:'import <library>' AND <api>\\("` (docs/dependents.md, "Where
`sourcegraph-code-search` comes from").
"""

from __future__ import annotations

import json
import re
from collections import Counter

from build.hubfacts import license_id as hub_license_id
from scripts.importers.common import InputError, Run, _int, _shown, checked_model_id, read_csv

METHOD = "sourcegraph-code-search"


def import_source(run: Run, source: dict) -> None:
    base = "License-Analysis/analyzeIncompatibilities/"
    path = run.path(source, base + "mapping.csv")
    pairs = Counter()
    for line_no, row in run.rows(read_csv(path, None), "peatmoss mapping.csv"):
        if len(row) != 4:
            raise InputError(path, line_no, None, f"{len(row)} fields, expected 4 (github_repo,hf_model_id,hf_model_url,hf_model_license)")
        repo, model_id, _url, model_license = row
        model_id = checked_model_id(model_id, path, line_no, "hf_model_id")
        if not re.fullmatch(r"github\.com/[^/]+/[^/]+", repo):
            raise InputError(path, line_no, "github_repo", f"expected github.com/owner/name, got {_shown(repo)}")
        dependent = repo.removeprefix("github.com/")
        pairs[dependent, model_id] += 1
        run.write(source, "dependents", {
            "model_id": model_id, "kind": "github", "dependent": dependent, "model_license": hub_license_id(model_license),
            "method": METHOD,
        })
    # Every line is kept so the count matches the paper's 22,861 links; a pair listed
    # twice (with two different licenses) is reported here for the builder and readers.
    repeated = sorted(f"{d} -> {m}" for (d, m), n in pairs.items() if n > 1)
    if repeated:
        run.stats[source["id"]]["dependents_distinct_pairs"] = len(pairs)
        run.note(source, f"mapping.csv lists {len(repeated)} repository-model pair(s) on more than one line "
                         f"(different model_license): {', '.join(_shown(r, 120) for r in repeated)}")

    path = run.path(source, base + "all_gh_licenses.json")
    licenses = json.loads(path.read_text(encoding="utf-8"))
    for repo, repo_licenses in run.rows(licenses.items(), "peatmoss all_gh_licenses.json", len(licenses)):
        if repo.count("/") != 1:  # 'mnt', 'identifyLicense.bash': entries of the scanned folder, not repos
            run.skip(source, "all_gh_licenses.json key is not owner/name")
            continue
        if repo_licenses is not None and not isinstance(repo_licenses, list):
            raise InputError(path, None, repo, "expected a list of license ids or null")
        run.write(source, "repositories", {"repo": repo, "licenses": repo_licenses})

    # The license analysis mapped these ids to its category "other" (GitHub / HF side).
    for rel, kind in (("gh_other.csv", "github"), ("hf_other.csv", "hf")):
        path = run.path(source, base + rel)
        for line_no, row in read_csv(path, None):
            for license_id in row:
                if license_id.strip():
                    run.write(source, "license_categories", {"license_id": license_id.strip(), "category": "other", "type": kind})

    path = run.path(source, "LLM-Pipeline/Accurate_Pipeline/2k_filtered_models.json")
    for model_id, downloads in json.loads(path.read_text(encoding="utf-8")).items():
        run.write(source, "models", {"model_id": model_id, "downloads_30d": _int(downloads, path, None, model_id)})
    run.note(source, "LLM-Pipeline/Accurate_Pipeline/groundTruth.json is byte-identical to "
                     "hf-metadata-extraction's groundTruth.json (same pinned sha256): imported once, there")
