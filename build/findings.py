"""Canned queries (queries/*.sql), the `findings` table and the `paper_claims` replication table.

queries/ holds one .sql file per canned query and is the only place their SQL lives: the Datasette
plugin (plugins/ptm_findings.py) serves them through the `canned_queries` hook, and `write(db)`,
called by the builder at the end of every build, runs the same files to fill `findings` and
`paper_claims`. Each file starts with a YAML header inside a comment, then the SQL:

    /* ---
    title: Downloads per model                 # required: the query's title in Datasette
    description: >-                            # required: what it shows, which snapshot and
      ...                                      #   source, its caveats
    finding: F1                                # F1..F12, or "extra" (beyond the paper)
    fragment: g.mark=bar&g.x_column=...        # optional: datasette-vega chart drawn on open
    labels:                                    # optional: the chart's columns in words, for axis
      top_models: Most downloaded models       #   titles (default: the column name); a column
      share_of_downloads: Share of downloads   #   whose name has "share" is drawn as a percentage
    params:                                    # optional: name: default, in form order
      source: huggingfacer
      top_n: 20
    answer: >-                                 # one query per finding: the finding's one-sentence
      In {source} ... {median:,} ...           #   answer, str.format()-ed with the query's first
                                               #   row, or {by[key][column]} for the row whose
                                               #   first column is key (missing prints as "n/a")
    chart: f01_downloads_histogram             # with `answer`, optional: the finding's chart (default:
                                               #   its first query with a fragment)
    claims:                                    # optional: rows of the replication table
      - id: F1-median                          #   unique id
        claim: median 30-day downloads         #   what is claimed
        cited_in: paper / a related study      #   who claims it
        quoted_value: "..."                    #   the quotation (a constant: it is a quotation)
        column: median                         #   the value: a column of the first row, or
                                               #   by[key][column] as in `answer`
        format: "{:,}"                         #   how to print the computed value
        expected: 2                            #   the quoted number (or text) to compare with
        tolerance: 0.5                         #   optional: default half a unit of its last digit
        n: by[key][cards]                      #   optional, for a share measured on a sample: its
                                               #   denominator; the status then compares the
                                               #   paper's value with the share's 95% Wilson interval
        why: ...                               #   why the values may differ (shown if they do)
        note: ...                              #   optional remark
        over:                                  #   optional: what the value is computed over,
          source: by[key][population]          #   a column naming the population or sample (its
          n: by[key][models]                   #   date is looked up in populations / sources, or
          unit: models with a download count   #   read from a column `date`), or "=id" for a named
                                               #   source; the denominator and its unit (n defaults
                                               #   to the claim's `n`)
    --- */
    SELECT ...

Parameters: Datasette passes every parameter as a string, and a first-time visitor sends them
empty. So the SQL never reads `:name` itself: load_queries() prepends a one-row CTE `p`
holding each parameter, its default when empty (cast to the default's type), and the SQL reads
`p.top_n` or `(SELECT top_n FROM p)`. The default is written once, in the header.
"""

from __future__ import annotations

import json
import re
import sqlite3
import string
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"

# The twelve findings of FINDINGS.md (Jiang et al., ICSE 2023, and the studies around it).
FINDINGS = {
    "F1": "Reuse is widespread and very concentrated",
    "F2": "Engineers choose by popularity, not by documented fit",
    "F3": "Model cards vary enormously in completeness",
    "F4": "Many popular models have minimal documentation",
    "F5": "Performance claims are rarely machine-readable",
    "F6": "Attributes engineers need are missing",
    "F7": "Dependencies concentrate risk",
    "F8": "Governance: licenses and their compatibility downstream",
    "F9": "How code reuses models",
    "F10": "The model registry rivals traditional package registries",
    "F11": "The ecosystem grows faster than its practices",
    "F12": "Hugging Face's defenses are little adopted",
}
NOT_MEASURABLE = "not measurable from these sources"
# Replication statuses (paper_claims.status). A value computed from the same source as the quoted
# one is "reproduced" when equal up to the quotation's rounding. A share measured on a sample
# (a claim with `n`) is compared through its 95% Wilson interval instead: "consistent" when the
# interval covers the paper's value, "too few to tell" when it covers it but also half or twice
# it (the sample cannot tell them apart), "differs" when it leaves the paper's value out.
REPRODUCED = "reproduced"
CONSISTENT = "consistent (interval covers the paper's value)"
TOO_FEW = "too few to tell"
DIFFERS = "differs"
STATUSES = (REPRODUCED, CONSISTENT, TOO_FEW, DIFFERS, NOT_MEASURABLE)
Z95 = 1.959963984540054  # the standard normal's 97.5% quantile

_HEADER = re.compile(r"\A\s*/\*\s*---\s*\n(?P<yaml>.*?)\n\s*---\s*\*/\s*(?P<sql>.*)\Z", re.S)
_HEADER_KEYS = {"title", "description", "finding", "fragment", "labels", "params", "answer", "chart", "claims"}
_CLAIM_KEYS = {"id", "claim", "cited_in", "quoted_value", "column", "format", "expected",
               "tolerance", "why", "note", "n", "over"}
_OVER_KEYS = {"source", "date", "n", "unit"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class QueryFileError(Exception):
    """A queries/*.sql file is malformed. The message names the file and the field."""


@dataclass
class Query:
    name: str
    path: Path
    title: str
    description: str
    finding: str
    sql: str  # as Datasette runs it: with the parameter CTE `p` prepended
    fragment: str | None = None
    params: dict = field(default_factory=dict)
    answer: str | None = None
    chart: str | None = None
    claims: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)

    def canned(self) -> dict:
        """The canned query definition Datasette's `canned_queries` hook expects."""
        query = {"sql": self.sql, "title": self.title, "description": self.description,
                 "params": list(self.params)}
        if self.fragment:
            query["fragment"] = self.fragment
        return query


def _sql_literal(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def params_cte(params: dict) -> str:
    """`p AS (SELECT ...)`: each parameter, or its default when empty, with the default's type."""
    columns = []
    for name, default in params.items():
        value = f"coalesce(nullif(:{name}, ''), {_sql_literal(default)})"
        if isinstance(default, int):
            value = f"CAST({value} AS INTEGER)"
        elif isinstance(default, float):
            value = f"CAST({value} AS REAL)"
        columns.append(f"{value} AS {name}")
    return "p AS (SELECT " + ", ".join(columns) + ")"


def _with_params(body: str, params: dict) -> str:
    if not params:
        return body
    cte = params_cte(params)
    m = re.match(r"WITH(\s+RECURSIVE)?\s", body, re.I)
    if m:
        return f"{body[:m.end()].rstrip()} {cte},\n{body[m.end():]}"
    return f"WITH {cte}\n{body}"


def parse_query(path: Path) -> Query:
    """Read one queries/*.sql file; raise QueryFileError naming the file and field on bad input."""
    text = path.read_text(encoding="utf-8")
    m = _HEADER.match(text)
    if not m:
        raise QueryFileError(f"{path}: must start with a YAML header between '/* ---' and '--- */'")
    try:
        header = yaml.load(m["yaml"], Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise QueryFileError(f"{path}: header is not valid YAML: {e}") from None
    if not isinstance(header, dict):
        raise QueryFileError(f"{path}: header must be a YAML mapping")
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise QueryFileError(f"{path}: unknown header field(s) {sorted(unknown)}")
    for key in ("title", "description", "finding"):
        if not isinstance(header.get(key), str) or not header[key].strip():
            raise QueryFileError(f"{path}: header field {key!r} is required (a string)")
    if header["finding"] not in FINDINGS and header["finding"] != "extra":
        raise QueryFileError(f"{path}: header field 'finding' is {header['finding']!r}, "
                             f"expected one of {', '.join(FINDINGS)} or 'extra'")
    params = header.get("params") or {}
    if not isinstance(params, dict):
        raise QueryFileError(f"{path}: header field 'params' must be a mapping of name: default")
    body = m["sql"].strip().rstrip(";").strip()
    if not re.match(r"(WITH|SELECT)\s", body, re.I):
        raise QueryFileError(f"{path}: the SQL after the header must start with SELECT or WITH")
    for name, default in params.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise QueryFileError(f"{path}: params: {name!r} is not a lower_case parameter name")
        if isinstance(default, bool) or not isinstance(default, (int, float, str)):
            raise QueryFileError(f"{path}: params: {name}: default {default!r} must be a number or a string")
        if re.search(rf":{name}\b", body):
            raise QueryFileError(f"{path}: params: the SQL reads :{name} directly; read p.{name} instead")
    labels = header.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                for k, v in labels.items()):
        raise QueryFileError(f"{path}: header field 'labels' must map column names to words")
    claims = header.get("claims") or []
    if not isinstance(claims, list):
        raise QueryFileError(f"{path}: header field 'claims' must be a list")
    for i, claim in enumerate(claims):
        if not isinstance(claim, dict):
            raise QueryFileError(f"{path}: claims[{i}] must be a mapping")
        unknown = set(claim) - _CLAIM_KEYS
        if unknown:
            raise QueryFileError(f"{path}: claims[{i}]: unknown field(s) {sorted(unknown)}")
        for key in ("id", "claim", "cited_in", "quoted_value", "column", "expected"):
            if claim.get(key) in (None, ""):
                raise QueryFileError(f"{path}: claims[{i}]: field {key!r} is required")
        over = claim.get("over")
        if over is not None and (not isinstance(over, dict) or not over.get("source")
                                 or set(over) - _OVER_KEYS):
            raise QueryFileError(f"{path}: claims[{i}]: over must be a mapping with source (and "
                                 f"optionally n, unit), got {over!r}")
    return Query(name=path.stem, path=path, title=header["title"].strip(),
                 description=" ".join(header["description"].split()), finding=header["finding"],
                 sql=_with_params(body, params), fragment=header.get("fragment"), params=params,
                 answer=" ".join(header["answer"].split()) if header.get("answer") else None,
                 chart=header.get("chart"), claims=claims, labels=labels)


def load_queries(folder: str | Path = QUERIES_DIR) -> dict[str, Query]:
    """Every queries/*.sql file, parsed, by name (the file name without .sql), in file order."""
    queries = {}
    for path in sorted(Path(folder).glob("*.sql")):
        if not _NAME.match(path.stem):
            raise QueryFileError(f"{path}: a query's file name must be lower_case_with_underscores.sql")
        queries[path.stem] = parse_query(path)
    return queries


def run(conn: sqlite3.Connection, query: Query, params: dict | None = None) -> list[dict]:
    """Run a query as a first-time visitor would (every parameter empty unless given)."""
    values = {name: "" for name in query.params}
    values.update(params or {})
    cursor = conn.execute(query.sql, values)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


class _Formatter(string.Formatter):
    """str.format() that prints a missing value as "n/a", whatever its format spec.

    A value is missing when it is None or when the field names a row or column the query did
    not return (a snapshot without that source), e.g. {by[mit][links]} with no "mit" row.
    The format spec `dated` prints a source id with its date: {sample:dated} -> "hn5318-cards
    (2024)" (the population's date, else the source's snapshot_date, from the database).
    """

    def __init__(self, dates: dict | None = None):
        super().__init__()
        self.dates = dates or {}

    def get_field(self, field_name, args, kwargs):
        try:
            return super().get_field(field_name, args, kwargs)
        except (KeyError, IndexError, TypeError):
            return None, field_name

    def format_field(self, value, format_spec):
        if value is None:
            return "n/a"
        if format_spec == "dated":  # one source id, or several joined by ", "
            return ", ".join(f"{s} ({d if (d := self.dates.get(s)) and d[:1].isdigit() else 'date not stated'})"
                             for s in str(value).split(", "))
        return super().format_field(value, format_spec)


def context(rows: list[dict]) -> dict:
    """What an answer template or a claim's column can name: the first row's columns, and
    `by`, every row keyed by its first column's value ({by[apache-2.0][links]})."""
    if not rows:
        return {"by": {}}
    key = next(iter(rows[0]))
    return {**rows[0], "by": {row[key]: row for row in rows}}


def format_answer(template: str, values: dict, dates: dict | None = None) -> str:
    return _Formatter(dates).vformat(template, (), values)


def lookup(field_name: str, values: dict):
    """The value a claim's `column` names (a column of the first row, or by[key][column])."""
    return _Formatter().get_field(field_name, (), values)[0]


def _tolerance(claim: dict) -> float:
    """Half a unit of the last digit of the quoted number, unless the claim gives one."""
    if claim.get("tolerance") is not None:
        return float(claim["tolerance"])
    text = repr(claim["expected"])
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return 0.5 * 10 ** -decimals


def wilson(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default), as scipy's
    binomtest(...).proportion_ci(method="wilson") gives it."""
    if n <= 0:
        raise ValueError("a proportion needs n > 0")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def sample_status(share: float, n: int, expected: float) -> tuple[str, tuple[float, float]]:
    """Status of a share measured on a sample of n against the paper's value (see STATUSES)."""
    low, high = wilson(round(share * n), n)
    if not low <= expected <= high:
        return DIFFERS, (low, high)
    if low <= expected / 2 or high >= expected * 2:
        return TOO_FEW, (low, high)
    return CONSISTENT, (low, high)


def computed_over(claim: dict, values: dict, dates: dict) -> str | None:
    """What the claim's value is computed over, from the data: "liang2024 (2022-10-01), 74,969
    models with a download count". The source is a column of the query (or "=id", a named
    source); its date is the population's, else the source's snapshot_date; the denominator is
    the column `over.n` (default: the claim's `n`)."""
    over = claim.get("over")
    if not over:
        return None
    spec = str(over["source"])
    source = spec[1:] if spec.startswith("=") else lookup(spec, values)
    if source is None:
        return None
    if over.get("date"):
        text = _Formatter({source: lookup(over["date"], values)}).format_field(source, "dated")
    else:
        text = _Formatter(dates).format_field(source, "dated")
    n_field = over.get("n") or claim.get("n")
    n = lookup(n_field, values) if n_field else None
    if n is not None:
        text += f", {int(n):,} {over.get('unit') or 'in the denominator'}"
    return text


def claim_row(query: Query, claim: dict, values: dict, dates: dict | None = None) -> dict:
    """One paper_claims row: the quotation beside the value this data gives, what it is computed
    over (population or sample, date, denominator) and a status."""
    value = lookup(claim["column"], values)
    n = lookup(claim["n"], values) if claim.get("n") else None
    note = claim.get("note")
    if value is None or claim.get("n") and not n:
        status, computed = NOT_MEASURABLE, None
    elif claim.get("n"):
        status, (low, high) = sample_status(float(value), int(n), float(claim["expected"]))
        fmt = claim.get("format") or "{}"
        computed = (f"{_Formatter().format(fmt, value)} of {int(n):,} (95% interval "
                    f"{_Formatter().format(fmt, low)}–{_Formatter().format(fmt, high)})")
        if status != CONSISTENT:
            note = " ".join(filter(None, [claim.get("why"), note]))
    else:
        computed = _Formatter().format(claim.get("format") or "{}", value)
        expected = claim["expected"]
        if isinstance(expected, str):
            same = str(value).casefold() == expected.casefold()
        else:
            same = abs(float(value) - float(expected)) <= _tolerance(claim)
        if same:
            status = REPRODUCED
        else:
            status = DIFFERS
            note = " ".join(filter(None, [claim.get("why"), note]))
    return {"id": claim["id"], "finding": query.finding, "claim": claim["claim"],
            "cited_in": claim["cited_in"], "quoted_value": str(claim["quoted_value"]),
            "computed_value": computed,
            "computed_over": computed_over(claim, values, dates or {}) if computed is not None else None,
            "query": query.name, "status": status,
            "note": " ".join(note.split()) if note else None}


def chart_link(query: Query) -> str:
    """The query's path relative to its database page, with the chart's fragment."""
    return f"{query.name}#{query.fragment}" if query.fragment else query.name


def source_dates(conn: sqlite3.Connection) -> dict[str, str]:
    """{source id: date}: a population's date (populations.date), else the source's snapshot_date."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    dates = {}
    if "sources" in tables:
        dates.update(conn.execute("SELECT id, snapshot_date FROM sources").fetchall())
    if "populations" in tables:
        dates.update(conn.execute("SELECT population, date FROM populations").fetchall())
    return dates


def compute(conn: sqlite3.Connection, queries: dict[str, Query] | None = None) -> tuple[list, list]:
    """(findings rows, paper_claims rows), computed by running the queries on `conn`."""
    queries = load_queries() if queries is None else queries
    findings, claims = [], []
    dates = source_dates(conn)
    for finding_id, title in FINDINGS.items():
        own = [q for q in queries.values() if q.finding == finding_id]
        headline = [q for q in own if q.answer]
        if len(headline) != 1:
            raise QueryFileError(f"{QUERIES_DIR}: finding {finding_id} needs exactly one query with an "
                                 f"'answer', found {[q.name for q in headline]}")
        charted = [q for q in own if q.fragment]
        if headline[0].chart:
            charted = [q for q in charted if q.name == headline[0].chart]
            if not charted:
                raise QueryFileError(f"{headline[0].path}: chart: {headline[0].chart!r} is not a query of "
                                     f"{finding_id} with a fragment")
        values = {}
        for q in own:
            if q.answer or q.claims:
                values[q.name] = context(run(conn, q))
                claims += [claim_row(q, c, values[q.name], dates) for c in q.claims]
        findings.append({
            "id": finding_id, "title": title,
            "answer": format_answer(headline[0].answer, values[headline[0].name], dates),
            "query": headline[0].name,
            "chart": chart_link(charted[0]) if charted else None,
            "queries": json.dumps([q.name for q in own]),
        })
    ids = [c["id"] for c in claims]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise QueryFileError(f"{QUERIES_DIR}: claim id(s) used twice: {duplicates}")
    return findings, claims


FINDINGS_COLUMNS = {"id": str, "title": str, "answer": str, "query": str, "chart": str, "queries": str}
CLAIMS_COLUMNS = {"id": str, "finding": str, "claim": str, "cited_in": str, "quoted_value": str,
                  "computed_value": str, "computed_over": str, "query": str, "status": str, "note": str}


def write(db) -> None:
    """Fill `findings` and `paper_claims` in `db` (a sqlite_utils.Database) from queries/.

    Called by the builder last, on every build: a broken query breaks the build, while a
    snapshot that lacks a source gives "n/a" and "not measurable" instead of numbers.
    """
    findings, claims = compute(db.conn)
    db["findings"].insert_all(findings, pk="id", replace=True, columns=FINDINGS_COLUMNS)
    db["paper_claims"].insert_all(claims, pk="id", replace=True, columns=CLAIMS_COLUMNS)
