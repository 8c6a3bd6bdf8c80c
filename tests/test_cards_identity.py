"""build/cards.py's speed-ups give exactly what the plain analysis gives.

The reference here is the analysis as it was before the speed-ups of December 2026 (docs/cards.md,
"Speed"), kept in this test only, as the definition the fast code must match:

- `reference_has_prose_results(text)`: the one regex `_PROSE_RESULTS` (cards.py keeps it as the
  specification of what the prose-results search finds).

`reference_analyze()` is `analyze()` with the reference parts in place of the fast ones. Both run on
every real card text available (../shared/sources; marker real_sources), on each paragraph of them,
on the fixtures, and on generated hostile Markdown (hypothesis).
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build import cards
from build.cards import analyze
from tests.test_cards import FIXTURES, MARKDOWN_PIECES, real_cards, tag_lists


def reference_has_prose_results(text: str) -> bool:
    """The prose-results search as specified: one case-insensitive regex over the text."""
    return cards._PROSE_RESULTS.search(text) is not None


def reference_analyze(text, tags=()):
    """analyze() with the reference parts in place of the fast ones (no cache either)."""
    fast = cards._has_prose_results, cards._parse_body_cached
    cards._has_prose_results = reference_has_prose_results
    cards._parse_body_cached = cards._parse_body
    try:
        return analyze(text, tags)
    finally:
        cards._has_prose_results, cards._parse_body_cached = fast


def assert_same(text, tags=()):
    cards._BODY_CACHE.clear()
    assert analyze(text, tags) == reference_analyze(text, tags)


# Hostile Markdown: the pieces of tests/test_cards.py and more (front matter, CRLF, tabs, setext
# underlines, HTML blocks of every kind, nested lists, tables with metric headers, stated results,
# the characters that re.IGNORECASE matches to ASCII letters).
PIECES = MARKDOWN_PIECES + [
    "---\nlicense: mit\n---\n", "\r", "\r\n", "\t", "  \t", "\n\t- ", "\n    - ", "\n  * ", "\n> > ", "\n1) ",
    "Title\n===", "Title\n---", "\n<script>", "</script>", "<style>", "<?x ?>", "<!DOCTYPE html>", "<![CDATA[",
    "]]>", "<textarea>", "<table>", "</table>", "<custom-tag>", "\n\n<img src=x>\n", "| Accuracy | F1 |\n|:--|--:|",
    "| a | 0.9 |", "accuracy of 0.72", "F1: 0.97", "a 97% accuracy", "BLEU = 30", "macro-f1 (dev) = 88.1",
    "It achieves the following results on the evaluation set:\n- Loss: 0.61",
    "\u212a", "\u0131", "\u0130", "\u017f", "ſcore", "precıſion: 3", "0", "9", "%", " of ", "\n## Training results\n",
    "\n## Framework versions\n", "\n### How to use\n", "```python\nimport x\n```", "~~~\n\n~~~",
]
hostile = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=60).map("".join)
relaxed = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(hostile, tag_lists)
def test_generated_markdown(text, tags):
    assert_same(text, tags)


@relaxed
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40).map("".join))
def test_prose_results_on_generated_text(text):
    assert cards._has_prose_results(text) == reference_has_prose_results(text)


@relaxed
@given(st.text(max_size=300))
def test_prose_results_on_random_text(text):
    assert cards._has_prose_results(text) == reference_has_prose_results(text)


@pytest.mark.parametrize("text", [
    "F1: 0.97", "F1: 0.97".lower(), "\u212a F1: 3", "İ accuracy of 3", "preciſion: 0.5", "precision: 0.5\u0131",
    "accuracy\n: 3", "accuracy:\n3", "3\naccuracy", "3 accuracy", "x3 accuracy", "accuracy of 3\n",
    "a\nb\nrecall = 0.4\nc", "recall = 0.4", "recallx = 0.4", "\naccuracy of 3", "mAP@50: 0.7", "map@ 3",
    "achieves the following results on the evaluation set:\n- Loss: nan",
    "ACHIEVES THE FOLLOWING RESULTS ON THE EVALUATION SET:\n * X: {",
])
def test_prose_results_on_examples(text):
    assert cards._has_prose_results(text) == reference_has_prose_results(text)


def test_fixtures():
    for path in sorted(FIXTURES.glob("*.md")):
        assert_same(path.read_text(encoding="utf-8"), ["license:mit"])


@pytest.mark.real_sources
def test_every_real_card(sources_dir):
    rows = real_cards(sources_dir)
    assert len(rows) == 803
    for model_id, text, tags in rows:
        cards._BODY_CACHE.clear()
        assert analyze(text, tags) == reference_analyze(text, tags), model_id
        for paragraph in text.split("\n\n"):
            assert cards._has_prose_results(paragraph) == reference_has_prose_results(paragraph), model_id
