"""The architecture the folder names promise: product code imports neither test code nor benchmark code."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["scripts.mine_hub", "scripts.import_sources", "scripts.importers", "build.cards", "build.findings", "build.db"]


def test_product_modules_import_no_test_or_bench_code():
    code = ("import importlib, sys\n"
            f"mods = [importlib.import_module(n) for n in {PRODUCT!r}]\n"
            "print(sorted(n for n in sys.modules if n == 'tests' or n.startswith('tests.') or n == 'scripts.bench'))\n"
            "print([m.__name__ for m in mods if hasattr(m, 'bench')])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]
