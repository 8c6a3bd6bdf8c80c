"""What a model argument is: a Hub id, or a local path, a URL, a library's own name, or unresolved.

`classify(value, signature)` returns (ref_kind, model_id). ref_kind is one of

    hub-id        owner/name shaped like a Hub repository id            model_id = value
    legacy-id     a known id of the Hub's original checkpoints (gpt2)   model_id = value
    hub-url       https://huggingface.co/owner/name[/...]               model_id = owner/name
    bare-name     a bare name the library looks up under a Hub namespace (SentenceTransformer
                  "all-MiniLM-L6-v2", spaCy "en_core_web_sm")           model_id = namespace/value
    library-name  a name of the library's own registry (timm "resnet50", flair "ner")
    local-path    a file or folder (./model, /data/x, models/bert, C:\\x, checkpoint.pt)
    url           any other URL
    unknown-name  a bare name that is neither a known legacy id nor a path (may be a local folder)
    variable      a name or attribute the scanner could not resolve to a string
    expression    an f-string, a concatenation, a call: built at run time
    missing       the call passes no model (a pipeline() that takes the task's default model)
    not-a-model   the call downloads a dataset or a Space (repo_type=...)

Only hub-id, legacy-id, hub-url and bare-name have a model_id.
"""

from __future__ import annotations

import re

from build.signatures import LEGACY_IDS, SPACY_PACKAGE, Signature

RESOLVED = ("hub-id", "legacy-id", "hub-url", "bare-name")
UNRESOLVED = ("variable", "expression", "missing")

# owner/name as the Hub allows them: letters, digits, -, _, . ; no leading/trailing - or .; no -- or ..
_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
HUB_ID = re.compile(rf"(?P<owner>{_PART})/(?P<name>{_PART})")
_BARE = re.compile(_PART)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HUB_URL = re.compile(rf"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<id>{_PART}/{_PART})(?:/|$|\?|#)")
# First parts of a two-part relative path that are folders, not Hub owners.
LOCAL_DIRS = frozenset("""
model models checkpoint checkpoints ckpt ckpts output outputs out saved saved_model saved_models
pretrained pretrained_models weights data dataset datasets tmp temp results runs run exp exps
experiments logs cache local artifacts save trained trained_models finetuned best_model resources
assets src lib
""".split())
_FILE_SUFFIX = re.compile(r"\.(bin|pt|pth|ckpt|safetensors|h5|onnx|gguf|ggml|json|yaml|yml|txt|pkl|"
                          r"model|zip|tar|gz|npz|msgpack)$", re.I)


def looks_like_path(value: str) -> bool:
    return (value.startswith(("/", "./", "../", "~", ".\\", "..\\")) or "\\" in value
            or re.match(r"^[A-Za-z]:", value) is not None or value.count("/") > 1
            or value in (".", "..") or _FILE_SUFFIX.search(value) is not None
            or any(c.isspace() for c in value))


def classify(value: str | None, sig: Signature) -> tuple[str, str | None]:
    if value is None:
        return "missing", None
    value = value.strip()
    if not value:
        return "expression", None
    m = _HUB_URL.match(value)
    if m:
        return "hub-url", m["id"]
    if _URL.match(value):
        return "url", None
    for prefix in sig.id_prefixes:
        if value.startswith(prefix):
            rest = value[len(prefix):]
            return ("hub-id", rest) if HUB_ID.fullmatch(rest) else ("local-path", None)
    if looks_like_path(value):
        return "local-path", None
    m = HUB_ID.fullmatch(value)
    if m:
        if m["owner"].lower() in LOCAL_DIRS or ".." in value or "--" in value:
            return "local-path", None
        return "hub-id", value
    if not _BARE.fullmatch(value):
        return "local-path", None
    if value in LEGACY_IDS and not sig.plain_names and sig.bare_namespace is None:
        return "legacy-id", value
    if sig.bare_namespace == "spacy":
        return ("bare-name", f"spacy/{value}") if SPACY_PACKAGE.fullmatch(value) else ("library-name", None)
    if sig.bare_namespace:
        return "bare-name", f"{sig.bare_namespace}/{value}"
    if sig.plain_names or sig.id.startswith("flair."):
        return "library-name", None
    return "unknown-name", None
