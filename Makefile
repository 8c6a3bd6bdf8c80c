# The whole flow, as make targets:
#   sources (optional download) -> snapshot (import) -> db (build) -> serve (Datasette)
# `make help` lists the targets and the variables you can set.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Where the pinned research artifacts are (see ../shared/sources/README.md).
SOURCES ?= ../shared/sources
# The raw snapshot the database is built from. The default one is imported from $(SOURCES).
DEFAULT_SNAPSHOT := snapshots/icse23-replication-2022
SNAPSHOT ?= $(DEFAULT_SNAPSHOT)
DB     ?= ptm_reuse.db
# Two files the build writes beside DB (docs/database.md "The three files"): the model cards (texts,
# per-card analysis, sections) and every source's observations of each model. Served with DB and
# attached to its connections (plugins/ptm_serving.py), so its SQL reads their tables by name.
CARDS_DB := $(basename $(DB))_cards$(suffix $(DB))
OBSERVATIONS_DB := $(basename $(DB))_observations$(suffix $(DB))
# Where `make refresh` keeps the mining runs (hub-<date> folders) and their databases.
SNAPSHOTS ?= snapshots
HOST   ?= 127.0.0.1
PORT   ?= 8001
# The Parquet export of DB (one file per table, the canned queries' SQL, a manifest).
PARQUET ?= $(basename $(DB))-parquet

.PHONY: help venv sources snapshot db serve parquet test card mine refresh scan github spaces bench browser clean

help:  ## Show this help
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12
	@echo
	@echo "Variables: SOURCES=$(SOURCES) SNAPSHOT=$(SNAPSHOT) DB=$(DB) (and $(CARDS_DB), $(OBSERVATIONS_DB)) PARQUET=$(PARQUET) PORT=$(PORT)"

venv: $(VENV)/.installed  ## Create the virtual environment with the pinned dependencies

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

sources: venv  ## Download the pinned source files into SOURCES and verify their sha256 (for users without ../shared)
	$(PY) -m scripts.fetch_sources --dest $(SOURCES)

snapshot: venv  ## Import the default raw snapshot from the published sources in SOURCES
	$(PY) -m scripts.import_sources --sources $(SOURCES) --out $(DEFAULT_SNAPSHOT)

# The default snapshot is re-imported when the pins or the importer change (any module of
# scripts/importers/, the Hub vocabulary and record mapping they use, the snapshot writer);
# any other SNAPSHOT folder (e.g. one the miner wrote) is taken as it is.
IMPORTER_INPUTS := scripts/pinned_sources.json $(wildcard scripts/import_sources.py scripts/sources.py \
    scripts/importers/*.py scripts/hub/records.py build/hubfacts.py build/redact.py build/snapshot.py)
$(DEFAULT_SNAPSHOT)/snapshot.json: $(IMPORTER_INPUTS) | venv
	$(PY) -m scripts.import_sources --sources $(SOURCES) --out $(DEFAULT_SNAPSHOT)

# SNAPSHOT may name several folders, e.g. SNAPSHOT="$(DEFAULT_SNAPSHOT) snapshots/hub-2026-12-01":
# one database with all of them (build/combine.py says how overlaps and colliding ids are handled).
db: venv $(addsuffix /snapshot.json,$(SNAPSHOT))  ## Build (or rebuild when inputs changed) DB, CARDS_DB and OBSERVATIONS_DB from SNAPSHOT (one folder or several)
	$(PY) -m build $(SNAPSHOT) $(DB)

# Served immutable (-i: no locking, the download allowed) with an inspect file (table counts and
# the file's hash computed once, not on the first requests); plugins/ptm_serving.py bounds requests.
serve: db  ## Build the default snapshot and serve it with Datasette on http://HOST:PORT
	@[ $(DB).inspect.json -nt $(DB) ] || $(VENV)/bin/datasette inspect $(DB) $(CARDS_DB) $(OBSERVATIONS_DB) --inspect-file $(DB).inspect.json
	$(VENV)/bin/datasette serve -i $(DB) -i $(CARDS_DB) -i $(OBSERVATIONS_DB) --inspect-file $(DB).inspect.json --metadata metadata.yml \
	    --plugins-dir plugins --template-dir templates \
	    $$($(PY) -m build.settings) -h $(HOST) -p $(PORT)

parquet: db  ## Export every table of DB to Parquet in PARQUET (for DuckDB, pandas, Spark; see docs/parquet.md)
	$(PY) -m build.parquet $(DB) $(PARQUET)

test: venv browser  ## Run the whole test suite (unit, integration on the real sources, Datasette, browser)
	$(PY) -m pytest

# CARD reaches the recipe through the environment, never pasted into the shell command line, so
# a path with spaces, quotes or `$` (Hub ids in folder names carry them) is passed as it is.
card: export CARD_PATH := $(value CARD)
card: venv  ## Check a model card: make card CARD=path/to/README.md (prints JSON)
	@test -n "$$CARD_PATH" || { echo "usage: make card CARD=path/to/README.md" >&2; exit 2; }
	@$(PY) -m build.cards "$$CARD_PATH"

mine: venv  ## Mine the live Hub into a raw snapshot: make mine [OUT=folder] [LIMIT=n] [ARGS='--author x ...']
	$(PY) -m scripts.mine_hub $(if $(OUT),--out $(OUT)) $(if $(LIMIT),--limit $(LIMIT)) $(ARGS)

# The database holds every population: BASE (the 2022 replication, imported first when needed),
# every earlier run in SNAPSHOTS and the new one (scripts/refresh.py).
BASE ?= $(DEFAULT_SNAPSHOT)
refresh: venv $(addsuffix /snapshot.json,$(BASE))  ## Mine the Hub again (newest run in SNAPSHOTS as --previous), build with BASE and every run, report what changed: make refresh [ARGS='...']
	$(PY) -m scripts.refresh --snapshots $(SNAPSHOTS) $(if $(strip $(BASE)),$(addprefix --base ,$(BASE)),--no-base) $(ARGS)

scan: venv  ## Scan code for Hub model loads into a raw snapshot: make scan SRC=folder-of-repos OUT=folder [ARGS='--repo-kind github']
	@test -n "$(SRC)" -a -n "$(OUT)" || { echo "usage: make scan SRC=folder OUT=snapshot-folder [ARGS=...]" >&2; exit 2; }
	$(PY) -m scripts.scan_code --src $(SRC) --out $(OUT) $(ARGS)

github: venv  ## Mine GitHub (code search per reuse signature, files scanned; GITHUB_TOKEN) into a raw snapshot: make github OUT=folder [ARGS=...]
	@test -n "$(OUT)" || { echo "usage: GITHUB_TOKEN=... make github OUT=snapshot-folder [ARGS=...]" >&2; exit 2; }
	$(PY) -m scripts.mine_github --out $(OUT) $(ARGS)

spaces: venv  ## Fetch and scan the app code of Spaces a Hub run lists: make spaces OUT=folder ARGS='--from-snapshot hub-folder'
	@test -n "$(OUT)" || { echo "usage: make spaces OUT=snapshot-folder ARGS='--from-snapshot HUB_SNAPSHOT | --space ID'" >&2; exit 2; }
	$(PY) -m scripts.mine_spaces --out $(OUT) $(ARGS)

bench: venv  ## Run the benchmarks (import+build, card scoring, canned queries, miner) and print the figures
	$(PY) -m scripts.bench

browser:  ## Install Debian's chromium for the end-to-end tests (needs root; skipped otherwise)
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not installed and not root: browser tests will be skipped (apt-get install chromium)"; fi

clean:  ## Remove the built snapshot and database (not the venv)
	rm -rf snapshots $(DB) $(CARDS_DB) $(OBSERVATIONS_DB) $(DB).inspect.json $(PARQUET)
