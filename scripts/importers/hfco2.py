"""HFCO2 (thijsnulle/sse-project2): CO2-reporting models and, in HFClean, 45 of their card texts."""

from __future__ import annotations

import csv
from collections import defaultdict

from scripts.importers.common import ModelFacts, Run, _int, _literal, _number, _shown, checked_model_id, iso_datetime, observed_date


HFCO2_EXTRA_TEXT = ("source", "training_type", "geographical_location", "environment", "domain", "auto")
HFCO2_EXTRA_NUMBERS = ("datasets_size", "co2_eq_emissions", "co2_reported", "performance_score", "size",
                       "size_efficency", "datasets_size_efficency")


def import_source(run: Run, source: dict) -> None:
    """HFCO2 ids lack their owner ('en_lg' for EricPeter/en_lg): they are kept as spelled.

    A name used by two different models (rows that differ) is ambiguous: its model facts
    are skipped. Exact repeated rows count once. HFClean repeats 47 of the models with
    their full card text, a precise creation time and the tags as one-hot is_<tag> columns.
    """
    facts = ModelFacts(observed_date(source))
    path = run.path(source, "HFCO2.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(enumerate(csv.DictReader(f), 2))
    by_name = defaultdict(dict)
    for line_no, row in rows:
        by_name[checked_model_id(row["modelId"], path, line_no, "modelId")].setdefault(tuple(row.values()), (line_no, row))
    run.skip(source, "HFCO2.csv: row repeated exactly", len(rows) - sum(len(d) for d in by_name.values()))
    ambiguous = {name for name, distinct in by_name.items() if len(distinct) > 1}
    for name in ambiguous:
        run.skip(source, "HFCO2.csv: name without owner used by different models", len(by_name[name]))
        run.note(source, f"HFCO2.csv: {_shown(name)} names {len(by_name[name])} different models; their facts are skipped")

    clean_path = run.path(source, "datasets/HFClean.csv")
    with open(clean_path, newline="", encoding="utf-8") as f:
        clean = defaultdict(list)
        for line_no, row in enumerate(csv.DictReader(f), 2):
            clean[row["modelId"]].append((line_no, row))

    for name, distinct in by_name.items():
        if name in ambiguous:
            continue
        line_no, row = next(iter(distinct.values()))
        extra = {k: row[k] for k in HFCO2_EXTRA_TEXT}
        extra.update({k: _number(row[k], path, line_no, k) for k in HFCO2_EXTRA_NUMBERS})
        extra["datasets"] = _literal(row["datasets"], path, line_no, "datasets")
        extra["performance_metrics"] = _literal(row["performance_metrics"], path, line_no, "performance_metrics")
        created = (clean_path, *clean[name][0]) if len(clean.get(name, ())) == 1 else (path, line_no, row)
        facts.add(name, {
            "downloads_30d": _int(row["downloads"], path, line_no, "downloads"),
            "likes": _int(row["likes"], path, line_no, "likes"),
            # 'library_name' holds the repo's library tags, e.g. ['transformers', 'pytorch']
            "tags": _literal(row["library_name"], path, line_no, "library_name"),
            # HFCO2 gives the creation day; HFClean, where it has the model, the exact time
            "created_at": iso_datetime(created[2]["created_at"], created[0], created[1], "created_at"),
        }, extra)

    for name, group in clean.items():
        texts = {row["modelcard_text"] for _, row in group if row["modelcard_text"].strip()}
        line_no, row = group[0]
        if len(texts) == 1:
            tags = [column[3:] for column, value in row.items() if column.startswith("is_") and value not in ("", "0")]
            run.write(source, "cards", {"model_id": name, "text": texts.pop(), "tags": tags})
            if len(group) > 1:
                run.note(source, f"HFClean.csv: {len(group)} rows named {_shown(name)} share one card text: one card")
        elif len(texts) > 1:
            run.skip(source, "HFClean.csv: name with different card texts", len(group))
        if len(group) == 1 and name not in ambiguous:
            facts.add(name, {
                "created_at": iso_datetime(row["created_at"], clean_path, line_no, "created_at"),
                "last_modified": iso_datetime(row["lastModified"], clean_path, line_no, "lastModified"),
            }, {"parameters": _number(row["parameters"], clean_path, line_no, "parameters"),
                **{k: row[k] for k in ("hardware_used", "cloud_provider", "num_of_imgs")}})
    facts.write(run, source)
