"""hn5318/model_card_analysis: 758 model-card texts with their Hub tags, downloads and likes."""

from __future__ import annotations

import json

from build.hubfacts import parse_tags
from scripts.importers.common import InputError, Run, _int, checked_model_id


def import_source(run: Run, source: dict) -> None:
    path = run.path(source, "Dataset/Sample_modelcard/samples_data.json")
    samples = json.loads(path.read_text(encoding="utf-8"))
    for key, sample in run.rows(samples.items(), "hn5318 samples_data.json", len(samples)):
        tags = sample.get("tags") or []
        if not isinstance(tags, list):
            raise InputError(path, None, f"{key}.tags", "expected a list of tags")
        model_id = checked_model_id(sample.get("modelId"), path, None, f"{key}.modelId")
        hub = parse_tags(tags)
        run.write(source, "models", {
            "model_id": model_id, "tags": tags, "license": hub.license,
            "downloads_30d": _int(sample.get("downloads"), path, None, f"{key}.downloads"),
            "likes": _int(sample.get("likes"), path, None, f"{key}.likes"),
        })
        # modelcard_text is the README body without its YAML header; the tags carry the metadata
        if sample.get("modelcard_text"):
            run.write(source, "cards", {"model_id": model_id, "text": sample["modelcard_text"], "tags": tags})
        else:
            run.skip(source, "samples_data.json: empty modelcard_text")
        for base, relation in hub.base_models.items():
            run.write(source, "lineage", {"model_id": model_id, "base_model_id": base, "relation": relation})
