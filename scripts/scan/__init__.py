"""The code scanner: finds the calls that load Hub models in source files (build/signatures.py).

    ids.py          tells a Hub id from a local path, a URL, a library name or an unresolved value
    python.py       Python source and notebooks, through the ast module
    fragments.py    the statements of a Python file from its text, so only those that matter are parsed
    javascript.py   JavaScript/TypeScript, by regular expressions over comment-free text
    manifests.py    requirements*.txt, pyproject.toml, package.json: the libraries a repository uses
    repo.py         walks a repository, reads files safely (skips with reasons), returns its rows

scripts/scan_code.py (`make scan`), scripts/mine_github.py and scripts/mine_spaces.py use it.
"""
