"""Liang et al. 2024 (Weixin-Liang/AI-model-card-analysis-HuggingFace): Hub metadata of 74,970 models (model_info.parquet)."""

from __future__ import annotations

import sys

import pyarrow.parquet as pq
from tqdm import tqdm

from scripts.importers.common import InputError, Run, _int, checked_model_id, iso_datetime, observed_date


def import_source(run: Run, source: dict) -> None:
    path = run.path(source, "data/model_info.parquet")
    columns = ["modelId", "author", "creation_time", "downloads", "has_modelcard", "task_category", "task_domain"]
    parquet = pq.ParquetFile(path)
    missing = set(columns) - set(parquet.schema_arrow.names)
    if missing:
        raise InputError(path, None, None, f"missing columns {sorted(missing)}")
    observed, row_no = observed_date(source), 0
    with tqdm(total=parquet.metadata.num_rows, desc="liang2024 model_info.parquet", unit=" rows",
              file=sys.stderr, disable=not run.progress, leave=False) as bar:
        for batch in parquet.iter_batches(batch_size=16384, columns=columns):
            for row in batch.to_pylist():
                row_no += 1
                run.write(source, "models", {
                    "model_id": checked_model_id(row["modelId"], path, f"row {row_no}", "modelId"),
                    "observed": observed,
                    "author": row["author"],
                    "created_at": iso_datetime(row["creation_time"], path, f"row {row_no}", "creation_time"),
                    "downloads_30d": _int(row["downloads"], path, f"row {row_no}", "downloads"),
                    "has_card": row["has_modelcard"],
                    # 'unknown' is the study's label for "the Hub shows no task"
                    "pipeline_tag": None if row["task_category"] == "unknown" else row["task_category"],
                    "extra": {"task_domain": row["task_domain"]},
                })
            bar.update(batch.num_rows)
