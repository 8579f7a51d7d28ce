"""Files read at deploy and import are refused past a nesting bound, before anything recurses into them."""
from __future__ import annotations

import pytest

from engine import forms, guides, json_depth
from engine._calendar_files import parse_file
from engine.errors import ValidationFailed

DEEP = ("[" * 5000 + "]" * 5000).encode()


def test_depth_counts_brackets_outside_strings_only():
    assert json_depth.depth('{"a": "[[[[{{", "b": [[1], {"c": "\\"]]"}]}') == 3
    assert json_depth.depth("[]") == 1 and json_depth.depth('"no structure"') == 0
    assert json_depth.too_deep("[" * 64 + "]" * 64) is None
    assert json_depth.too_deep("[" * 65 + "]" * 65) == "nested deeper than 64 levels"


def test_a_deep_form_or_guide_is_a_problem_of_its_file():
    assert [p.message for p in forms.check("deep.form", DEEP)] == ["form is nested deeper than 64 levels"]
    assert [p.message for p in guides.check("deep.guide.json", DEEP)] == ["guide is nested deeper than 64 levels"]


def test_a_deep_calendar_file_is_refused_naming_it():
    with pytest.raises(ValidationFailed) as caught:
        parse_file("2031.json", b'{"year": 2031, "holidays": ' + DEEP + b"}")
    assert caught.value.details[0]["message"] == "the file is nested deeper than 64 levels"


def test_a_string_left_open_is_read_once_not_again_from_every_quote():
    # '"' followed by escaped quotes and no closing one: matched from each quote in turn, this took time
    # growing with the square of its length (minutes for a file of this size).
    assert json_depth.depth('"' + '\\"' * 100_000) == 0
    assert json_depth.depth('["open' + '\\"' * 10 + "[[") == 1  # what follows an open string is inside it
