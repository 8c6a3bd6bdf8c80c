"""build/cards.py's speed-ups give exactly what the plain analysis gives.

The reference here is the analysis as it was before the speed-ups of December 2026 (docs/cards.md,
"Speed"), kept in this test only, as the definition the fast code must match:

- `reference_has_prose_results(text)`: the one regex `_PROSE_RESULTS` (cards.py keeps it as the
  specification of what the prose-results search finds).
- `reference_parse_body(body)`: the body analysis as it was: markdown-it-py's block parser
  (`cards._MD`, kept in cards.py as the specification of the rules) on a shorter "skeleton" of the
  body (`_skeleton`, which dropped lines markdown-it did not need, mapped back to the original
  lines), paragraph texts cleaned paragraph by paragraph, and the one prose-results regex. cards.py
  now finds the blocks with its own line scanner, `_block_tokens()`, on every line (faster than the
  skeleton was). `markdown_it_tokens()` turns markdown-it's tokens into `_block_tokens()`'s tuples,
  to compare the two directly.

`reference_analyze()` is `analyze()` with the reference parts in place of the fast ones. Both run on
every real card text available (../shared/sources; marker real_sources), on each paragraph of them,
on the fixtures, and on generated hostile Markdown (hypothesis).

The skeleton was only a speed-up, and on rare hostile input it parsed differently from the lines
themselves (hypothesis found '1. \n\n|\n\t- ---\nlicense: mit\n---\n': the skeleton saw no heading,
markdown-it on the lines sees a setext heading). The definition is markdown-it on the lines, so the
generated tests compare with `compress=False`; on every real card the skeleton and the lines must
still agree (test_every_real_card), which is what keeps the published card numbers unchanged.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build import cards
from build.cards import (FILLER, HUMAN, INTRO_MIN_WORDS, NOT_EVALUATION_TABLE_SECTIONS, TRAINER_AUTO_SECTIONS,
                         USAGE_CODE_SECTIONS, _ALNUM, _COMMENT, _METRIC_HEADER, _TABLE_HEADER, _TAG, _line_kind,
                         analyze, canonical_section)
from tests.test_cards import FIXTURES, MARKDOWN_PIECES, real_cards, tag_lists


def reference_has_prose_results(text: str) -> bool:
    """The prose-results search as specified: one case-insensitive regex over the text."""
    return cards._PROSE_RESULTS.search(text) is not None


def markdown_it_tokens(lines: list[str]) -> list[tuple]:
    """markdown-it's block tokens for "\n".join(lines) as the tuples of cards._block_tokens()."""
    tokens = []
    cards._MD.block.parse("\n".join(lines), cards._MD, {}, tokens)
    out = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        start, end = token.map or (None, None)
        if token.type == "heading_open":
            if token.markup in ("=", "-"):
                out.append(("setext", start, end, int(token.tag[1])))
            else:
                out.append(("atx", start, end, int(token.tag[1]), tokens[i + 1].content))
            i += 3
            continue
        if token.type == "paragraph_open":
            out.append(("paragraph", start, end))
            i += 3
            continue
        if token.type in ("fence", "code_block"):
            out.append(("code", start, end, bool(token.content.strip())))
        elif token.type == "html_block":
            out.append(("html", start, end))
        else:
            assert token.type == "hr", token.type
        i += 1
    return out


# The reference: the body analysis as it was, markdown-it's block parser on a skeleton of the body.

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_RULE = re.compile(r" {0,3}[-*_=][-*_= \t]*")  # thematic break or setext underline
_PLAIN = re.compile(rf"(?!{_RULE.pattern}$) {{0,3}}[^\s#`~<>][^>]*")
_HTML_START = re.compile(r" {0,3}<")


def _skeleton(lines: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """A shorter Markdown source with the same headings and blocks, for speed.

    markdown-it-py spends its time per line. With the rules of cards._MD, a _PLAIN
    line cannot start a block or end one, so after a first plain line F the
    plain lines that follow it -- and blank lines with more plain lines, unless
    F may be inside an HTML block that a blank line ends -- are dropped. F then
    stands for them: spans[i] is the (start, end) range of original lines that
    line i of the skeleton stands for. A run just before a setext underline is
    kept whole (it is the heading's text). assert_same_blocks() checks that the
    analysis is the same with and without this step.
    """
    plain = list(map(_PLAIN.fullmatch, lines))  # a match object or None per line
    plain.append(None)  # a sentinel: the scans below stop at the end
    out, spans = [], []
    n, i = len(lines), 0
    html_group = False  # a line since the last blank one starts with "<"
    while i < n:
        if not plain[i]:
            if not lines[i].strip(" \t"):
                html_group = False
            elif _HTML_START.match(lines[i]):
                html_group = True
            out.append(lines[i])
            spans.append((i, i + 1))
            i += 1
            continue
        # The chunk: plain lines, and blank lines between them unless html_group.
        j = last = plain.index(None, i + 1)  # first line after the run of plain lines
        while j < n and not html_group and not lines[j].strip(" \t"):
            j += 1
            if plain[j]:
                j = last = plain.index(None, j + 1)
        last -= 1  # the last plain line of the chunk
        if last == j - 1 and j < n and _RULE.fullmatch(lines[j]):
            out.extend(lines[i:j])
            spans.extend(zip(range(i, j), range(i + 1, j + 1)))
        else:
            out.append(lines[i])
            spans.append((i, last + 1))
            if last + 1 < j:  # keep one blank line: it ends the paragraph
                out.append("")
                spans.append((last + 1, j))
                html_group = False
        i = j
    return "\n".join(out), spans


def reference_blocks(lines: list[str], compress: bool = True) -> list[tuple]:
    """Headings and content blocks of a body, with original line ranges.

    Returns ("heading", start, end, level, text), ("paragraph", start, end),
    ("html", start, end) and ("code", start, end, has_text) tuples. Paragraphs
    and HTML blocks are read later from the original lines; a code block of the
    skeleton is empty only if the original's is (lines are dropped only after a
    non-blank one).
    """
    if compress:
        src, spans = _skeleton(lines)
    else:
        src, spans = "\n".join(lines), [(k, k + 1) for k in range(len(lines))]
    # The block parser alone: MarkdownIt.parse() would first run the core
    # "normalize" rule, whose regex rewrites every newline (a fifth of the
    # time); analyze() has already normalized line endings.
    tokens = []
    cards._MD.block.parse(src, cards._MD, {}, tokens)
    blocks = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.map is None:
            i += 1
            continue
        start, end = spans[token.map[0]][0], spans[token.map[1] - 1][1]
        if token.type == "heading_open":
            text = tokens[i + 1].content
            if token.markup in ("=", "-"):
                # A setext heading's text is its paragraph, which the skeleton
                # may have shortened: take it from the original lines, as
                # markdown-it does (lines joined, then stripped).
                text = "\n".join(lines[start:end - 1]).strip()
                if cards._LISTY.search(text):
                    blocks.append(("paragraph", start, end))
                    i += 3
                    continue
            blocks.append(("heading", start, end, int(token.tag[1]), text))
            i += 3
            continue
        if token.type == "paragraph_open":
            blocks.append(("paragraph", start, end))
            i += 3
            continue
        if token.type in ("fence", "code_block"):
            blocks.append(("code", start, end, bool(token.content.strip())))
        elif token.type == "html_block":
            blocks.append(("html", start, end))
        i += 1
    return blocks


def _prose_text(lines: list[str], start: int, end: int) -> str:
    """The original text of a paragraph without inline HTML comments and tags.

    The span may hold several paragraphs (see _skeleton); inline HTML never
    runs from one paragraph into the next, so each is cleaned on its own.
    """
    text = "\n".join(lines[start:end])
    if "<" in text:
        text = "\n\n".join(_TAG.sub(" ", _COMMENT.sub(" ", part)) for part in _PARAGRAPH_BREAK.split(text))
    return text


def _words(lines: list[str], start: int, end: int) -> int:
    return len(" ".join(lines[start:end]).split())


class _Section:
    def __init__(self, heading: str | None, level: int, start: int, heading_words: int = 0):
        self.heading, self.level, self.start, self.end = heading, level, start, start
        self.canonical = canonical_section(heading) if heading is not None else None
        self.heading_words = heading_words
        self.content = self.human = self.code = False


def reference_parse_body(body: str, compress: bool = True) -> dict:
    """The analysis of a body as it was (the reference). Sections and body facts of a Markdown body (see analyze for the fields)."""
    lines = body.split("\n")
    preamble = _Section(None, 0, 0)
    sections: list[_Section] = []
    current = preamble
    intro_words = 0
    prose_table = prose_results = False
    for block in reference_blocks(lines, compress):
        kind, start, end = block[0], block[1], block[2]
        if kind == "heading":
            current.end = start
            current = _Section(block[4], block[3], end, _words(lines, start, end))
            sections.append(current)
            continue
        if kind == "code":
            if block[3]:
                current.content = current.human = current.code = True
            continue
        if kind == "html":
            if not current.human and _ALNUM.search(_TAG.sub(" ", _COMMENT.sub(" ", "\n".join(lines[start:end])))):
                current.content = current.human = True
            continue
        # A paragraph. The intro is the prose before the first section or under
        # an unmapped title; elsewhere one human line settles the section.
        in_intro = current is preamble or (current is sections[0] and current.canonical is None)
        settled = current.human or current.content and current.canonical in TRAINER_AUTO_SECTIONS
        need_lines = not settled or in_intro and intro_words < INTRO_MIN_WORDS
        need_table = not prose_table and current.canonical not in NOT_EVALUATION_TABLE_SECTIONS
        need_results = not prose_results and current.canonical not in NOT_EVALUATION_TABLE_SECTIONS
        if not (need_lines or need_table or need_results):
            continue
        text = _prose_text(lines, start, end)
        for line in text.split("\n") if need_lines else ():
            line_kind = _line_kind(line)
            if line_kind == FILLER:
                continue
            current.content = True
            if line_kind == HUMAN:
                current.human = True
                if in_intro:
                    intro_words += len(line.split())
                    if intro_words >= INTRO_MIN_WORDS:
                        break
                else:
                    break
        if need_table and "|" in text:
            prose_table = any(_METRIC_HEADER.search(m.group(1)) for m in _TABLE_HEADER.finditer(text))
        if need_results:
            prose_results = reference_has_prose_results(text)
    current.end = len(lines)

    # A section is filler when neither it nor any of its subsections has content.
    filled = [False] * len(sections)
    open_sections: list[int] = []  # indexes of the enclosing sections
    for index, section in enumerate(sections):
        while open_sections and sections[open_sections[-1]].level >= section.level:
            open_sections.pop()
        if section.content:
            filled[index] = True
            for parent in open_sections:
                filled[parent] = True
        open_sections.append(index)

    section_words = [_words(lines, s.start, s.end) for s in sections]
    human_outside_trainer = preamble.human or any(
        s.human for s in sections if s.canonical not in TRAINER_AUTO_SECTIONS)
    return {
        "sections": [
            {"position": i, "canonical": s.canonical, "heading": s.heading, "level": s.level,
             "words": section_words[i], "is_filler": not filled[i]}
            for i, s in enumerate(sections)
        ],
        # Preamble, heading lines and section bodies partition the lines.
        "words": _words(lines, 0, preamble.end) + sum(section_words) + sum(s.heading_words for s in sections),
        "has_usage_code": any(s.code for s in [preamble, *sections] if s.canonical in USAGE_CODE_SECTIONS),
        "has_intro": intro_words >= INTRO_MIN_WORDS,
        "prose_table": prose_table,
        "prose_results": prose_results,
        "human_outside_trainer": human_outside_trainer,
    }


def reference_analyze(text, tags=(), compress=False):
    """analyze() with the reference parts in place of the fast ones (no cache either)."""
    fast = cards._parse_body_cached
    cards._parse_body_cached = lambda body: reference_parse_body(body, compress)
    try:
        return analyze(text, tags)
    finally:
        cards._parse_body_cached = fast


def assert_same_blocks(body: str):
    lines = body.split("\n")
    assert cards._block_tokens(lines) == cards._block_tokens(lines, body) == markdown_it_tokens(lines)
    assert cards._parse_body(body) == reference_parse_body(body, compress=False)


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


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile)
def test_the_line_scanner_finds_what_markdown_it_finds(text):
    assert_same_blocks(text.replace("\r\n", "\n").replace("\r", "\n"))


@pytest.mark.parametrize("body", [
    "", "\n", "  ", "a\n  ", "a\n\t", "\t\tcode", "  \tcode", " \t x", "    a\n\n\n    b\n  \n", "    \u00a0",
    "```\n\n```", "```\n", "~~~~\na\n~~~", "``` a`b\nc\n```", "~~~ a`b\nc\n~~~", "```\n    ```\n```", "``\nx", "````\n```\n# a\n````", "~~~~\n~~~\n# a", "```\n````\n# a",
    "# a #", "# a \\#", "#\ta", "#", "####### a", "#a", "# a ##  ", "#  #", "a\n===", "a\n- - -", "a\n---",
    "a\n    ===\n===", "- a\n---", "> a\n===", "a\n***", "a\n# b", "a\n<div>", "a\n<span>", "a\n```",
    "<!-- a\n\nb -->\nc", "<div>\na\n\nb", "<span>\na\n\nb", "<pre>\n\n</pre>", "<?a\n?>", "<!X\n>",
    "<![CDATA[\n]]>", "<a href='x'>\n# b", "<script>\n# x\n</script>\n# y", "<!-- x -->\n# y", "  <div>",
    "    <div>\n# x", "a\r\n===", "\x00# a", "***\n---\n___", "* * *", "_ _", "a\n\u00a0\n===", "a\n=\t",
])
def test_the_line_scanner_on_edge_cases(body):
    assert_same_blocks(body)


def test_where_the_old_skeleton_was_wrong_the_scanner_follows_markdown_it():
    body = "1. \n\n|\n\t- ---\nlicense: mit\n---\n"
    assert_same_blocks(body)
    heading = [{"position": 0, "canonical": None, "heading": "|\n\t- ---\nlicense: mit", "level": 2,
                "words": 0, "is_filler": True}]
    assert cards._parse_body(body)["sections"] == heading
    assert reference_parse_body(body, compress=True)["sections"] == []  # the old skeleton missed it


ascii_hostile = st.lists(st.one_of(st.sampled_from([p for p in PIECES if p.isascii()]),
                                   st.text(st.characters(max_codepoint=127), max_size=6)), max_size=60).map("".join)


@relaxed
@given(ascii_hostile)
def test_ascii_bodies(text):
    """An ASCII body's words are counted on its bytes (cards._SPACE_OR_NOT), the others' by str.split()."""
    assert_same_blocks(text.replace("\r\n", "\n").replace("\r", "\n"))


@pytest.mark.parametrize("char", [chr(i) for i in range(128) if chr(i) not in "\r"])
def test_ascii_word_counts_follow_str_split(char):
    body = f"{char}a{char}b{char}\n# h{char}x {char}\n{char}\n\ny{char}{char}z\nT{char}\n---\n{char}"
    assert body.isascii()
    assert_same_blocks(body)
    assert_same_blocks(body + "\u00e9")  # the same body, not ASCII


TABLE_PIECES = ["|", "-", ":", " ", "\t", "\n", "a", "acc", "F1", "score", "x|y", "|---|", "| acc | f1 |",
                "\n|--|--|\n", "\n:-: | --\n", "\u212a"]


@relaxed
@given(st.lists(st.one_of(st.sampled_from(TABLE_PIECES), st.text(max_size=2)), max_size=30).map("".join))
def test_metric_tables_are_found_as_the_table_regex_finds_them(text):
    spec = any(_METRIC_HEADER.search(m.group(1)) for m in _TABLE_HEADER.finditer(text))
    assert cards._has_metric_table(text) == spec


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


METRIC_NAMES = ["accuracy", "f1", "f1 score", "f1-score", "f1score", "f-score", "f-measure", "precision", "recall",
                "bleu", "sacrebleu", "chrf", "chr-f", "rouge", "rouge-l", "rougelsum", "meteor", "wer", "cer",
                "exact match", "exact-match", "perplexity", "auc", "roc auc", "roc-auc", "iou", "miou", "map@50",
                "pearson", "spearman", "mcc", "bertscore", "fid", "inception score", "psnr", "ssim"]


@pytest.mark.parametrize("name", METRIC_NAMES)
def test_every_metric_name_passes_the_cheap_checks(name):
    assert cards._METRIC_NAME_LOWER.fullmatch(name)
    assert any(part in name for part in cards._METRIC_NAME_PARTS)
    for text in (f"{name}: 0.5", f"The {name.upper()} is 3", f"a 97% {name}"):
        assert cards._has_prose_results(text) and reference_has_prose_results(text), text


def test_fixtures():
    for path in sorted(FIXTURES.glob("*.md")):
        assert_same(path.read_text(encoding="utf-8"), ["license:mit"])
        assert_same_blocks(path.read_text(encoding="utf-8"))


@pytest.mark.real_sources
def test_every_real_card(sources_dir):
    rows = real_cards(sources_dir)
    assert len(rows) == 803
    for model_id, text, tags in rows:
        cards._BODY_CACHE.clear()
        assert analyze(text, tags) == reference_analyze(text, tags) == reference_analyze(text, tags, True), model_id
        assert_same_blocks(cards._front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))[1])
        for paragraph in text.split("\n\n"):
            assert cards._has_prose_results(paragraph) == reference_has_prose_results(paragraph), model_id
