"""engine.text: what counts as said in typed text, and which rule a text breaks, for callers that word the
rule themselves (a complaint's fields in Chinese) and for required_text and optional_text."""
from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from engine.text import MISSING, TOO_LONG, UNREADABLE, optional_text, required_text, text_problem


@pytest.mark.parametrize(("typed", "required", "expected"), [
    ("  材料已补齐 ", True, ("材料已补齐", None)),
    ("", False, (None, None)),
    ("\u200b \u3164", False, (None, None)),  # shows nothing: not said, and not wrong when optional
    ("\u200b \u3164", True, (None, MISSING)),
    ("一二三四五六", True, (None, TOO_LONG)),
    ("局长\u202e出差", True, (None, UNREADABLE)),
    ("第一行\n第二行", True, ("第一行\n第二行", None)),
])
def test_text_problem_names_the_rule_a_text_breaks(typed: str, required: bool, expected: tuple) -> None:
    assert text_problem(typed, longest=5 if "一二三" in typed else 50, required=required) == expected


def test_a_line_break_is_a_control_character_where_the_text_has_one_line() -> None:
    assert text_problem("第一行\n第二行", longest=50, lines=False) == (None, UNREADABLE)


def test_required_and_optional_text_refuse_with_the_field_and_the_rule() -> None:
    assert required_text(" 已说明 ", field="reason", longest=10) == "已说明"
    assert optional_text("\u200b", field="note", longest=10) is None
    for call, typed, words in ((required_text, "\u200b", "reason is required"),
                               (required_text, "x" * 11, "reason is too long: at most 10"),
                               (optional_text, "a\x07", "reason must not contain control characters")):
        with pytest.raises(ValidationFailed) as refused:
            call(typed, field="reason", longest=10)
        assert refused.value.details[0]["field"] == "reason" and words in refused.value.details[0]["message"]
