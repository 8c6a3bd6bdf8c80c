"""Datasette settings live in settings.json; this prints them as `--setting` flags.

`make serve` uses it so that the served instance and the tests (tests/conftest.py)
read the same file.
"""

import json
from pathlib import Path

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "settings.json"


def load() -> dict:
    return json.loads(SETTINGS_FILE.read_text())


def as_flags(settings: dict) -> list[str]:
    flags = []
    for key, value in settings.items():
        if isinstance(value, bool):
            value = "on" if value else "off"
        flags += ["--setting", key, str(value)]
    return flags


if __name__ == "__main__":
    print(" ".join(as_flags(load())))
