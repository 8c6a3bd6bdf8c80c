"""The ICSE 2023 artifact (PurdueDualityLab/ICSE-23-PTM-Artifact): the paper's 2022-08-15 model list and the Figure 1 registry downloads."""

from __future__ import annotations

import re

from scripts.importers.common import InputError, Run, _int, _shown, checked_model_id, observed_date, read_csv


TOP20 = {  # file -> (registry, period): paper Fig. 1 shows monthly HF/PyPI, weekly npm counts
    "data/top_downloads/top20model_downloads.csv": ("huggingface", "month"),
    "data/top_downloads/top20npm_downloads.csv": ("npm", "week"),
    "data/top_downloads/top20pypi_downloads.csv": ("pypi", "month"),
}
# 'transformed packages.csv': HF and PyPI counts are monthly; the npm counts were collected
# from several web lists (the artifact's 'npm list - Sheet1.csv') and state no period.
ALL_PERIOD = {"huggingface": "month", "pypi": "month", "npm": None}


def import_source(run: Run, source: dict) -> None:
    observed, seen = observed_date(source), set()
    files = run.paths(source, r"data/hftorrent_8-15-2022/splitRepoNames/x[a-z]{2}")
    for _, path in run.rows(files, "icse23 splitRepoNames"):
        with open(path, encoding="utf-8", newline="") as f:
            for line_no, line in enumerate(f, 1):
                model_id = line.rstrip("\r\n")
                model_id = checked_model_id(model_id, path, line_no, "model_id")
                if model_id in seen:
                    run.skip(source, "model id listed twice in splitRepoNames")
                    continue
                seen.add(model_id)
                run.write(source, "models", {"model_id": model_id, "observed": observed, "in_paper_snapshot": True})

    for rel, (registry, period) in TOP20.items():
        path = run.path(source, rel)
        (_, header), *rows = read_csv(path, None)  # [index,]package,<monthly|weekly>_downloads
        for rank, (line_no, row) in enumerate(rows, 1):  # rank = order in the file
            if len(row) != len(header):
                raise InputError(path, line_no, None, f"{len(row)} fields, expected {len(header)}")
            run.write(source, "registry_downloads", {
                "registry": registry, "figure": "top20", "package": row[-2], "rank": rank, "period": period,
                "downloads": _int(row[-1], path, line_no, header[-1]),
            })

    path = run.path(source, "data/transformed packages.csv")
    for line_no, row in run.rows(read_csv(path, None), "icse23 transformed packages.csv"):
        if len(row) != 3 or row[2] != "":
            raise InputError(path, line_no, None, "expected 3 fields: downloads,registry,(blank)")
        downloads, registry, _ = row
        if registry not in ALL_PERIOD:
            raise InputError(path, line_no, "registry", f"unknown registry {_shown(registry)}")
        if re.fullmatch(r"\d{1,3}(,\d{3})+", downloads):
            # One npm count is written "141,424,941" (a quoted field). Splitting lines on
            # commas without CSV quoting shows it as a registry "424"; it is one number.
            run.stats[source["id"]]["registry_downloads_thousands_separators_read"] += 1
            downloads = downloads.replace(",", "")
        run.write(source, "registry_downloads", {
            "registry": registry, "figure": "all", "period": ALL_PERIOD[registry],
            "downloads": _int(downloads, path, line_no, "downloads"),
        })
