"""huggingfaceR (farach/huggingfaceR): the models_with_downloads data frame of its .rda file.

The .rda file (R's save() format) is read with the maintained `rdata` package, which converts an
R data.frame (here a tibble) into a pandas DataFrame; data_frame_rows() turns it back into plain
Python values, R's NA as None.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Iterator

from scripts.importers.common import InputError, Run, _int, checked_model_id, observed_date


def read_rda(path: Path) -> dict[str, object]:
    """The objects of an .rda file saved by R's save(): {name: value}, data frames as pandas DataFrames."""
    import rdata  # pandas and xarray come with it: imported only when an .rda file is read

    # A tibble's classes are tbl_df, tbl, data.frame: it is read as the data.frame it is.
    constructors = {**rdata.conversion.DEFAULT_CLASS_MAP,
                    "tbl_df": rdata.conversion.DEFAULT_CLASS_MAP["data.frame"]}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "missing constructor for tbl": handled above
            objects = rdata.read_rda(path, constructor_dict=constructors)
    except Exception as e:  # rdata raises ValueError, NotImplementedError, EOFError... for a bad file
        raise InputError(path, None, None, f"cannot read the R data file: {type(e).__name__}: {e}") from None
    if not isinstance(objects, dict):
        raise InputError(path, None, None, "expected the named objects that save() writes")
    return objects


def data_frame_rows(frame, path: Path) -> Iterator[dict]:
    """Rows of an R data.frame (as rdata gives it) as {column: value}, with Python values and NA as None."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise InputError(path, None, None, f"the R object is not a data.frame (read as {type(frame).__name__})")
    columns = []
    for name in frame.columns:
        column = frame[name]
        values = column.astype(object).where(column.notna(), None).tolist()
        columns.append([v.item() if hasattr(v, "item") else v for v in values])  # numpy scalars -> Python
    names = [str(name) for name in frame.columns]
    for row in zip(*columns, strict=True):
        yield dict(zip(names, row))


def import_source(run: Run, source: dict) -> None:
    path = run.path(source, "data/models_with_downloads.rda")
    objects = read_rda(path)
    if "models_with_downloads" not in objects:
        raise InputError(path, None, None, f"no object models_with_downloads (found {sorted(objects)})")
    frame = objects["models_with_downloads"]
    expected = ["model", "downloads", "task", "sha", "private"]
    columns = [str(c) for c in getattr(frame, "columns", [])]
    if columns != expected:
        raise InputError(path, None, None, f"columns are {columns}, expected {expected}")
    observed = observed_date(source)
    for i, row in enumerate(run.rows(data_frame_rows(frame, path), "huggingfacer .rda", len(frame)), 1):
        run.write(source, "models", {
            "model_id": checked_model_id(row["model"], path, f"row {i}", "model"), "observed": observed,
            "sha": row["sha"], "private": row["private"],
            "downloads_30d": _int(row["downloads"], path, f"row {i}", "downloads"),
            "pipeline_tag": row["task"] or None,
        })
