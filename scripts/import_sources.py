"""Import the pinned research artifacts into a raw snapshot (producer 1): the command line.

    python -m scripts.import_sources --sources DIR --out SNAPSHOT_DIR

The importers are the package scripts/importers/ (one module per source); this module keeps the
command and the import_sources() entry point where the Makefile and the tests call them.
"""

import sys

from scripts.importers import IMPORTERS, import_sources, main

__all__ = ["IMPORTERS", "import_sources", "main"]

if __name__ == "__main__":
    sys.exit(main())
