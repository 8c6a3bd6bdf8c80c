"""Model cards: metadata, sections, template filler and a completeness score.

`analyze(text, tags)` turns one README.md into the flat fields of the `cards`
table and the rows of `card_sections` (docs/cards.md documents every field, the
section table and the score). The builder calls it for every card of a raw
snapshot, so it never raises and its cost is bounded for any input string:

- YAML front matter is split off with the Hub's own regex and read as
  `huggingface_hub.ModelCardData` (model-index through
  `model_index_to_eval_results`), so fields mean what the Hub means. The YAML
  is parsed with limits on its size, before and after aliases are expanded
  (YAML bombs), by libyaml when it is installed. Cards without front matter fill the same fields from the
  Hub tags that came with them (`license:mit`, `dataset:squad`, ...).
- The Markdown body is parsed with markdown-it-py, block rules only, into a
  flat list of headings; each heading is mapped to a canonical section of the
  Hugging Face template, Mitchell et al. (2019) or the Trainer's generated
  card. A section whose text is only template filler counts as absent.

Problems are recorded in the `parse_error` field; text-derived strings
(headings) are returned unchanged and nothing here produces HTML.

`python -m build.cards PATH [PATH...]` prints the analysis as JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import OrderedDict
from functools import lru_cache
from itertools import accumulate, repeat
from operator import sub
from typing import Iterable

import yaml
from huggingface_hub import ModelCardData, fastai_utils, hub_mixin
from huggingface_hub.repocard import REGEX_YAML_BLOCK, TEMPLATE_MODELCARD_PATH
from huggingface_hub.repocard_data import model_index_to_eval_results
from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.rules_block.html_block import HTML_SEQUENCES

from build.hubfacts import license_id, parse_tags, valid_model_id

# ---------------------------------------------------------------------------
# Limits: they bound the time and memory one card can take.

MAX_FRONT_MATTER_CHARS = 512 * 1024  # the largest real model-index blocks are far smaller
MAX_YAML_NODES = 200_000  # YAML nodes once aliases are expanded (billion laughs, merge-key bombs)
MAX_BODY_CHARS = 500_000  # Markdown parsed per card (the largest of the 803 real cards: 117 kB)
MAX_ERROR_CHARS = 200
MAX_CARD_CHARS = 64 * 2 ** 20  # a longer card is cut (a snapshot record holds at most 64 MiB anyway)
_WORD = re.compile(r"\S+")
MAX_CARD_BYTES = 16 * 2 ** 20  # what `python -m build.cards` reads of a file

# ---------------------------------------------------------------------------
# Canonical sections: (name, pattern over the normalized heading), first match
# wins. Normalized = lower case, "&" -> "and", "[optional]"/"(optional)", links,
# HTML tags, leading numbering and every non-alphanumeric run removed or turned
# into one space. Sources: HF = huggingface_hub's modelcard_template.md,
# M = Mitchell et al. 2019, T = the transformers Trainer's generated card,
# + = a frequent synonym on the Hub. docs/cards.md shows this table.
SECTION_PATTERNS: tuple[tuple[str, str], ...] = (
    # T "Intended uses & limitations" covers both uses and limitations.
    ("intended_uses_limitations",
     r"(?:intended )?uses? (?:and )?limitations?(?: and (?:risks?|bias(?:es)?))?"
     r"|uses limitations and risks|intended use and limitations"),
    ("training_evaluation_data",  # T
     r"train(?:ing)? and eval(?:uation)? data(?:sets?)?"),
    ("model_details",  # HF, M
     r"model details?|details of (?:the )?model|model (?:information|info)"),
    ("model_description",  # HF, T
     r"(?:model )?description|model summary|(?:model )?overview|introduction|intro"
     r"|about(?: (?:the|this) model)?"),
    ("model_sources",  # HF
     r"model sources?|sources|(?:model )?resources(?: for more information)?|(?:useful )?links"),
    ("uses",  # HF "Uses", M "Intended Use"
     r"uses|intended uses?|intended use cases?|use cases?"),
    ("direct_use", r"direct us(?:es?|age)"),  # HF
    ("downstream_use", r"downstream us(?:es?|age)"),  # HF
    ("out_of_scope_use",  # HF
     r"(?:misuse (?:malicious use )?(?:and )?)?out of scope us(?:es?|age)(?: cases)?"
     r"|misuse(?: and malicious use)?|unintended uses?"),
    ("bias_risks_limitations",  # HF "Bias, Risks, and Limitations"
     r"(?:(?:known|potential) )?(?:bias(?:es)?|risks?|limitations?)"
     r"(?: (?:and )?(?:bias(?:es)?|risks?|limitations?))*"),
    ("recommendations", r"recommendations?"),  # HF
    ("ethical_considerations",  # M
     r"ethical considerations?(?: and limitations)?|ethics(?: statement)?|ethical (?:concerns|statement|issues)"),
    ("caveats_recommendations", r"caveats?(?: and recommendations?)?"),  # M
    ("how_to_get_started",  # HF
     r"how to (?:get started|use|run|start|load|download)(?: .+)?|getting started|get started|quick ?start"
     r"|(?:model )?usage(?: .+)?|example usage|(?:simple |code )?examples?(?: python)?(?: code)?"
     r"|inference(?: .+)?|using (?:the |this )?model|use (?:it )?(?:with|in) .+|installation"),
    ("training_details", r"training(?: details?| information| info)?|model training"),  # HF
    ("training_data",  # HF, M
     r"(?:pre ?)?train(?:ing)? (?:data(?:sets?)?|datasets?|corpus|corpora)|data(?:sets?)?|datasets?"),
    ("preprocessing", r"(?:data )?pre ?processing"),  # HF
    ("training_hyperparameters",  # HF, T
     r"(?:training )?hyper ?parameters|training (?:regime|arguments|args|parameters|config(?:uration)?)"),
    ("training_procedure",  # HF, T
     r"(?:pre ?)?training (?:procedure|process|setup|methodology|approach)|fine ?tuning(?: procedure| details)?"),
    ("speeds_sizes_times", r"speeds? sizes? (?:and )?times?"),  # HF
    ("training_results", r"training (?:results?|logs?|metrics|loss)"),  # T
    ("framework_versions", r"framework versions?|frameworks?|software versions?|library versions?"),  # T
    ("testing_data_factors_metrics", r"testing data factors (?:and )?metrics"),  # HF
    ("testing_data",  # HF, M "Evaluation Data"
     r"test(?:ing)? (?:data(?:sets?)?|sets?|datasets?)|eval(?:uation)? (?:data(?:sets?)?|datasets?)"
     r"|benchmark datasets?"),
    ("factors", r"(?:relevant |evaluation )?factors"),  # HF, M
    ("metrics", r"(?:evaluation )?metrics?|(?:model )?performance measures"),  # HF, M
    ("results",  # HF, M "Quantitative Analyses"
     r"results|(?:.+ )?eval(?:uation)? results?(?: .+)?|benchmarks?|benchmark results?|(?:model )?performance"
     r"|scores?|quantitative analys[ie]s|test results?|evaluation and results|validation (?:metrics|results)"),
    ("evaluation", r"eval(?:uation)?s?|model evaluation|evaluation (?:procedure|protocol|methodology|setup)"),  # HF
    ("model_examination", r"model examination|interpretability|explainability"),  # HF
    ("environmental_impact",  # HF
     r"environmental impact|carbon (?:emissions?|footprint)|co2 emissions?|energy (?:use|consumption)"),
    ("technical_specifications", r"technical (?:specifications?|specs|details)|(?:model )?specifications?"),  # HF
    ("model_architecture_objective", r"(?:full )?model architecture(?: and objective)?|architecture"),  # HF
    ("compute_infrastructure", r"compute infrastructure|infrastructure|hardware and software"),  # HF
    ("hardware", r"hardware(?: requirements| used)?"),  # HF
    ("software", r"software(?: requirements)?|dependencies|requirements"),  # HF
    ("citation",  # HF
     r"citations?(?: information| info)?|cite(?: (?:this|us|as))?|how to cite(?: this(?: model| work)?)?"
     r"|citing(?: and authors)?"
     r"|bibtex(?: entry)?(?: and citation info(?:rmation)?)?|references?"),
    ("glossary", r"glossary|definitions|terminology"),  # HF
    ("more_information", r"more information|further information|additional information|more info"),  # HF
    ("model_card_authors", r"model card authors?|authors?|contributors"),  # HF
    ("model_card_contact", r"(?:model card )?contacts?(?: info(?:rmation)?| us| details)?"),  # HF
    ("license", r"licen[cs]es?(?: information| info)?|licensing"),  # +
)
CANONICAL_SECTIONS = tuple(name for name, _ in SECTION_PATTERNS)
_SECTION_RE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in SECTION_PATTERNS))

# Sections the Trainer fills by itself: their content does not make a card
# "human-written" (see template_only).
TRAINER_AUTO_SECTIONS = frozenset(
    {"training_procedure", "training_hyperparameters", "training_results", "framework_versions"}
)
# Sections whose code blocks count as a usage example (has_usage_code); code in
# e.g. a citation or training section is not one.
USAGE_CODE_SECTIONS = frozenset(
    {None, "how_to_get_started", "uses", "direct_use", "downstream_use", "intended_uses_limitations",
     "model_description", "model_details"}
)
# Tables here are training logs, not evaluation reports (eval_reporting).
NOT_EVALUATION_TABLE_SECTIONS = frozenset({"training_results", "training_hyperparameters", "framework_versions"})

# ---------------------------------------------------------------------------
# Hub vocabularies used to read tags.

# huggingface.js packages/tasks/src/pipelines.ts, in its order (which the Hub
# uses to choose a default), then newer tasks and the legacy "conversational".
PIPELINE_TAGS = (
    "text-classification token-classification table-question-answering question-answering "
    "zero-shot-classification translation summarization feature-extraction text-generation "
    "text2text-generation fill-mask sentence-similarity text-to-speech text-to-audio "
    "automatic-speech-recognition audio-to-audio audio-classification voice-activity-detection "
    "depth-estimation image-classification object-detection image-segmentation text-to-image "
    "image-to-text image-to-image image-to-video unconditional-image-generation video-classification "
    "reinforcement-learning robotics tabular-classification tabular-regression tabular-to-text "
    "table-to-text multiple-choice text-retrieval time-series-forecasting text-to-video "
    "image-text-to-text visual-question-answering document-question-answering "
    "zero-shot-image-classification graph-ml mask-generation zero-shot-object-detection text-to-3d "
    "image-to-3d image-feature-extraction video-text-to-text keypoint-detection any-to-any "
    "audio-text-to-text image-text-to-image image-text-to-video text-ranking video-to-video "
    "visual-document-retrieval other conversational"
).split()
_PIPELINE_RANK = {tag: rank for rank, tag in enumerate(PIPELINE_TAGS)}

# Library tags, the more specific first: a sentence-transformers or PEFT model
# also carries the "transformers" tag (ids from huggingface.js model-libraries.ts).
LIBRARY_TAGS = (
    "peft sentence-transformers setfit span-marker diffusers adapter-transformers mlx transformers "
    "timm open_clip spacy flair stanza fastai keras tf-keras sklearn stable-baselines3 ml-agents "
    "sample-factory espnet speechbrain nemo pyannote-audio asteroid fairseq allennlp paddlenlp "
    "bertopic fasttext transformers.js gguf onnx"
).split()
_LIBRARY_RANK = {tag: rank for rank, tag in enumerate(LIBRARY_TAGS)}

# ISO 639-1 codes. A Hub tag that is one of them is a language. Three-letter
# codes are not read from tags: they collide with model tags (vit, opt, trl...).
ISO_639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de "
    "dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id "
    "ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu "
    "lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu "
    "rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr "
    "ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu multilingual".split()
)

# ---------------------------------------------------------------------------
# Completeness score: (item, weight, how it is met). docs/cards.md gives the
# rationale. explain() evaluates them on the flat card fields.
INTENDED_USE = frozenset({"uses", "direct_use", "downstream_use", "intended_uses_limitations"})
LIMITATIONS = frozenset({"bias_risks_limitations", "out_of_scope_use", "recommendations",
                         "ethical_considerations", "caveats_recommendations", "intended_uses_limitations"})
TRAINING_DATA = frozenset({"training_data", "training_evaluation_data"})
EVALUATION = frozenset({"evaluation", "testing_data", "testing_data_factors_metrics", "factors", "metrics",
                        "results"})
DESCRIPTION = frozenset({"model_description", "model_details"})
SCORE_WEIGHTS = {
    "intended use": 0.15,
    "limitations": 0.15,
    "training data": 0.15,
    "evaluation": 0.15,
    "license": 0.15,
    "how to use": 0.10,
    "description": 0.10,
    "task": 0.05,
}
INTRO_MIN_WORDS = 10  # prose before the first section that counts as a description

# ---------------------------------------------------------------------------
# Regular expressions (compiled once).

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)  # an unclosed comment runs to the end: linear time
_TAG = re.compile(r"<[^<>]*>")  # [^<>] keeps it linear on "<<<<..."
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_NON_ALNUM = re.compile(r"[\W_]+")
_ALNUM = re.compile(r"[^\W_]")
_OPTIONAL = re.compile(r"[\[(]\s*optional\s*[\])]", re.I)
_NUMBERING = re.compile(r"^\s*(?:(?:\d+\.)*\d+|[ivxIVX]{1,4}|[A-Za-z])[.)]\s+|^\s*(?:\d+\.)*\d+\s+")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$)")
_LABEL = re.compile(r"^(?:\*\*|__)?[^:\n]{1,80}?:(?!//)(?:\*\*|__)?\s*")  # "Label:", not "https:"
# Lines the Trainer writes about a fine-tune: its intro and its result bullets,
# "- Loss: 0.61" or, for seqeval, "- Answer: {'precision': 0.70, ...}".
_TRAINER_LINE = re.compile(
    r"(?:this model is a fine-tuned version of|this model was trained from scratch on"
    r"|it achieves the following results on the evaluation set"
    r"|the following hyperparameters were used during training)"
    r"|[\w .()/@-]{1,60}:\s*(?:[-+]?(?:\d[\d.,e+-]*|nan|inf)|\{'[^\n]*\},?)\s*$",
    re.I,
)
# Evaluation results stated in the text (eval_reporting "prose-text"): the Trainer's
# "It achieves the following results on the evaluation set:" followed by its "- Name: value"
# list, or a metric named beside its value ("an accuracy of 0.72", "F1: 0.97", "a 97% accuracy").
_PROSE_METRIC_NAME = (r"(?:accuracy|f1(?:[ -]?score)?|f-(?:score|measure)|precision|recall|(?:sacre)?bleu|chr-?f\+*"
                      r"|rouge(?:-?[l12]|-?lsum)?|meteor|wer|cer|exact[ -]match|perplexity|auc|roc[- ]auc|m?iou"
                      r"|map@\d+|pearson|spearman|mcc|bertscore|fid|inception score|psnr|ssim)")
_PROSE_METRIC = rf"(?:(?:macro|micro|weighted|validation|test|eval(?:uation)?)[ -])?{_PROSE_METRIC_NAME}"
_PROSE_NUMBER = r"(?<![\w.,])[-+]?\d+(?:[.,]\d+)?[ \t]*%?"
_PROSE_TRAINER = (r"achieves the following results on the evaluation set[^\n]*\n[ \t]*[-*+][ \t]*[^:\n]{1,60}:[ \t]*"
                  r"(?:[-+]?\d|nan|inf|\{)")
_PROSE_STATED = (rf"\b{_PROSE_METRIC}\b(?:[ \t]*\([^)\n]{{0,30}}\))?\**[ \t]*(?:[:=]|\b(?:of|is|was|reaches|achieves)\b)"
                 rf"\**[ \t]*(?:an?[ \t]+|about[ \t]+|approximately[ \t]+|~[ \t]*)?{_PROSE_NUMBER}"
                 rf"|{_PROSE_NUMBER}[ \t]+{_PROSE_METRIC}\b")
_PROSE_RESULTS = re.compile(f"{_PROSE_TRAINER}|{_PROSE_STATED}", re.I)
# The same search, faster (tests/test_cards.py checks that they agree). A text matches _PROSE_RESULTS
# iff it matches one of its alternatives. Without the four non-ASCII characters that re.IGNORECASE
# matches to ASCII letters (K Kelvin, dotless ı, dotted İ, long ſ), a case-insensitive match is a
# match of the lower-cased text, whose characters are then where the text's are (only İ lowers to
# two) and as much word characters. So: the Trainer alternative needs its opening phrase in the
# lower-cased text; the stated-value alternatives need a digit and a metric name at the start of a
# word, and never reach past a line ("\n" is in none of their character sets), so they are searched
# only on the lines where such a metric name starts.
_PROSE_TRAINER_RE = re.compile(_PROSE_TRAINER, re.I)
_PROSE_TRAINER_PHRASE = "achieves the following results on the evaluation set"
_PROSE_STATED_RE = re.compile(_PROSE_STATED, re.I)
_METRIC_NAME_LOWER = re.compile(rf"(?=[abcefimprsw])\b{_PROSE_METRIC_NAME}")  # every name starts with one of these
# Every metric name contains one of these: a cheap check (substring search) before _METRIC_NAME_LOWER.
_METRIC_NAME_PARTS = ("acc", "f1", "f-", "rec", "bleu", "chr", "rouge", "meteor", "wer", "cer", "exact", "perplex",
                      "auc", "iou", "map@", "pearson", "spearman", "mcc", "bertscore", "fid", "incep", "psnr", "ssim")
_CASE_EXOTIC = "\u212a\u0131\u0130\u017f"  # the characters re.I matches to ASCII letters
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=16384)  # the Trainer's and the templates' paragraphs repeat from card to card
def _has_prose_results(text: str) -> bool:
    """_PROSE_RESULTS.search(text) is not None (tests/test_cards_identity.py checks they agree)."""
    if not text.isascii() and any(c in text for c in _CASE_EXOTIC):
        return (_PROSE_TRAINER_RE.search(text) is not None
                or _DIGIT.search(text) is not None and _PROSE_STATED_RE.search(text) is not None)
    lower = text.lower()
    if _PROSE_TRAINER_PHRASE in lower and _PROSE_TRAINER_RE.search(text) is not None:
        return True
    if _DIGIT.search(text) is None or not any(part in lower for part in _METRIC_NAME_PARTS):
        return False
    pos = 0
    while (name := _METRIC_NAME_LOWER.search(lower, pos)) is not None:
        start = text.rfind("\n", 0, name.start()) + 1
        end = text.find("\n", name.end())
        end = len(text) if end < 0 else end
        if _PROSE_STATED_RE.search(text, start, end) is not None:
            return True
        pos = end
    return False


# A setext "heading" whose text has list-item or quote lines is a list or quote
# followed by a thematic break: list and blockquote rules are off (see _MD).
_LISTY = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)]|>)(?:[ \t]|$)", re.M)
# GFM table: a header row followed by a delimiter row (the specification; _has_metric_table() searches).
_DELIMITER_ROW = r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$"
_TABLE_HEADER = re.compile(rf"^(?=[^\n]*\|)([^\n]*)\n{_DELIMITER_ROW}", re.M)
_DELIMITER_LINE = re.compile(rf"\n{_DELIMITER_ROW}", re.M)  # "\n" first: the regex engine skips to each newline
_METRIC_HEADER = re.compile(
    r"\b(?:acc(?:uracy)?|f1(?:[ -]?score)?|f-?(?:score|measure)|precision|recall(?:@\d+)?|(?:sacre)?bleu"
    r"|chr-?f\+*|rouge[-\w]*|meteor|ter|wer|cer|em|exact[ _-]?match|perplexity|ppl|auc|roc[- ]?auc|map"
    r"|m?iou|dice|psnr|ssim|lpips|fid|mse|rmse|mae|mape|r2|spearman|pearson|mcc|matthews|top-?[15]"
    r"|bertscore|comet|mrr|ndcg(?:@\d+)?|hits@\d+|pass@\d+|mmlu|hellaswag|arc|truthfulqa|winogrande"
    r"|gsm8k|humaneval|score|avg|average)\b",
    re.I,
)


def _has_metric_table(text: str) -> bool:
    """any(_METRIC_HEADER.search(m.group(1)) for m in _TABLE_HEADER.finditer(text)), found from the
    delimiter rows instead of trying _TABLE_HEADER at every line: a table's header is the line before
    a delimiter row and holds a "|". (finditer() leaves out a header that is the delimiter row of the
    table just before: a row of " \t|:-" that no metric name matches, so taking it changes nothing.)"""
    for row in _DELIMITER_LINE.finditer(text):
        end = row.start()
        header = text[text.rfind("\n", 0, end) + 1:end]
        if "|" in header and _METRIC_HEADER.search(header):
            return True
    return False


# Block rules only, and only those that decide where headings are: fences,
# indented code and HTML blocks hide "#" lines; thematic breaks and setext
# underlines are told apart. Lists, block quotes, tables and link reference
# definitions are read as paragraphs (their headings are not card sections),
# which makes the parse about twice as fast; tables are found in paragraphs.
# No inline parsing at all. _MD is the specification: _block_tokens() finds the
# blocks that _MD's block parser finds, in one pass over the lines and several
# times faster (tests/test_cards_identity.py compares them).
_MD = MarkdownIt("zero", {"html": True}).enable(["heading", "lheading", "fence", "code", "html_block", "hr"])


def _template_filler(*templates: str) -> frozenset[str]:
    """Normalized lines of the unfilled model card templates of huggingface_hub.

    The templates are the source of the boilerplate an unfilled card keeps:
    placeholder defaults ("[More Information Needed]", the default
    recommendation) and fixed sentences ("Use the code below to get started
    with the model.", fastai's "Congratulations on hosting your fastai model").
    Reading them keeps this list in step with the library.
    """
    lines = set()
    for template in templates:
        match = REGEX_YAML_BLOCK.match(template)
        for line in template[match.end() if match else 0:].split("\n"):
            if not line.lstrip().startswith("#"):  # headings are not filler
                lines.update(re.findall(r'default\("((?:[^"\\]|\\.)*)"', line))
                line = re.sub(r"\{\{.*?\}\}", "", _COMMENT.sub("", line)).strip()
                lines.add(_LABEL.sub("", _LIST_MARKER.sub("", line), count=1))
    return frozenset(filter(None, map(_norm, lines)))


def _norm(text: str) -> str:
    return " ".join(_NON_ALNUM.sub(" ", text.lower()).split())


FILLER_PHRASES = _template_filler(
    TEMPLATE_MODELCARD_PATH.read_text(encoding="utf-8"),  # ModelCard.from_template()
    fastai_utils.README_TEMPLATE,  # push_to_hub_fastai()
    hub_mixin.DEFAULT_MODEL_CARD,  # ModelHubMixin.push_to_hub()
) | frozenset(map(_norm, (
    "More information needed",  # the Trainer's placeholder
    "[Needs More Information]",  # older Hub templates
    "More info needed",
    "This is the model card of a 🤗 transformers model that has been pushed on the Hub. "
    "This model card has been automatically generated.",  # transformers' push_to_hub default
    "TBD", "TODO", "Coming soon", "N/A", "None",
)))
_MAX_FILLER_CHARS = 2 * max(map(len, FILLER_PHRASES))  # room for the markup _norm drops

# ---------------------------------------------------------------------------
# Front matter.


class _FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """yaml.safe_load's loader (libyaml when installed) that notes duplicate keys.

    PyYAML keeps the last value of a duplicated key silently, but YAML
    requires unique keys and stricter parsers refuse them: worth a parse_error.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicate_keys: list[str] = []

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicate_keys.append(key_node.value)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def _expanded_nodes(block: str) -> int:
    """The number of YAML nodes once every alias is replaced by its anchor's node.

    Counted on the parser's events, before anything is built: aliases make a
    YAML bomb only when something walks the data, but merge keys ("<<: *a")
    copy the aliased entries while the data is built. Stops counting early.
    """
    sizes: dict[str, int] = {}  # anchor -> expanded size of its node
    open_nodes: list[list] = [[None, 0]]  # [anchor, size] of the collections being read
    for event in yaml.parse(block, Loader=_FrontMatterLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            open_nodes.append([event.anchor, 1])
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, size = open_nodes.pop()
        elif isinstance(event, yaml.AliasEvent):
            anchor, size = None, sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        else:
            continue
        if anchor:
            sizes[anchor] = size
        open_nodes[-1][1] += size
        if open_nodes[-1][1] > MAX_YAML_NODES:
            break
    return sum(size for _, size in open_nodes)


def _load_yaml(block: str) -> tuple[object, list[str]]:
    """Parse front matter YAML; raise ValueError with a short reason if refused."""
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise ValueError(f"front matter is {len(block):,} characters, over the {MAX_FRONT_MATTER_CHARS:,} limit")
    if "&" in block and "*" in block:
        nodes = _expanded_nodes(block)
        if nodes > MAX_YAML_NODES:
            raise ValueError(f"front matter expands to over {MAX_YAML_NODES:,} YAML nodes (aliases)")
    loader = _FrontMatterLoader(block)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    finally:
        loader.dispose()


def _strings(value, *, language: bool = False) -> list[str]:
    """A metadata value (string, number or list of them) as a list of strings."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if language and item is False:
            item = "no"  # YAML 1.1 reads the Norwegian code `no` as false
        if isinstance(item, str):
            if item.strip():
                out.append(item.strip())
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            out.append(str(item))
    return list(dict.fromkeys(out))


def _front_matter(text: str) -> tuple[dict, str, bool, list[str]]:
    """Split a card into (metadata dict, Markdown body, has front matter, errors)."""
    match = REGEX_YAML_BLOCK.match(text)
    if not match:
        return {}, text, False, []
    body = text[match.end():]
    try:
        data, duplicates = _load_yaml(match.group(2))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {text.count(chr(10), 0, match.start(2)) + mark.line + 1}" if mark else ""
        return {}, body, True, [f"invalid YAML front matter{where}: {e.problem or e.context}"]
    except Exception as e:  # our limits (ValueError), bad !!binary or dates, recursion...
        return {}, body, True, [f"front matter refused: {e}"]
    errors = [f"duplicate key {key!r} in front matter" for key in dict.fromkeys(duplicates)]
    if data is None:
        return {}, body, True, errors
    if not isinstance(data, dict):
        return {}, body, True, errors + [f"front matter is a {type(data).__name__}, not a mapping"]
    if any(not isinstance(key, str) for key in data):
        errors.append("front matter has non-string keys (ignored)")
    return {k: v for k, v in data.items() if isinstance(k, str)}, body, True, errors


_NO_CARD_DATA = ModelCardData()  # read only: the fields of a card without front matter


def _metadata(meta: dict, tags: list[str]) -> tuple[dict, bool, list[str]]:
    """The metadata fields, from front matter read as ModelCardData, else from Hub tags.

    Also returns whether the tags say the card has a model-index (the Hub tags
    a model "model-index" when its card metadata has one).
    """
    errors = []
    meta = dict(meta)
    model_index = meta.pop("model-index", None)
    meta.pop("ignore_metadata_errors", None)
    meta.pop("eval_results", None)  # only ever derived from model-index
    if "tags" in meta and not isinstance(meta["tags"], (list, str)):
        errors.append(f"front matter 'tags' is a {type(meta.pop('tags')).__name__}, not a list")
    try:
        data = ModelCardData(ignore_metadata_errors=True, **meta) if meta else _NO_CARD_DATA
    except Exception as e:  # a field of a type it cannot take; keep going without front matter fields
        errors.append(f"front matter not readable as ModelCardData: {type(e).__name__}: {e}")
        data = _NO_CARD_DATA
    eval_results = None
    if model_index is not None:
        try:
            _, results = model_index_to_eval_results(model_index)
            eval_results = len(results)
        except Exception as e:  # untrusted structure: KeyError, TypeError, ValueError...
            errors.append(f"invalid model-index: {type(e).__name__}: {e}")
            eval_results = 0

    fields = {
        "license": license_id(_strings(data.license)),
        "datasets": _strings(data.datasets),
        "language": _strings(data.language, language=True),
        "base_model": [b for b in _strings(data.base_model) if valid_model_id(b)],
        "library_name": next(iter(_strings(data.library_name)), None),
        "pipeline_tag": next(iter(_strings(data.pipeline_tag)), None),
        "tags": _strings(data.tags),
        "metrics": _strings(data.metrics),
        "eval_results": eval_results,
    }
    from_tags = _tag_fields(tags)
    used_tags = False
    for key, value in from_tags.items():
        if fields[key] in (None, []) and value not in (None, []):
            fields[key] = value
            used_tags = True
    used_front_matter = bool(meta) or model_index is not None
    fields["metadata_source"] = (
        {(True, True): "both", (True, False): "front matter", (False, True): "tags"}.get(
            (used_front_matter, used_tags), "none")
    )
    return fields, "model-index" in tags, errors


def _tags_metadata(tags: tuple[str, ...]) -> tuple[dict, bool, list[str]]:
    """_metadata({}, tags): the metadata of a card without front matter fields, which its tags alone
    give (a copy of the cached answer: callers may change what they get)."""
    fields, model_index_tag, errors = _tags_metadata_cached(tags)
    return ({key: value.copy() if type(value) is list else value for key, value in fields.items()}, model_index_tag,
            list(errors))


@lru_cache(maxsize=16384)  # most cards have no front matter, and tag lists repeat from card to card
def _tags_metadata_cached(tags: tuple[str, ...]) -> tuple[dict, bool, list[str]]:
    return _metadata({}, list(tags))


def _tag_fields(tags: list[str]) -> dict:
    """Metadata fields as the Hub encodes them in a model's tags."""
    hub = parse_tags(tags)
    fields = {"license": hub.license, "datasets": list(hub.datasets), "language": [],
              "base_model": list(hub.base_models), "library_name": None, "pipeline_tag": None, "tags": list(tags)}
    pipelines, libraries = [], []
    for tag in hub.other:
        if tag in ISO_639_1:
            fields["language"].append(tag)
        elif tag in _PIPELINE_RANK:
            pipelines.append(tag)
        elif tag in _LIBRARY_RANK:
            libraries.append(tag)
    fields["pipeline_tag"] = min(pipelines, key=_PIPELINE_RANK.get, default=None)
    fields["library_name"] = min(libraries, key=_LIBRARY_RANK.get, default=None)
    for key in ("datasets", "language", "base_model"):
        fields[key] = list(dict.fromkeys(fields[key]))
    return fields


# ---------------------------------------------------------------------------
# Markdown body.


@lru_cache(maxsize=8192)
def canonical_section(heading: str) -> str | None:
    """The canonical section name of a heading text, or None if unmapped."""
    if len(heading) > 200:  # no section name is that long; keeps the regexes cheap
        return None
    text = _TAG.sub(" ", _LINK.sub(r"\1", heading))
    text = _NUMBERING.sub("", _OPTIONAL.sub(" ", text)).replace("&", " and ")
    match = _SECTION_RE.fullmatch(_norm(text))
    return match.lastgroup if match else None


def _columns(indent: str) -> int:
    """Width of an indent of spaces and tabs, a tab going to the next multiple of 4 (markdown-it's sCount)."""
    width = 0
    for ch in indent:
        width += 4 - width % 4 if ch == "\t" else 1
    return width


def _fence_open(rest: str) -> int:
    """Length of the opening fence that `rest` (a line after its indent) starts with, or 0."""
    marker = rest[:1]
    if marker not in ("`", "~") or len(rest) < 3:
        return 0
    params = rest.lstrip(marker)
    run = len(rest) - len(params)
    if run < 3 or marker == "`" and "`" in params:
        return 0
    return run


def _is_hr(rest: str) -> bool:
    """`rest` is a thematic break: three or more of one of * - _ with only spaces and tabs between."""
    marker = rest[:1]
    if marker not in ("*", "-", "_"):
        return False
    # only the marker, spaces and tabs (strip() leaves nothing), and three markers or more
    return not rest.strip(marker + " \t") and rest.count(marker) >= 3


# HTML_SEQUENCES kinds 1-4 start "<!" or "<?" (comment, processing instruction, declaration, CDATA):
# a line with a letter or "/" after its "<" (most of them: tags) can only start one of the others.
_TAG_KINDS = tuple(kind for kind, (start, _, _) in enumerate(HTML_SEQUENCES)
                   if not start.pattern.startswith(("^<!", "^<\\?")))
assert _TAG_KINDS == (0, 5, 6), _TAG_KINDS
_TAG_START = frozenset("/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _html_kind(rest: str) -> int:
    """Index of the first of markdown-it's HTML_SEQUENCES whose start `rest` matches, or -1."""
    if rest[:1] != "<":
        return -1
    for kind in _TAG_KINDS if rest[1:2] in _TAG_START else range(len(HTML_SEQUENCES)):
        if HTML_SEQUENCES[kind][0].search(rest):
            return kind
    return -1


def _atx_level(rest: str) -> int:
    """The level of the ATX heading that `rest` opens, or 0."""
    if rest[:1] != "#":
        return 0
    level = len(rest) - len(rest.lstrip("#"))
    if level > 6 or level < len(rest) and rest[level] not in (" ", "\t"):
        return 0
    return level


def _interrupts(rest: str) -> bool:
    """`rest`, a line indented less than 4 columns, ends a paragraph (markdown-it's terminator rules)."""
    first = rest[0]
    if first in ("`", "~"):
        return _fence_open(rest) > 0
    if first in ("*", "-", "_"):
        return _is_hr(rest)
    if first == "<":
        kind = _html_kind(rest)
        return kind >= 0 and HTML_SEQUENCES[kind][2]
    if first == "#":
        return _atx_level(rest) > 0
    return False


def _block_tokens(lines: list[str], body: str | None = None) -> list[tuple]:
    """The blocks markdown-it's block parser finds in "\\n".join(lines) with the rules of _MD.

    The same line ranges (token.map) as markdown-it-py's rules code, fence, hr, html_block
    (its own HTML_SEQUENCES), heading, lheading and paragraph, at the top level (no lists or
    quotes: blkIndent is 0), written as one pass over the lines, several times faster than
    building markdown-it's state and tokens. tests/test_cards_identity.py checks it against
    markdown-it on generated Markdown and every real card. Returns ("code", start, end,
    has_text) for indented and fenced code, ("html", start, end), ("atx", start, end, level,
    text), ("setext", start, end, level) and ("paragraph", start, end); thematic breaks are
    left out (the analysis does not use them). `body`, when given, is "\n".join(lines).
    """
    n = len(lines)
    if n and not lines[-1].strip(" \t"):  # markdown-it gives a last line of spaces and tabs no line
        n -= 1
    head = lines[:n]
    # each line's text after its indent, and the indent's width (lines and the maps run in C)
    if body is not None and body[:1] not in (" ", "\t") and "\n " not in body and "\n\t" not in body:
        rests, cols = head, [0] * n  # no line is indented
    else:
        rests = list(map(str.lstrip, head, repeat(" \t", n)))
        cols = list(map(sub, map(len, head), map(len, rests)))
        if "\t" in "".join(head):  # an indent with a tab: its width is not its length
            for i, line in enumerate(head):
                if cols[i] and "\t" in line[:cols[i]]:
                    cols[i] = _columns(line[:cols[i]])
    out = []
    line = 0
    while line < n:
        rest = rests[line]
        if not rest:
            line += 1
            continue
        if cols[line] >= 4:  # indented code: runs over blank lines to the last indented one
            last = nxt = line + 1
            while nxt < n:
                if rests[nxt] and cols[nxt] < 4:
                    break
                nxt += 1
                if rests[nxt - 1]:
                    last = nxt
            out.append(("code", line, last, bool("".join(lines[line:last]).strip())))
            line = last
            continue
        first = rest[0]
        if first in ("`", "~"):
            length = _fence_open(rest)
            if length:
                nxt, closed = line + 1, False
                while nxt < n:
                    r = rests[nxt]
                    if r[:1] == first and cols[nxt] < 4:
                        tail = r.lstrip(first)
                        if len(r) - len(tail) >= length and not tail.lstrip(" \t"):
                            closed = True
                            break
                    nxt += 1
                out.append(("code", line, nxt + closed, bool("".join(lines[line + 1:nxt]).strip())))
                line = nxt + closed
                continue
        if first in ("*", "-", "_") and _is_hr(rest):
            line += 1
            continue
        if first == "<":
            kind = _html_kind(rest)
            if kind >= 0:
                end_re = HTML_SEQUENCES[kind][1]
                nxt = line + 1
                if not end_re.search(rest):
                    while nxt < n:
                        r = rests[nxt]
                        if end_re.search(r):  # for kinds 6 and 7 (^$): a blank line, left out
                            if r:
                                nxt += 1
                            break
                        nxt += 1
                out.append(("html", line, nxt))
                line = nxt
                continue
        if first == "#":
            level = _atx_level(rest)
            if level:
                text = rest[level:].rstrip(" \t")
                closing = text.rstrip("#")
                if closing and closing[-1] in (" ", "\t"):
                    text = closing
                out.append(("atx", line, line + 1, level, mdTrim(text)))
                line += 1
                continue
        # A paragraph, or the text of a setext heading when an underline comes before its end.
        nxt, level = line + 1, 0
        while nxt < n:
            r = rests[nxt]
            if not r:
                break
            if cols[nxt] < 4:
                if r[0] in ("=", "-") and not r.lstrip(r[0]).lstrip(" \t"):
                    level = 1 if r[0] == "=" else 2
                    break
                if r[0] in _INTERRUPTERS and _interrupts(r):
                    break
            nxt += 1
        if level:
            out.append(("setext", line, nxt + 1, level))
            line = nxt + 1
        else:
            out.append(("paragraph", line, nxt))
            line = nxt
    return out


_INTERRUPTERS = frozenset("`~*-_<#")


FILLER, TRAINER, HUMAN = "filler", "trainer", "human"


@lru_cache(maxsize=16384)  # template and Trainer lines repeat from card to card
def _line_kind(line: str) -> str:
    """Whether a prose line is template filler, Trainer-written, or written by a person."""
    text = line.strip()
    marker = _LIST_MARKER.match(text)
    if marker:
        text = text[marker.end():]
    if _TRAINER_LINE.match(text):
        return TRAINER
    label = _LABEL.match(text)
    if label:
        text = text[label.end():]
    if len(text) > _MAX_FILLER_CHARS:  # too long to be a filler phrase
        return HUMAN if _ALNUM.search(text) else FILLER
    norm = _norm(text)
    return FILLER if not norm or norm in FILLER_PHRASES else HUMAN


@lru_cache(maxsize=4096)  # logos, badges and the templates' comments repeat from card to card
def _html_has_text(text: str) -> bool:
    """An HTML block has text outside its comments and tags."""
    return _ALNUM.search(_TAG.sub(" ", _COMMENT.sub(" ", text))) is not None


# str.split() splits an ASCII text at the characters str.isspace() takes: in the text's bytes
# mapped to b" " (space) or b"a" (the rest), its words are the b" a" pairs (a b" " put in front).
_SPACE_OR_NOT = bytes(32 if chr(i).isspace() else 97 for i in range(128)) + b"a" * 128


class _Section:
    __slots__ = ("heading", "level", "canonical", "start", "end", "heading_start", "content", "human", "code")

    def __init__(self, heading: str | None, level: int, heading_start: int, start: int):
        self.heading, self.level, self.heading_start, self.start, self.end = heading, level, heading_start, start, start
        self.canonical = canonical_section(heading) if heading is not None else None
        self.content = self.human = self.code = False


# Parsed bodies by their hash: many cards share a body (the Hub's generated cards, copies; the
# benchmark's synthetic cards are drawn from the real ones). The parse depends on the body alone.
BODY_CACHE_SIZE = 32768
_BODY_CACHE: OrderedDict[bytes, dict] = OrderedDict()


def _parse_body_cached(body: str) -> dict:
    """_parse_body(body), from the cache when the same body was parsed before (a copy: callers may
    change what they get)."""
    key = hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    parsed = _BODY_CACHE.get(key)
    if parsed is None:
        parsed = _parse_body(body)
        _BODY_CACHE[key] = parsed
        if len(_BODY_CACHE) > BODY_CACHE_SIZE:
            _BODY_CACHE.popitem(last=False)
    else:
        _BODY_CACHE.move_to_end(key)
    return {**parsed, "sections": [dict(s) for s in parsed["sections"]]}


def _parse_body(body: str) -> dict:
    """Sections and body facts of a Markdown body (see analyze for the fields)."""
    lines = body.split("\n")
    preamble = _Section(None, 0, 0, 0)
    sections: list[_Section] = []
    current = preamble
    intro_words = 0
    prose_table = prose_results = False
    for block in _block_tokens(lines, body):
        kind, start, end = block[0], block[1], block[2]
        if kind == "atx":
            current.end = start
            current = _Section(block[4], block[3], start, end)
            sections.append(current)
            continue
        if kind == "code":
            if block[3]:
                current.content = current.human = current.code = True
            continue
        if kind == "html":
            if not current.human and _html_has_text("\n".join(lines[start:end])):
                current.content = current.human = True
            continue
        if kind == "setext":
            text = "\n".join(lines[start:end - 1]).strip()
            # A setext "heading" whose text has list-item or quote lines is a list or quote
            # followed by a thematic break: a paragraph here (list and blockquote rules are off).
            if not _LISTY.search(text):
                current.end = start
                current = _Section(text, block[3], start, end)
                sections.append(current)
                continue
        # A paragraph. The intro is the prose before the first section or under
        # an unmapped title; elsewhere one human line settles the section.
        in_intro = current is preamble or (current is sections[0] and current.canonical is None)
        settled = current.human or current.content and current.canonical in TRAINER_AUTO_SECTIONS
        need_lines = not settled or in_intro and intro_words < INTRO_MIN_WORDS
        need_table = not prose_table and current.canonical not in NOT_EVALUATION_TABLE_SECTIONS
        need_results = not prose_results and current.canonical not in NOT_EVALUATION_TABLE_SECTIONS
        if not (need_lines or need_table or need_results):
            continue
        # the paragraph's text without inline HTML comments and tags
        text = lines[start] if end == start + 1 else "\n".join(lines[start:end])
        if "<" in text:
            text = _TAG.sub(" ", _COMMENT.sub(" ", text))
        for line in text.split("\n") if need_lines else ():
            line_kind = _line_kind(line)
            if line_kind == FILLER:
                continue
            current.content = True
            if line_kind == HUMAN:
                current.human = True
                if in_intro:
                    intro_words += len(line.split())
                    if intro_words >= INTRO_MIN_WORDS:
                        break
                else:
                    break
        if need_table and "|" in text:
            prose_table = _has_metric_table(text)
        if need_results:
            prose_results = _has_prose_results(text)
    current.end = len(lines)

    # A section is filler when neither it nor any of its subsections has content.
    filled = [False] * len(sections)
    open_sections: list[int] = []  # indexes of the enclosing sections
    for index, section in enumerate(sections):
        while open_sections and sections[open_sections[-1]].level >= section.level:
            open_sections.pop()
        if section.content:
            filled[index] = True
            for parent in open_sections:
                filled[parent] = True
        open_sections.append(index)

    # Words: those of the preamble, of each heading and of each section's text (the heading excluded),
    # which partition the lines. Line i starts at offsets[i] + i in the body.
    offsets = list(accumulate(map(len, lines), initial=0))
    if body.isascii():
        count = (b" " + body.encode("ascii")).translate(_SPACE_OR_NOT).count
        section_words = [count(b" a", offsets[s.start] + s.start, offsets[s.end] + s.end) for s in sections]
        words = count(b" a")
    else:
        section_words = [len(body[offsets[s.start] + s.start:offsets[s.end] + s.end].split()) for s in sections]
        words = len(body[:offsets[preamble.end] + preamble.end].split()) + sum(section_words) + sum(
            len(body[offsets[s.heading_start] + s.heading_start:offsets[s.start] + s.start].split()) for s in sections)
    human_outside_trainer = preamble.human or any(
        s.human for s in sections if s.canonical not in TRAINER_AUTO_SECTIONS)
    return {
        "sections": [
            {"position": i, "canonical": s.canonical, "heading": s.heading, "level": s.level,
             "words": section_words[i], "is_filler": not filled[i]}
            for i, s in enumerate(sections)
        ],
        # Preamble, heading lines and section bodies partition the lines.
        "words": words,
        "has_usage_code": any(s.code for s in [preamble, *sections] if s.canonical in USAGE_CODE_SECTIONS),
        "has_intro": intro_words >= INTRO_MIN_WORDS,
        "prose_table": prose_table,
        "prose_results": prose_results,
        "human_outside_trainer": human_outside_trainer,
    }


# ---------------------------------------------------------------------------
# Score.


def explain(card: dict) -> list[dict]:
    """The completeness score item by item, from the flat card fields.

    Each item: {"item", "weight", "met", "evidence"}; the score is the sum of
    the weights of the items met (docs/cards.md gives the rationale).
    """
    present = set(card.get("sections_present") or ())

    def sections(group: frozenset) -> str | None:
        found = sorted(present & group)
        return "section " + ", ".join(found) if found else None

    checks = {
        "intended use": sections(INTENDED_USE),
        "limitations": sections(LIMITATIONS),
        "training data": sections(TRAINING_DATA)
        or (f"datasets: {', '.join(card['datasets'][:3])}" if card.get("datasets") else None),
        "evaluation": (f"eval reporting: {card['eval_reporting']}" if card.get("eval_reporting") not in (None, "none")
                       else sections(EVALUATION)),
        "license": f"license: {card['license']}" if card.get("license") else sections(frozenset({"license"})),
        "how to use": sections(frozenset({"how_to_get_started"}))
        or ("code example" if card.get("has_usage_code") else None),
        "description": sections(DESCRIPTION) or ("intro text" if card.get("has_intro") else None),
        "task": f"pipeline tag: {card['pipeline_tag']}" if card.get("pipeline_tag") else None,
    }
    return [
        {"item": item, "weight": weight, "met": checks[item] is not None, "evidence": checks[item] or "missing"}
        for item, weight in SCORE_WEIGHTS.items()
    ]


# ---------------------------------------------------------------------------
# The entry point.


def analyze(text: str, tags: Iterable[str] = ()) -> dict:
    """Parse and score one model card; never raises.

    Returns {"card": {flat fields}, "sections": [{position, canonical, heading,
    level, words, is_filler}, ...]} (docs/cards.md describes every field).
    """
    errors: list[str] = []
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    if isinstance(tags, str):
        tags = [tags]
    try:
        tags = list(dict.fromkeys(t for t in (tags or ()) if isinstance(t, str)))
    except TypeError:
        tags = []
    if len(text) > MAX_CARD_CHARS:
        errors.append(f"card is {len(text):,} characters; only the first {MAX_CARD_CHARS:,} were read")
        text = text[:MAX_CARD_CHARS]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    meta, body, has_front_matter, fm_errors = _front_matter(text)
    errors += fm_errors
    fields, model_index_tag, meta_errors = _metadata(meta, tags) if meta else _tags_metadata(tuple(tags))
    errors += meta_errors

    truncated = len(body) > MAX_BODY_CHARS
    if truncated:
        errors.append(f"body is {len(body):,} characters; only the first {MAX_BODY_CHARS:,} were parsed")
    try:
        parsed = _parse_body_cached(body[:MAX_BODY_CHARS])
    except Exception as e:  # a markdown-it failure must not stop the build
        errors.append(f"Markdown not parsed: {type(e).__name__}: {e}")
        parsed = {"sections": [], "words": 0, "has_usage_code": False, "has_intro": False,
                  "prose_table": False, "prose_results": False, "human_outside_trainer": False}
        truncated = True  # count the words below
    sections = parsed["sections"]

    # eval_results is None when the front matter has no model-index; the
    # model-index tag then stands in for it (cards stored without front matter).
    if fields["eval_results"] or fields["eval_results"] is None and model_index_tag:
        eval_reporting = "model-index"
    elif parsed["prose_table"]:
        eval_reporting = "prose-table"
    elif parsed["prose_results"]:
        eval_reporting = "prose-text"
    else:
        eval_reporting = "none"

    filler = [s for s in sections if s["is_filler"]]
    card = {
        "words": sum(1 for _ in _WORD.finditer(body)) if truncated else parsed["words"],
        "has_front_matter": has_front_matter,
        "parse_error": "; ".join(errors)[:MAX_ERROR_CHARS] or None,
        **fields,
        "eval_reporting": eval_reporting,
        "sections_count": len(sections),
        "sections_present": list(dict.fromkeys(
            s["canonical"] for s in sections if s["canonical"] and not s["is_filler"])),
        "filler_sections": list(dict.fromkeys(s["canonical"] for s in filler if s["canonical"])),
        "filler_count": len(filler),
        "template_only": parsed["words"] > 0 and not parsed["human_outside_trainer"],
        "has_usage_code": parsed["has_usage_code"],
        "has_intro": parsed["has_intro"],
    }
    card["score"], reasons = _score(tuple(card["sections_present"]), tuple(card["datasets"][:3]),
                                    card["eval_reporting"], card["license"], card["has_usage_code"],
                                    card["has_intro"], card["pipeline_tag"])
    card["score_reasons"] = list(reasons)
    return {"card": card, "sections": sections}


@lru_cache(maxsize=16384)  # the same few facts decide the score of many cards
def _score(sections_present: tuple, datasets: tuple, eval_reporting: str, license: str | None,
           has_usage_code: bool, has_intro: bool, pipeline_tag: str | None) -> tuple[float, tuple[str, ...]]:
    """The score and score_reasons of explain() on the card fields it reads (datasets: the first three)."""
    items = explain({"sections_present": list(sections_present), "datasets": list(datasets),
                     "eval_reporting": eval_reporting, "license": license, "has_usage_code": has_usage_code,
                     "has_intro": has_intro, "pipeline_tag": pipeline_tag})
    score = round(float(sum(i["weight"] for i in items if i["met"])), 2)
    return score, tuple(f"+{i['weight']:.2f} {i['item']}: {i['evidence']}" if i["met"] else f"+0.00 {i['item']}: missing"
                        for i in items)


# ---------------------------------------------------------------------------
# CLI.


def _read(path: str) -> str:
    """The card's text: at most MAX_CARD_BYTES (so /dev/zero or a 100 MB file costs little memory)."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_CARD_BYTES + 1)
    else:
        with open(path, "rb") as f:
            data = f.read(MAX_CARD_BYTES + 1)
    if len(data) > MAX_CARD_BYTES:
        print(f"{path}: larger than {MAX_CARD_BYTES // 2 ** 20} MiB; only the first "
              f"{MAX_CARD_BYTES // 2 ** 20} MiB were read", file=sys.stderr)
        data = data[:MAX_CARD_BYTES]
    return data.decode("utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m build.cards",
        description="Check model cards (README.md with optional YAML front matter): metadata, sections, "
                    "template filler and a 0-1 completeness score. Prints JSON only: one object for one "
                    "PATH, a list for several. Each has the card fields, the sections and \"reasons\", "
                    "the score item by item (see docs/cards.md).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="card file to check; - reads standard input")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG",
                        help="a Hub tag of the model (repeatable), e.g. --tag license:mit; fills metadata "
                             "fields the card's front matter does not give")
    args = parser.parse_args(argv)

    results, failed = [], False
    for path in args.paths:
        try:
            text = _read(path)
        except OSError as e:
            print(f"{path}: cannot read: {e.strerror or e}", file=sys.stderr)
            failed = True
            continue
        result = analyze(text, args.tag)
        results.append({"path": path, **result, "reasons": explain(result["card"])})
    if results:
        output = results[0] if len(args.paths) == 1 else results
        try:
            json.dump(output, sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
            sys.stdout.flush()
        except BrokenPipeError:  # piped into e.g. `head`: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
