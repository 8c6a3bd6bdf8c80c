"""ESEM 2024 (PurdueDualityLab/ptm-quantify-esem-2024): downloads of the PeaTMOSS_ANCIENT models and descendant counts."""

from __future__ import annotations

import sqlite3

from scripts.importers.common import InputError, Run, _int, checked_model_id, read_csv


def import_source(run: Run, source: dict) -> None:
    path = run.path(source, "data/PeaTMOSS_ANCIENT.db")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        rows = db.execute("SELECT modelId, downloads_last_month FROM PeaTMOSS_ANCIENT ORDER BY rowid").fetchall()
    except sqlite3.Error as e:
        raise InputError(path, None, None, f"cannot read table PeaTMOSS_ANCIENT(modelId, downloads_last_month): {e}") from None
    finally:
        db.close()
    for i, (model_id, downloads) in enumerate(run.rows(rows, "esem2024 PeaTMOSS_ANCIENT.db"), 1):
        model_id = checked_model_id(model_id, path, f"row {i}", "modelId")
        run.write(source, "models", {"model_id": model_id, "downloads_30d": _int(downloads, path, f"row {i}", "downloads_last_month")})

    path = run.path(source, "research_quantitative-analysis-of-hf-main/src/data/number_of_direct_descendant_models_per_download.csv")
    for line_no, row in read_csv(path, ["downloads", "count"]):
        run.write(source, "descendant_counts", {
            "downloads": _int(row["downloads"], path, line_no, "downloads"),
            "descendants": _int(row["count"], path, line_no, "count"),
        })
