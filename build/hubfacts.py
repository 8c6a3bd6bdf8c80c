"""The one vocabulary of Hugging Face Hub facts: the only place that reads them.

The importers (scripts/importers/), the miner's records (scripts/hub/records.py) and the card
parser (build/cards.py) all read Hub facts through this module, so that one input gives one
answer wherever it comes from:

- tags: `license:<id>`, `base_model:<id>` and `base_model:<relation>:<id>`, `dataset:<id>`,
  `arxiv:<id>`, `region:<code>` (parse_tags);
- license ids (license_id, spdx_id);
- base-model relations (RELATIONS, base_model_from_tag);
- timestamps, in one canonical form (timestamp);
- model ids (model_id);
- token-shaped strings (redact, mask: re-exported from build/redact.py, the one token pattern).

The decisions, in one place (docs/snapshot-format.md repeats them):

License ids. A license is written as the Hub's own license id (the ids of the `license:` metadata
field, https://huggingface.co/docs/hub/repositories-licenses), matched case-insensitively:
`MIT`, `Mit` and `mit` are all `mit`. The Hub's ids are lower-cased SPDX ids where SPDX has the
license, and the Hub's own ids otherwise (`openrail`, `llama2`, `other`); keeping them lets a
license be joined with the Hub's and the studies' license tables. spdx_id() gives the SPDX id
(`apache-2.0` -> `Apache-2.0`) where one exists, else None. A value that is not a Hub id but is
an SPDX id is written as SPDX spells it (`0BSD`); anything else is kept as written, stripped.

Several licenses (a card's `license: [mit, apache-2.0]`, or two `license:` tags) give ONE answer:
their ids, deduplicated and sorted, joined with " AND " (`apache-2.0 AND mit`). The Hub does not
say whether two licenses are a choice (OR) or both apply to parts of the repository; AND is the
reading a reuser can rely on: each applies until shown otherwise. Sorting makes the answer
independent of the order a card or a tag list happens to give.

Base models. `base_model:<relation>:<id>` names a base and how the model derives from it; the
relations are RELATIONS. `base_model:<id>` names a base without a relation. A relation the
vocabulary does not know (`base_model:foo:z/w`) still names the base `z/w`, with relation None:
a model id never contains ":", so `foo:z/w` cannot be the base. The first relation found for a
base is kept; a tag whose base is not a valid model id is ignored.

Timestamps. One canonical form: UTC, to the second, `YYYY-MM-DDTHH:MM:SSZ`. A bare date
(`YYYY-MM-DD`) stays a date. A time without a zone is taken as UTC. Fractions of a second are
dropped (sources differ in whether they have them).

Model ids. Stripped of surrounding whitespace; empty, whitespace-only, NUL- or other
control-character-containing ids and ids longer than MAX_MODEL_ID_LENGTH are refused with
BadModelId (a ValueError) that says why. Nothing else is changed: historical ids without an
owner (`bert-base-uncased`) are valid ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterable

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

from build.redact import REPLACEMENT, TOKEN_PATTERN, redact
from build.snapshot import MAX_MODEL_ID_CHARS

__all__ = [
    "HUB_LICENSES", "MAX_MODEL_ID_LENGTH", "RELATIONS", "REPLACEMENT", "TOKEN_PATTERN", "BadModelId",
    "BadTimestamp", "HubTags", "base_model_from_tag", "license_id", "license_of", "mask", "model_id",
    "parse_tags", "redact", "spdx_id", "timestamp", "valid_model_id",
]

# --- base-model relations ---------------------------------------------------------------------

# The relations of the Hub's `base_model_relation` card field and `base_model:<relation>:` tags.
RELATIONS = ("adapter", "finetune", "merge", "quantized")

# --- licenses ---------------------------------------------------------------------------------

# The Hub's license ids (https://huggingface.co/docs/hub/repositories-licenses), as the Hub spells them.
HUB_LICENSES = frozenset("""
    apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
    bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear
    c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0
    cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0
    cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl
    ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl
    lgpl-2.1 lgpl-3.0 isc h-research intel-research lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0
    odc-by odbl openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr
    deepfloyd-if-license fair-noncommercial-research-license llama2 llama3 llama3.1 llama3.2 llama3.3
    llama4 gemma unknown other
""".split())
# Hub ids whose SPDX id is not the Hub id in SPDX's spelling.
_SPDX_EXCEPTIONS = {"c-uda": "C-UDA-1.0", "lgpl-lr": "LGPLLR", "odbl": "ODbL-1.0", "odc-by": "ODC-By-1.0",
                    "pddl": "PDDL-1.0"}


def spdx_id(license: str | None) -> str | None:
    """The SPDX id of a single license id (a Hub id or an SPDX id, any case), or None if SPDX has none.

    Uses packaging.licenses (SPDX's list). Deprecated SPDX ids such as `GPL-3.0` are what the Hub's
    `gpl-3.0` means (it does not say "only" or "or later"), so they are returned as they are.
    """
    if not isinstance(license, str) or not license.strip():
        return None
    value = license.strip()
    if value.lower() in _SPDX_EXCEPTIONS:
        return _SPDX_EXCEPTIONS[value.lower()]
    if not re.fullmatch(r"[A-Za-z0-9.+-]+", value):  # one id, not an expression
        return None
    try:
        return canonicalize_license_expression(value)
    except InvalidLicenseExpression:
        return None


def _one_license(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if value.lower() in HUB_LICENSES:
        return value.lower()
    return spdx_id(value) or value


def license_id(value) -> str | None:
    """One license value (a string, or a list of them as a card's `license:` may be) -> one answer.

    See the module docstring: the Hub's id, case-insensitively; several are sorted and joined
    with " AND ". None (and empty values) give None; a value that is neither text nor a list of
    text gives None as well (a card's `license: 3` says nothing usable).
    """
    values = value if isinstance(value, (list, tuple)) else [value]
    ids = {one for v in values if isinstance(v, str) and (one := _one_license(v))}
    return " AND ".join(sorted(ids)) or None


def license_of(card_license, tags: Iterable[str] | None) -> str | None:
    """A model's license: what its card metadata declares, else its `license:` tags."""
    return license_id(card_license) or parse_tags(tags or ()).license


# --- model ids --------------------------------------------------------------------------------

MAX_MODEL_ID_LENGTH = MAX_MODEL_ID_CHARS  # the snapshot contract's limit (1024); the Hub allows 96 characters a name,
# real sources hold ids up to 257


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # C0 controls and DEL, as build.snapshot.check_model_id


class BadModelId(ValueError):
    """A model id that cannot be one; the message says why."""


def model_id(value) -> str:
    """The model id, stripped; BadModelId when it is not text, empty, has control characters or is absurdly long."""
    if not isinstance(value, str):
        raise BadModelId(f"model id is a {type(value).__name__}, not text")
    stripped = value.strip()
    if not stripped:
        raise BadModelId("model id is empty" if not value else "model id is only whitespace")
    if len(stripped) > MAX_MODEL_ID_LENGTH:
        raise BadModelId(f"model id is {len(stripped):,} characters long (at most {MAX_MODEL_ID_LENGTH:,})")
    if "\x00" in stripped:
        raise BadModelId("model id contains a NUL character")
    if _CONTROL.search(stripped):
        raise BadModelId("model id contains a control character")
    return stripped


def valid_model_id(value) -> str | None:
    """The model id as model_id() gives it, or None where model_id() refuses it."""
    try:
        return model_id(value)
    except BadModelId:
        return None


# --- tags -------------------------------------------------------------------------------------

def base_model_from_tag(tag: str) -> tuple[str, str | None] | None:
    """(base model id, relation or None) from a `base_model:` tag; None for any other tag or a bad base."""
    if not isinstance(tag, str) or not tag.startswith("base_model:"):
        return None
    rest = tag[len("base_model:"):]
    relation, sep, base = rest.partition(":")
    if not sep:
        relation, base = None, rest
    elif relation not in RELATIONS:
        relation = None  # a relation this vocabulary does not know still names the base
    if ":" in base:
        return None  # a model id never contains ':'
    base = valid_model_id(base)
    return (base, relation) if base else None


@dataclass
class HubTags:
    """What a model's Hub tags say, read once."""
    license: str | None = None
    licenses: list[str] = field(default_factory=list)   # each `license:` tag's id, in tag order
    base_models: dict[str, str | None] = field(default_factory=dict)  # base id -> relation (first known)
    datasets: list[str] = field(default_factory=list)
    arxiv: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)       # every tag without one of the prefixes above


def parse_tags(tags: Iterable[str]) -> HubTags:
    """Read a model's tags. Non-text tags are ignored; repeated values count once."""
    out = HubTags()
    for tag in tags:
        if not isinstance(tag, str):
            continue
        prefix, sep, rest = tag.partition(":")
        rest = rest.strip()
        if sep and prefix == "license":
            if rest and (one := _one_license(rest)) and one not in out.licenses:
                out.licenses.append(one)
        elif sep and prefix == "base_model":
            found = base_model_from_tag(tag)
            if found:
                base, relation = found
                if out.base_models.get(base) is None:
                    out.base_models[base] = relation
        elif sep and prefix == "dataset":
            if rest and rest not in out.datasets:
                out.datasets.append(rest)
        elif sep and prefix == "arxiv":
            if rest and rest not in out.arxiv:
                out.arxiv.append(rest)
        elif sep and prefix == "region":
            if rest and rest not in out.regions:
                out.regions.append(rest)
        else:
            out.other.append(tag)
    out.license = license_id(out.licenses)
    return out


# --- timestamps -------------------------------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadTimestamp(ValueError):
    """A value that is not an ISO 8601 date or date-time."""


def timestamp(value) -> str | None:
    """The canonical form of a date-time (`YYYY-MM-DDTHH:MM:SSZ`, UTC) or a date (`YYYY-MM-DD`).

    Takes a datetime, a date, or an ISO 8601 string (`2022-06-19 14:04:18+00:00`, `...T...Z`,
    `...T....000Z`). None and "" give None; anything else raises BadTimestamp.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if _DATE.fullmatch(text):
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise BadTimestamp(f"not a date: {mask(value)}") from None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise BadTimestamp(f"not an ISO date/time: {mask(value)}") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    raise BadTimestamp(f"not a date/time: a {type(value).__name__}")


# --- token redaction --------------------------------------------------------------------------

def mask(value, limit: int = 60) -> str:
    """A value for an error message: token-shaped strings masked, long text cut, quoted."""
    text = TOKEN_PATTERN.sub("[token-shaped string]", str(value))
    return repr(text if len(text) <= limit else text[:limit] + "...")
