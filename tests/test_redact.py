"""build/redact.py: token-shaped strings are replaced and counted; everything else is kept."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from build.redact import REPLACEMENT, TOKEN_PATTERN, Redactor, redact

ALNUM = string.ascii_letters + string.digits

TOKENS = [
    "hf_" + "a1B2" * 8 + "xy",                # Hugging Face: hf_ + 34
    "hf_" + "Z" * 30,                          # the shortest hf_ shape
    "ghp_" + "0aZ" * 12,                       # GitHub classic personal token: ghp_ + 36
    "gho_" + "q" * 36,
    "ghu_" + "Q" * 36,
    "ghs_" + "7" * 36,
    "ghr_" + "r" * 36,
    "github_pat_" + "11ABCDEFG0_" * 2,         # fine-grained: github_pat_ + 22 of [A-Za-z0-9_]
]

NOT_TOKENS = [
    "hf_" + "a" * 29,                          # one short
    "ghp_" + "a" * 35,
    "github_pat_" + "a" * 21,
    "hf-" + "a" * 40,                          # wrong separator
    "HF_" + "a" * 40,                          # tokens are lower-case prefixed
    "ghx_" + "a" * 40,                         # not a GitHub token prefix
    "hf_hub_download",
    "bert-base-uncased",
]


@pytest.mark.parametrize("token", TOKENS)
def test_each_token_shape_is_redacted_in_context(token):
    text, n = redact(f"model id: owner/{token}, see README")
    assert (text, n) == (f"model id: owner/{REPLACEMENT}, see README", 1)


@pytest.mark.parametrize("text", NOT_TOKENS)
def test_near_misses_are_kept(text):
    assert redact(text) == (text, 0)


def test_several_tokens_are_counted():
    text = f"{TOKENS[0]} and {TOKENS[2]} and {TOKENS[7]}"
    assert redact(text) == (f"{REPLACEMENT} and {REPLACEMENT} and {REPLACEMENT}", 3)


def test_redactor_counts_per_table_and_column_and_leaves_other_values():
    r = Redactor()
    row = {"model_id": "owner/" + TOKENS[1], "downloads": 5, "tags": '["x", "%s"]' % TOKENS[3], "none": None}
    assert r.row("models", row) is row
    assert row == {"model_id": f"owner/{REPLACEMENT}", "downloads": 5, "tags": f'["x", "{REPLACEMENT}"]', "none": None}
    r.row("models", {"model_id": TOKENS[0] + " " + TOKENS[4]})
    r.row("cards", {"text": "nothing to hide"})
    assert dict(r.counts) == {("models", "model_id"): 3, ("models", "tags"): 1}


@given(st.text(), st.sampled_from(TOKENS), st.text(alphabet=ALNUM, max_size=20), st.text())
def test_no_token_survives(before, token, longer, after):
    # A token followed by more letters/digits is still redacted (the run is taken whole).
    text = f"{before} {token}{longer} {after}"
    redacted, n = redact(text)
    assert token not in redacted
    assert n >= 1
    assert TOKEN_PATTERN.search(redacted) is None


@given(st.text())
def test_redaction_is_idempotent_and_only_touches_tokens(text):
    once, n = redact(text)
    assert redact(once) == (once, 0)
    if n == 0:
        assert once == text


@given(st.lists(st.tuples(st.sampled_from(["cards", "card_sections"]),
                          st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=8), st.sampled_from(TOKENS)),
                                   min_size=3, max_size=3)), max_size=4))
def test_a_records_rows_are_redacted_as_row_by_row(rows):
    # Redactor.rows() checks all the rows of a record at once before going row by row: same result.
    columns = {"cards": ("a", "b", "c"), "card_sections": ("x", "y", "z")}
    one, each = Redactor(), Redactor()
    expected = [(table, each.values(table, columns[table], list(row))) for table, row in rows]
    assert one.rows([(table, list(row)) for table, row in rows], columns) == expected
    assert one.counts == each.counts
