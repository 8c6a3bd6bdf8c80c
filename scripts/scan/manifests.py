"""Dependency manifests -> the signature libraries a repository declares.

requirements*.txt (and *.in), pyproject.toml (PEP 621 dependencies and optional-dependencies,
Poetry dependencies), setup.py install_requires lists (literal strings only), package.json
(dependencies, devDependencies, peerDependencies). Only libraries of build/signatures.py are
reported: (library, requirement as written, line).
"""

from __future__ import annotations

import ast
import json
import re
import tomllib

from build.signatures import JS_PACKAGE_ALIASES, JS_SIGNATURES, REQUIREMENT_NAMES

from .python import SkipFile

_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_JS_LIBRARIES = {s.module for s in JS_SIGNATURES} | set(JS_PACKAGE_ALIASES)


def is_manifest(name: str) -> bool:
    lower = name.lower()
    return ((lower.startswith("requirements") and lower.endswith((".txt", ".in")))
            or lower in ("pyproject.toml", "setup.py", "package.json"))


def _library(requirement: str) -> str | None:
    m = _REQ_NAME.match(requirement)
    if not m:
        return None
    name = re.sub(r"[-_.]+", "-", m[1]).lower()
    return REQUIREMENT_NAMES.get(name)


def _line_of(text: str, needle: str) -> int | None:
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else None


def scan_manifest(name: str, data: bytes) -> list[tuple[str, str, int | None]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SkipFile("undecodable") from None
    lower = name.lower()
    found: list[tuple[str, str, int | None]] = []
    if lower == "package.json":
        try:
            doc = json.loads(text)
        except ValueError:
            raise SkipFile("package.json is not JSON") from None
        for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            deps = doc.get(section) if isinstance(doc, dict) else None
            for pkg, version in (deps or {}).items() if isinstance(deps, dict) else ():
                if pkg in _JS_LIBRARIES:
                    found.append((JS_PACKAGE_ALIASES.get(pkg, pkg), f"{pkg}@{version}", _line_of(text, f'"{pkg}"')))
        return found
    if lower == "pyproject.toml":
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            raise SkipFile("pyproject.toml is not TOML") from None
        project = doc.get("project") or {}
        reqs = list(project.get("dependencies") or [])
        for group in (project.get("optional-dependencies") or {}).values():
            reqs += list(group or [])
        poetry = (doc.get("tool") or {}).get("poetry") or {}
        for section in ("dependencies", "dev-dependencies"):
            for pkg, spec in (poetry.get(section) or {}).items():
                reqs.append(f"{pkg} {spec if isinstance(spec, str) else ''}".strip())
        for group in (poetry.get("group") or {}).values():
            for pkg, spec in ((group or {}).get("dependencies") or {}).items():
                reqs.append(f"{pkg} {spec if isinstance(spec, str) else ''}".strip())
        for req in reqs:
            if isinstance(req, str) and (lib := _library(req)):
                found.append((lib, req, _line_of(text, req.split()[0])))
        return found
    if lower == "setup.py":
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError):
            raise SkipFile("syntax error") from None
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg in ("install_requires", "extras_require"):
                for c in ast.walk(node.value):
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and (lib := _library(c.value)):
                        found.append((lib, c.value, c.lineno))
        return found
    for lineno, line in enumerate(text.splitlines(), 1):  # requirements*.txt
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        lib = _library(line)
        if lib:
            found.append((lib, line, lineno))
    return found
