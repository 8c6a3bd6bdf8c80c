"""One model of the Hub listing (a huggingface_hub ModelInfo) -> raw snapshot records.

Per model the miner writes: its `lineage` edges (from the Hub's `base_model:<relation>:<id>`
tags, its `baseModels` property and the card's `base_model`), one `dependents` record per
Space that uses it, its `cards` record (the README.md text), and last its `models` record.
The same mapping serves the importer of model_info records a study saved
(scripts/importers/mistral_family_2025.py, through listing_entry()). Hub facts (licenses,
base-model tags, timestamps, model ids) are read by build/hubfacts.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from huggingface_hub.hf_api import ModelInfo

from build.hubfacts import RELATIONS, BadModelId, license_of, model_id, parse_tags, timestamp

SOURCE = "hub"

# What happened to a model's README.md:
#   ok           fetched (or carried over unchanged from a previous snapshot); a cards record is written
#   empty        the README.md exists but holds only whitespace
#   missing      no README.md: not in the repository's files, or the Hub answered 404
#   gated        401/403 on a gated repository
#   private      401/403 on a repository the listing showed as public and not gated
#   failed       5xx, 429 or connection errors after all retries; listed in mining/failures.jsonl
#   not fetched  --no-cards
HAS_CARD = {"ok": True, "empty": False, "missing": False}


@dataclass
class Card:
    status: str
    text: str | None = None
    error: str | None = None
    carried: bool = False


def listing_entry(dump: dict, children_count: int | None = None) -> dict:
    """A huggingface_hub ModelInfo saved as JSON (its attributes: snake_case names, dates as
    `str(datetime)`, card_data as YAML text, siblings as `RepoSibling(...)` reprs) back into the
    Hub API's listing entry, which `ModelInfo(**entry)` reads as the miner reads the live listing.

    Raises ValueError (with the field) for a value that cannot be read back.
    """
    def api_date(field):
        value = dump.get(field)
        try:
            return timestamp(value)
        except ValueError as e:
            raise ValueError(f"{field}: {e}") from None

    card_data = dump.get("card_data") or dump.get("cardData")
    if isinstance(card_data, str):
        try:
            card_data = yaml.safe_load(card_data)
        except yaml.YAMLError as e:
            raise ValueError(f"card_data: not YAML: {e}") from None
    if card_data is not None and not isinstance(card_data, dict):
        raise ValueError(f"card_data: a {type(card_data).__name__}, not a mapping")
    siblings = dump.get("siblings")
    if siblings is not None:
        siblings = [{"rfilename": name} for s in siblings
                    for name in ([s["rfilename"]] if isinstance(s, dict) else re.findall(r"rfilename='([^']*)'", s))]
    entry = {
        "id": dump.get("id"), "author": dump.get("author"), "sha": dump.get("sha"),
        "createdAt": api_date("created_at"), "lastModified": api_date("last_modified"),
        "private": dump.get("private"), "gated": dump.get("gated"), "disabled": dump.get("disabled"),
        "downloads": dump.get("downloads"), "downloadsAllTime": dump.get("downloads_all_time"),
        "likes": dump.get("likes"), "trendingScore": dump.get("trending_score"),
        "library_name": dump.get("library_name"), "pipeline_tag": dump.get("pipeline_tag"), "tags": dump.get("tags"),
        "cardData": card_data, "siblings": siblings, "spaces": dump.get("spaces"),
        "safetensors": dump.get("safetensors"), "usedStorage": dump.get("usedStorage"),
        "childrenModelCount": children_count,
    }
    return {k: v for k, v in entry.items() if v is not None}


def _clean(record: dict) -> dict:
    """Leave out unknown (None) values: an absent optional field means 'not given'."""
    return {k: v for k, v in record.items() if v is not None}


def license_of_info(info: ModelInfo) -> str | None:
    """The license the card metadata declares, else the Hub's `license:` tags (build.hubfacts decides the form)."""
    return license_of(info.card_data.license if info.card_data else None, info.tags)


def base_models(info: ModelInfo) -> dict[str, str | None]:
    """Base model id -> relation (one of build.hubfacts.RELATIONS, or None where unsaid).

    The Hub derives `base_model:<relation>:<id>` tags and the `baseModels` property from the
    card's `base_model` (and `base_model_relation`); all three are read because older
    listings and cards carry only some of them. The first relation found for a base is kept.
    """
    bases: dict[str, str | None] = {}

    def add(base, relation):
        try:
            base = model_id(base)
        except BadModelId:
            return
        if base == info.id:
            return
        relation = relation if relation in RELATIONS else None
        if bases.get(base) is None:
            bases[base] = relation

    for base, relation in parse_tags(info.tags or ()).base_models.items():
        add(base, relation)
    if isinstance(info.base_models, dict):
        for model in info.base_models.get("models") or []:
            add(model.get("id") if isinstance(model, dict) else None, info.base_models.get("relation"))
    card = info.card_data
    if card is not None:
        declared = card.base_model
        relation = getattr(card, "base_model_relation", None)
        for base in [declared] if isinstance(declared, str) else declared or []:
            add(base, relation)
    return bases


def model_records(info: ModelInfo, card: Card, observed: str) -> list[tuple[str, dict]]:
    """The records of one model, the `models` record last (it marks the model as done)."""
    license_id = license_of_info(info)
    files = [s.rfilename for s in info.siblings] if info.siblings is not None else None
    records: list[tuple[str, dict]] = []
    for base, relation in base_models(info).items():
        records.append(("lineage", _clean({
            "source": SOURCE, "model_id": info.id, "base_model_id": base,
            "relation": relation, "observed": observed})))
    for space in dict.fromkeys(info.spaces or []):
        records.append(("dependents", _clean({
            "source": SOURCE, "model_id": info.id, "kind": "space", "dependent": space,
            "model_license": license_id, "observed": observed})))
    if card.text is not None:
        records.append(("cards", _clean({
            "source": SOURCE, "model_id": info.id, "text": card.text, "sha": info.sha,
            "tags": info.tags, "observed": observed})))

    children = info.children_model_count
    if card.status == "not fetched":
        has_card = "README.md" in files if files is not None else None
    else:
        has_card = HAS_CARD.get(card.status)
    extra = _clean({
        "card_status": card.status,
        "card_error": card.error,
        "files": files,
        "safetensors_parameters": info.safetensors.parameters if info.safetensors else None,
        "children_by_relation": children if isinstance(children, dict) else None,
        # Without a cards record the card metadata would be lost; with one, it is in the text.
        "card_data": info.card_data.to_dict() if info.card_data is not None and card.text is None else None,
    })
    records.append(("models", _clean({
        "source": SOURCE,
        "model_id": info.id,
        "observed": observed,
        "author": info.author,
        "created_at": timestamp(info.created_at),
        "last_modified": timestamp(info.last_modified),
        "sha": info.sha,
        "downloads_30d": info.downloads,
        "downloads_all_time": info.downloads_all_time,
        "likes": info.likes,
        "trending_score": info.trending_score,
        "pipeline_tag": info.pipeline_tag,
        "library_name": info.library_name,
        "tags": info.tags,
        "license": license_id,
        "has_card": has_card,
        "gated": info.gated,
        "private": info.private,
        "disabled": info.disabled,
        "parameters": info.safetensors.total if info.safetensors else None,
        "children_count": sum(children.values()) if isinstance(children, dict) else children,
        "extra": extra or None,
    })))
    return records
