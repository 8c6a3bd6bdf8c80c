"""The 2025 Mistral-Small-24B fine-tune family (hamidahoderinwale/model_metadata_analyses).

The CSV holds real Hub model_info records (huggingface_hub ModelInfo saved as JSON). They are read
back with huggingface_hub's ModelInfo and mapped to records by the miner's own mapping
(scripts/hub/records.py), so a model gives the same records whether a study saved it or the miner
listed it: `models`, `lineage` from its tags and card metadata, a `dependents` record per Space.
The records hold no card text: the study saved each card's metadata (`card_data`, kept in the
models record's `extra` as the miner keeps it when it has no text), not its README.md.
"""

from __future__ import annotations

import json

from huggingface_hub.hf_api import ModelInfo

from scripts.hub.records import Card, listing_entry, model_records
from scripts.importers.common import InputError, Run, _int, _literal, observed_date, read_csv


def import_source(run: Run, source: dict) -> None:
    path = run.path(source, "ben-scripts/Mistral-Small-24B-Base-2501_finetunes_20250405_001816.csv")
    header = ["", "model_id", "metadata", "depth", "children", "children_count"]
    edges: dict[tuple[str, str], str | None] = {}
    for line_no, row in read_csv(path, header):
        try:
            info = json.loads(row["metadata"])
        except json.JSONDecodeError as e:
            raise InputError(path, line_no, "metadata", f"invalid JSON: {e.msg}") from None
        if not isinstance(info, dict) or info.get("id") != row["model_id"]:
            raise InputError(path, line_no, "metadata", "its id differs from model_id")
        try:
            model = ModelInfo(**listing_entry(info, _int(row["children_count"], path, line_no, "children_count")))
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(path, line_no, "metadata", f"not a model_info record: {type(e).__name__}: {e}") from None
        for kind, record in model_records(model, Card("not fetched"), observed_date(source)):
            if kind == "lineage":  # written below, with the edges the family tree adds
                key = record["model_id"], record["base_model_id"]
                edges[key] = record.get("relation") or edges.get(key)
                continue
            if kind == "models":
                record["extra"] = {k: v for k, v in {
                    **record.get("extra", {}),
                    "model_index": info.get("model_index"),
                    "architectures": (info.get("config") or {}).get("architectures"),
                    "tree_depth": _int(row["depth"], path, line_no, "depth"),
                }.items() if v is not None}
            run.write(source, kind, record)
        for child in _literal(row["children"], path, line_no, "children") or []:
            # children the Hub listed; most also name this parent in their own tags (relation known)
            edges.setdefault((child.removeprefix("https://huggingface.co/"), info["id"]), None)

    # model_data.json is the same family as a tree: it only adds the edges the CSV lacks.
    path = run.path(source, "ben-scripts/model_data.json")
    before = len(edges)
    for i, node in enumerate(json.loads(path.read_text(encoding="utf-8"))["models"]):
        children = node["children"] if isinstance(node["children"], list) else _literal(node["children"], path, None, f"models[{i}].children")
        for child in children:
            edges.setdefault((child.removeprefix("https://huggingface.co/"), node["model_id"]), None)
    run.stats[source["id"]]["lineage_edges_added_by_model_data_json"] = len(edges) - before
    for (child, base), relation in edges.items():
        run.write(source, "lineage", {"model_id": child, "base_model_id": base, "relation": relation,
                                      "observed": observed_date(source)})
