"""Reuse signatures: the calls through which code loads a model from the Hugging Face Hub, as data.

This module is the one definition of the method. The scanner (scripts/scan/) matches code against
SIGNATURES, and the builder (build/db.py) writes the same SIGNATURES into the published
`reuse_signatures` table, so the published method and the code that applies it cannot drift
apart. docs/dependents.md explains the method; metadata.yml describes the table.

A Python signature matches a call whose callee, after import aliases are resolved, is
`<module>[.<submodules>].<owner>.<function>` (a method on a class) or `<module>[...].<function>`
(a function or class called directly):

- `module`: the top-level import name (`transformers`, `sentence_transformers`, `llama_cpp`);
- `owner`: a regular expression the class name must match in full (None: a plain function);
- `function`: the called name (`from_pretrained`, `pipeline`, `SentenceTransformer`);
- `id_position` / `id_keywords`: where the model id is passed (positional index, keyword names);
- `task_position` / `task_keywords`: where a task is passed (transformers.pipeline only);
- `id_prefixes`: prefixes that mark a Hub id inside the argument (timm/open_clip `hf_hub:`); with
  `plain_names` the argument is otherwise a name of the library's own registry, not a Hub id;
- `bare_namespace`: the namespace a bare name resolves to on the Hub (SentenceTransformer
  `all-MiniLM-L6-v2` -> `sentence-transformers/all-MiniLM-L6-v2`, spaCy `en_core_web_sm` ->
  `spacy/en_core_web_sm`);
- `repo_type_keyword`: a keyword whose literal value other than "model" means the call does not
  load a model (huggingface_hub's `repo_type="dataset"`).

A JavaScript/TypeScript signature is a regular expression over the text of a file that imports
`module` (an npm package name); its named groups `task` and `model` are the arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Classes of transformers whose from_pretrained loads a model, tokenizer or processor.
_TRANSFORMERS_AUTO = r"Auto\w*"
_TRANSFORMERS_MODEL = (r"(?!Auto)\w*(Model|For[A-Z]\w*|LMHeadModel|Generation\w*|Seq2Seq\w*|"
                       r"Encoder\w*|Decoder\w*|Pipeline)")
_TRANSFORMERS_TOKENIZER = (r"(?!Auto)\w*(Tokenizer|TokenizerFast|Processor|FeatureExtractor|"
                           r"ImageProcessor|Config)")


@dataclass(frozen=True)
class Signature:
    id: str                      # stable id, e.g. "transformers.Auto*.from_pretrained"
    library: str                 # the package people install (PyPI or npm name)
    language: str                # "python" or "javascript"
    call: str                    # the call as people write it, in words
    model_id_passed: str         # how the model id is passed, in words
    example: str                 # one line of code that matches
    module: str                  # top-level import name (Python) or npm package (JavaScript)
    function: str = ""           # called name (Python)
    owner: str | None = None     # class-name regex for a method call (Python)
    id_position: int | None = 0
    id_keywords: tuple[str, ...] = ()
    task_position: int | None = None
    task_keywords: tuple[str, ...] = ()
    id_prefixes: tuple[str, ...] = ()
    plain_names: bool = False    # a name without prefix is the library's registry name, not a Hub id
    bare_namespace: str | None = None
    repo_type_keyword: str | None = None
    pattern: str | None = None   # JavaScript: regex with named groups model (and task)
    note: str = ""
    owner_re: re.Pattern | None = field(default=None, compare=False, repr=False)
    function_re: re.Pattern | None = field(default=None, compare=False, repr=False)
    pattern_re: re.Pattern | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.owner is not None:
            object.__setattr__(self, "owner_re", re.compile(self.owner))
        if self.function:
            object.__setattr__(self, "function_re", re.compile(self.function))
        if self.pattern:
            object.__setattr__(self, "pattern_re", re.compile(self.pattern))

    @property
    def api(self) -> str:
        """The loading API as code_usages names it (`from_pretrained`, `pipeline`, ...)."""
        return self.id.rsplit(".", 1)[-1].strip("{}")

    def row(self) -> dict:
        """The signature as a row of the published reuse_signatures table."""
        return {"id": self.id, "library": self.library, "language": self.language, "call": self.call,
                "module": self.module, "function": self.function or None, "owner_pattern": self.owner,
                "model_id_passed": self.model_id_passed, "task_passed": _task_passed(self),
                "hub_id_prefixes": list(self.id_prefixes) or None, "bare_namespace": self.bare_namespace,
                "pattern": self.pattern, "example": self.example, "note": self.note or None}


def _task_passed(sig: Signature) -> str | None:
    if sig.task_position is None and not sig.task_keywords:
        return None
    where = [f"positional argument {sig.task_position + 1}"] if sig.task_position is not None else []
    return " or ".join(where + [f"keyword {k}" for k in sig.task_keywords])


def _py(id, library, call, passed, example, module, function, owner=None, **kw) -> Signature:
    return Signature(id=id, library=library, language="python", call=call, model_id_passed=passed,
                     example=example, module=module, function=function, owner=owner, **kw)


def _js(id, library, call, passed, example, pattern, **kw) -> Signature:
    return Signature(id=id, library=library, language="javascript", call=call, model_id_passed=passed,
                     example=example, module=library, pattern=pattern, id_position=None, **kw)


_FIRST_OR = "first positional argument or keyword "

SIGNATURES: tuple[Signature, ...] = (
    # ------------------------------------------------------------------ transformers
    _py("transformers.Auto*.from_pretrained", "transformers", "AutoModel*/AutoTokenizer/AutoProcessor/AutoConfig.from_pretrained(id)",
        _FIRST_OR + "pretrained_model_name_or_path",
        'model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")',
        "transformers", "from_pretrained", _TRANSFORMERS_AUTO, id_keywords=("pretrained_model_name_or_path",)),
    _py("transformers.<Model>.from_pretrained", "transformers", "a model class (BertModel, GPT2LMHeadModel, T5ForConditionalGeneration, ...).from_pretrained(id)",
        _FIRST_OR + "pretrained_model_name_or_path",
        'model = GPT2LMHeadModel.from_pretrained("gpt2")',
        "transformers", "from_pretrained", _TRANSFORMERS_MODEL, id_keywords=("pretrained_model_name_or_path",)),
    _py("transformers.<Tokenizer>.from_pretrained", "transformers", "a tokenizer, processor or config class (BertTokenizer, CLIPProcessor, ...).from_pretrained(id)",
        _FIRST_OR + "pretrained_model_name_or_path",
        'tokenizer = BertTokenizerFast.from_pretrained("bert-base-uncased")',
        "transformers", "from_pretrained", _TRANSFORMERS_TOKENIZER, id_keywords=("pretrained_model_name_or_path",)),
    _py("transformers.pipeline", "transformers", "pipeline(task, model=id)",
        "keyword model, or second positional argument (the first is the task)",
        'classifier = pipeline("sentiment-analysis", model="distilbert-base-uncased-finetuned-sst-2-english")',
        "transformers", "pipeline", id_position=1, id_keywords=("model",),
        task_position=0, task_keywords=("task",),
        note="a pipeline without model= loads the task's default model, which the call does not name"),
    # ------------------------------------------------------------------ huggingface_hub
    _py("huggingface_hub.hf_hub_download", "huggingface_hub", "hf_hub_download(repo_id, filename)",
        _FIRST_OR + "repo_id", 'path = hf_hub_download(repo_id="openai/whisper-tiny", filename="config.json")',
        "huggingface_hub", "hf_hub_download", id_keywords=("repo_id",), repo_type_keyword="repo_type",
        note='repo_type="dataset" or "space" is not a model download and is not counted'),
    _py("huggingface_hub.snapshot_download", "huggingface_hub", "snapshot_download(repo_id)",
        _FIRST_OR + "repo_id", 'folder = snapshot_download("stabilityai/stable-diffusion-2-1")',
        "huggingface_hub", "snapshot_download", id_keywords=("repo_id",), repo_type_keyword="repo_type",
        note='repo_type="dataset" or "space" is not a model download and is not counted'),
    # ------------------------------------------------------------------ sentence-transformers
    _py("sentence_transformers.SentenceTransformer", "sentence-transformers", "SentenceTransformer(id)",
        _FIRST_OR + "model_name_or_path", 'model = SentenceTransformer("all-MiniLM-L6-v2")',
        "sentence_transformers", "SentenceTransformer", id_keywords=("model_name_or_path",),
        bare_namespace="sentence-transformers",
        note="a bare name is looked up under sentence-transformers/ on the Hub"),
    _py("sentence_transformers.CrossEncoder", "sentence-transformers", "CrossEncoder(id)",
        _FIRST_OR + "model_name_or_path (model_name in old versions)",
        'reranker = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")',
        "sentence_transformers", "CrossEncoder", id_keywords=("model_name_or_path", "model_name")),
    # ------------------------------------------------------------------ diffusers, peft
    _py("diffusers.*.from_pretrained", "diffusers", "any diffusers class (StableDiffusionPipeline, DiffusionPipeline, UNet2DConditionModel, ...).from_pretrained(id)",
        _FIRST_OR + "pretrained_model_name_or_path",
        'pipe = StableDiffusionPipeline.from_pretrained("runwayml/stable-diffusion-v1-5")',
        "diffusers", "from_pretrained", r"\w+", id_keywords=("pretrained_model_name_or_path",)),
    _py("peft.PeftModel.from_pretrained", "peft", "PeftModel / PeftModelFor*.from_pretrained(base_model, id)",
        "second positional argument or keyword model_id (the first is the base model object)",
        'model = PeftModel.from_pretrained(base, "tloen/alpaca-lora-7b")',
        "peft", "from_pretrained", r"Peft\w*Model\w*", id_position=1, id_keywords=("model_id",)),
    _py("peft.AutoPeftModel*.from_pretrained", "peft", "AutoPeftModel* / PeftConfig.from_pretrained(id)",
        _FIRST_OR + "pretrained_model_name_or_path",
        'model = AutoPeftModelForCausalLM.from_pretrained("ybelkada/opt-350m-lora")',
        "peft", "from_pretrained", r"AutoPeftModel\w*|\w*Config", id_keywords=("pretrained_model_name_or_path",)),
    # ------------------------------------------------------------------ timm, open_clip
    _py("timm.create_model", "timm", 'create_model("hf_hub:org/name") or create_model("resnet50")',
        _FIRST_OR + "model_name; a Hub id after the prefix hf_hub: (or hf-hub:), else a timm registry name",
        'model = timm.create_model("hf_hub:timm/vit_base_patch16_224.augreg_in21k", pretrained=True)',
        "timm", "create_model", id_keywords=("model_name",), id_prefixes=("hf_hub:", "hf-hub:"), plain_names=True,
        note="a plain name (resnet50) is timm's own registry name: recorded, with no Hub id"),
    _py("open_clip.create_model_and_transforms", "open_clip_torch", 'create_model_and_transforms("hf-hub:org/name")',
        _FIRST_OR + "model_name; a Hub id after the prefix hf-hub:, else an open_clip architecture name",
        'model, _, preprocess = open_clip.create_model_and_transforms("hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K")',
        "open_clip", "create_model_and_transforms", id_keywords=("model_name",), id_prefixes=("hf-hub:", "hf_hub:"),
        plain_names=True),
    _py("open_clip.create_model_from_pretrained", "open_clip_torch", 'create_model_from_pretrained("hf-hub:org/name")',
        _FIRST_OR + "model_name; a Hub id after the prefix hf-hub:, else an open_clip architecture name",
        'model, preprocess = open_clip.create_model_from_pretrained("hf-hub:apple/DFN5B-CLIP-ViT-H-14")',
        "open_clip", "create_model_from_pretrained", id_keywords=("model_name",), id_prefixes=("hf-hub:", "hf_hub:"),
        plain_names=True),
    _py("open_clip.create_model", "open_clip_torch", 'create_model("hf-hub:org/name")',
        _FIRST_OR + "model_name; a Hub id after the prefix hf-hub:",
        'model = open_clip.create_model("hf-hub:timm/ViT-B-16-SigLIP")',
        "open_clip", "create_model", id_keywords=("model_name",), id_prefixes=("hf-hub:", "hf_hub:"), plain_names=True),
    _py("open_clip.get_tokenizer", "open_clip_torch", 'get_tokenizer("hf-hub:org/name")',
        _FIRST_OR + "model_name; a Hub id after the prefix hf-hub:",
        'tokenizer = open_clip.get_tokenizer("hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K")',
        "open_clip", "get_tokenizer", id_keywords=("model_name",), id_prefixes=("hf-hub:", "hf_hub:"), plain_names=True),
    # ------------------------------------------------------------------ spaCy
    _py("spacy.load", "spacy", "spacy.load(pipeline package)",
        _FIRST_OR + "name; a pipeline package name (en_core_web_sm), published on the Hub as spacy/<name>",
        'nlp = spacy.load("en_core_web_sm")', "spacy", "load", id_keywords=("name",),
        bare_namespace="spacy", plain_names=True,
        note="spaCy pipelines are pip packages; the Hub copy is spacy/<name>. A name without the "
             "language_type_genre_size shape (a blank pipeline, a folder) is not a Hub id"),
    # ------------------------------------------------------------------ speechbrain
    _py("speechbrain.*.from_hparams", "speechbrain", "EncoderClassifier / EncoderDecoderASR / ... .from_hparams(source=id)",
        "keyword source, or first positional argument",
        'classifier = EncoderClassifier.from_hparams(source="speechbrain/spkrec-ecapa-voxceleb")',
        "speechbrain", "from_hparams", r"\w+", id_keywords=("source",)),
    # ------------------------------------------------------------------ setfit, gliner, llama-cpp, flair
    _py("setfit.SetFitModel.from_pretrained", "setfit", "SetFitModel.from_pretrained(id)",
        _FIRST_OR + "pretrained_model_name_or_path",
        'model = SetFitModel.from_pretrained("sentence-transformers/paraphrase-mpnet-base-v2")',
        "setfit", "from_pretrained", r"SetFit\w*", id_keywords=("pretrained_model_name_or_path",)),
    _py("gliner.GLiNER.from_pretrained", "gliner", "GLiNER.from_pretrained(id)",
        _FIRST_OR + "model_id (pretrained_model_name_or_path in newer versions)",
        'model = GLiNER.from_pretrained("urchade/gliner_medium-v2.1")',
        "gliner", "from_pretrained", r"GLiNER\w*", id_keywords=("model_id", "pretrained_model_name_or_path")),
    _py("llama_cpp.Llama.from_pretrained", "llama-cpp-python", "Llama.from_pretrained(repo_id, filename)",
        _FIRST_OR + "repo_id",
        'llm = Llama.from_pretrained(repo_id="TheBloke/Mistral-7B-Instruct-v0.2-GGUF", filename="*Q4_K_M.gguf")',
        "llama_cpp", "from_pretrained", r"Llama", id_keywords=("repo_id",)),
    _py("flair.*.load", "flair", "SequenceTagger / TextClassifier / Classifier / ... .load(id)",
        _FIRST_OR + "model_path; a Hub id (flair/ner-english) or a flair short name (ner)",
        'tagger = SequenceTagger.load("flair/ner-english-large")',
        "flair", "load", r"\w*(Tagger|Classifier|Embeddings|Model|Splitter|Linker)", id_keywords=("model_path", "model"),
        note="a flair short name (ner, sentiment) resolves through flair's own table: recorded, with no Hub id"),
    _py("flair.TransformerEmbeddings", "flair", "TransformerWordEmbeddings(id) / TransformerDocumentEmbeddings(id)",
        _FIRST_OR + "model", 'embeddings = TransformerDocumentEmbeddings("roberta-base")',
        "flair", "Transformer(Word|Document)Embeddings", id_keywords=("model",)),
    # ------------------------------------------------------------------ JavaScript
    _js("@huggingface/transformers.pipeline", "@huggingface/transformers", "pipeline(task, model)",
        "second argument (a string); the first is the task",
        "const classifier = await pipeline('sentiment-analysis', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english');",
        r"""\bpipeline\s*\(\s*(?P<q1>['"`])(?P<task>[^'"`\n]*)(?P=q1)\s*(?:,\s*(?:(?P<q2>['"`])(?P<model>[^'"`\n]*)(?P=q2)|(?P<expr>[A-Za-z_$][\w$.]*)))?""",
        task_position=0, note="also matches the old package name @xenova/transformers"),
    _js("@huggingface/transformers.from_pretrained", "@huggingface/transformers", "AutoModel / AutoTokenizer / ... .from_pretrained(id)",
        "first argument (a string)",
        "const tokenizer = await AutoTokenizer.from_pretrained('Xenova/bert-base-uncased');",
        r"""\b(?P<owner>\w+)\.from_pretrained\s*\(\s*(?:(?P<q2>['"`])(?P<model>[^'"`\n]*)(?P=q2)|(?P<expr>[A-Za-z_$][\w$.]*))"""),
    _js("@huggingface/inference.{model}", "@huggingface/inference", "client.<task>({model: id, ...})",
        "the model property of the call's argument object",
        "const out = await hf.textGeneration({ model: 'gpt2', inputs: 'Hello' });",
        r"""\bmodel\s*:\s*(?:(?P<q2>['"`])(?P<model>[^'"`\n]*)(?P=q2)|(?P<expr>[A-Za-z_$][\w$.]*))"""),
)

# npm packages that are older names of a signature's package.
JS_PACKAGE_ALIASES = {"@xenova/transformers": "@huggingface/transformers"}

PYTHON_SIGNATURES = tuple(s for s in SIGNATURES if s.language == "python")
JS_SIGNATURES = tuple(s for s in SIGNATURES if s.language == "javascript")
BY_ID = {s.id: s for s in SIGNATURES}

# Import names -> the package people install, for requirements files and imports.
PACKAGES = {s.module: s.library for s in SIGNATURES}
PACKAGES.update({"open_clip": "open_clip_torch", "llama_cpp": "llama-cpp-python",
                 "sentence_transformers": "sentence-transformers"})
# Requirement names (normalised, PEP 503) -> the library they stand for.
REQUIREMENT_NAMES = {re.sub(r"[-_.]+", "-", lib).lower(): lib for lib in sorted(set(PACKAGES.values()))}
REQUIREMENT_NAMES.update({"open-clip-torch": "open_clip_torch", "llama-cpp-python": "llama-cpp-python",
                          "spacy-transformers": "spacy"})

# Modules of the Python signatures: a file that names none of them cannot resolve a call to one
# (resolution needs an import), so the scanner parses only files that contain one of them
# (a byte search, far faster than parsing).
PYTHON_MODULES = tuple(sorted({s.module for s in PYTHON_SIGNATURES}))
JS_MODULES = tuple(sorted({s.module for s in JS_SIGNATURES} | set(JS_PACKAGE_ALIASES)))

# Model ids of the Hub's original checkpoints, which had no owner (the "canonical" models; the Hub
# moved them under organisations in 2024 and redirects the old ids). A bare name in this list is a
# Hub id; any other bare name passed to from_pretrained is a local folder or unknown.
LEGACY_IDS = frozenset("""
albert-base-v1 albert-base-v2 albert-large-v1 albert-large-v2 albert-xlarge-v1 albert-xlarge-v2
albert-xxlarge-v1 albert-xxlarge-v2 bert-base-cased bert-base-cased-finetuned-mrpc bert-base-chinese
bert-base-german-cased bert-base-german-dbmdz-cased bert-base-german-dbmdz-uncased
bert-base-multilingual-cased bert-base-multilingual-uncased bert-base-uncased bert-large-cased
bert-large-cased-whole-word-masking bert-large-cased-whole-word-masking-finetuned-squad
bert-large-uncased bert-large-uncased-whole-word-masking
bert-large-uncased-whole-word-masking-finetuned-squad camembert-base ctrl distilbert-base-cased
distilbert-base-cased-distilled-squad distilbert-base-german-cased distilbert-base-multilingual-cased
distilbert-base-uncased distilbert-base-uncased-distilled-squad
distilbert-base-uncased-finetuned-sst-2-english distilgpt2 distilroberta-base gpt2 gpt2-large
gpt2-medium gpt2-xl openai-gpt roberta-base roberta-base-openai-detector roberta-large
roberta-large-mnli roberta-large-openai-detector t5-11b t5-3b t5-base t5-large t5-small
transfo-xl-wt103 xlm-clm-ende-1024 xlm-clm-enfr-1024 xlm-mlm-100-1280 xlm-mlm-17-1280
xlm-mlm-en-2048 xlm-mlm-ende-1024 xlm-mlm-enfr-1024 xlm-mlm-enro-1024 xlm-mlm-tlm-xnli15-1024
xlm-mlm-xnli15-1024 xlm-roberta-base xlm-roberta-large xlm-roberta-large-finetuned-conll02-dutch
xlm-roberta-large-finetuned-conll02-spanish xlm-roberta-large-finetuned-conll03-english
xlm-roberta-large-finetuned-conll03-german xlnet-base-cased xlnet-large-cased
""".split())

# A spaCy pipeline package name: language_type_genre_size (en_core_web_sm, xx_ent_wiki_sm).
SPACY_PACKAGE = re.compile(r"[a-z]{2,3}_(core|dep|ent|sent|trf|senter)_[a-z]+_(sm|md|lg|trf)")

# transformers.pipeline task aliases: the name a call may use -> the Hub's pipeline_tag
# (transformers.pipelines.TASK_ALIASES; translation_xx_to_yy is the translation task).
PIPELINE_TASK_ALIASES = {
    "sentiment-analysis": "text-classification",
    "ner": "token-classification",
    "vqa": "visual-question-answering",
    "text-to-speech": "text-to-audio",
}
# A model declared with the key's pipeline_tag serves these other pipeline tasks by design (a
# text2text model summarises and translates), so a call asking for one is not a mismatch.
PIPELINE_TASK_COMPATIBLE = {
    "text2text-generation": ("summarization", "translation"),
    "summarization": ("text2text-generation",),
    "translation": ("text2text-generation",),
    "feature-extraction": ("sentence-similarity",),
    "sentence-similarity": ("feature-extraction",),
    "image-text-to-text": ("image-to-text", "visual-question-answering"),
}


def canonical_task(task: str | None) -> str | None:
    """The Hub pipeline_tag a pipeline() task name stands for (translation_en_to_fr -> translation)."""
    if not task or not task.strip():
        return None
    task = task.strip()
    if task.startswith("translation_"):
        return "translation"
    return PIPELINE_TASK_ALIASES.get(task, task)


def compatibility_rows() -> list[dict]:
    """(declared pipeline_tag, task a call may ask for) pairs that are not a mismatch."""
    return [{"pipeline_tag": tag, "task": task} for tag, tasks in PIPELINE_TASK_COMPATIBLE.items()
            for task in tasks]
