"""Findings and paper claims, computed from the built database at the end of a build.

Placeholder until the findings module lands: adds nothing yet.
"""


def write(db) -> None:
    return None
