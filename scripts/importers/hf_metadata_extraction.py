"""hf-metadata-extraction (PurdueDualityLab/hf-metadata-extraction): LLM-extracted and hand-labelled card metadata."""

from __future__ import annotations

import json

from scripts.importers.common import Run


def import_source(run: Run, source: dict) -> None:
    for rel, method in (("500ModelResult.json", "llm"), ("groundTruth.json", "manual")):
        path = run.path(source, rel)
        for model_id, fields in json.loads(path.read_text(encoding="utf-8")).items():
            if not isinstance(fields, dict):
                # 124 of the 500 are an error message of the LLM pipeline (quota, 404, parse)
                run.skip(source, f"{rel}: an error message instead of metadata")
                continue
            run.write(source, "extracted_metadata", {"model_id": model_id, "method": method, "fields": fields})
