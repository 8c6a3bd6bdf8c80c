"""The aliases job: resolve legacy model ids (no owner) to the repositories' current ids."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx2
import sqlite_utils
from huggingface_hub.errors import HfHubHTTPError
from tqdm import tqdm

from build.snapshot import iter_records, read_manifest
from scripts.hub.client import HubDown
from scripts.hub.context import MiningIncomplete, RunContext, today
from scripts.hub.records import SOURCE


def read_alias_ids(path: Path) -> list[str]:
    """Legacy ids to resolve: a SQLite database (its `models` ids without an owner) or a text file, one id a line."""
    with open(path, "rb") as f:
        is_sqlite = f.read(16) == b"SQLite format 3\x00"
    if is_sqlite:
        db = sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True))
        if "models" not in db.table_names():
            raise ValueError(f"{path}: no 'models' table to take legacy ids from")
        return [row["model_id"] for row in
                db.query("select model_id from models where instr(model_id, '/') = 0 order by model_id")]
    ids = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            model_id = line.strip()
            if not model_id or model_id.startswith("#"):
                continue
            if any(c.isspace() for c in model_id) or model_id.count("/") > 1:
                raise ValueError(f"{path}:{lineno}: {model_id!r} is not a model id")
            ids.append(model_id)
    return list(dict.fromkeys(ids))


def resolve_aliases(ctx: RunContext, ids: list[str]) -> None:
    """Ask the Hub about each legacy id; it answers with the repository's current id."""
    run, session = ctx.run, ctx.session
    start = run.state.get("alias_index", 0)
    for i in tqdm(range(start, len(ids)), desc="aliases", unit="id", disable=not ctx.opts.progress):
        old_id = ids[i]
        try:
            new_id = session.get(f"{ctx.opts.endpoint}/api/models/{old_id}?expand=sha").json()["id"]
        except HubDown as e:
            ctx.commit(alias_index=i)
            raise MiningIncomplete(str(e)) from None
        except HfHubHTTPError as e:
            if e.response.status_code in (401, 404):  # the Hub's answers for a repository that is gone
                run.counters["aliases_not_found"] += 1
            else:
                run.fail({"what": "alias", "model_id": old_id,
                          "error": session.scrub(f"HTTP {e.response.status_code}: {e}")})
        except (httpx2.HTTPError, OSError) as e:
            run.fail({"what": "alias", "model_id": old_id,
                      "error": session.scrub(f"{type(e).__name__}: {e}")})
        else:
            if new_id != old_id:
                run.write("aliases", {"source": SOURCE, "old_id": old_id, "new_id": new_id,
                                      "observed": today()})
            else:
                run.counters["aliases_unchanged"] += 1
        if (i + 1) % 100 == 0:
            ctx.commit(alias_index=i + 1)
    ctx.commit(alias_index=len(ids))


def carry_aliases(ctx: RunContext, previous: Path) -> None:
    """Without --resolve-aliases, the previous snapshot's alias records are kept as they are (with the day
    they were seen), so that re-mining a finished folder, or a refresh, does not lose them."""
    run = ctx.run
    if run.state.get("aliases_carried") or not (Path(previous) / "snapshot.json").exists():
        return
    for record in iter_records(previous, "aliases", read_manifest(previous)):
        if record["source"] == SOURCE:
            run.write("aliases", record, dated=False)
            run.counters["aliases_carried"] += 1
    ctx.commit(aliases_carried=True)
