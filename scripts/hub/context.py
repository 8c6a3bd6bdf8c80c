"""What every job of one mining run shares: the options, the run folder, the HTTP session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from scripts.hub.checkpoint import RunFolder
from scripts.hub.client import DOWN_AFTER, HubSession
from scripts.hub.defenses import SampleSpec

DEFAULT_ENDPOINT = "https://huggingface.co"


# Exit statuses of `python -m scripts.mine_hub` (docs/mining.md): 0 complete; 1 bad input or unusable --out;
# 3 stopped before the end (a listing page failed after all retries, or the Hub is down): the same command
# resumes; 4 finished, but some cards, aliases, scans or authors could not be fetched: the same command
# fetches them again.
EXIT_OK, EXIT_ERROR, EXIT_STOPPED, EXIT_FAILURES = 0, 1, 3, 4


class MiningIncomplete(Exception):
    """The listing could not go on after all retries, or the Hub is down; the run can be resumed later."""


@dataclass
class Options:
    out: Path
    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None
    limit: int | None = None
    author: str | None = None
    task: str | None = None
    library: str | None = None
    created_since: date | None = None
    workers: int = 8
    budgets: dict = field(default_factory=dict)  # bucket -> requests per 5 minutes; missing: default_budgets()
    cards: bool = True
    previous: Path | None = None
    resolve_aliases: Path | None = None
    retries: int = 5
    retry_wait: float = 1.0
    progress: bool = True
    sample: SampleSpec = field(default_factory=SampleSpec)  # models and authors asked about defenses (F12)
    down_after: int = DOWN_AFTER  # connection failures in a row after which the run stops


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


class RunContext:
    """One run's options, run folder and session; commit() checkpoints with the run's request counts."""

    def __init__(self, opts: Options, run: RunFolder, session: HubSession):
        self.opts = opts
        self.run = run
        self.session = session
        self.requests_before = dict(run.state.get("requests", {}))

    def commit(self, **changes) -> None:
        requests = {k: self.requests_before.get(k, 0) + self.session.counts.get(k, 0)
                    for k in set(self.requests_before) | set(self.session.counts)}
        self.run.commit(requests=requests, **changes)
