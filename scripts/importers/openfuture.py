"""Open Future (Open-Future-Foundation/AI-model-licensing): license counts over time and license categories."""

from __future__ import annotations

import csv

from scripts.importers.common import InputError, Run, _int, read_csv


def import_source(run: Run, source: dict) -> None:
    pattern = r"output/(general|filtered)/(\d\d)_(\d\d)_(\d{4})(_categories)?\.csv"
    for match, path in run.paths(source, pattern):
        scope, day, month, year, categories = match.groups()
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for line_no, row in enumerate(rows, 2):
            # Older files say license,count,sum; 27_02_2023 says license,repos,downloads,...
            repos = row.get("repos", row.get("count"))
            downloads = row.get("downloads", row.get("sum"))
            if not row.get("license") or repos is None:
                raise InputError(path, line_no, "license", "expected columns license,count,sum or license,repos,downloads")
            run.write(source, "license_stats", {
                "date": f"{year}-{month}-{day}", "scope": scope, "level": "category" if categories else "license",
                "license": row["license"].strip(),  # category names carry trailing blanks
                "repos": _int(repos, path, line_no, "repos"), "downloads": _int(downloads, path, line_no, "downloads"),
            })
    path = run.path(source, "licenses.csv")
    for line_no, row in read_csv(path, ["license_id", "license", "category", "type"]):
        run.write(source, "license_categories", {
            "license_id": row["license_id"].strip(), "name": row["license"].strip() or None,
            "category": row["category"].strip(), "type": row["type"].strip() or None,
        })
