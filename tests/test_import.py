"""The importer: each source on a few fixture rows, failures, determinism, and the real sources.

tests/fixtures/import/sources holds a few rows of every source, laid out like
../shared/sources, with its own pin list (tests/fixtures/import/pinned_sources.json,
made by make_fixtures.py). The last tests run on the real sources (marker real_sources).
"""

import csv
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from build.snapshot import KINDS, iter_records, read_manifest
import scripts.importers as importer
from scripts.importers import import_sources
from scripts.importers.common import InputError, _int, iso_datetime
from scripts.importers.filter_peatmoss import split_library_api
from scripts.importers.huggingfacer import data_frame_rows, read_rda
from scripts.sources import SourceError, load_pins, sha256_of, source_folder

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FIXTURE_SOURCES = FIXTURES / "sources"
TOKEN_LIKE_ID = "someone/hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"  # a fake, shaped like an access token

_spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
make_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_fixtures)


@pytest.fixture(scope="module")
def pins():
    return load_pins(FIXTURES / "pinned_sources.json")


@pytest.fixture(scope="module")
def snapshot(pins, tmp_path_factory):
    out = tmp_path_factory.mktemp("fixture-snapshot") / "snap"
    import_sources(FIXTURE_SOURCES, out, progress=False, pins=pins)
    return out


def records(folder, kind, source=None):
    """The records of one kind, validated by the builder's reader against the manifest."""
    found = list(iter_records(folder, kind, read_manifest(folder)))
    return [r for r in found if source is None or r["source"] == source]


def strip_source(rows):
    return [{k: v for k, v in r.items() if k != "source"} for r in rows]


@pytest.fixture
def sources_copy(tmp_path):
    return Path(shutil.copytree(FIXTURE_SOURCES, tmp_path / "sources"))


def repin(pins, sources_dir, rel):
    """Pins whose entry for rel matches the file as it now is (to test bad input, not hashes)."""
    pins = json.loads(json.dumps(pins))
    folder, _, path = rel.partition("/")
    entry = next(f for s in pins if source_folder(s) == folder for f in s["files"] if f["path"] == path)
    entry["sha256"], entry["bytes"] = sha256_of(sources_dir / rel), (sources_dir / rel).stat().st_size
    return pins


# --- per source ------------------------------------------------------------------------------

def test_icse23_model_ids_in_file_name_order(snapshot):
    models = records(snapshot, "models", "icse23")
    assert [m["model_id"] for m in models] == [
        "hfl/chinese-macbert-base", "bert-base-uncased",  # xaa
        "gpt2", "SpanBERT/spanbert-large-cased",  # xab
    ]
    assert all(m["in_paper_snapshot"] is True and m["observed"] == "2022-08-15" for m in models)


def test_icse23_figure1_top20_and_raw_counts(snapshot):
    rows = strip_source(records(snapshot, "registry_downloads", "icse23"))
    top20 = [r for r in rows if r["figure"] == "top20"]
    assert top20[:3] == [
        {"registry": "huggingface", "figure": "top20", "package": "distilgpt2", "rank": 1, "period": "month", "downloads": 16700000},
        {"registry": "huggingface", "figure": "top20", "package": "bert-base-uncased", "rank": 2, "period": "month", "downloads": 16400000},
        {"registry": "npm", "figure": "top20", "package": "debug", "rank": 1, "period": "week", "downloads": 185669323},
    ]
    assert [(r["registry"], r["package"], r["rank"]) for r in top20[3:]] == [
        ("npm", "lodash", 2), ("npm", "vue", 3), ("pypi", "boto3", 1), ("pypi", "urllib3", 2)]
    assert {r["period"] for r in top20 if r["registry"] == "pypi"} == {"month"}
    # the quoted "141,424,941" is one npm count, not a registry called "424"
    assert [r for r in rows if r["figure"] == "all"] == [
        {"registry": "pypi", "figure": "all", "period": "month", "downloads": 384702556},
        {"registry": "huggingface", "figure": "all", "period": "month", "downloads": 25195541},
        {"registry": "npm", "figure": "all", "downloads": 141424941},
        {"registry": "npm", "figure": "all", "downloads": 22584},
    ]
    stats = read_manifest(snapshot)["stats"]["by_source"]["icse23"]
    assert stats["registry_downloads_thousands_separators_read"] == 1


def test_liang2024_rows_from_parquet(snapshot):
    assert strip_source(records(snapshot, "models", "liang2024")) == [
        {"model_id": "bert-base-uncased", "observed": "2022-10-01", "author": "huggingface",
         "created_at": "2018-11-14T23:35:08Z", "downloads_30d": 31924518, "has_card": True,
         "pipeline_tag": "fill-mask", "extra": {"task_domain": "nlp"}},
        {"model_id": "Jean-Baptiste/camembert-ner", "observed": "2022-10-01", "author": "Jean-Baptiste",
         "created_at": "2021-03-12T14:22:04Z", "downloads_30d": 16720459, "has_card": True,
         "pipeline_tag": "token-classification", "extra": {"task_domain": "nlp"}},
        # task 'unknown' = no task; no creation time
        {"model_id": "someone/no-task", "observed": "2022-10-01", "author": "someone", "downloads_30d": 0,
         "has_card": False, "extra": {"task_domain": "unknown"}},
    ]


def test_huggingfacer_rows_from_the_rda_file(snapshot):
    assert strip_source(records(snapshot, "models", "huggingfacer")) == [
        {"model_id": "bert-base-uncased", "observed": "2022-07-02", "downloads_30d": 20382194,
         "pipeline_tag": "fill-mask", "sha": "418430c3b5df7ace92f2aede75700d22c78a0f95", "private": False},
        {"model_id": "owner/modèle-ü", "observed": "2022-07-02", "downloads_30d": 0,
         "sha": "0123456789abcdef0123456789abcdef01234567", "private": False},
        {"model_id": "gpt2", "observed": "2022-07-02", "downloads_30d": 9914995, "pipeline_tag": "text-generation",
         "sha": "6c0e6080953db56375760c0471a8c5f2929baf11", "private": False},
    ]


def test_rda_rows_equal_the_derived_csv_of_the_fixture():
    folder = FIXTURE_SOURCES / "farach+huggingfaceR"
    _assert_rda_matches_csv(folder / "data/models_with_downloads.rda", folder / "derived/models_with_downloads.csv")


def _assert_rda_matches_csv(rda, derived):
    rows = list(data_frame_rows(read_rda(rda)["models_with_downloads"], rda))
    with open(derived, newline="", encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    as_text = [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]
    assert as_text == expected


def test_rda_reader_handles_na_references_and_doubles(tmp_path):
    frame = {
        "id": ("str", ["a", None, "ü"]),
        "n": ("int", [1, None, -3]),
        "x": ("real", [0.5, None, 1e10]),
        "flag": ("lgl", [True, None, False]),
    }
    path = tmp_path / "two.rda"
    # the second frame's attribute names (names, row.names, class) are written as references
    path.write_bytes(make_fixtures.rda_bytes({"first": frame, "second": {"id": ("str", ["b"])}}))
    objects = read_rda(path)
    assert list(objects) == ["first", "second"]
    assert list(data_frame_rows(objects["first"], path)) == [
        {"id": "a", "n": 1, "x": 0.5, "flag": True},
        {"id": None, "n": None, "x": None, "flag": None},
        {"id": "ü", "n": -3, "x": 1e10, "flag": False},
    ]
    assert list(data_frame_rows(objects["second"], path)) == [{"id": "b"}]  # a tibble (tbl_df) is a data.frame


def test_rda_fixture_is_reproducible_from_make_fixtures():
    committed = (FIXTURE_SOURCES / "farach+huggingfaceR/data/models_with_downloads.rda").read_bytes()
    assert committed == make_fixtures.rda_bytes({"models_with_downloads": make_fixtures.HFR_COLUMNS})


def test_rda_reader_rejects_other_files(tmp_path):
    path = tmp_path / "x.rda"
    path.write_bytes(b"RDA3\nnot xdr")
    with pytest.raises(InputError, match=r"x\.rda: cannot read the R data file"):
        read_rda(path)


def test_peatmoss_links_keep_every_line(snapshot):
    deps = strip_source(records(snapshot, "dependents", "peatmoss"))
    assert deps == [
        {"model_id": "bigcode/santacoder", "kind": "github", "dependent": "bigcode-project/commits", "model_license": "bigcode-openrail-m", "method": "sourcegraph-code-search"},
        {"model_id": "pszemraj/long-t5-tglobal-base-16384-book-summary", "kind": "github", "dependent": "namuan/dr-doc-search", "model_license": "bsd-3-clause", "method": "sourcegraph-code-search"},
        {"model_id": "pszemraj/long-t5-tglobal-base-16384-book-summary", "kind": "github", "dependent": "namuan/dr-doc-search", "model_license": "apache-2.0", "method": "sourcegraph-code-search"},
        {"model_id": "bert-base-uncased", "kind": "github", "dependent": "pix2pixzero/pix2pix-zero", "model_license": "apache-2.0", "method": "sourcegraph-code-search"},
    ]
    stats = read_manifest(snapshot)["stats"]["by_source"]["peatmoss"]
    assert stats["dependents"] == 4 and stats["dependents_distinct_pairs"] == 3
    assert any("namuan/dr-doc-search -> pszemraj/long-t5-tglobal-base-16384-book-summary" in n for n in stats["notes"])


def test_peatmoss_repositories_categories_and_downloads(snapshot):
    assert strip_source(records(snapshot, "repositories", "peatmoss")) == [
        {"repo": "000alen/Phaedra", "licenses": ["mit"]},
        {"repo": "007Muddy/Valorant-YOLOv5-Aimbot"},  # null: GitHub reports no license
        {"repo": "0x7o/IF-replicate", "licenses": ["proprietary-license", "mit"]},
    ]
    assert read_manifest(snapshot)["stats"]["by_source"]["peatmoss"]["skipped"] == {
        "all_gh_licenses.json key is not owner/name": 1}  # 'mnt'
    assert [(c["license_id"], c["category"], c["type"]) for c in records(snapshot, "license_categories", "peatmoss")] == [
        ("bsd-2-clause", "other", "github"), ("proprietary-license", "other", "github"), ("cc-by-nc-4.0", "other", "github"),
        ("bigcode-openrail-m", "other", "hf"), ("openrail", "other", "hf")]
    assert strip_source(records(snapshot, "models", "peatmoss")) == [
        {"model_id": "jonatasgrosman/wav2vec2-large-xlsr-53-english", "downloads_30d": 68898744},
        {"model_id": "bert-base-uncased", "downloads_30d": 43380501},
    ]


def test_groundtruth_is_imported_once(snapshot):
    manifest = read_manifest(snapshot)
    read = {s["id"]: [f["path"] for f in s["files"]] for s in manifest["sources"]}
    assert "LLM-Pipeline/Accurate_Pipeline/groundTruth.json" not in read["peatmoss"]
    manual = records(snapshot, "extracted_metadata")
    assert [(r["model_id"], r["source"]) for r in manual if r["method"] == "manual"] == [
        ("OpenAssistant/oasst-sft-4-pythia-12b-epoch-3.5", "hf-metadata-extraction")]


def test_filter_peatmoss_code_usages(snapshot):
    assert strip_source(records(snapshot, "code_usages", "filter-peatmoss")) == [
        {"repo": "zeus-dev919/sentence-transformers", "file_path": "tests/test_image_embeddings.py",
         "library": "sentence_transformers", "api": "SentenceTransformer",
         "calls": ["sentence_transformers.SentenceTransformer"], "model_ids": ["sentence-transformers/clip-ViT-B-32"], "method": "sourcegraph-code-search"},
        {"repo": "alexgaskell10/nlp_summarization", "file_path": "scripts/benchmarking/adversarial.py",
         "library": "transformers", "api": "pipeline", "calls": ["transformers.pipeline"], "model_ids": ["distilroberta-base"], "method": "sourcegraph-code-search"},
        {"repo": "deep-spin/infinite-former", "file_path": "tests/test_pipelines_ner, copy.py",  # a quoted field
         "library": "transformers", "api": "pipeline", "calls": ["transformers.pipeline", "transformers.pipelines.pipeline"],
         "model_ids": ["dslim/bert-base-NER", "dslim/bert-base-NER"], "method": "sourcegraph-code-search"},
        {"repo": "pipe11/TFM_fake_news_detector", "file_path": "heroku_app/fake_news_detector_app.py",  # usage2_spacy.csv
         "library": "spacy", "api": "model_package.load", "calls": ["es_core_news_md.load"], "model_ids": ["spacy/es_core_news_md"], "method": "sourcegraph-code-search"},
    ]


def test_filter_peatmoss_code_files(snapshot):
    assert strip_source(records(snapshot, "code_files", "filter-peatmoss")) == [
        {"repo": "huggingface/transformers", "file_path": "src/transformers/pipelines/__init__.py",
         "library": "huggingface_hub", "api": "hf_hub_download", "method": "sourcegraph-code-search"},
        {"repo": "estellederrien/python-data-science", "file_path": "08. Big data/5. Tokeniser, Raciniser.py",
         "library": "huggingface_hub", "api": "hf_hub_download", "method": "sourcegraph-code-search"},
        {"repo": "rubenkruiper/FOBIE", "file_path": "scripts/convert.py", "library": "spacy", "api": "load", "method": "sourcegraph-code-search"},
    ]
    assert read_manifest(snapshot)["stats"]["by_source"]["filter-peatmoss"]["skipped"] == {
        "code_files line is not a github.com URL": 2}  # a gitlab.com line and an npm/ line


def test_split_library_api_prefers_the_longest_library_name():
    assert split_library_api("huggingface_hub_hf_hub_download", Path("f")) == ("huggingface_hub", "hf_hub_download")
    assert split_library_api("sentence_transformers_SentenceTransformer", Path("f")) == (
        "sentence_transformers", "SentenceTransformer")
    with pytest.raises(InputError, match="no known library"):
        split_library_api("keras_load_model", Path("f"))


def test_openfuture_license_counts_and_categories(snapshot):
    stats = strip_source(records(snapshot, "license_stats", "openfuture"))
    assert stats == [
        {"date": "2022-12-12", "scope": "filtered", "level": "license", "license": "apache-2.0", "repos": 6364, "downloads": 109618462},
        {"date": "2023-02-27", "scope": "general", "level": "category", "license": "Permissive / BY", "repos": 35190, "downloads": 281184931},
        {"date": "2023-02-27", "scope": "general", "level": "category", "license": "RAIL", "repos": 5421, "downloads": 12141040},
        {"date": "2022-09-27", "scope": "general", "level": "license", "license": "apache-2.0", "repos": 15000, "downloads": 120000000},
        {"date": "2022-09-27", "scope": "general", "level": "license", "license": "mit", "repos": 5000, "downloads": 90000000},
    ]
    assert strip_source(records(snapshot, "license_categories", "openfuture")) == [
        {"license_id": "openrail", "name": "OpenRAIL license family", "category": "RAIL", "type": "models"},
        {"license_id": "apache-2.0", "name": "Apache license 2.0", "category": "Permissive / BY", "type": "software"},
        {"license_id": "unknown", "name": "unknown", "category": "unknown", "type": "unknown"},
    ]


def test_esem2024_popularity_and_descendants(snapshot):
    assert strip_source(records(snapshot, "models", "esem2024")) == [
        {"model_id": "bert-base-uncased", "downloads_30d": 9435580},
        {"model_id": "xlm-roberta-base", "downloads_30d": 5526144},
        {"model_id": "someone/never-counted"},
    ]
    assert strip_source(records(snapshot, "descendant_counts", "esem2024")) == [
        {"downloads": 2856046, "descendants": 701}, {"downloads": 9449324, "descendants": 417}]


def test_llm_extraction_skips_error_messages(snapshot):
    llm = [r for r in records(snapshot, "extracted_metadata", "hf-metadata-extraction") if r["method"] == "llm"]
    assert [r["model_id"] for r in llm] == ["jonatasgrosman/wav2vec2-large-xlsr-53-english", "gpt2"]
    assert llm[0]["fields"]["evaluation"] == [{"test": "wer", "result": 19.06}]
    assert read_manifest(snapshot)["stats"]["by_source"]["hf-metadata-extraction"]["skipped"] == {
        "500ModelResult.json: an error message instead of metadata": 1}


def test_sail2024_one_record_per_model_merging_three_files(snapshot):
    models = {m["model_id"]: m for m in strip_source(records(snapshot, "models", "sail2024"))}
    assert list(models) == ["athirdpath/Eileithyia-20b", "July24/deberta-qa", "Locutusque/Hyperion-1.5-Mistral-7B",
                            TOKEN_LIKE_ID, "michaelhu1/tmp_trainer", "1nferno/Fake_news_detection"]
    assert models["athirdpath/Eileithyia-20b"] == {
        "model_id": "athirdpath/Eileithyia-20b", "pipeline_tag": "text-generation", "library_name": "transformers",
        "extra": {"variants": "finetuned", "card_check_sample": True, "dataset": "non", "Dataset": "Yes", "Link_ava": "No",
                  "evaluation_result": "[EvalResult(task_type='text-generation', metric_value=21.93)]"},
    }
    assert models["1nferno/Fake_news_detection"]["extra"]["metrics"] == ["accuracy"]
    assert models["michaelhu1/tmp_trainer"] == {"model_id": "michaelhu1/tmp_trainer", "extra": {"card_check_sample": True}}
    assert "has_card" not in models["michaelhu1/tmp_trainer"]  # the file lists the sample, not the outcome
    assert read_manifest(snapshot)["stats"]["by_source"]["sail2024"]["skipped"] == {
        "all_NLP_with_quantization.csv: row repeated exactly": 1}


def test_hn5318_cards_models_and_lineage(snapshot):
    cards = strip_source(records(snapshot, "cards", "hn5318-cards"))
    assert [c["model_id"] for c in cards] == ["DrishtiSharma/wav2vec2-large-xls-r-300m-ab-v4", "ali2066/finetuned_sentence_itr0"]
    assert cards[1] == {"model_id": "ali2066/finetuned_sentence_itr0", "text": "## Model description\n\nMore information needed\n",
                        "tags": ["license:apache-2.0", "license:cc-by-nc-4.0", "region:us"]}
    models = strip_source(records(snapshot, "models", "hn5318-cards"))
    assert models[0] == {"model_id": "DrishtiSharma/wav2vec2-large-xls-r-300m-ab-v4", "downloads_30d": 2, "likes": 0,
                         "license": "apache-2.0", "tags": cards[0]["tags"]}
    assert models[1]["license"] == "apache-2.0 AND cc-by-nc-4.0"
    assert strip_source(records(snapshot, "lineage", "hn5318-cards")) == [
        {"model_id": "DrishtiSharma/wav2vec2-large-xls-r-300m-ab-v4", "base_model_id": "facebook/wav2vec2-xls-r-300m"}]


def test_hfco2_models_cards_and_ambiguous_names(snapshot):
    models = {m["model_id"]: m for m in strip_source(records(snapshot, "models", "hfco2"))}
    assert sorted(models) == ["distilgpt2", "en_lg", "soongsil-bert-small-apeach"]  # biomedical-ner-all is ambiguous
    distil = models["distilgpt2"]
    assert distil["downloads_30d"] == 1172830 and distil["likes"] == 170
    assert distil["tags"] == ["transformers", "pytorch"]
    assert distil["created_at"] == "2019-10-03T14:08:13Z"  # HFClean's exact time, not HFCO2's day
    assert distil["last_modified"] == "2023-01-24T13:57:50Z"
    assert distil["extra"]["co2_eq_emissions"] == 149200 and distil["extra"]["source"] == "AutoTrain"
    assert distil["extra"]["performance_metrics"] == {"accuracy": None, "f1": None, "rouge1": None, "rougeL": None}
    assert distil["extra"]["parameters"] == 84000000
    assert models["en_lg"]["created_at"] == "2022-01-05"
    assert models["en_lg"]["extra"]["co2_eq_emissions"] == 133.0219882109991

    cards = strip_source(records(snapshot, "cards", "hfco2"))
    assert [(c["model_id"], c["tags"]) for c in cards] == [
        ("distilgpt2", ["gpt2", "pytorch"]), ("biomedical-ner-all", ["pytorch", "transformers"])]
    stats = read_manifest(snapshot)["stats"]["by_source"]["hfco2"]
    assert stats["skipped"] == {"HFCO2.csv: name without owner used by different models": 2,
                                "HFCO2.csv: row repeated exactly": 1}


def test_mistral_family_models_and_lineage(snapshot):
    base, child = strip_source(records(snapshot, "models", "mistral-family-2025"))
    assert base["model_id"] == "mistralai/Mistral-Small-24B-Base-2501"
    assert {k: base[k] for k in ("observed", "author", "created_at", "last_modified", "downloads_30d", "likes", "gated",
                                 "private", "disabled", "library_name", "license", "has_card", "parameters", "children_count")} == {
        "observed": "2025-04-05", "author": "mistralai", "created_at": "2025-01-23T14:13:54Z",
        "last_modified": "2025-01-30T17:00:21Z", "downloads_30d": 19970, "likes": 240, "gated": "auto", "private": False,
        "disabled": False, "library_name": "vllm", "license": "apache-2.0", "has_card": True, "parameters": 23572403200,
        "children_count": 2}
    assert base["extra"]["card_data"]["language"] == ["en"] and "spaces" not in base["extra"]
    # the miner's mapping: Spaces are dependents, the file list and card status are kept as the miner keeps them
    assert strip_source(records(snapshot, "dependents", "mistral-family-2025")) == [
        {"model_id": "mistralai/Mistral-Small-24B-Base-2501", "kind": "space", "dependent": "KBaba7/Quant",
         "model_license": "apache-2.0", "observed": "2025-04-05"}]
    assert "README.md" in base["extra"]["files"] and base["extra"]["card_status"] == "not fetched"
    assert records(snapshot, "cards", "mistral-family-2025") == []  # the study saved card metadata, not texts
    assert child["has_card"] is False and "parameters" not in child
    assert strip_source(records(snapshot, "lineage", "mistral-family-2025")) == [
        {"model_id": "NousResearch/DeepHermes-3-Mistral-24B-Preview", "base_model_id": "mistralai/Mistral-Small-24B-Base-2501",
         "relation": "finetune", "observed": "2025-04-05"},
        {"model_id": "Undi95/MistralThinker-v1.1", "base_model_id": "mistralai/Mistral-Small-24B-Base-2501", "observed": "2025-04-05"},
        {"model_id": "mlx-community/DeepHermes-3-Mistral-24B-Preview-bf16",  # only in model_data.json
         "base_model_id": "NousResearch/DeepHermes-3-Mistral-24B-Preview", "observed": "2025-04-05"},
    ]
    assert read_manifest(snapshot)["stats"]["by_source"]["mistral-family-2025"]["lineage_edges_added_by_model_data_json"] == 1


# --- helpers -------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2022-06-19 14:04:18+00:00", "2022-06-19T14:04:18Z"),
    ("2024-02-23T13:51:24.000Z", "2024-02-23T13:51:24Z"),
    ("2022-06-19T16:04:18+02:00", "2022-06-19T14:04:18Z"),
    ("2019-10-03", "2019-10-03"),
    ("", None),
])
def test_iso_datetime(value, expected):
    assert iso_datetime(value, "f", 1, "created_at") == expected


def test_iso_datetime_error_names_file_line_field():
    with pytest.raises(InputError, match=r"^f\.csv:7: field 'created_at': not an ISO date/time"):
        iso_datetime("yesterday", "f.csv", 7, "created_at")


# --- the manifest and the output as a whole ------------------------------------------------

def test_manifest_lists_sources_files_read_and_counts(snapshot, pins):
    manifest = read_manifest(snapshot)
    assert manifest["name"] == "icse23-replication-2022" and manifest["producer"] == "scripts.import_sources"
    assert manifest["created"] == "2025-04-05"  # the newest observation date, not today
    assert [s["id"] for s in manifest["sources"]] == [s["id"] for s in pins]
    for entry, pin in zip(manifest["sources"], pins):
        assert {k: entry[k] for k in ("title", "repo", "commit", "url", "license", "citation", "snapshot_date")} == {
            k: pin[k] for k in ("title", "repo", "commit", "url", "license", "citation", "snapshot_date")}
        pinned = {f["path"]: f for f in pin["files"]}
        for read in entry["files"]:
            assert read == {k: pinned[read["path"]][k] for k in ("path", "sha256", "bytes")}
            assert not pinned[read["path"]]["derived"]  # derived conversions are never needed
    hn = next(s for s in manifest["sources"] if s["id"] == "hn5318-cards")
    assert [f["path"] for f in hn["files"]] == ["Dataset/Sample_modelcard/samples_data.json"]
    for kind in KINDS:
        path = snapshot / f"{kind}.jsonl"
        lines = path.read_text(encoding="utf-8").count("\n") if path.exists() else 0
        assert manifest["stats"].get(kind, 0) == lines
        assert sum(s.get(kind, 0) for s in manifest["stats"]["by_source"].values()) == lines


def test_every_kind_is_written_from_the_fixture(snapshot):
    # aliases, security scans and authors come from the miner only; code calls and manifest
    # libraries from the code scanner and the GitHub / Spaces miners
    assert {p.stem for p in snapshot.glob("*.jsonl")} == set(KINDS) - {
        "aliases", "security_scans", "authors", "code_calls", "repo_libraries"}


def test_import_is_deterministic(pins, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    import_sources(FIXTURE_SOURCES, first, progress=False, pins=pins)
    import_sources(FIXTURE_SOURCES, second, progress=False, pins=pins)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_derived_file_is_not_needed(pins, sources_copy, tmp_path):
    (sources_copy / "farach+huggingfaceR/derived/models_with_downloads.csv").unlink()
    manifest = import_sources(sources_copy, tmp_path / "out", progress=False, pins=pins)
    assert manifest["stats"]["by_source"]["huggingfacer"]["models"] == 3


# --- failures ------------------------------------------------------------------------------

def test_an_altered_file_stops_the_import_naming_it(pins, sources_copy, tmp_path):
    rel = "SAILResearch+wip-24-adekunle-lm-release/RQ2_result/dataset_sample.csv"
    expected = sha256_of(sources_copy / rel)
    with open(sources_copy / rel, "a") as f:
        f.write("x,x/y,non,,,transformers,No,No\n")
    with pytest.raises(SourceError) as error:
        import_sources(sources_copy, tmp_path / "out", progress=False, pins=pins)
    assert str(sources_copy / rel) in str(error.value) and expected in str(error.value)
    assert not (tmp_path / "out" / "snapshot.json").exists()  # no manifest: an unfinished snapshot


def test_a_missing_file_stops_the_import_naming_it(pins, sources_copy, tmp_path):
    rel = "Weixin-Liang+AI-model-card-analysis-HuggingFace/data/model_info.parquet"
    (sources_copy / rel).unlink()
    with pytest.raises(SourceError, match="model_info.parquet: missing .*make sources"):
        import_sources(sources_copy, tmp_path / "out", progress=False, pins=pins)


def test_bad_input_names_file_line_and_field(pins, sources_copy, tmp_path):
    rel = "PurdueDualityLab+PeaTMOSS-Artifact/License-Analysis/analyzeIncompatibilities/mapping.csv"
    path = sources_copy / rel
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("github.com/namuan/dr-doc-search", "gitlab.com/namuan/dr-doc-search")
    path.write_text("".join(lines))
    with pytest.raises(InputError, match=r"mapping\.csv:3: field 'github_repo': expected github\.com/owner/name"):
        import_sources(sources_copy, tmp_path / "out", progress=False, pins=repin(pins, sources_copy, rel))


def test_a_changed_header_is_reported(pins, sources_copy, tmp_path):
    rel = "PurdueDualityLab+ptm-quantify-esem-2024/research_quantitative-analysis-of-hf-main/src/data/number_of_direct_descendant_models_per_download.csv"
    path = sources_copy / rel
    path.write_text(path.read_text().replace("downloads,count", "downloads,children"))
    with pytest.raises(InputError, match=r"number_of_direct_descendant_models_per_download\.csv:1: header is"):
        import_sources(sources_copy, tmp_path / "out", progress=False, pins=repin(pins, sources_copy, rel))


def test_cli_keeps_token_shaped_ids_out_of_the_console(pins, tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(importer, "load_pins", lambda: pins)
    assert importer.main(["--sources", str(FIXTURE_SOURCES), "--out", str(tmp_path / "out")]) == 0
    out, err = capfd.readouterr()
    assert "hf_AbCdEf" not in out + err
    assert "wrote" in err and "models 28" in err
    # ...while the raw snapshot keeps the id as the source spells it (the builder redacts)
    assert TOKEN_LIKE_ID in (tmp_path / "out" / "models.jsonl").read_text()


def test_cli_reports_a_missing_sources_folder(pins, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(importer, "load_pins", lambda: pins)
    status = importer.main(["--sources", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 2
    assert "missing" in capsys.readouterr().err


def test_error_messages_mask_token_shaped_values():
    with pytest.raises(InputError) as error:
        _int("hf_" + "a" * 34, "f.csv", 2, "downloads")
    assert "hf_aaaa" not in str(error.value) and "token-shaped" in str(error.value)


# --- the real sources ---------------------------------------------------------------------

@pytest.mark.real_sources
def test_real_import_counts(real_snapshot, sources_dir):
    manifest = read_manifest(real_snapshot)
    models = records(real_snapshot, "models")
    assert sum(1 for m in models if m["source"] == "icse23" and m.get("in_paper_snapshot")) == 63_367
    assert sum(1 for m in models if m["source"] == "liang2024") == 74_970
    assert sum(1 for m in models if m["source"] == "liang2024" and m.get("has_card")) == 32_111
    assert sum(1 for m in models if m["source"] == "huggingfacer") == 55_524

    links = records(real_snapshot, "dependents", "peatmoss")
    assert len(links) == 22_861
    assert len({d["dependent"] for d in links}) == 7_956 and len({d["model_id"] for d in links}) == 1_512
    assert {d.get("method") for d in links} == {"sourcegraph-code-search"}  # how the study found them

    usages = records(real_snapshot, "code_usages", "filter-peatmoss")
    assert sum(1 for u in usages if u["api"] != "model_package.load") == 9_316  # the usage1_* files
    assert {u.get("method") for u in usages} == {"sourcegraph-code-search"}

    cards = records(real_snapshot, "cards")
    assert sum(1 for c in cards if c["source"] == "hn5318-cards") == 758
    # HFClean has 45 card texts; two of them belong to two repos both called
    # 'biomedical-ner-all' (owner dropped) and are the same text: one card for that name.
    with open(sources_dir / "thijsnulle+sse-project2/datasets/HFClean.csv", newline="", encoding="utf-8") as f:
        texts = [row for row in csv.DictReader(f) if row["modelcard_text"].strip()]
    assert len(texts) == 45
    assert sum(1 for c in cards if c["source"] == "hfco2") == len({row["modelId"] for row in texts}) == 44

    assert manifest["created"] == "2025-04-05"
    assert manifest["stats"]["models"] == len(models)


@pytest.mark.real_sources
def test_real_rda_rows_equal_the_derived_csv(sources_dir):
    folder = sources_dir / "farach+huggingfaceR"
    _assert_rda_matches_csv(folder / "data/models_with_downloads.rda", folder / "derived/models_with_downloads.csv")


# --- the Makefile --------------------------------------------------------------------------

def test_make_reimports_the_default_snapshot_when_pins_or_an_importer_change(tmp_path):
    """`make db` re-imports the default snapshot when scripts/pinned_sources.json or any importer module
    is newer than it, and not otherwise (make -n in a copy of the Makefile and of those files' names)."""
    import os
    import subprocess

    root = Path(__file__).resolve().parent.parent
    shutil.copy(root / "Makefile", tmp_path / "Makefile")
    inputs = ["requirements.txt", "scripts/pinned_sources.json", "scripts/import_sources.py",
              "scripts/importers/__init__.py", "scripts/importers/huggingfacer.py", "build/hubfacts.py"]
    for rel in inputs + ["venv/.installed", "snapshots/icse23-replication-2022/snapshot.json"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    snapshot = tmp_path / "snapshots/icse23-replication-2022/snapshot.json"

    def imports_again(newer: str | None) -> bool:
        for i, rel in enumerate(inputs):
            os.utime(tmp_path / rel, (1_000_000 + i, 1_000_000 + i))
        os.utime(tmp_path / "venv/.installed", (2_000_000, 2_000_000))
        os.utime(snapshot, (3_000_000, 3_000_000))
        if newer:
            os.utime(tmp_path / newer, (4_000_000, 4_000_000))
        dry = subprocess.run(["make", "-n", "db", "VENV=venv"], cwd=tmp_path, capture_output=True, text=True)
        assert dry.returncode == 0, dry.stderr
        return "scripts.import_sources" in dry.stdout

    assert not imports_again(None)
    for rel in ("scripts/pinned_sources.json", "scripts/importers/huggingfacer.py", "build/hubfacts.py"):
        assert imports_again(rel), rel
