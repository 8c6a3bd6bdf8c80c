"""F12 from the Hub: the security scan status of a sample of models, and which of their authors are
verified organizations (see docs/mining.md, "Defenses (F12)").

The listing gives each model's `gated` mode; the rest costs one API request per repository or
account, so it is taken for a documented sample that fits the API budget:

- models: the `top` most downloaded (30-day downloads, ties by id), plus `random` models drawn
  uniformly, with a seed, from every model the run listed (sorted by id, so the draw depends on the
  population and the seed only). A model in both parts is asked once; its record says both.
  `HfApi.model_info(id, securityStatus=True)` -> `ModelInfo.security_repo_status`, i.e. the API's
  `securityRepoStatus`: `{"scansDone": bool, "filesWithIssues": [{"path", "level"}, ...]}`.
- authors: the authors of the `top` models, plus `random` authors drawn uniformly with the same seed
  from every distinct author listed. `HfApi.get_organization_overview(name)` ->
  `Organization.is_verified` (the API's `isVerified`); a 404 means the name is not an organization
  (a user account).

The requests are the ones those HfApi methods send (`GET /api/models/<id>?securityStatus=true`,
`GET /api/organizations/<name>/overview`), sent through the miner's budgeted session and read with
huggingface_hub's own ModelInfo and Organization classes.

Cached across runs: a scan is carried over from the previous snapshot when the repository's sha is
unchanged (and its scans were done); an author's answer when it was asked less than AUTHOR_MAX_AGE
days before. The `random` part is a simple random sample: F12 reports its shares with n and a Wilson
interval; the `top` part is a census of the most downloaded models.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

import httpx2
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import ModelInfo, Organization

from build.snapshot import iter_records, read_manifest

from .records import SOURCE

AUTHOR_MAX_AGE = 30  # days an author's organization/verification answer is reused


@dataclass
class SampleSpec:
    top: int = 100
    random: int = 300
    seed: int = 2022

    @property
    def enabled(self) -> bool:
        return self.top > 0 or self.random > 0


def draw(population: dict[str, int | None], top: int, n_random: int, seed: int) -> dict[str, list[str]]:
    """id -> the parts of the sample it is in ("top", "random"), for ids in `population` (id -> downloads).

    Ordered: the top part by downloads, then the random part in draw order.
    """
    ranked = sorted(population, key=lambda i: (-(population[i] or 0), i))
    parts: dict[str, list[str]] = {i: ["top"] for i in ranked[:top]}
    ids = sorted(population)
    for i in random.Random(seed).sample(ids, min(n_random, len(ids))):
        parts.setdefault(i, []).append("random")
    return parts


def security_url(endpoint: str, model_id: str) -> str:
    """What HfApi.model_info(model_id, securityStatus=True) requests."""
    return str(httpx2.URL(f"{endpoint}/api/models/{model_id}", params={"securityStatus": True}))


def organization_url(endpoint: str, name: str) -> str:
    """What HfApi.get_organization_overview(name) requests."""
    return f"{endpoint}/api/organizations/{quote(name, safe='')}/overview"


def security_fields(data: dict) -> dict:
    """The fields of a security_scans record from a model_info answer, read as huggingface_hub reads it."""
    status = ModelInfo(**data).security_repo_status
    if not isinstance(status, dict):
        return {}
    issues = status.get("filesWithIssues")
    fields = {"scans_done": status.get("scansDone") if isinstance(status.get("scansDone"), bool) else None}
    if isinstance(issues, list):
        fields["files_with_issues"] = {str(f.get("path")): str(f.get("level") or "unknown")
                                       for f in issues if isinstance(f, dict)}
    return {k: v for k, v in fields.items() if v is not None}


def organization_fields(data: dict) -> dict:
    verified = Organization(**data).is_verified
    return {"is_organization": True, **({"is_verified": verified} if isinstance(verified, bool) else {})}


class PreviousDefenses:
    """The security scans (by model and sha) and author answers of a previous snapshot."""

    def __init__(self, folder: Path | None):
        self.scans: dict[str, dict] = {}
        self.authors: dict[str, dict] = {}
        if folder is None or not (Path(folder) / "snapshot.json").exists():
            return
        manifest = read_manifest(folder)
        for record in iter_records(folder, "security_scans", manifest):
            if record["source"] == SOURCE:
                self.scans[record["model_id"]] = record
        for record in iter_records(folder, "authors", manifest):
            if record["source"] == SOURCE:
                self.authors[record["author"]] = record

    def scan(self, model_id: str, sha: str | None) -> dict | None:
        old = self.scans.get(model_id)
        if old is None or sha is None or old.get("sha") != sha or old.get("scans_done") is not True:
            return None
        return {k: old[k] for k in ("scans_done", "files_with_issues") if k in old}

    def author(self, name: str, today: str) -> dict | None:
        old = self.authors.get(name)
        asked = (old or {}).get("observed")
        if old is None or not asked or (date.fromisoformat(today) - date.fromisoformat(asked[:10])).days >= AUTHOR_MAX_AGE:
            return None
        return {k: old[k] for k in ("is_organization", "is_verified") if k in old}


def ask_security(session, model_id: str) -> dict | None:
    """The scan fields of one model; None when the repository is gone (401/404). Raises on other failures."""
    try:
        return security_fields(session.get(security_url(session.endpoint, model_id)).json())
    except HfHubHTTPError as e:
        if e.response is not None and e.response.status_code in (401, 404):
            return None
        raise


def ask_author(session, name: str) -> dict:
    """Whether `name` is an organization and, if so, whether it is verified."""
    try:
        return organization_fields(session.get(organization_url(session.endpoint, name)).json())
    except HfHubHTTPError as e:
        if e.response is not None and e.response.status_code == 404:
            return {"is_organization": False}
        raise


class DefensesJob:
    """The defenses phase of a run, after the listing: resumable by position in the (deterministic) sample."""

    def __init__(self, run, session, spec: SampleSpec, previous: Path | None, today: str, commit, progress: bool):
        self.run = run
        self.session = session
        self.spec = spec
        self.previous = PreviousDefenses(previous)
        self.today = today
        self.commit = commit
        self.progress = progress

    def population(self) -> tuple[dict[str, int | None], set[str]]:
        """The models this run listed (id -> 30-day downloads) and their distinct authors."""
        downloads, authors = {}, set()
        for r in iter_records(self.run.folder, "models"):
            downloads[r["model_id"]] = r.get("downloads_30d")
            if r.get("author"):
                authors.add(r["author"])
        return downloads, authors

    def sampled(self, ids) -> dict[str, tuple]:
        """(sha, author) of the sampled models: a second pass, so that the whole listing's shas stay on disk."""
        ids = set(ids)
        return {r["model_id"]: (r.get("sha"), r.get("author"))
                for r in iter_records(self.run.folder, "models") if r["model_id"] in ids}

    def run_all(self) -> None:
        from tqdm import tqdm

        downloads, authors_seen = self.population()
        spec = self.spec
        scans = draw(downloads, spec.top, spec.random, spec.seed)
        counters = self.run.counters
        counters["sample_models_listed"] = len(downloads)
        counters["sample_authors_listed"] = len(authors_seen)
        del downloads
        facts = self.sampled(scans)
        top_authors = {facts[m][1] for m, parts in scans.items() if "top" in parts and facts[m][1]}
        author_parts = {a: ["top"] for a in sorted(top_authors)}
        for a in random.Random(spec.seed).sample(sorted(authors_seen), min(spec.random, len(authors_seen))):
            author_parts.setdefault(a, []).append("random")

        plan = list(scans.items())
        start = self.run.state.get("security_index", 0)
        for i in tqdm(range(start, len(plan)), desc="security", unit="model", disable=not self.progress):
            model_id, parts = plan[i]
            sha = facts[model_id][0]
            fields = self.previous.scan(model_id, sha)
            if fields is not None:
                counters["security_carried"] += 1
            else:
                try:
                    fields = ask_security(self.session, model_id)
                except (HfHubHTTPError, httpx2.HTTPError, OSError) as e:
                    self.run.fail({"what": "security", "model_id": model_id,
                                   "error": self.session.scrub(f"{type(e).__name__}: {e}")})
                    fields = "failed"
                if fields is None:
                    counters["security_not_found"] += 1
                elif fields != "failed":
                    counters["security_fetched"] += 1
            if isinstance(fields, dict):
                self.run.write("security_scans", {"source": SOURCE, "model_id": model_id, "sha": sha,
                                                  "sample": parts, "observed": self.today, **fields})
            if (i + 1) % 50 == 0:
                self.commit(security_index=i + 1)
        self.commit(security_index=len(plan))

        plan = list(author_parts.items())
        start = self.run.state.get("authors_index", 0)
        for i in tqdm(range(start, len(plan)), desc="authors", unit="author", disable=not self.progress):
            name, parts = plan[i]
            fields = self.previous.author(name, self.today)
            if fields is not None:
                counters["authors_carried"] += 1
                observed = self.previous.authors[name]["observed"]
            else:
                observed = self.today
                try:
                    fields = ask_author(self.session, name)
                    counters["authors_fetched"] += 1
                except (HfHubHTTPError, httpx2.HTTPError, OSError) as e:
                    self.run.fail({"what": "author", "author": name,
                                   "error": self.session.scrub(f"{type(e).__name__}: {e}")})
            if fields is not None:
                # observed: the day the Hub was asked (a carried answer keeps its day)
                self.run.write("authors", {"source": SOURCE, "author": name, "sample": parts,
                                           "observed": observed, **fields}, dated=observed == self.today)
            if (i + 1) % 50 == 0:
                self.commit(authors_index=i + 1)
        self.commit(authors_index=len(plan))
