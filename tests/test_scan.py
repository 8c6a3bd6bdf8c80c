"""The code scanner (scripts/scan/, `make scan`) and the reuse signatures (build/signatures.py).

The labelled corpus of tests/scan_corpus.py is scanned exactly as `make scan` does it, and its
precision and recall must stay above the figures docs/dependents.md reports (rounded down).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from build import signatures
from build.db import build, connect
from build.findings import load_queries, run
from build.snapshot import read_manifest
from scripts.scan.ids import classify
from scripts.scan.python import SkipFile, fragment_calls, full_calls, scan_notebook, scan_python
from scripts.scan.javascript import scan_javascript
from scripts.scan.repo import Scan, scan_file, scan_tree

import scan_corpus

ROOT = Path(__file__).resolve().parent.parent
SIG = signatures.BY_ID


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus")
    result, summary = scan_corpus.evaluate(tmp)
    calls = [json.loads(line) for line in (tmp / "snapshot" / "code_calls.jsonl").read_text().splitlines()]
    return {"tmp": tmp, "score": result, "summary": summary, "calls": calls}


# ---------------------------------------------------------------- the labelled corpus

def test_precision_and_recall_on_the_labelled_corpus(corpus):
    score = corpus["score"]
    # measured (docs/dependents.md): precision 111/112, recall 111/114, call sites 138/141
    assert score["labelled_uses"] >= 114 and score["labelled_call_sites"] >= 141
    assert score["precision"] >= 0.97, score["false_positives"]
    assert score["recall"] >= 0.95, score["missed"]
    assert score["call_site_recall"] >= 0.96


def test_no_row_comes_from_comments_docstrings_strings_or_other_libraries(corpus):
    refs = {c.get("model_ref") for c in corpus["calls"]} | {c.get("model_id") for c in corpus["calls"]}
    for decoy in ("old/commented-out", "docs/example-in-docstring", "readme/only", "commented/out-model",
                  "block/commented", "markdown/not-code", "my-org/not-a-hub-load", "gpt-4o",
                  "pytorch/vision", "bert-base-uncased-in-a-print", "minified/model",
                  "my-org/saved-not-loaded", "my-org/pushed-not-loaded", "my-org/trainer-output",
                  "my-org/hub-output", "in/a-string", "commented/indented-out", "docstring/at-column-zero",
                  "doctest/example", "me/uploaded-model", "me/new-repo", "docs/in-a-print",
                  "models/st-saved", "outputs/lora-adapter", "markdown/example", "raw/cell",
                  "commented/in-notebook", "not/in-code", "Xenova/no-import-so-not-this-library",
                  "tip/in-a-string"):
        assert decoy not in refs
    # a print() mentioning pipeline(...) and a README code span are not calls
    assert not [c for c in corpus["calls"] if c["file_path"] == "README.md"]
    lines = {(c["repo"], c["file_path"], c["line"]) for c in corpus["calls"]}
    assert ("sentiment-app", "app.py", 18) not in lines


def test_downloads_of_datasets_and_spaces_are_not_model_uses(corpus):
    not_models = [c for c in corpus["calls"] if c["ref_kind"] == "not-a-model"]
    assert sorted(c["evidence"].split("(", 1)[1].split(",")[0] for c in not_models) == [
        '"HuggingFaceH4/ultrachat_200k"', '"squad-org/squad-v3"', 'repo_id="gradio/hello_world"',
        'repo_id="gradio/seafoam"']
    assert not any(c.get("model_id") for c in not_models)


def test_hostile_files_are_skipped_with_reasons_and_counted(corpus):
    assert corpus["summary"]["skipped"] == {
        "binary": 1, "minified": 1, "notebook: undecodable": 1, "python: python 2": 1,
        "python: syntax error": 1, "symlink": 2}
    # the readable files of the same repository were still scanned
    hostile = {(c["file_path"], c.get("model_id")) for c in corpus["calls"] if c["repo"] == "hostile"}
    assert hostile == {("ok.py", "albert-base-v2"), ("latin1.py", "xlnet-base-cased"),
                       ("half_broken.py", "distilgpt2")}  # its syntax error is in a statement not needed


def test_every_record_has_source_method_and_date_and_the_snapshot_builds(corpus, tmp_path):
    snapshot = corpus["tmp"] / "snapshot"
    manifest = read_manifest(snapshot)
    assert manifest["producer"] == "scripts.scan_code"
    assert [s["id"] for s in manifest["sources"]] == ["code-scan"]
    for kind in ("code_calls", "dependents", "code_usages", "repo_libraries"):
        records = [json.loads(x) for x in (snapshot / f"{kind}.jsonl").read_text().splitlines()]
        assert records and all(r["method"] == "scanner" and r["observed"] == "2026-01-01" for r in records)
    db_path = tmp_path / "scan.db"
    build(snapshot, db_path, progress=False)
    conn = connect(db_path)
    one = lambda sql: conn.execute(sql).fetchone()[0]
    assert one("SELECT count(*) FROM code_calls") == len(corpus["calls"])
    assert one("SELECT count(*) FROM reuse_signatures") == len(signatures.SIGNATURES)
    # every call names a published signature: the table is what the scanner applied
    assert one("SELECT count(*) FROM code_calls WHERE call NOT IN (SELECT id FROM reuse_signatures)") == 0
    assert one("SELECT count(DISTINCT model_id) FROM code_calls WHERE model_id IS NOT NULL") == one(
        "SELECT count(*) FROM (SELECT DISTINCT model_id FROM dependents)")
    assert one("SELECT task_tag FROM code_calls WHERE task = 'sentiment-analysis' LIMIT 1") == "text-classification"
    assert one("SELECT requirement FROM repo_libraries WHERE repo = 'sentiment-app'") == "transformers==4.40.0"
    libs = {r[0] for r in conn.execute("SELECT library FROM repo_libraries WHERE repo = 'web-demo'")}
    assert libs == {"@huggingface/transformers", "@huggingface/inference"}


def test_make_scan_runs_the_script(tmp_path):
    scan_corpus.write(tmp_path / "src")
    # -o: the venv is taken as it is (the test runs inside it)
    subprocess.run(["make", "-s", "-o", ".venv/.installed", "scan", f"SRC={tmp_path / 'src'}", f"OUT={tmp_path / 'out'}", "ARGS=--quiet",
                    f"PY={sys.executable}", "VENV=.venv"], cwd=ROOT, check=True, capture_output=True)
    assert (tmp_path / "out" / "snapshot.json").exists()
    stats = read_manifest(tmp_path / "out")["stats"]
    assert stats["scan"]["repositories"] == len(scan_corpus.CORPUS)


# ---------------------------------------------------------------- signatures as data

@pytest.mark.parametrize("sig", signatures.SIGNATURES, ids=lambda s: s.id)
def test_every_signature_matches_its_own_example(sig):
    """The published example of each signature is found by the scanner, as that signature."""
    if sig.language == "python":
        module = sig.module
        code = f"import {module}\nfrom {module} import *\n"
        if sig.id.startswith("speechbrain"):
            code += "from speechbrain.inference import EncoderClassifier\n"
        elif sig.id.startswith("flair"):
            code += "from flair.models import SequenceTagger\nfrom flair.embeddings import TransformerDocumentEmbeddings\n"
        code += "base = None\n" + sig.example + "\n"
        calls = scan_python(code.encode())
    else:
        code = f"import {{ pipeline, AutoTokenizer, HfInference }} from '{sig.module}';\n{sig.example}\n"
        calls = scan_javascript(code.encode())
    matched = [c for c in calls if c.signature.id == sig.id]
    assert matched, [c.signature.id for c in calls]
    assert matched[0].model_id and matched[0].ref_kind in ("hub-id", "legacy-id", "bare-name"), matched[0]


def test_signature_rows_describe_how_the_id_is_passed():
    rows = [s.row() for s in signatures.SIGNATURES]
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["model_id_passed"] and r["example"] and r["library"] for r in rows)
    pipeline = signatures.BY_ID["transformers.pipeline"].row()
    assert pipeline["task_passed"] == "positional argument 1 or keyword task"
    libraries = {r["library"] for r in rows}
    assert {"transformers", "huggingface_hub", "sentence-transformers", "diffusers", "peft", "timm",
            "open_clip_torch", "spacy", "speechbrain", "setfit", "gliner", "llama-cpp-python", "flair",
            "@huggingface/transformers", "@huggingface/inference"} <= libraries


# ---------------------------------------------------------------- ids

@pytest.mark.parametrize("value, sig, expected", [
    ("org/name", "transformers.Auto*.from_pretrained", ("hub-id", "org/name")),
    ("gpt2", "transformers.Auto*.from_pretrained", ("legacy-id", "gpt2")),
    ("my-finetuned", "transformers.Auto*.from_pretrained", ("unknown-name", None)),
    ("./org/name", "transformers.Auto*.from_pretrained", ("local-path", None)),
    ("models/bert", "transformers.Auto*.from_pretrained", ("local-path", None)),
    ("a/b/c", "transformers.Auto*.from_pretrained", ("local-path", None)),
    ("org/model.bin", "transformers.Auto*.from_pretrained", ("local-path", None)),
    ("~/x", "transformers.Auto*.from_pretrained", ("local-path", None)),
    ("https://huggingface.co/org/name/resolve/main/x.bin", "huggingface_hub.hf_hub_download", ("hub-url", "org/name")),
    ("https://example.com/m.bin", "transformers.Auto*.from_pretrained", ("url", None)),
    ("hf_hub:timm/resnet50.a1_in1k", "timm.create_model", ("hub-id", "timm/resnet50.a1_in1k")),
    ("resnet50", "timm.create_model", ("library-name", None)),
    ("all-mpnet-base-v2", "sentence_transformers.SentenceTransformer", ("bare-name", "sentence-transformers/all-mpnet-base-v2")),
    ("en_core_web_sm", "spacy.load", ("bare-name", "spacy/en_core_web_sm")),
    ("en", "spacy.load", ("library-name", None)),
    ("org--x/y", "transformers.Auto*.from_pretrained", ("local-path", None)),
    (None, "transformers.pipeline", ("missing", None)),
])
def test_classify(value, sig, expected):
    assert classify(value, SIG[sig]) == expected


# ---------------------------------------------------------------- Python details

def test_resolution_of_aliases_constants_options_and_folding():
    code = b'''
import argparse
import transformers as T
from transformers import pipeline as make
from huggingface_hub import *
p = argparse.ArgumentParser()
p.add_argument("--model-name", default="org/from-option")
args = p.parse_args()
ORG = "acme"
NAME: str = "widget"
T.models.bert.BertModel.from_pretrained(f"{ORG}/{NAME}")
make(model=args.model_name, task="ner")
snapshot_download(ORG + "/" + NAME + "-v2")
make("text-generation", model=f"{ORG!r}/x")
'''
    calls = scan_python(code)
    got = [(c.line, c.signature.id, c.model_id, c.ref_kind, c.task) for c in calls]
    assert got == [
        (11, "transformers.<Model>.from_pretrained", "acme/widget", "hub-id", None),
        (12, "transformers.pipeline", "org/from-option", "hub-id", "ner"),
        (13, "huggingface_hub.snapshot_download", "acme/widget-v2", "hub-id", None),
        (14, "transformers.pipeline", None, "expression", "text-generation"),
    ]


# ---------------------------------------------------------------- statement-by-statement parsing

def _key(calls):
    return [(c.line, c.signature.id, c.model_ref, c.ref_kind, c.model_id, c.task, c.evidence) for c in calls]


TRICKY = {
    "docstring at column 0": b'''"""Example:

from transformers import AutoModel
AutoModel.from_pretrained("doc/example")
"""
from transformers import AutoModel
m = AutoModel.from_pretrained("real/one")
''',
    "parameter defaults and keyword arguments inside brackets": b'''from transformers import AutoModel


def train(
    base_model: str = "org/base",
    output_dir="out",
):
    model = AutoModel.from_pretrained(
        base_model,
        revision="main",
    )
    return model


def other(output=None):
    return dict(
        base_model="not/an-assignment",
    )
''',
    "class bodies and methods": b'''from sentence_transformers import SentenceTransformer as ST
import huggingface_hub as hh


class Encoder:
    NAME = "BAAI/bge-small-en-v1.5"

    @property
    def model(self):
        return ST(self.NAME)

    def weights(self, filename="config.json"):
        if filename:
            return hh.hf_hub_download(repo_id="org/weights", filename=filename)
        else:
            return ST(Encoder.NAME)
''',
    "an alias assigned twice stays a variable": b'''from transformers import pipeline
CKPT = "org/a"


def f():
    CKPT = "org/b"
    return pipeline("ner", model=CKPT)
''',
    "triple quotes in comments and inside or after other strings": b'''# a """ in a comment
from transformers import AutoModel
s = 'say """ here'; t = "it's" + \'\'\'
AutoModel.from_pretrained("doc/in-a-string")\'\'\'
u = "a""" """
AutoModel.from_pretrained("doc/also-in-a-string")
"""
x = AutoModel.from_pretrained("org/c")  # """
''',
    "an f-string before a triple quote (read whole)": b'''from transformers import AutoModel
label = f"{1}" + """ text """
m = AutoModel.from_pretrained("org/f")
''',
    "argparse options: every add_argument that can define the option": b'''import argparse
from transformers import AutoModel
p = argparse.ArgumentParser()
p.add_argument("--model" "-name",
               default="org/from-option")
p.add_argument("--other", dest="model_name", default="org/other")  # a comment
args = p.parse_args()
m = AutoModel.from_pretrained(args.model_name)
# options far from the ones that matter (neighbours are parsed together)



p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--out", default="out/dir")
''',
    "a parameter default in a decorated definition's header": b'''from transformers import AutoModel


@decorate(
    option="a:",
)
async def load(
    name: str = "org/header",  # default:
    other: dict = {"k": "v:"},
) -> "AutoModel":  # returns:
    """Docstring:"""
    return AutoModel.from_pretrained(name)
''',
    "tab indentation (read whole)": b"from transformers import AutoModel\nif True:\n\tm = AutoModel.from_pretrained('org/d')\n",
    "a needed statement that does not parse (read whole: skipped)": b"from transformers import AutoModel\nAutoModel.from_pretrained('org/e'\n",
}


@pytest.mark.parametrize("name", list(TRICKY))
def test_statement_parsing_finds_what_parsing_the_whole_file_finds(name):
    data = TRICKY[name]
    fragments = fragment_calls(data)
    try:
        whole = _key(full_calls(data))
    except SkipFile as e:
        whole = str(e)
    if "(read whole" in name:
        assert fragments is None  # the text cannot be split exactly: the whole file is parsed
        if "skipped" in name:
            with pytest.raises(SkipFile, match="syntax error"):
                scan_python(data)
        else:
            assert _key(scan_python(data)) == whole and whole
    else:
        assert fragments is not None and _key(fragments) == whole == _key(scan_python(data))


# An import statement written over several lines (backslashes or brackets): each shape is read as
# one statement, on the statement path as when the whole file is parsed. The first five gave no call
# before the import lines were read as logical lines (the module's name is on a line without
# "import", or the line does not start with "import" / "from").
CONTINUED = {
    "from module \\ import name": b'from sentence_transformers \\\n    import SentenceTransformer\n'
                                   b'model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")\n',
    "import a, \\ module": b'import os, \\\n    transformers\nm = transformers.AutoModel.from_pretrained("org/a")\n',
    "import \\ module as alias": b'import \\\n    huggingface_hub as hub\nm = hub.snapshot_download("org/b")\n',
    "from \\ module import name": b'from \\\n    diffusers import DiffusionPipeline\np = DiffusionPipeline.from_pretrained("org/c")\n',
    "from module \\ import (names)": b'from transformers \\\n    import (AutoTokenizer,\n            AutoModel)\n'
                                     b'm = AutoModel.from_pretrained("org/d")\n',
    "indented, CRLF line ends": b'def load():\r\n    from sentence_transformers \\\r\n        import CrossEncoder\r\n'
                                b'    return CrossEncoder("org/e")\r\n',
    "from module import \\ name": b'from transformers import \\\n    AutoModel\nm = AutoModel.from_pretrained("org/f")\n',
    "from module import (names)": b'from transformers import (\n    AutoTokenizer,\n    AutoModel,\n)\n'
                                  b'm = AutoModel.from_pretrained("org/g")\n',
    "import module \\ as alias": b'import transformers \\\n    as tf\nm = tf.AutoModel.from_pretrained("org/h")\n',
    "a comment ending in a backslash continues nothing": b'# weights in C:\\models\\\nimport transformers\n'
                                                         b'm = transformers.AutoModel.from_pretrained("org/i")\n',
}


def test_an_import_continued_in_a_notebook_cell_is_read():
    nb = json.dumps({"cells": [
        {"cell_type": "code", "source": ["from sentence_transformers \\\n", "    import SentenceTransformer\n"]},
        {"cell_type": "code", "source": "m = SentenceTransformer('org/nb')"}]}).encode()
    assert [(c.line, c.model_id) for c in scan_notebook(nb)] == [(3, "org/nb")]


# An import on one line with another statement, after a comma without a space, or after the colon of a
# compound statement's header: the statement path reads it as parsing the whole file does. Each gave
# no call on the statement path before (the line did not start with the import, or the module's name
# was glued to the name before it).
ONE_LINE = {
    "import module; statement": b'import transformers; x = 1\nm = transformers.AutoModel.from_pretrained("org/a")\n',
    "statement; import module": b'x = 1; import transformers\nm = transformers.AutoModel.from_pretrained("org/b")\n',
    "from module import name; import other": b'import os; from peft import PeftModel; import sys\n'
                                             b'm = PeftModel.from_pretrained(base, "org/c")\n',
    "import a,module": b'import os,transformers\nm = transformers.AutoModel.from_pretrained("org/d")\n',
    "import a,module as alias,b": b'import os,huggingface_hub as hub,sys\nm = hub.snapshot_download("org/e")\n',
    "try: import module": b'try: import transformers\nexcept ImportError: transformers = None\n'
                          b'm = transformers.AutoModel.from_pretrained("org/f")\n',
    "if ...: from module import name": b'if True: from sentence_transformers import SentenceTransformer\n'
                                       b'm = SentenceTransformer("org/g")\n',
    "indented, try: from module import name": b'def load():\n    try: from diffusers import DiffusionPipeline\n'
                                              b'    except ImportError: raise\n'
                                              b'    return DiffusionPipeline.from_pretrained("org/h")\n',
    "else: import module as alias, CRLF": b'if False: pass\r\nelse: import transformers as tf\r\n'
                                          b'm = tf.AutoModel.from_pretrained("org/i")\r\n',
}


@pytest.mark.parametrize("name, data", [*CONTINUED.items(), *ONE_LINE.items()])
def test_an_import_continued_over_lines_or_beside_another_statement_is_read(name, data):
    """The statement path reads it as one statement, as parsing the whole file does."""
    from scripts.scan.python import _modules

    whole = _key(full_calls(data))
    assert len(whole) == 1 and whole[0][4] is not None  # the file loads one model, by its id
    assert _modules(data)  # the pre-filter lets it through
    fragments = fragment_calls(data)
    assert fragments is not None and _key(fragments) == whole == _key(scan_python(data))


def test_a_colon_or_semicolon_in_a_string_does_not_make_an_import():
    data = (b'from transformers import pipeline\n'
            b'TIP = "usage: from transformers import pipeline; pipeline(\'ner\', model=\'tip/in-a-string\')"\n'
            b'p = pipeline("ner", model="org/real")\n')
    assert [(c.line, c.model_id) for c in scan_python(data)] == [(3, "org/real")] == [
        (c.line, c.model_id) for c in full_calls(data)]


def test_statement_parsing_details():
    ids = lambda data: [(c.line, c.model_id, c.ref_kind) for c in scan_python(data)]
    assert ids(TRICKY["docstring at column 0"]) == [(7, "real/one", "hub-id")]
    assert ids(TRICKY["parameter defaults and keyword arguments inside brackets"]) == [(9, "org/base", "hub-id")]
    assert ids(TRICKY["class bodies and methods"]) == [
        (10, None, "variable"), (14, "org/weights", "hub-id"), (16, None, "variable")]  # class attributes: not read
    assert ids(TRICKY["an alias assigned twice stays a variable"]) == [(7, None, "variable")]
    assert ids(TRICKY["triple quotes in comments and inside or after other strings"]) == [(8, "org/c", "hub-id")]
    assert ids(TRICKY["argparse options: every add_argument that can define the option"]) == [
        (8, None, "variable")]  # two options define model_name
    assert ids(TRICKY["a parameter default in a decorated definition's header"]) == [(12, "org/header", "hub-id")]


def test_statement_parsing_reads_only_the_statements_that_matter(monkeypatch):
    """An option no call passes, and the body of a definition whose parameter default is needed, are
    not parsed (they cost time and can hold nothing the calls need)."""
    import ast

    from scripts.scan import python

    parsed = []
    real = ast.parse
    monkeypatch.setattr(python.ast, "parse", lambda code, *a, **k: parsed.append(code) or real(code, *a, **k))
    assert fragment_calls(TRICKY["argparse options: every add_argument that can define the option"])
    text = "\n".join(parsed)
    assert '"--model" "-name"' in text and '"--other"' in text and '"--lr"' not in text and '"--out"' not in text
    parsed.clear()
    assert fragment_calls(TRICKY["a parameter default in a decorated definition's header"])
    headers = [code for code in parsed if "async def load" in code]
    assert headers and all("Docstring" not in code for code in headers)


TRIPLE_QUOTE_LINES = [
    'x = 1  # """ not a string',
    "s = 'a \"\"\" b'",
    's = "a\\" """ b"',
    'u = "a""" """ c """',
    "v = '''' '''",
    "w = r'\\\\' + '''d'''",
    'y = "#" + """e"""',
    "z = b'x' '''f'''",
    "# ''' x",
    's = "\\\\"""" g """',
]


def test_triple_quoted_strings_are_found_as_the_tokenizer_finds_them():
    import io
    import tokenize

    from scripts.scan.fragments import Source

    for first in TRIPLE_QUOTE_LINES:
        for second in TRIPLE_QUOTE_LINES:
            text = first + "\n" + second + "\n"
            source = Source(text)  # none of these needs the whole file parsed (Unsure)
            triple = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.STRING
                      and t.string.lstrip("rRbBuU")[:3] in ('"""', "'''")]
            expected = [(source.starts[t.start[0] - 1] + t.start[1] + len(t.string) - len(t.string.lstrip("rRbBuU")),
                         source.starts[t.end[0] - 1] + t.end[1]) for t in triple]
            assert source.strings == expected, text


def test_statement_parsing_agrees_on_the_labelled_corpus(tmp_path):
    """Every Python file of the labelled corpus: the same calls either way, and most read in parts."""
    root = scan_corpus.write(tmp_path)
    in_parts = 0
    files = [p for p in sorted(root.rglob("*.py"))
             if p.is_file() and not p.is_symlink() and b"\0" not in p.read_bytes()]  # binary: skipped before
    for path in files:
        data = path.read_bytes()
        fragments = fragment_calls(data)
        if fragments is None:
            continue
        in_parts += 1
        try:
            whole = _key(full_calls(data))
        except SkipFile:
            # parsed whole, a syntax error (scan_python reads a Python 2 file whole, so skips it);
            # in parts, the calls in statements that parse count
            assert path.name in ("half_broken.py", "legacy_py2.py"), path
            continue
        assert _key(fragments) == whole, path
    assert in_parts >= len(files) - 2  # a needed statement that does not parse: the file is read whole


def test_statement_parsing_agrees_on_damaged_files(tmp_path):
    """Files cut short, with a line dropped or a line's indentation lost: whenever the whole file still
    parses, reading it statement by statement finds exactly the same calls."""
    import random
    rng = random.Random(12)
    root = scan_corpus.write(tmp_path)
    sources = [p.read_bytes() for p in sorted(root.rglob("*.py")) if p.is_file() and not p.is_symlink()]
    compared = 0
    for data in sources + list(TRICKY.values()):
        lines = data.split(b"\n")
        variants = [b"\n".join(lines[:k]) for k in range(len(lines))]
        for _ in range(10):
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            variants.append(b"\n".join(lines[:i] + lines[i + 1:]))
            variants.append(b"\n".join(lines[:j] + [lines[j].lstrip()] + lines[j + 1:]))
        for variant in variants:
            fragments = fragment_calls(variant)
            if fragments is None:
                continue
            try:
                whole = _key(full_calls(variant))
            except SkipFile:
                continue
            assert _key(fragments) == whole, variant.decode("latin-1")
            compared += 1
    assert compared > 500


def test_an_environment_variables_default_is_what_the_code_loads():
    calls = scan_python(b"""import os
from transformers import AutoModel
M = os.getenv("M", "org/a")
AutoModel.from_pretrained(M)
AutoModel.from_pretrained(os.environ.get("N", default="org/b"))
AutoModel.from_pretrained(os.environ["O"])
AutoModel.from_pretrained(os.getenv("P"))
""")
    assert [(c.line, c.model_id, c.ref_kind) for c in calls] == [
        (4, "org/a", "hub-id"), (5, "org/b", "hub-id"), (6, None, "variable"), (7, None, "expression")]


def test_a_dictionary_of_strings_is_read_by_a_constant_key():
    calls = scan_python(b"""from transformers import AutoModel
MODELS = {"small": "org/small", "base": "org/base"}
AutoModel.from_pretrained(MODELS["small"])
AutoModel.from_pretrained(MODELS["large"])
AutoModel.from_pretrained(MODELS[size])
""")
    assert [(c.line, c.model_id, c.ref_kind) for c in calls] == [
        (3, "org/small", "hub-id"), (4, None, "variable"), (5, None, "variable")]


def test_a_javascript_template_of_constants_is_filled_in():
    calls = scan_javascript(b"""import { pipeline } from '@huggingface/transformers';
const ORG = 'Xenova';
const twice = 'a'; const twice2 = 'b';
await pipeline('feature-extraction', `${ORG}/all-MiniLM-L6-v2`);
await pipeline('feature-extraction', `${other}/x`);
await pipeline('feature-extraction', `${ORG.toLowerCase()}/x`);
""")
    assert [(c.line, c.model_id, c.ref_kind) for c in calls] == [
        (4, "Xenova/all-MiniLM-L6-v2", "hub-id"), (5, None, "expression"), (6, None, "expression")]


def test_an_unimported_name_is_not_a_call_of_the_library():
    assert scan_python(b"import transformers\nAutoModel.from_pretrained('org/x')\n") == []
    assert scan_python(b"from mylib import pipeline\nimport transformers\npipeline('ner', model='org/x')\n") == []


def test_star_args_and_kwargs_are_unresolved_not_missing():
    calls = scan_python(b"from transformers import pipeline\npipeline('ner', **kw)\npipeline(*a)\n")
    assert [c.ref_kind for c in calls] == ["expression", "expression"]


def test_notebook_cells_share_imports_and_count_lines_through_code_cells():
    nb = json.dumps({"cells": [
        {"cell_type": "code", "source": ["%pip install transformers\n", "from transformers import AutoModel"]},
        {"cell_type": "markdown", "source": "AutoModel.from_pretrained('md/x')"},
        {"cell_type": "code", "source": "x = (\n"},
        {"cell_type": "code", "source": "m = AutoModel.from_pretrained('org/y')"}]}).encode()
    calls = scan_notebook(nb)
    assert [(c.line, c.model_id) for c in calls] == [(4, "org/y")]


@pytest.mark.parametrize("data, reason", [
    (b"from transformers import pipeline\n" + b"(" * 200_000 + b")" * 200_000, None),  # too deep: skipped, not crashed
    (b"from transformers import pipeline\nx = '\xff\xfe'\n", "python: undecodable"),
    (b"from transformers import pipeline\n\x00\x00", "binary"),
])
def test_unreadable_python_is_skipped_never_raised(data, reason):
    scan = Scan()
    scan_file("x.py", data, scan)
    assert sum(scan.skipped.values()) == 1 and not scan.calls
    if reason:
        assert reason in scan.skipped


@pytest.mark.parametrize("data, expected", [
    # a coding line on the second line, after a shebang: honoured
    (b'#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nfrom transformers import AutoModel\n# caf\xe9\n'
     b'AutoModel.from_pretrained("org/latin")\n', [(5, "org/latin")]),
    # a UTF-8 byte order mark
    (b'\xef\xbb\xbffrom transformers import AutoModel\nAutoModel.from_pretrained("org/bom")\n', [(2, "org/bom")]),
    # a coding line on the third line is not one (PEP 263): the latin-1 byte makes the file undecodable
    (b'\n\n# -*- coding: latin-1 -*-\nfrom transformers import AutoModel\nx = "caf\xe9"\n'
     b'AutoModel.from_pretrained("org/late")\n', "python: undecodable"),
    # Python 2 marks count only at the start of a line
    (b'from transformers import AutoModel\nx = 1; print "x"\nAutoModel.from_pretrained("org/two")\n', [(3, "org/two")]),
    (b'from transformers import AutoModel\n  print "x"\nAutoModel.from_pretrained("org/two")\n', "python: python 2"),
    (b'from transformers import AutoModel\ntry:\n  AutoModel.from_pretrained("org/two")\nexcept ValueError, e:\n  pass\n',
     "python: python 2"),
])
def test_coding_lines_byte_order_marks_and_python2_marks(data, expected):
    scan = Scan()
    scan_file("x.py", data, scan)
    if isinstance(expected, str):
        assert dict(scan.skipped) == {expected: 1} and not scan.calls
    else:
        assert [(c.line, c.model_id) for _, c in scan.calls] == expected and not scan.skipped


def test_too_large_files_are_skipped(tmp_path, monkeypatch):
    from scripts.scan import repo
    monkeypatch.setattr(repo, "MAX_BYTES", 100)
    (tmp_path / "big.py").write_text("import transformers\n" + "x = 1\n" * 100)
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "a.js").write_text("x")
    scan = scan_tree(tmp_path)
    assert scan.skipped == {"too large": 1, "vendored or tool folder": 1}


# ---------------------------------------------------------------- JavaScript

def test_javascript_needs_the_import_and_ignores_comments():
    code = b"""
const { pipeline } = await import('@huggingface/transformers');
// await pipeline('ner', 'comment/x')
const s = "https://example.com";  /* pipeline('ner', 'block/x') */
let p = await pipeline(
  'translation_en_to_fr', 'Xenova/t5-small');
"""
    calls = scan_javascript(code)
    assert [(c.line, c.model_id, c.task) for c in calls] == [(5, "Xenova/t5-small", "translation_en_to_fr")]
    assert scan_javascript(b"import x from 'other';\nawait pipeline('ner', 'org/x');\n") == []


# ---------------------------------------------------------------- F9: pipeline task check

def test_pipeline_task_check_counts_mismatches_against_declared_tasks(tmp_path):
    """pipeline() tasks vs the models' pipeline_tag, on a snapshot with scanned calls and models."""
    from build.snapshot import SnapshotWriter
    w = SnapshotWriter(tmp_path / "snap")
    models = {"org/cls": "text-classification", "org/t5": "text2text-generation", "org/gen": "text-generation",
              "org/none": None}
    for model_id, tag in models.items():
        w.write("models", {"source": "s", "model_id": model_id, **({"pipeline_tag": tag} if tag else {})})
    calls = [("a.py", "sentiment-analysis", "org/cls"),   # alias of text-classification: match
             ("a.py", "summarization", "org/t5"),         # served by design: compatible
             ("b.py", "text-classification", "org/gen"),  # mismatch
             ("c.py", "ner", "org/gen"),                  # mismatch
             ("c.py", "ner", "org/none"),                 # model declares no task
             ("d.py", None, "org/gen")]                   # no task named: not counted
    for i, (path, task, model) in enumerate(calls):
        w.write("code_calls", {"source": "s", "repo": "r", "file_path": path, "line": i + 1, "library": "transformers",
                               "call": "transformers.pipeline", "ref_kind": "hub-id", "model_id": model,
                               **({"task": task} if task else {})})
    w.finish({"name": "t", "producer": "test", "sources": [{"id": "s"}]})
    build(tmp_path / "snap", tmp_path / "t.db", progress=False)
    rows = run(connect(tmp_path / "t.db"), load_queries()["f09_pipeline_task_check"])
    got = {(r["asked_task"], r["declared_task"]): (r["verdict"], r["calls"], r["files"]) for r in rows}
    assert got == {
        ("token-classification", "text-generation"): ("mismatch", 1, 1),
        ("text-classification", "text-generation"): ("mismatch", 1, 1),
        ("text-classification", "text-classification"): ("match", 1, 1),
        ("summarization", "text2text-generation"): ("compatible", 1, 1),
        ("token-classification", None): ("model declares no task", 1, 1),
        (None, None): ("all", 5, 3),
    }
    assert rows[0]["verdict"] == "mismatch" and rows[-1]["verdict"] == "all"
    assert rows[0]["total_calls"] == 5 and rows[0]["with_declared_task"] == 4 and rows[0]["mismatched_calls"] == 2


def test_methods_are_compared_where_they_overlap(tmp_path):
    from build.snapshot import SnapshotWriter
    w = SnapshotWriter(tmp_path / "snap")
    links = [("pub", None, "a/r1", "m1"), ("pub", None, "a/r1", "m2"), ("pub", None, "b/r2", "m1"),
             ("pub", None, "only/pub", "m1"),
             ("gh", "github-code-search", "A/R1", "m1"), ("gh", "github-code-search", "b/r2", "m3"),
             ("gh", "github-code-search", "only/gh", "m9")]
    for source, method, dependent, model in links:
        w.write("dependents", {"source": source, "model_id": model, "kind": "github", "dependent": dependent,
                               **({"method": method} if method else {})})
    w.finish({"name": "t", "producer": "test", "sources": [{"id": "pub"}, {"id": "gh"}]})
    build(tmp_path / "snap", tmp_path / "t.db", progress=False)
    rows = run(connect(tmp_path / "t.db"), load_queries()["f09_dependents_by_method"])
    got = {(r["found_by"], r["compared_with"]): (r["links"], r["common_dependents"], r["links_on_common"],
                                                 r["confirmed"], r["confirmed_share"]) for r in rows}
    assert got == {
        # pub's links on a/r1 and b/r2 (3): gh found a/r1 -> m1 only
        ("pub / published list", "gh / github-code-search"): (4, 2, 3, 1, round(1 / 3, 4)),
        ("gh / github-code-search", "pub / published list"): (3, 2, 2, 1, 0.5),
    }


@pytest.mark.real_sources
def test_the_published_links_carry_the_method_that_found_them(real_db):
    """PeaTMOSS's links are labelled with the study's method, so F9's comparison names it."""
    db = connect(real_db)
    assert db.execute("SELECT DISTINCT method FROM dependents WHERE source = 'peatmoss'").fetchall() == [
        ("sourcegraph-code-search",)]
    rows = run(db, load_queries()["f09_dependents_by_method"])
    github = [(r["found_by"], r["compared_with"]) for r in rows if r["kind"] == "github"]
    assert github == [("peatmoss / sourcegraph-code-search", None)]  # no other GitHub method in the default db


# ---------------------------------------------------------------- speed-ups that must not change results

def _modules_by_definition(data: bytes) -> list[str]:
    """What the byte pre-filter must return: the modules the file names on a line that says "import",
    with one of their called names anywhere in the file."""
    import re

    called = {m: [s.function for s in signatures.PYTHON_SIGNATURES if s.module == m] for m in signatures.PYTHON_MODULES}
    # a line ending in a backslash is one with the next (a logical line, as Python reads it)
    lines = [line for line in re.split(rb"(?<!\\)(?<!\\\r)\n", data) if b"import" in line]
    return [m for m in signatures.PYTHON_MODULES if any(m.encode() in line for line in lines)
            and any(re.search(name.encode(), data) for name in called[m])]


def test_the_prefilter_finds_what_its_definition_finds():
    """The pre-filter looks for module names in the lines that say "import" only, and searches each
    called name once a file; the modules it returns are those of the definition."""
    import random

    from scripts.scan.python import _modules

    words = [*signatures.PYTHON_MODULES, *{s.function for s in signatures.PYTHON_SIGNATURES},
             "TransformerWordEmbeddings", "sentence_transformer", "transformer", "from_pretrain", "spac", "x",
             "import", "import", "from", "importlib", "\n", "\n", "\r\n", "#", "\\\n", "\\\r\n", "\\"]
    rng = random.Random(12)
    cases = [b"", b"import os\n"] + [" ".join(rng.sample(words, rng.randint(1, 6))).encode() for _ in range(3000)]
    cases += [b"import sentence_transformers\nSentenceTransformer('x')", b"from peft import PeftModel\nPeftModel.load('x')",
              b"import flair\nTransformerDocumentEmbeddings('roberta-base')", b"import transformers\npipeline('ner')"]
    for data in cases:
        assert _modules(data) == _modules_by_definition(data), data
    assert _modules(b"import transformers\npipeline('ner')") == ["transformers"]
    assert _modules(b"import sentence_transformers\nSentenceTransformer(x)") == ["sentence_transformers"]
    assert _modules(b"import sentence_transformers\nmodel.from_pretrained(x)") == ["transformers"]  # a substring
    # named, not imported: no call can resolve to it
    assert _modules(b"# uses transformers\nimport torch\nmodel.from_pretrained(x)") == []
    assert _modules(b"import torch  # transformers\nmodel.from_pretrained(x)") == ["transformers"]
    # the module's name on a line the import continues with a backslash
    assert _modules(b"from sentence_transformers \\\n    import SentenceTransformer\nSentenceTransformer(x)") == [
        "sentence_transformers"]
    assert _modules(b"import os, \\\r\n  transformers\r\nmodel.from_pretrained(x)") == ["transformers"]
    assert _modules(b"x = 1 \\\n\nimport os\nsentence_transformers.SentenceTransformer(x)") == []


def test_a_statement_repeated_in_another_file_of_a_scan_is_parsed_once(monkeypatch):
    """The files of one scan share what they parsed (Scan.parsed): a statement the same to the
    character in a second file is not parsed again, and each file still gets its own lines and calls."""
    import ast

    from scripts.scan import python
    from scripts.scan.repo import Scan, scan_file

    first = b'from transformers import AutoModel, pipeline\nMODEL = "org/one"\nm = AutoModel.from_pretrained(MODEL)\n'
    second = b'"""Doc."""\nfrom transformers import AutoModel, pipeline\n\nMODEL = "org/two"\n\nm = AutoModel.from_pretrained(MODEL)\n'
    parsed = []
    real = ast.parse
    monkeypatch.setattr(python.ast, "parse", lambda code, *a, **k: parsed.append(code) or real(code, *a, **k))
    scan = Scan()
    scan_file("a.py", first, scan)
    scan_file("b.py", second, scan)
    assert [(path, c.line, c.model_id) for path, c in scan.calls] == [("a.py", 3, "org/one"), ("b.py", 6, "org/two")]
    assert len([code for code in parsed if "m = AutoModel" in code]) == 1  # the second file reuses it
    assert [(c.line, c.model_id) for _, c in scan.calls] == [
        (c.line, c.model_id) for c in full_calls(first) + full_calls(second)]
    assert Scan() == Scan() and "parsed" not in repr(scan)  # not part of a scan's results


def test_a_statement_repeated_in_a_file_is_parsed_once(monkeypatch):
    """Test files load one model the same way many times: the same text, at the same indentation,
    is parsed once a file, and every copy is still read at its own line."""
    import ast

    from scripts.scan import python

    data = b'''from transformers import AutoModel

def test_one():
    model = AutoModel.from_pretrained("org/same")
    assert model

def test_two():
    model = AutoModel.from_pretrained("org/same")
    assert model


def test_three():
        model = AutoModel.from_pretrained("org/same")
'''
    parsed = []
    real = ast.parse
    monkeypatch.setattr(python.ast, "parse", lambda code, *a, **k: parsed.append(code) or real(code, *a, **k))
    calls = fragment_calls(data)
    assert [(c.line, c.model_id) for c in calls] == [(4, "org/same"), (8, "org/same"), (13, "org/same")]
    assert _key(calls) == _key(full_calls(data))
    statements = [code for code in parsed if isinstance(code, str) and "org/same" in code]
    assert len(statements) == 2  # four spaces (twice: parsed once) and eight
    # a statement that does not parse is not parsed again either: both copies send the file to a whole parse
    bad = b"from transformers import AutoModel\nif x:\n    AutoModel.from_pretrained('org/a'\nif y:\n    AutoModel.from_pretrained('org/a'\n"
    assert fragment_calls(bad) is None


def test_the_minified_check_counts_only_what_it_needs():
    from scripts.scan.repo import MINIFIED_LINE, MINIFIED_MIN_BYTES, _long_lines

    def by_definition(data):
        return len(data) > MINIFIED_LINE * (data.count(b"\n") + 1)

    size = 3 * MINIFIED_MIN_BYTES
    cases = [b"x" * size, b"x = 1\n" * (size // 6), b"\n" * 50 + b"x" * size, b"x" * size + b"\n" * 100,
             b"x" * size + b"\n" * (size // MINIFIED_LINE), b"\n" * (size // MINIFIED_LINE - 2) + b"x" * size,
             (b"y" * 999 + b"\n") * 60, (b"y" * 1000 + b"\n") * 60, (b"y" * 998 + b"\n") * 60]
    for data in cases:
        assert _long_lines(data) == by_definition(data), (len(data), data.count(b"\n"))


def _imports_by_ast(code: str):
    """What Facts.add gathers from the import statements of a fragment; 'error' / 'other' otherwise."""
    import ast

    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return "error"
    body = tree.body[0].body if code.startswith("if 1:\n") and len(tree.body) == 1 else tree.body
    found = []
    for node in body:
        if isinstance(node, ast.Import):
            found.append((None, [(a.name, a.asname) for a in node.names]))
        elif isinstance(node, ast.ImportFrom):
            if node.module and not node.level:
                found.append((node.module, [(a.name, a.asname) for a in node.names]))
        else:
            return "other"
    return found


IMPORTS_READ = [
    "import os", "import os.path as p, sys", "import\ttransformers  # the library",
    "from transformers import AutoModel as AM, pipeline",
    "from transformers import (\n    AutoModel,  # the model\n    AutoTokenizer as Tok,\n)",
    "from transformers import (AutoModel)", "from transformers import *", "from . import x", "from ..models import y",
    "from __future__ import annotations\n\n# a comment\nimport peft\n",
    "if 1:\n    import transformers\n\n# a comment at another indentation\n    from peft import PeftModel",
    "from transformers import AutoModel\r\nimport peft\r\n", "import match, case, type as _",  # soft keywords are names
]
IMPORTS_DECLINED = [
    "import os; import sys", "from x import a,", "from x import a \\\n    as b", "from x import (a\n    as b)",
    "import", "from x import", "import a as", "from x import ()", "import class", "from x import (a, b",
    "from x import a as None", "from True import a", "import x\nprint(x)", "import x\n  import y", "if 1:\nimport x",
    "import os  # caf\u00e9", "import caf\u00e9", "import x\0", "x = 'import y'", "import x.", "from . . import x",
    "import x as y as z", "from x import (a,, b)", "from x import *, a", "@decorator\nimport x",
    "import x  \\\n", "from x import (a, # comment )", "import x\n\timport y", "(import x)",
]


@pytest.mark.parametrize("code", IMPORTS_READ + IMPORTS_DECLINED)
def test_import_statements_are_read_as_ast_reads_them(code):
    """A fragment of import statements only (the most common the scanner parses) is read without ast:
    the same names and aliases as ast.parse, or None (then ast.parse reads it) for anything else."""
    from scripts.scan.fragments import imports_only

    got = imports_only(code)
    if code in IMPORTS_READ:
        assert got is not None and got == _imports_by_ast(code)
    else:
        assert got is None


def test_imports_read_without_ast_resolve_calls(monkeypatch):
    import ast

    from scripts.scan import python

    data = (b"import os\nfrom transformers import (\n    AutoModel as AM,  # aliased\n    pipeline,\n)\n"
            b"from . import local\n\nm = AM.from_pretrained('org/a')\np = pipeline('ner', model='org/b')\n")
    parsed = []
    real = ast.parse
    monkeypatch.setattr(python.ast, "parse", lambda code, *a, **k: parsed.append(code) or real(code, *a, **k))
    calls = fragment_calls(data)
    assert parsed and not any("import" in code for code in parsed)  # the imports were not given to ast
    assert [(c.line, c.model_id) for c in calls] == [(8, "org/a"), (9, "org/b")]
    assert _key(calls) == _key(full_calls(data))
