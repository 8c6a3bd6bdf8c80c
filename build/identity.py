"""Model identity: one canonical id per model, every merge recorded in `model_aliases`.

The sources spell one Hub repository in several ways. `reconcile(db)` runs after every record is
loaded and before the `models` table is computed. It finds three kinds of alias, in this order
of precedence, and rewrites every model id column (MODEL_ID_COLUMNS) to the canonical id:

1. `hub redirect`: the miner asked the Hub for a legacy id and was redirected (`aliases`
   records, scripts/mine_hub.py --resolve-aliases). The Hub's own answer wins over the rules below.
2. `namespace move`: in 2023-24 the Hub moved its canonical legacy models (ids without an owner,
   such as `bert-base-uncased`) under organisations (`google-bert/bert-base-uncased`). The data
   shows a move when an id without owner is listed by a registry population, the same name under
   an owner appears only in sources dated after that population, the owner has no model in any
   population up to that date, and either
   a. the owner holds such twins of at least MIN_MOVED_NAMES legacy ids (an organisation created
      to take legacy models over: google-bert, FacebookAI, distilbert, openai-community, albert,
      google-t5; a user who copied legacy repositories under their own name holds at most 3), or
   b. no owner qualifies by (a), and exactly one of the twins' owners also publishes the model's
      family: another model whose name starts with the legacy name's first word and is not itself
      a legacy name (`almanach/camembert-base` beside `almanach/camembert-bio-base`, while the
      other twin, `aniryou/camembert-base`, is its owner's only model). The Hub moved
      `camembert-base` to almanach, the team that trained CamemBERT, alone; (a) cannot see a
      one-model move, and a copier of one repository does not publish its family.
   A legacy name with two such owners is left alone.
3. `case`: ids that differ only by letter case are one repository (the Hub matches ids
   case-insensitively). The canonical spelling is the one listed by the newest registry
   population, else by the newest dated source, else by the most sources, else the first in
   code-point order.

Chains resolve to their end (a case variant of a legacy id goes to the successor). Two rows of one
source that become one model (Liang et al. list `muhtasham/Bert-Tiny-...` and
`muhtasham/bert-tiny-...`) keep the row of the canonical spelling.

Names that are not Hub ids are flagged, not merged: an id without owner that no registry
population lists and no alias resolves (HFCO2's `en_lg`, spaCy package names in code) gets
`models.is_hub_id = 0` and is not counted as a model (build/db.py computes the flag).
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict

import sqlite_utils

# A legacy-name move needs an organisation holding at least this many namespaced twins of legacy
# ids. In the 2022 sources the six organisations of the Hub's 2024 move hold 5 to 13 each
# (google-bert 13, FacebookAI 11, distilbert 9, openai-community 6, albert 5, google-t5 5); the
# users that copied legacy repositories under their own name hold at most 3.
MIN_MOVED_NAMES = 5

MODEL_ID_COLUMNS = [
    ("model_observations", "model_id"),
    ("cards", "model_id"),
    ("card_sections", "model_id"),
    ("lineage", "model_id"),
    ("lineage", "base_model_id"),
    ("dependents", "model_id"),
    ("code_usage_models", "model_id"),
    ("extracted_metadata", "model_id"),
    ("security_scans", "model_id"),
    ("code_calls", "model_id"),
]

# One date per source, comparable as text: an exact ISO date, the end of a range
# ("2022-09-27/2023-02-27"), a year or month ("2024", "2023-04"); NULL when unknown.
SOURCE_DATES_SQL = """
CREATE TEMP TABLE source_dates AS
SELECT id AS source, coverage = 'registry' AS is_population,
       CASE WHEN snapshot_date GLOB '[0-9][0-9][0-9][0-9]*/[0-9][0-9][0-9][0-9]*'
              THEN substr(snapshot_date, instr(snapshot_date, '/') + 1)
            WHEN snapshot_date GLOB '[0-9][0-9][0-9][0-9]*' THEN snapshot_date END AS date
FROM sources
"""

# Every (id, source) mention, once, in id order: one GROUP BY (a sort) over every mention. A UNION
# inserted every mention into a temp b-tree, then sorted the result again: 21.6 -> 14 CPU s at
# 2,000,000 models.
MENTIONS_SQL = "SELECT id, source FROM (" + " UNION ALL ".join(
    [f"SELECT [{column}] AS id, source FROM [{table}]" for table, column in MODEL_ID_COLUMNS
     if table not in ("card_sections", "code_usage_models")]
    + ["SELECT cm.model_id, cu.source FROM code_usage_models cm JOIN code_usages cu ON cu.id = cm.usage_id"]
) + ") WHERE id IS NOT NULL GROUP BY id, source ORDER BY id, source"


def _owner(model_id: str) -> str | None:
    return model_id.split("/", 1)[0] if "/" in model_id else None


def _name(model_id: str) -> str:
    return model_id.split("/", 1)[1] if "/" in model_id else model_id


def reconcile(db: sqlite_utils.Database) -> dict[str, int]:
    """Find the aliases, record them in model_aliases, rewrite every model id; {reason: merges}."""
    return apply(db, find(db.conn))


def find(conn: sqlite3.Connection) -> list[dict]:
    """The aliases (rows of model_aliases), found by reading the loaded tables only (no index
    needed): the builder runs this on a connection of its own while it builds the indexes."""
    conn.execute("DROP TABLE IF EXISTS temp.source_dates")
    conn.execute(SOURCE_DATES_SQL)
    # Every (id, source, source date, listed by a registry population) mention, streamed in id order.
    # The memory is one entry per id (2,000,000 at Hub size): its mentions are a tuple shared by every
    # id seen by the same sources, of (source, date, population) tuples shared by every mention of a source.
    seen: dict[str, tuple[tuple[str, str | None, int], ...]] = {}
    shared: dict = {}
    # source -> (date, is a population): (None, 0) for a source the sources table does not list
    dates = {source: (date, is_population) for source, date, is_population in
             conn.execute("SELECT source, date, coalesce(is_population, 0) FROM source_dates")}
    mention_of: dict = {}  # source -> the one (source, date, population) tuple of its mentions
    current, mentions = None, []
    for model_id, source in conn.execute(MENTIONS_SQL):
        if model_id != current:
            if current is not None:
                key = tuple(mentions)
                seen[current] = shared.setdefault(key, key)
            current, mentions = model_id, []
        mention = mention_of.get(source)
        if mention is None:
            mention = mention_of[source] = (source, *dates.get(source, (None, 0)))
        mentions.append(mention)
    if current is not None:
        key = tuple(mentions)
        seen[current] = shared.setdefault(key, key)
    del shared, mention_of

    aliases: dict[str, tuple[str, str, str, str | None, str]] = {}  # old -> (new, reason, source, observed, evidence)

    # 1. The Hub's redirects, as the miner recorded them.
    for old, new, source, observed in conn.execute(
            "SELECT old_id, new_id, source, observed FROM model_aliases ORDER BY old_id"):
        if old != new:
            aliases[old] = (new, "hub redirect", source, observed,
                            f"the Hub API redirected {old} to {new}" + (f" on {observed}" if observed else ""))

    # 2. Namespace moves of legacy ids.
    def pop_dates(model_id):
        return [d for _, d, p in seen[model_id] if p and d]

    legacy = {mid: max(pop_dates(mid)) for mid in seen if "/" not in mid and pop_dates(mid)}
    listed_owners: dict[str, str] = {}  # lower(owner) -> earliest population date listing one of its models
    first_listed: dict[int, str | None] = {}  # id() of a shared mentions tuple -> its earliest population date
    for mid, mentions in seen.items():
        owner = _owner(mid)
        if not owner:
            continue
        if (date := first_listed.get(id(mentions), "")) == "":
            date = first_listed[id(mentions)] = min((d for _, d, p in mentions if p and d), default=None)
        if date is not None:
            key = owner.lower()
            listed_owners[key] = min(listed_owners.get(key, date), date)
    legacy_lower = {old.lower() for old in legacy}
    twins_by_name = defaultdict(list)  # lower(legacy id) -> namespaced ids of that name
    for mid in seen:
        if "/" in mid and _name(mid).lower() in legacy_lower:
            twins_by_name[_name(mid).lower()].append(mid)
    candidates = defaultdict(list)  # legacy id -> [twin]
    for old, last_listed in legacy.items():
        if old in aliases:
            continue
        for twin in twins_by_name.get(old.lower(), []):
            owner_first = listed_owners.get(_owner(twin).lower())
            dates = [d for _, d, _ in seen[twin]]
            if (owner_first is None or owner_first > last_listed) and all(d and d > last_listed for d in dates):
                candidates[old].append(twin)
    holdings = defaultdict(set)
    for old, twins in candidates.items():
        for twin in twins:
            holdings[_owner(twin)].add(old)
    models_by_owner = defaultdict(list)  # owner of a twin -> names it holds, that are not legacy names
    twin_owners = {_owner(twin) for twins in candidates.values() for twin in twins}
    for mid in seen:
        if "/" in mid and _owner(mid) in twin_owners and _name(mid).lower() not in legacy_lower:
            models_by_owner[_owner(mid)].append(_name(mid))

    def family(old, owner):
        """The owner's other models of the legacy model's family (names starting with its first word)."""
        stem = re.split(r"[-_.]", old.lower(), maxsplit=1)[0]
        return sorted(n for n in models_by_owner[owner] if n.lower().startswith(stem))

    for old, twins in sorted(candidates.items()):
        movers = [t for t in twins if len(holdings[_owner(t)]) >= MIN_MOVED_NAMES]
        if not movers:
            movers = [t for t in twins if family(old, _owner(t))]
            if len(movers) != 1:
                continue
            others = [_owner(t) for t in twins if t != movers[0]]
            why = (f"{_owner(movers[0])} also holds {', '.join(family(old, _owner(movers[0])))} of the "
                   f"{re.split(r'[-_.]', old.lower(), maxsplit=1)[0]} family"
                   + (f", which {', '.join(others)} (the other owner(s) of a twin) do not" if others else ""))
        elif len(movers) == 1:
            why = f"holds {len(holdings[_owner(movers[0])])} such twins of legacy ids"
        else:
            continue
        new = movers[0]
        later = sorted({f"{s} ({d})" for s, d, _ in seen[new]})
        before = sorted({f"{s} ({d})" for s, d, p in seen[old] if p})
        source = sorted(seen[new], key=lambda m: (m[1] or "", m[0]))[-1]
        aliases[old] = (new, "namespace move", source[0], source[1] if _is_day(source[1]) else None,
                        f"{old} is listed by {', '.join(before)}; {new} only by {', '.join(later)}; "
                        f"{_owner(new)} lists no model in a population up to {legacy[old]}; "
                        + (why if why.startswith(_owner(new)) else f"{_owner(new)} {why}"))

    # 3. Case variants.
    # ids sorted by their lower case, so that the spellings of one id are neighbours (a dict keyed
    # by every id's lower case would hold them all)
    by_lower = []
    spelled = sorted(seen, key=str.lower)
    for i, mid in enumerate(spelled):
        if i and spelled[i - 1].lower() == mid.lower():
            if not by_lower or by_lower[-1][0].lower() != mid.lower():
                by_lower.append([spelled[i - 1]])
            by_lower[-1].append(mid)
    del spelled
    for spellings in by_lower:

        def rank(mid):
            pops = [d for _, d, p in seen[mid] if p and d]
            dated = [d for _, d, _ in seen[mid] if d]
            return (max(pops, default=""), max(dated, default=""), len({s for s, _, _ in seen[mid]}))

        best = max(rank(m) for m in spellings)
        canonical = min(m for m in spellings if rank(m) == best)
        newest = max((m for m in seen[canonical]), key=lambda m: (m[2], m[1] or "", m[0]))
        why = ("the newest registry population" if best[0] else "the newest dated source" if best[1]
               else "the most sources")
        for old in sorted(spellings):
            if old == canonical or old in aliases:
                continue
            aliases[old] = (canonical, "case", newest[0], newest[1] if _is_day(newest[1]) else None,
                            f"{old} ({', '.join(sorted({s for s, _, _ in seen[old]}))}) and {canonical} "
                            f"({', '.join(sorted({s for s, _, _ in seen[canonical]}))}) differ only by "
                            f"case and the Hub matches ids case-insensitively; {canonical} is the spelling "
                            f"of {why}, {newest[0]}" + (f" ({newest[1]})" if newest[1] else ""))

    # Chains end at an id that is not itself an alias.
    def final(model_id):
        path = [model_id]
        while path[-1] in aliases and aliases[path[-1]][0] not in path:
            path.append(aliases[path[-1]][0])
        return path[-1]

    records = []
    for old, (new, reason, source, observed, evidence) in sorted(aliases.items()):
        end = final(old)
        if end != new:
            evidence += f"; {new} is in turn an alias of {end}"
        records.append({"old_id": old, "new_id": end, "source": source, "observed": observed,
                        "reason": reason, "evidence": evidence})
    conn.execute("DROP TABLE temp.source_dates")
    return records


def apply(db: sqlite_utils.Database, records: list[dict]) -> dict[str, int]:
    """Record the aliases find() found in model_aliases and rewrite every model id; {reason: merges}."""
    db["model_aliases"].insert_all(records, pk="old_id", replace=True)
    _rewrite(db)
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[record["reason"]] += 1
    return dict(counts)


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_day(value: str | None) -> bool:
    return bool(value and _DAY.match(value))


def _rewrite(db: sqlite_utils.Database) -> None:
    """Every model id column to its canonical id. A row that would duplicate the canonical
    spelling's row (same key) is dropped: it is the same model seen twice by one source."""
    with db.atomic():
        # Sections of a card that will be dropped go first, not onto the kept card.
        db.execute("""DELETE FROM card_sections WHERE (model_id, source) IN (
                        SELECT c.model_id, c.source FROM cards c JOIN model_aliases a ON a.old_id = c.model_id
                        WHERE EXISTS (SELECT 1 FROM cards k WHERE k.model_id = a.new_id AND k.source = c.source))""")
        for table, column in MODEL_ID_COLUMNS:
            db.execute(f"UPDATE OR IGNORE [{table}] SET [{column}] = "
                       f"(SELECT new_id FROM model_aliases a WHERE a.old_id = [{table}].[{column}]) "
                       f"WHERE [{column}] IN (SELECT old_id FROM model_aliases)")
            db.execute(f"DELETE FROM [{table}] WHERE [{column}] IN (SELECT old_id FROM model_aliases)")
        # A child and base that became one model is no lineage edge.
        db.execute("DELETE FROM lineage WHERE model_id = base_model_id")
