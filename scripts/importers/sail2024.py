"""SAIL 2024 (SAILResearch/wip-24-adekunle-lm-release): language-model variants, card-check and dataset samples."""

from __future__ import annotations

from scripts.importers.common import ModelFacts, Run, _literal, checked_model_id, observed_date, read_csv


def import_source(run: Run, source: dict) -> None:
    facts, rows_seen = ModelFacts(observed_date(source)), set()
    path = run.path(source, "RQ2_result/all_NLP_with_quantization.csv")
    # 'owner' was mangled by a spreadsheet for a few rows (e.g. '24-Jul'); model_name is the full id.
    for line_no, row in run.rows(read_csv(path, ["owner", "model_name", "pipeline", "variants"]), "sail2024 all_NLP"):
        key = tuple(row.values())
        if key in rows_seen:
            run.skip(source, "all_NLP_with_quantization.csv: row repeated exactly")
            continue
        rows_seen.add(key)
        facts.add(checked_model_id(row["model_name"], path, line_no, "model_name"), {"pipeline_tag": row["pipeline"]}, {"variants": row["variants"]})

    # 380 rows (372 models) the study sampled to check for an empty card; the file holds only
    # the ids, not the outcome, so it marks membership of the sample, not has_card.
    path = run.path(source, "RQ2_result/model_card_empty_or_not.csv")
    for line_no, row in read_csv(path, ["Owner", "model_name"]):
        facts.add(row["model_name"], {}, {"card_check_sample": True})

    # A sample of 382 rows (381 models) with the dataset/metrics fields the study inspected;
    # values are kept under the study's own column names.
    path = run.path(source, "RQ2_result/dataset_sample.csv")
    header = ["Owner", "Model Name", "dataset", "metrics", "evaluation_result", "library_name", "Dataset", "Link_ava"]
    for line_no, row in read_csv(path, header):
        facts.add(row["Model Name"], {"library_name": row["library_name"]}, {
            "dataset": row["dataset"], "metrics": _literal(row["metrics"], path, line_no, "metrics"),
            "evaluation_result": row["evaluation_result"], "Dataset": row["Dataset"], "Link_ava": row["Link_ava"],
        })
    facts.write(run, source)
