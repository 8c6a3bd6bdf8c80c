"""The statistics behind the published numbers, checked independently of the project's SQL.

Every value a canned query computes here is recomputed either from first principles (scipy, a
hand-made example worked out in the comments) or from the raw source files in ../shared/sources,
read with csv / json / pyarrow, never through the builder or its SQL.
"""

import csv
import math
from pathlib import Path

import pytest
import yaml
from scipy import stats

from build.db import build, connect
from build.findings import load_queries, run
from build.snapshot import SnapshotWriter

QUERIES = load_queries()
PEATMOSS_MAPPING = "PurdueDualityLab+PeaTMOSS-Artifact/License-Analysis/analyzeIncompatibilities/mapping.csv"
LIANG = "Weixin-Liang+AI-model-card-analysis-HuggingFace/data/model_info.parquet"


def first_row(db_path: Path, name: str, **params) -> dict:
    conn = connect(db_path)
    try:
        return run(conn, QUERIES[name], params)[0]
    finally:
        conn.close()


def first_rows(db_path: Path, name: str, **params) -> list[dict]:
    conn = connect(db_path)
    try:
        return run(conn, QUERIES[name], params)
    finally:
        conn.close()


def peatmoss_repos_per_model(sources_dir: Path) -> dict[str, set]:
    """PeaTMOSS's mapping.csv (no header): repository, model id, model URL, model license."""
    repos: dict[str, set] = {}
    with open(sources_dir / PEATMOSS_MAPPING, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            repos.setdefault(row[1], set()).add(row[0])
    return repos


# ---------------------------------------------------------------- F2: Spearman with ties

# x: downloads, y: dependent repositories, both tied.
# Average ranks: x 1, 2.5, 2.5, 4, 5; y 1.5, 1.5, 3, 4.5, 4.5 (means 3 and 3).
# Deviations: x -2, -0.5, -0.5, 1, 2; y -1.5, -1.5, 0, 1.5, 1.5.
# Pearson on the ranks: sum(dx dy) = 3 + 0.75 + 0 + 1.5 + 3 = 8.25; sum(dx^2) = 9.5; sum(dy^2) = 9.
# rho = 8.25 / sqrt(9.5 * 9) = 0.8922. The no-ties shortcut would give
# 1 - 6 * (0.25 + 1 + 0.25 + 0.25 + 0.25) / (5 * 24) = 0.9.
TIED = [(1, 1), (2, 1), (2, 2), (3, 3), (4, 3)]
TIED_RHO = 8.25 / math.sqrt(9.5 * 9)


@pytest.fixture(scope="module")
def tied_db(tmp_path_factory) -> Path:
    w = SnapshotWriter(tmp_path_factory.mktemp("snapshot") / "tied")
    for i, (downloads, repos) in enumerate(TIED):
        model_id = f"m/{i}"
        w.write("models", {"source": "liang2024", "model_id": model_id, "observed": "2022-10-01",
                           "downloads_30d": downloads, "has_card": True})
        for r in range(repos):
            w.write("dependents", {"source": "peatmoss", "model_id": model_id, "kind": "github",
                                   "dependent": f"o/{i}-{r}", "model_license": "mit"})
    w.finish({"name": "tied", "producer": "tests/test_statistics.py", "created": "2022-10-01",
              "description": "Tied downloads and dependents",
              "sources": [{"id": "liang2024", "title": "liang2024", "license": "CC0-1.0", "files": [],
                           "snapshot_date": "2022-10-01", "coverage": "registry"},
                          {"id": "peatmoss", "title": "peatmoss", "license": "CC0-1.0", "files": []}]})
    path = tmp_path_factory.mktemp("db") / "tied.db"
    build(w.folder, path, progress=False)
    return path


def test_hand_example_agrees_with_scipy():
    x, y = zip(*TIED)
    assert stats.spearmanr(x, y).statistic == pytest.approx(TIED_RHO)
    assert round(TIED_RHO, 3) == 0.892


def test_f2_spearman_handles_ties(tied_db):
    row = first_row(tied_db, "f02_popularity_vs_reuse")
    assert row["reused_models"] == len(TIED)
    assert row["spearman"] == round(TIED_RHO, 3)


@pytest.mark.real_sources
def test_f2_spearman_from_the_raw_sources(real_db, sources_dir):
    """Liang et al.'s downloads against PeaTMOSS's dependent repositories, with scipy."""
    import pyarrow.parquet as pq

    table = pq.read_table(sources_dir / LIANG, columns=["modelId", "downloads"]).to_pylist()
    downloads = {r["modelId"]: r["downloads"] for r in table if r["downloads"] is not None}
    pairs = [(downloads[m], len(r)) for m, r in peatmoss_repos_per_model(sources_dir).items() if m in downloads]
    assert len(pairs) == 991 and round(stats.spearmanr(*zip(*pairs)).statistic, 3) == 0.351  # ids matched exactly
    # The Hub matches ids case-insensitively (build/identity.py): two more PeaTMOSS models
    # (EleutherAI/gpt-j-6b, EleutherAI/gpt-neo-125m) are Liang et al.'s -6B and -125M.
    by_lower = {m.lower(): n for m, n in downloads.items()}
    repos: dict[str, set] = {}
    for m, r in peatmoss_repos_per_model(sources_dir).items():
        repos.setdefault(m.lower(), set()).update(r)
    pairs = [(by_lower[m], len(r)) for m, r in repos.items() if m in by_lower]
    expected = stats.spearmanr(*zip(*pairs)).statistic
    assert round(expected, 3) == 0.350
    row = first_row(real_db, "f02_popularity_vs_reuse")
    assert row["reused_models"] == len(pairs) == 993
    assert row["spearman"] == pytest.approx(expected, abs=0.0005)


# ---------------------------------------------------------------- F10: ranks from values

TOP20 = "PurdueDualityLab+ICSE-23-PTM-Artifact/data/top_downloads/top20{}_downloads.csv"


def competition_ranks(counts: dict[str, int]) -> dict[str, int]:
    """1 + how many packages have strictly more downloads (ties share a rank)."""
    return {name: 1 + sum(other > n for other in counts.values()) for name, n in counts.items()}


@pytest.mark.real_sources
def test_f10_ranks_come_from_the_download_counts(real_db, sources_dir):
    conn = connect(real_db)
    rows = run(conn, QUERIES["f10_registry_top20"])
    comparison = {r["registry"]: r for r in run(conn, QUERIES["f10_registry_comparison"])}
    conn.close()
    for registry, file_key in [("huggingface", "model"), ("npm", "npm"), ("pypi", "pypi")]:
        with open(sources_dir / TOP20.format(file_key), newline="", encoding="utf-8") as f:
            counts = {row[-2]: int(row[-1]) for row in list(csv.reader(f))[1:]}
        ranks = competition_ranks(counts)
        assert {r["package"]: r["rank"] for r in rows if r["registry"] == registry} == ranks, registry
        top = max(counts, key=counts.get)
        assert (comparison[registry]["top_package"], comparison[registry]["top_downloads"]) == (top, counts[top])
    lodash = next(r for r in rows if r["package"] == "lodash")
    # the artifact lists lodash 19th; seven packages (async's 48.2 M the last) have more weekly downloads
    assert (lodash["listed_at"], lodash["rank"], lodash["downloads"]) == (19, 8, 43586848)


# ---------------------------------------------------------------- F9: distinct files, spaCy share

FILTER_PEATMOSS = "dulaninw+filter-peatmoss"


def filter_peatmoss_calls(sources_dir: Path) -> tuple[dict, set]:
    """({(repo, path, call): model ids} of the files naming a model, {(repo, path, call)} of the
    files Sourcegraph found calling a loading API), read from the raw csv files."""
    from urllib.parse import unquote

    folder = sources_dir / FILTER_PEATMOSS
    usages: dict[tuple, set] = {}
    named = [(p, p.stem.removeprefix("usage1_hf_file_")) for p in folder.glob("usage1_hf_file_*.csv")]
    for path, call in named + [(folder / "usage2_spacy.csv", "spacy_model_package.load")]:
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                key = (row["github_url"].removeprefix("github.com/"), row["file_path"], call)
                usages.setdefault(key, set()).update(m for m in row["static_match"].split(";") if m)
    files = set()
    for path in (folder / "SourceGraphProcessing/script_1_csvs/processed").glob("result_file_import_*.csv"):
        call = path.stem.removeprefix("result_file_import_")
        for line in path.read_text(encoding="utf-8").splitlines():
            host, owner, name, file_path = (line.split("/", 3) + ["", "", ""])[:4]
            if host == "github.com" and file_path:
                files.add((f"{owner}/{name}", unquote(file_path), call))
    return usages, files


@pytest.mark.real_sources
def test_f9_counts_distinct_files_and_the_spacy_share(real_db, sources_dir):
    import pyarrow.parquet as pq

    usages, code_files = filter_peatmoss_calls(sources_dir)
    all_files = {(repo, path) for repo, path, _ in set(usages) | code_files}
    named_files = {(repo, path) for repo, path, _ in usages}
    spacy_files = {(repo, path) for repo, path, call in usages if call.startswith("spacy_")}
    repos_per_spacy_model: dict[str, set] = {}
    for (repo, _, call), models in usages.items():
        if call.startswith("spacy_"):
            for m in models:
                repos_per_spacy_model.setdefault(m, set()).add(repo)
    top = max(sorted(repos_per_spacy_model), key=lambda m: len(repos_per_spacy_model[m]))
    liang = pq.read_table(sources_dir / LIANG, columns=["modelId", "downloads"]).to_pylist()
    top_downloads = next(r["downloads"] for r in liang if r["modelId"] == top)

    row = first_row(real_db, "f09_loading_apis")
    assert row["total_files"] == len(all_files) == 34254  # not 9,983 usages + 30,609 code_files rows
    assert row["total_usage_files"] == len(named_files)
    assert row["code_files_also_naming_models"] == len(code_files & set(usages)) == 3444
    assert row["spacy_files"] == len(spacy_files)
    assert row["spacy_share"] == round(len(spacy_files) / len(named_files), 4)
    assert round(row["spacy_share"], 2) == 0.60
    assert (row["spacy_top_model"], row["spacy_top_repos"]) == (top, len(repos_per_spacy_model[top]))
    assert (top, len(repos_per_spacy_model[top])) == ("spacy/en_core_web_sm", 2014)
    assert (row["spacy_top_downloads"], row["spacy_top_downloads_source"]) == (top_downloads, "liang2024")
    assert top_downloads == 531
    calls = {r["call"]: r for r in first_rows(real_db, "f09_loading_apis")}
    spacy_load = {(repo, path) for repo, path, call in set(usages) | code_files if call == "spacy_load"}
    assert calls["spacy.load"]["files"] == len(spacy_load)


# ---------------------------------------------------------------- F6: unknown is not missing

HN5318 = "hn5318+model_card_analysis/Dataset/Sample_modelcard/samples_data.json"
HFCLEAN = "thijsnulle+sse-project2/datasets/HFClean.csv"


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval, as scipy computes it."""
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return ci.low, ci.high


def test_wilson_interval_by_hand():
    # k = 4, n = 24, z = 1.96: centre (4/24 + z^2/48) / (1 + z^2/24), half-width
    # z sqrt(4/24 * 20/24 / 24 + z^2 / 2304) / (1 + z^2/24): 0.0668 to 0.3585.
    z = 1.959964
    p, n = 4 / 24, 24
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson(4, 24) == pytest.approx((centre - half, centre + half), abs=1e-4)
    assert (round(centre - half, 3), round(centre + half, 3)) == (0.067, 0.359)


@pytest.mark.real_sources
def test_f6_counts_unknown_apart_from_missing(real_db, sources_dir):
    import json

    cards = json.loads((sources_dir / HN5318).read_text(encoding="utf-8")).values()
    no_license = sum(not any(t.startswith("license:") for t in card["tags"] or []) for card in cards)
    no_dataset = sum(not any(t.startswith("dataset:") for t in card["tags"] or []) for card in cards)
    csv.field_size_limit(1 << 30)
    with open(sources_dir / HFCLEAN, newline="", encoding="utf-8") as f:
        hfclean = list(csv.DictReader(f))
    assert {r["license"] for r in hfclean} == {"[]"}  # HFCO2's card texts record no license at all

    rows = {r["measure"]: r for r in first_rows(real_db, "f06_missing_attributes")}
    lic = rows["license/card texts"]
    assert (lic["source"], lic["models"], lic["missing"]) == ("hn5318-cards", len(cards), no_license)
    assert round(lic["missing_share"], 3) == round(no_license / len(cards), 3) == 0.384  # not 41.8%
    assert (lic["missing_low"], lic["missing_high"]) == pytest.approx(wilson(no_license, len(cards)), abs=1e-4)
    assert lic["unknown"] > 0
    assert rows["datasets/card texts"]["missing"] == no_dataset
    assert not any(r["source"] == "hfco2" and r["attribute"] in ("license", "datasets") for r in rows.values())


# ---------------------------------------------------------------- F7: ties and hand-picked samples

MISTRAL = "hamidahoderinwale+model_metadata_analyses/ben-scripts/"


def base_models_in_tags(tags) -> set[str]:
    """Hub tags base_model:<id> and base_model:<relation>:<id>."""
    return {t.split(":")[-1] for t in tags or [] if t.startswith("base_model:") and t.split(":")[-1]}


def mistral_family_edges(sources_dir: Path) -> set[tuple[str, str]]:
    """(child, base) of the 2025 Mistral-Small family: the children lists of the csv and of
    model_data.json, the base_model tags of each model's metadata and the bases its card metadata
    (card_data) declares, which the Hub does not always tag (docs/mining.md, lineage)."""
    import ast
    import json

    csv.field_size_limit(1 << 30)
    edges = set()
    folder = sources_dir / MISTRAL
    with open(folder / "Mistral-Small-24B-Base-2501_finetunes_20250405_001816.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            info = json.loads(row["metadata"])
            edges |= {(info["id"], base) for base in base_models_in_tags(info.get("tags"))}
            declared = (yaml.safe_load(info.get("card_data") or "") or {}).get("base_model") or []
            edges |= {(info["id"], base) for base in ([declared] if isinstance(declared, str) else declared)
                      if base != info["id"]}
            edges |= {(c.removeprefix("https://huggingface.co/"), row["model_id"]) for c in ast.literal_eval(row["children"] or "[]")}
    for node in json.loads((folder / "model_data.json").read_text(encoding="utf-8"))["models"]:
        children = node["children"] if isinstance(node["children"], list) else ast.literal_eval(node["children"])
        edges |= {(c.removeprefix("https://huggingface.co/"), node["model_id"]) for c in children}
    return edges


def fan_out(edges) -> dict[str, int]:
    children: dict[str, set] = {}
    for child, base in edges:
        children.setdefault(base, set()).add(child)
    return {base: len(c) for base, c in children.items()}


@pytest.mark.real_sources
def test_f7_reports_ties_and_the_hand_picked_family(real_db, sources_dir):
    import json

    family = mistral_family_edges(sources_dir)
    cards = json.loads((sources_dir / HN5318).read_text(encoding="utf-8")).values()
    hn5318 = {(card["modelId"], base) for card in cards for base in base_models_in_tags(card["tags"])}
    both = fan_out(family | hn5318)
    top_n = max(both.values())
    tied = sorted(base for base, n in both.items() if n == top_n)
    roots = {base for _, base in family} - {child for child, _ in family}
    outside = fan_out(hn5318)
    outside_top = max(outside.values())

    row = first_row(real_db, "f07_dependency_concentration")
    assert (row["top_base_children"], row["top_base_tied"]) == (top_n, len(tied)) == (31, 1)
    assert row["top_base_model"] == " and ".join(tied)
    assert len(roots) == 1  # one model's family tree: a hand-picked sample
    assert row["top_from_family_sample"] == 1 and row["top_base_sources"] == "mistral-family-2025"
    assert (row["top_sources_edges"], row["lineage_edges"]) == (len(family), len(family | hn5318)) == (79, 279)
    assert row["top_base_children_outside_family_samples"] == outside_top == 12
    assert row["top_base_model_outside_family_samples"] == " and ".join(
        sorted(b for b, n in outside.items() if n == outside_top))
    ranks = {r["model_id"]: r["rank"] for r in first_rows(real_db, "f07_base_model_fanout")}
    assert [ranks[m] for m in tied] == [1]


# ---------------------------------------------------------------- F5: evaluation in prose, intervals

TRAINER_CARD = """# my-model

This model is a fine-tuned version of [bert-base-cased](https://huggingface.co/bert-base-cased) on the conll2003 dataset.
It achieves the following results on the evaluation set:
- Loss: 0.0617
- F1: 0.9357

## Training procedure

### Training results

| Training Loss | Epoch | Step | Validation Loss | F1 |
|:-------------:|:-----:|:----:|:---------------:|:--:|
| 0.2           | 1.0   | 878  | 0.07            | 0.91 |
"""


@pytest.mark.parametrize("text, expected", [
    (TRAINER_CARD, "prose-text"),
    ("# m\n\nThe model reaches an accuracy of 0.72 on the test split.\n", "prose-text"),
    ("# m\n\n## Evaluation\n\n- Precision: 84.60\n- Recall: 86.47\n", "prose-text"),
    ("# m\n\nWe obtain 83,5% accuracy on held-out comments.\n", "prose-text"),
    # not results: a precision setting, hyperparameters, a training log
    ("# m\n\n- **Training regime:** fp16 mixed precision\n- learning_rate: 2e-05\n", "none"),
    ("# m\n\nLoad it in float16 precision to save memory; accuracy loss is small.\n", "none"),
    (TRAINER_CARD.split("It achieves")[0] + "\n## Training procedure\n\n### Training results\n\n- F1: 0.9\n", "none"),
])
def test_evaluation_reported_in_prose_is_recognised(text, expected):
    from build.cards import analyze

    assert analyze(text)["card"]["eval_reporting"] == expected


def test_sample_status_uses_the_wilson_interval():
    from build.findings import CONSISTENT, DIFFERS, TOO_FEW, sample_status
    from build.findings import wilson as findings_wilson

    for k, n in [(4, 24), (0, 10), (10, 10), (291, 758)]:
        assert findings_wilson(k, n) == pytest.approx(wilson(k, n), abs=1e-9)  # scipy's
    # 4 of 24 against the paper's 526 of 3,130 (16.8%): the interval (6.7%-35.9%) covers it,
    # and covers half of it as well: too few to tell, not "reproduced".
    assert sample_status(4 / 24, 24, 526 / 3130)[0] == TOO_FEW
    assert sample_status(400 / 2400, 2400, 526 / 3130)[0] == CONSISTENT
    assert sample_status(13 / 71, 71, 872 / 8764)[0] == DIFFERS


@pytest.mark.real_sources
def test_f5_claims_and_prose_evaluation_from_the_raw_cards(real_db, sources_dir):
    import json
    import re

    from build.findings import TOO_FEW

    cards = list(json.loads((sources_dir / HN5318).read_text(encoding="utf-8")).values())
    trainer = re.compile(r"achieves the following results on the evaluation set[^\n]*\n[ \t]*-[ \t]*[^:\n]+:[ \t]*\d")
    machine = sum("model-index" in (c["tags"] or []) for c in cards)
    trainer_only = sum(bool(trainer.search(c["modelcard_text"] or "")) and "model-index" not in (c["tags"] or [])
                       for c in cards)
    token = [c for c in cards if "token-classification" in (c["tags"] or [])]
    token_k = sum("model-index" in c["tags"] for c in token)

    rows = {r["task"]: r for r in first_rows(real_db, "f05_eval_results_by_task")}
    everything = rows["all tasks"]
    assert (everything["sample"], everything["cards"], everything["machine_readable"]) == ("hn5318-cards", len(cards), machine)
    assert everything["any_evaluation"] >= machine + trainer_only  # Trainer lists count as evaluation
    assert everything["prose_text_trainer_list"] > 0
    tok = rows["token-classification"]
    assert (tok["machine_readable"], tok["cards"]) == (token_k, len(token))
    assert (tok["machine_readable_low"], tok["machine_readable_high"]) == pytest.approx(
        wilson(token_k, len(token)), abs=1e-4)

    conn = connect(real_db)
    claims = {r[0]: r for r in conn.execute("SELECT id, status, computed_value FROM paper_claims")}
    conn.close()
    assert claims["F5-token-classification"][1] == TOO_FEW
    low, high = wilson(token_k, len(token))
    assert f"{low:.1%}–{high:.1%}" in claims["F5-token-classification"][2]


# ---------------------------------------------------------------- F12: no typed-in numbers

def quoted_numbers() -> set[str]:
    """The numbers the papers state, as the claims quote them (3+ digits, or with a decimal point)."""
    import re

    numbers = set()
    for query in QUERIES.values():
        for claim in query.claims:
            for x in re.findall(r"\d[\d,.]*\d|\d", str(claim["quoted_value"])):
                if "." in x or len(x.replace(",", "")) >= 3:
                    numbers.add(x)
    return numbers


def test_paper_numbers_live_only_in_paper_claims():
    """A quoted figure may appear in a claim's quoted_value, never in a query's SQL or answer."""
    import re

    numbers = quoted_numbers()
    assert {"6,243", "63,182", "3.19"} <= numbers
    for name, query in QUERIES.items():
        text = query.sql + "\n" + (query.answer or "")
        typed = [x for x in numbers if re.search(rf"(?<![\d,.]){re.escape(x)}(?![\d,]|\.\d)", text)]
        assert not typed, f"{name}: the paper's {typed} typed into the query"


@pytest.mark.real_sources
def test_f12_says_what_is_not_measurable_and_counts_gating_from_the_raw_file(real_db, sources_dir):
    import json

    csv.field_size_limit(1 << 30)
    with open(sources_dir / MISTRAL / "Mistral-Small-24B-Base-2501_finetunes_20250405_001816.csv",
              newline="", encoding="utf-8") as f:
        gated = [json.loads(row["metadata"]).get("gated") for row in csv.DictReader(f)]
    known = [g for g in gated if g is not None]
    k = sum(x not in (False, "false") for x in known)
    rows = {r["defense"]: r for r in first_rows(real_db, "f12_defenses")}
    for defense in ("verified organizations", "signed commits", "malware-scan flags"):
        assert rows[defense]["value"] is None and "not measurable" in rows[defense]["summary"]
    g = rows["gated models"]
    assert (g["value"], g["models"]) == (k, len(known)) == (4, 67)
    assert (g["ci_low"], g["ci_high"]) == pytest.approx(wilson(k, len(known)), abs=1e-4)
    assert "mistral-family-2025, one model family picked by hand" in g["summary"]
    conn = connect(real_db)
    answer = conn.execute("SELECT answer FROM findings WHERE id = 'F12'").fetchone()[0]
    conn.close()
    assert "not measurable from these sources" in answer and g["summary"] in answer
    assert not [x for x in quoted_numbers() if x in answer]


def test_claims_cite_the_paper_or_the_source_itself():
    """cited_in names a paper (doi / arXiv) or the source repository, never a file not in the repo."""
    for name, query in QUERIES.items():
        for claim in query.claims:
            cited = claim["cited_in"]
            assert "FINDINGS.md" not in cited, f"{name}: {claim['id']}"
            assert any(ref in cited for ref in ("doi:", "arXiv:", "github.com/")), f"{name}: {claim['id']}: {cited}"


@pytest.mark.real_sources
def test_f6_adekunle_sample_share_is_compared_through_its_interval(real_db, sources_dir):
    with open(sources_dir / "SAILResearch+wip-24-adekunle-lm-release/RQ2_result/dataset_sample.csv",
              newline="", encoding="utf-8") as f:
        answers = [row["Dataset"] for row in csv.DictReader(f) if row["Dataset"]]
    k, n = answers.count("Yes"), len(answers)
    conn = connect(real_db)
    status, computed = conn.execute(
        "SELECT status, computed_value FROM paper_claims WHERE id = 'F6-datasets-adekunle'").fetchone()
    conn.close()
    low, high = wilson(k, n)
    assert (k, n) == (44, 381) and high < 0.24  # the study's 24% lies outside the sample's interval
    assert status == "differs" and f"of {n}" in computed and f"{low:.1%}–{high:.1%}" in computed
