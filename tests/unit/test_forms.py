"""form-js forms on the server: deploy-time checks, each component and rule, hide and readonly
conditions, unknown fields, and resolving a formKey. No database, no Flask."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from engine import forms
from engine._form_compiler import CompiledForm, FormCache, compile_form
from engine.clock import LOCAL_TZ, utcnow
from engine.errors import DeploymentInvalid, ValidationFailed
from tests.helpers import FIXTURES


def schema(*components: dict[str, Any]) -> bytes:
    return json.dumps({"schemaVersion": 16, "type": "default", "id": "Form_test",
                       "components": list(components)}, indent=2).encode()


def form(*components: dict[str, Any]) -> CompiledForm:
    return compile_form("test.form", schema(*components))


def field(type_: str, key: str, **options: Any) -> dict[str, Any]:
    return {"type": type_, "id": f"Field_{key.replace('.', '_')}", "key": key, **options}


def errors(compiled: CompiledForm, submitted: dict[str, Any], current: dict[str, Any] | None = None
           ) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        compiled.validate(submitted, current or {})
    return {d["field"]: d["message"] for d in caught.value.details}


def problems(content: bytes) -> list[str]:
    return [p.message for p in forms.check("test.form", content)]


# --- text ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["textfield", "textarea"])
def test_required_text_must_be_present_and_not_empty(kind: str) -> None:
    compiled = form(field(kind, "name", validate={"required": True}))
    for submitted in ({}, {"name": ""}, {"name": None}, {"name": "  "}, {"name": "\u3000\n\t"},
                      {"name": "\u200b"}, {"name": "\u2060\u200d"}, {"name": " \ufeff "}):  # invisible alone
        assert errors(compiled, submitted) == {"name": "required: a value is required"}
    assert compiled.validate({"name": "张三"}, {}) == {"name": "张三"}
    assert compiled.validate({"name": " 张三 "}, {}) == {"name": " 张三 "}  # kept as typed


def test_optional_text_may_be_empty_or_null_and_skips_its_other_rules_then() -> None:
    compiled = form(field("textfield", "code", validate={"minLength": 3, "pattern": "^[A-Z]+$"}))
    assert compiled.validate({"code": ""}, {}) == {"code": ""}
    assert compiled.validate({"code": None}, {}) == {"code": None}
    assert compiled.validate({}, {}) == {}


def test_text_lengths_are_measured_on_trimmed_text_like_form_js() -> None:
    compiled = form(field("textfield", "name", validate={"minLength": 2, "maxLength": 4}))
    assert errors(compiled, {"name": "  张  "}) == {"name": "minLength: at least 2 characters"}
    assert errors(compiled, {"name": "五个汉字呀"}) == {"name": "maxLength: at most 4 characters"}
    assert compiled.validate({"name": " 四个汉字 "}, {}) == {"name": " 四个汉字 "}
    # Each bound checks its own limit: a length between them passes (the minimum once read the maximum).
    assert compiled.validate({"name": "三个字"}, {}) == {"name": "三个字"}


def test_a_pattern_searches_like_javascript_and_its_digits_are_ascii() -> None:
    anchored = form(field("textfield", "licence", validate={"pattern": r"^JY\d{14}$"}))
    assert anchored.validate({"licence": "JY12345678901234"}, {})
    assert errors(anchored, {"licence": "JY1234"}) == {"licence": r"pattern: must match ^JY\d{14}$"}
    assert "licence" in errors(anchored, {"licence": "JY" + "١" * 14})  # Arabic-Indic digits are not \d in JS
    unanchored = form(field("textfield", "note", validate={"pattern": "[0-9]"}))
    assert unanchored.validate({"note": "room 3"}, {}) == {"note": "room 3"}
    # $ is the end of the text, as in JavaScript: not also before a final line break, as in Python
    assert "licence" in errors(anchored, {"licence": "JY12345678901234\n"})
    priced = form(field("textfield", "price", validate={"pattern": r"^[$]\d+ \$$"}))
    assert priced.validate({"price": "$5 $"}, {}) and "price" in errors(priced, {"price": "$5 $\n"})
    bracketed = form(field("textfield", "ref", validate={"pattern": r"^[\[]\d+$"}))  # an escaped [ opens no class
    assert bracketed.validate({"ref": "[5"}, {}) and "ref" in errors(bracketed, {"ref": "[5\n"})


def test_the_page_checks_a_phone_number_by_a_pattern_javascript_reads() -> None:
    """\\Z is Python's end of text; in JavaScript it is a letter Z, and every number would be refused."""
    from engine._form_fields import PHONE_PATTERN

    assert PHONE_PATTERN.endswith("$") and "\\Z" not in PHONE_PATTERN


def test_a_phone_number_with_a_line_break_after_it_is_no_phone_number() -> None:
    compiled = form(field("textfield", "phone", validate={"validationType": "phone"}))
    assert "phone" in errors(compiled, {"phone": "13812345678\n"})


def test_email_validation() -> None:
    compiled = form(field("textfield", "email", validate={"validationType": "email"}))
    assert compiled.validate({"email": "zhang.san@example.gov.cn"}, {})
    assert errors(compiled, {"email": "zhang.san@"}) == {"email": "email: not an email address"}


@pytest.mark.parametrize(("number", "valid"), [
    ("13812345678", True), ("19912345678", True), ("010-12345678", True), ("0755-1234567", True),
    ("075512345678", True), ("010-12345678-801", True),
    ("12812345678", False), ("1381234567", False), ("+8613812345678", False), ("138 1234 5678", False),
    ("400-123-4567", False), ("12345", False),
])
def test_phone_means_a_chinese_mobile_or_landline_number(number: str, valid: bool) -> None:
    compiled = form(field("textfield", "phone", validate={"validationType": "phone"}))
    if valid:
        assert compiled.validate({"phone": number}, {}) == {"phone": number}
    else:
        assert errors(compiled, {"phone": number})["phone"].startswith("phone: ")


def test_text_must_be_a_string() -> None:
    assert errors(form(field("textfield", "name")), {"name": 12}) == {"name": "type: expects text"}


# --- numbers -------------------------------------------------------------------------------

def test_numbers_keep_their_json_type_and_refuse_booleans_and_strings() -> None:
    compiled = form(field("number", "amount"))
    assert compiled.validate({"amount": 10}, {}) == {"amount": 10}
    assert isinstance(compiled.validate({"amount": 10}, {})["amount"], int)
    assert compiled.validate({"amount": 10.5}, {}) == {"amount": 10.5}
    for wrong in (True, "10", [1]):
        assert errors(compiled, {"amount": wrong}) == {"amount": "type: expects a number"}


def test_number_limits_include_zero_which_form_js_skips() -> None:
    compiled = form(field("number", "count", validate={"min": 1, "max": 10}))
    assert errors(compiled, {"count": 0}) == {"count": "min: must be at least 1"}
    assert errors(compiled, {"count": 10.5}) == {"count": "max: must be at most 10"}
    assert compiled.validate({"count": 1}, {}) == {"count": 1}


def test_decimal_digits_and_increment() -> None:
    money = form(field("number", "fee", decimalDigits=2))
    assert money.validate({"fee": 1.25}, {}) == {"fee": 1.25}
    assert errors(money, {"fee": 1.005}) == {"fee": "decimalDigits: at most 2 digits after the decimal point"}
    whole = form(field("number", "copies", decimalDigits=0))
    assert errors(whole, {"copies": 1.5}) == {"copies": "decimalDigits: must be a whole number"}
    assert whole.validate({"copies": 2}, {}) == {"copies": 2}
    steps = form(field("number", "area", increment="0.5"))
    assert steps.validate({"area": 2.5}, {}) == {"area": 2.5}
    assert errors(steps, {"area": 2.25}) == {"area": "increment: must be a multiple of 0.5"}


def test_numbers_serialised_to_strings_stay_exact_strings() -> None:
    compiled = form(field("number", "amount", serializeToString=True, validate={"max": 100}))
    assert compiled.validate({"amount": "99.990"}, {}) == {"amount": "99.990"}
    assert errors(compiled, {"amount": "100.01"}) == {"amount": "max: must be at most 100"}
    assert errors(compiled, {"amount": "abc"}) == {"amount": "type: expects a number (or a numeric string)"}


# --- checkbox and choices ------------------------------------------------------------------

def test_a_checkbox_takes_only_true_or_false_and_a_required_one_must_be_ticked() -> None:
    """As form-js's own check: an unticked required checkbox (a signed commitment) is not given."""
    compiled = form(field("checkbox", "agreed", validate={"required": True}))
    assert compiled.validate({"agreed": True}, {}) == {"agreed": True}
    assert errors(compiled, {"agreed": False}) == {"agreed": "required: a value is required"}
    assert errors(compiled, {}) == {"agreed": "required: a value is required"}
    assert form(field("checkbox", "agreed")).validate({"agreed": False}, {}) == {"agreed": False}
    for wrong in ("true", 1, "on"):
        assert errors(compiled, {"agreed": wrong}) == {"agreed": "type: expects true or false"}


VALUES = [{"label": "邮寄", "value": "post"}, {"label": "自取", "value": "pickup"}]


@pytest.mark.parametrize("kind", ["radio", "select"])
def test_radio_and_select_take_one_of_their_static_values(kind: str) -> None:
    compiled = form(field(kind, "delivery", values=VALUES, validate={"required": True}))
    assert compiled.validate({"delivery": "post"}, {}) == {"delivery": "post"}
    assert errors(compiled, {"delivery": "fax"}) == {"delivery": "options: must be one of 'post', 'pickup'"}
    assert errors(compiled, {"delivery": None}) == {"delivery": "required: a value is required"}


def test_an_option_matches_by_type_too() -> None:
    compiled = form(field("select", "level", values=[{"label": "一", "value": "1"}]))
    assert "level" in errors(compiled, {"level": 1})


@pytest.mark.parametrize("kind", ["checklist", "taglist"])
def test_checklists_take_a_list_of_distinct_allowed_values(kind: str) -> None:
    compiled = form(field(kind, "materials", values=VALUES, validate={"required": True}))
    assert compiled.validate({"materials": ["post", "pickup"]}, {}) == {"materials": ["post", "pickup"]}
    assert errors(compiled, {"materials": ["post", "fax"]}) == {
        "materials": "options: must be one of 'post', 'pickup'"}
    assert errors(compiled, {"materials": ["post", "post"]}) == {"materials": "options: an option is chosen twice"}
    assert errors(compiled, {"materials": []}) == {"materials": "required: a value is required"}
    assert errors(compiled, {"materials": "post"}) == {"materials": "type: expects a list of options"}


def test_options_from_the_data_are_checked_against_the_case_data() -> None:
    compiled = form(field("select", "department", valuesKey="departments"))
    current = {"departments": [{"label": "市场监管局", "value": "samr"}, {"label": "卫健委", "value": "nhc"}]}
    assert compiled.validate({"department": "nhc"}, current) == {"department": "nhc"}
    assert errors(compiled, {"department": "police"}, current) == {
        "department": "options: must be one of the options in departments"}


# --- dates and times -----------------------------------------------------------------------

@pytest.mark.parametrize(("options", "good", "bad"), [
    ({"subtype": "date"}, ["2026-03-01", "2028-02-29"],
     ["2026-3-1", "2026-02-30", "20260301", "2026-03-01T10:00"]),
    ({"subtype": "time"}, ["14:30", "14:30+08:00", "06:30Z"], ["2:30 PM", "25:00", "14"]),
    ({"subtype": "datetime"}, ["2026-03-01T14:30", "2026-03-01T14:30+08:00"], ["2026-03-01", "14:30"]),
    ({"subtype": "time", "timeSerializingFormat": "utc_offset"}, ["14:30+08:00"], ["14:30"]),
    ({"subtype": "time", "timeSerializingFormat": "utc_normalized"}, ["06:30Z"], ["14:30+08:00", "06:30"]),
    ({"subtype": "datetime", "timeSerializingFormat": "no_timezone"}, ["2026-03-01T14:30"],
     ["2026-03-01T14:30+08:00"]),
])
def test_datetime_values_are_iso_text_of_their_subtype_stored_as_sent(options: dict[str, Any], good: list[str],
                                                                       bad: list[str]) -> None:
    compiled = form(field("datetime", "when", **options))
    for value in good:
        assert compiled.validate({"when": value}, {}) == {"when": value}
    for value in bad:
        assert errors(compiled, {"when": value})["when"].startswith(options["subtype"] + ": "), value


def test_passed_dates_can_be_disallowed() -> None:
    compiled = form(field("datetime", "visit", subtype="date", disallowPassedDates=True))
    today = utcnow().astimezone(LOCAL_TZ).date()
    assert compiled.validate({"visit": today.isoformat()}, {})
    assert errors(compiled, {"visit": (today - timedelta(days=1)).isoformat()}) == {
        "visit": "disallowPassedDates: must not be in the past"}


# --- hide conditions -----------------------------------------------------------------------

REMARK = field("textarea", "remark", validate={"required": True}, conditional={"hide": "=accepted = true"})


def test_a_hidden_required_field_is_not_required_and_its_value_is_dropped() -> None:
    compiled = form(field("checkbox", "accepted"), REMARK)
    assert compiled.validate({"accepted": True}, {}) == {"accepted": True}
    assert compiled.validate({"accepted": True, "remark": "x"}, {}) == {"accepted": True}
    assert errors(compiled, {"accepted": False}) == {"remark": "required: a value is required"}


def test_hide_conditions_see_the_submission_over_the_current_data() -> None:
    compiled = form(field("checkbox", "accepted"), REMARK)
    assert compiled.validate({}, {"accepted": True}) == {}  # hidden by the case data
    assert "remark" in errors(compiled, {"accepted": False}, {"accepted": True})  # the submission wins
    assert "remark" in errors(compiled, {}, {})  # accepted missing: null = true is not true, so shown


def test_hide_true_always_hides_and_a_hidden_group_hides_its_fields() -> None:
    compiled = form(
        field("textfield", "internal", validate={"required": True}, conditional={"hide": True}),
        field("radio", "kind", values=[{"label": "个人", "value": "person"}, {"label": "企业", "value": "company"}]),
        {"type": "group", "id": "Group_company", "path": "company",
         "conditional": {"hide": "=kind != \"company\""},
         "components": [field("textfield", "credit_code",
                              validate={"required": True, "pattern": "^[0-9A-Z]{18}$"})]},
    )
    assert compiled.validate({"kind": "person", "company": {"credit_code": "bad"}}, {}) == {"kind": "person"}
    assert errors(compiled, {"kind": "company"}) == {"company.credit_code": "required: a value is required"}
    valid = {"kind": "company", "company": {"credit_code": "91440300MA5F000000"}}
    assert compiled.validate(valid, {}) == valid


# --- readonly, nesting, unknown fields -----------------------------------------------------

def test_readonly_and_disabled_fields_may_be_echoed_but_not_changed_and_are_not_required() -> None:
    compiled = form(field("textfield", "case_no", readonly=True, validate={"required": True}),
                    field("number", "fee", disabled=True), field("textfield", "note"))
    current = {"case_no": "SX-1", "fee": 20}
    assert compiled.validate({"case_no": "SX-1", "fee": 20, "note": "ok"}, current) == {"note": "ok"}
    assert compiled.validate({}, current) == {}
    assert errors(compiled, {"case_no": "SX-2", "fee": 0}, current) == {
        "case_no": "readonly: cannot be changed in this task", "fee": "readonly: cannot be changed in this task"}


def test_a_readonly_field_the_data_lacks_may_come_back_as_the_empty_value_form_js_shows() -> None:
    compiled = form(field("textfield", "case_no", readonly=True), field("checkbox", "paid", readonly=True),
                    field("number", "fee", readonly=True), field("textfield", "note"))
    assert compiled.validate({"case_no": "", "paid": False, "fee": None, "note": "ok"}, {}) == {"note": "ok"}
    assert errors(compiled, {"case_no": "SX-9", "paid": True, "fee": 0}, {}) == {
        "case_no": "readonly: cannot be changed in this task", "paid": "readonly: cannot be changed in this task",
        "fee": "readonly: cannot be changed in this task"}


def test_a_shown_checkbox_left_out_is_unticked_unless_the_case_holds_it() -> None:
    compiled = form(field("checkbox", "approved"), field("checkbox", "urgent", conditional={"hide": "=not(approved)"}),
                    field("checkbox", "agent.signed"), field("textfield", "opinion"))
    assert compiled.validate({"opinion": "同意"}, {}) == {"approved": False, "agent": {"signed": False},
                                                        "opinion": "同意"}
    # What the case holds stays as it is; a hidden one is not asked.
    assert compiled.validate({"opinion": "同意"}, {"approved": True, "agent": {"signed": True}}) == {
        "opinion": "同意", "urgent": False}


def test_readonly_can_be_a_condition() -> None:
    compiled = form(field("checkbox", "locked"), field("textfield", "name", readonly="=locked"))
    assert compiled.validate({"name": "new"}, {"locked": False, "name": "old"}) == {"name": "new"}
    assert errors(compiled, {"name": "new"}, {"locked": True, "name": "old"}) == {
        "name": "readonly: cannot be changed in this task"}


def test_dotted_keys_and_group_paths_nest_and_keep_the_rest_of_the_object() -> None:
    compiled = form(field("textfield", "applicant.name", validate={"required": True}),
                    {"type": "group", "id": "Group_contact", "path": "applicant.contact",
                     "components": [field("textfield", "phone", validate={"validationType": "phone"})]})
    current = {"applicant": {"name": "张三", "id_number": "440300199001010000"}}
    result = compiled.validate({"applicant": {"name": "李四", "contact": {"phone": "13812345678"}}}, current)
    assert result == {"applicant": {"name": "李四", "id_number": "440300199001010000",
                                    "contact": {"phone": "13812345678"}}}
    assert errors(compiled, {}) == {"applicant.name": "required: a value is required"}
    assert errors(compiled, {"applicant": "张三"}) == {"applicant": "type: expects an object"}


def test_fields_the_form_does_not_have_are_refused_each_by_name() -> None:
    compiled = form(field("textfield", "applicant.name"))
    assert errors(compiled, {"applicant": {"name": "x", "age": 3}, "fee": 1, "note": "x"}) == {
        "applicant.age": forms_unknown(), "fee": forms_unknown(), "note": forms_unknown()}


def forms_unknown() -> str:
    return "unknown: not a field of this form; a task may only ask for what its form lists"


def test_problems_come_in_form_order_with_the_form_named_in_the_message() -> None:
    compiled = form(field("textfield", "b", validate={"required": True}), field("textfield", "a",
                                                                                  validate={"required": True}))
    with pytest.raises(ValidationFailed) as caught:
        compiled.validate({"z": 1}, {})
    assert [d["field"] for d in caught.value.details] == ["b", "a", "z"]
    assert caught.value.message == "the form test.form is not filled in correctly: b, a, z"


YESTERDAY = (utcnow().astimezone(LOCAL_TZ).date() - timedelta(days=1)).isoformat()
CHOICES = [{"label": "邮寄", "value": "post"}, {"label": "自取", "value": "pickup"}]


@pytest.mark.parametrize(("component", "submitted", "rule", "params", "message"), [
    (field("textfield", "v", validate={"required": True}), {}, "required", {}, "required: a value is required"),
    (field("textfield", "v", validate={"minLength": 3}), {"v": "ab"}, "minLength", {"length": 3},
     "minLength: at least 3 characters"),
    (field("textfield", "v", validate={"maxLength": 2}), {"v": "abc"}, "maxLength", {"length": 2},
     "maxLength: at most 2 characters"),
    (field("textfield", "v", validate={"pattern": "^A$"}), {"v": "B"}, "pattern", {"pattern": "^A$"},
     "pattern: must match ^A$"),
    (field("textfield", "v", validate={"validationType": "email"}), {"v": "x@"}, "email", {},
     "email: not an email address"),
    (field("textfield", "v", validate={"validationType": "phone"}), {"v": "1"}, "phone", {}, None),
    (field("textfield", "v"), {"v": 1}, "type", {"expected": "text"}, "type: expects text"),
    (field("number", "v"), {"v": "1"}, "type", {"expected": "number"}, "type: expects a number"),
    (field("number", "v", serializeToString=True), {"v": "x"}, "type", {"expected": "number_or_string"},
     "type: expects a number (or a numeric string)"),
    (field("number", "v", validate={"min": 1}), {"v": 0}, "min", {"min": 1}, "min: must be at least 1"),
    (field("number", "v", validate={"max": 1}), {"v": 2}, "max", {"max": 1}, "max: must be at most 1"),
    (field("number", "v", decimalDigits=0), {"v": 1.5}, "decimalDigits", {"digits": 0},
     "decimalDigits: must be a whole number"),
    (field("checkbox", "v"), {"v": "yes"}, "type", {"expected": "boolean"}, "type: expects true or false"),
    (field("radio", "v", values=CHOICES), {"v": "fax"}, "options", {"options": ["post", "pickup"]},
     "options: must be one of 'post', 'pickup'"),
    (field("select", "v", valuesKey="offered"), {"v": "fax"}, "options", {"options_key": "offered"},
     "options: must be one of the options in offered"),
    (field("checklist", "v", values=CHOICES), {"v": ["post", "post"]}, "duplicate", {},
     "options: an option is chosen twice"),
    (field("checklist", "v", values=CHOICES), {"v": "post"}, "type", {"expected": "list"},
     "type: expects a list of options"),
    (field("datetime", "v", subtype="date"), {"v": "1 March"}, "type", {"expected": "date"},
     "date: expects a date like 2026-03-01"),
    (field("datetime", "v", subtype="time", timeSerializingFormat="no_timezone"), {"v": "14:30Z"}, "timeFormat",
     {"format": "no_timezone"}, "time: expects a time without a time zone"),
    (field("datetime", "v", subtype="date", disallowPassedDates=True), {"v": YESTERDAY}, "disallowPassedDates", {},
     "disallowPassedDates: must not be in the past"),
    (field("textfield", "v"), {"w": 1}, "unknown", {}, None),
    (field("textfield", "v", readonly=True), {"v": "changed"}, "readonly", {},
     "readonly: cannot be changed in this task"),
    (field("textfield", "g.v"), {"g": "x"}, "type", {"expected": "object"}, "type: expects an object"),
])
def test_each_problem_carries_its_rule_code_and_parameters_beside_the_sentence(
        component: dict[str, Any], submitted: dict[str, Any], rule: str, params: dict[str, Any],
        message: str | None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        form(component).validate(submitted, {"offered": ["post"]})
    [detail] = caught.value.details
    assert (detail["rule"], detail["params"]) == (rule, params)
    assert type(detail["message"]) is str and detail["message"].startswith(message or "")
    json.dumps(detail)  # as the API sends it


def test_prefill_has_only_the_forms_fields_nested_as_in_the_data() -> None:
    compiled = form(field("textfield", "applicant.name"), field("number", "amount"), field("textfield", "absent"))
    data = {"applicant": {"name": "张三", "secret": 1}, "amount": 3, "reviewGroup": "office"}
    assert compiled.prefill(data) == {"applicant": {"name": "张三"}, "amount": 3}


def test_a_form_compiles_once_per_content() -> None:
    cache, loads = FormCache(), []
    content = (FIXTURES / "accept.form").read_bytes()

    def load() -> bytes:
        loads.append(1)
        return content
    first = cache.get("sha-1", "accept.form", load)
    assert cache.get("sha-1", "accept.form", load) is first and loads == [1]


# --- deploy checks -------------------------------------------------------------------------

def test_the_fixture_forms_are_valid() -> None:
    for name in ("accept.form", "review_opinion.form", "accept_v2/accept.form"):
        assert forms.check(name, (FIXTURES / name).read_bytes()) == []


@pytest.mark.parametrize(("components", "message"), [
    ([{"type": "signature", "id": "Field_x", "key": "x"}], "unknown component type 'signature'"),
    ([{"type": "dynamiclist", "id": "List_x", "path": "x", "components": []}],
     "dynamiclist components cannot be checked on the server"),
    ([field("textfield", "a"), field("number", "a")], "duplicate key 'a'"),
    ([field("textfield", "a"), field("textfield", "a.b")],
     "key 'a.b' is inside the value of key 'a' (components[0])"),
    ([field("textfield", "1st")], "must start with a variable name"),
    ([field("textfield", "_private")], "must start with a variable name"),
    ([{"type": "textfield", "id": "Field_nokey"}], "key None is missing"),
    ([field("textfield", "a", validate={"pattern": "(unclosed"})], "invalid regex pattern '(unclosed'"),
    ([field("textfield", "a", validate={"minLength": "=limit"})], "validate.minLength is an expression"),
    ([field("textfield", "a", validate={"maxLength": -1})],
     "validate.maxLength must be a non-negative whole number"),
    ([field("textfield", "a", validate={"validationType": "url"})], "unknown validate.validationType 'url'"),
    ([field("textfield", "a", conditional={"hide": "=count(x) > 1"})],
     "hide condition cannot be evaluated on the server: function 'count' is not supported"),
    ([field("textfield", "a", conditional={"hide": "accepted = true"})],
     "must be true/false or a FEEL expression"),
    ([field("textfield", "a", readonly="=a +")], "readonly condition cannot be evaluated"),
    ([field("select", "a")], "has no options"),
    ([field("select", "a", valuesExpression="=options")], "valuesExpression cannot be evaluated on the server"),
    ([field("datetime", "a", subtype="week")], "unknown datetime subtype 'week'"),
    ([field("number", "a", decimalDigits=1.5)], "decimalDigits must be a non-negative whole number"),
    ([{"type": "group", "id": "Group_g", "path": "bad path", "components": []}], "is not a dotted name"),
])
def test_a_broken_form_is_a_deployment_problem_naming_the_component(components: list[Any], message: str) -> None:
    found = problems(schema(*components))
    assert len(found) == 1 and message in found[0], found
    assert found[0].startswith(f"components[{len(components) - 1}] (")


def test_conditions_of_display_components_are_left_to_the_browser() -> None:
    text = {"type": "text", "id": "Text_hint", "text": "# 提示", "conditional": {"hide": "=count(x) > 1"}}
    assert problems(schema(text, field("textfield", "a"))) == []


def test_problems_point_at_the_line_of_the_components_id() -> None:
    content = schema(field("textfield", "ok"), field("textfield", "bad", validate={"pattern": "("}))
    [problem] = forms.check("test.form", content)
    assert problem.element == "Field_bad" and problem.file == "test.form"
    assert content.decode().splitlines()[problem.line - 1].strip() == '"id": "Field_bad",'


@pytest.mark.parametrize(("content", "message"), [
    (b'{"components": [', "malformed JSON"),
    (b'{"type": "default"}', "expected an object with a 'components' list"),
    (b'{"type": "custom", "components": []}', "type 'custom'"),
    (b"\xff\xfe", "not UTF-8"),
    (b'{"components": [], "n": ' + b"9" * 5000 + b"}", "a number of more than 4300 digits"),
])
def test_files_that_are_not_form_js_forms_are_refused(content: bytes, message: str) -> None:
    [found] = problems(content)
    assert message in found


def test_compiling_a_broken_form_raises_with_its_problems() -> None:
    with pytest.raises(DeploymentInvalid) as caught:
        compile_form("broken.form", (FIXTURES / "invalid" / "broken.form").read_bytes())
    assert len(caught.value.details) == 4 and {d["file"] for d in caught.value.details} == {"broken.form"}


# --- form keys -----------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "name", "form_id"), [
    ("camunda-forms:deployment:accept.form", "accept.form", None),
    ("camunda-forms:app:forms/accept.form", "accept.form", None),
    ("forms/accept.form", "accept.form", None),
    ("accept.form", "accept.form", None),
    ("Form_accept", "Form_accept", "Form_accept"),
    ("camunda-forms:bpmn:UserTaskForm_accept", None, "UserTaskForm_accept"),  # before: a file of that name
    ("embedded:app:forms/accept.html", None, None),
    ("app:approveInvoice.jsf", None, None),
])
def test_form_keys_name_a_file_or_a_form_id_or_a_page_the_client_renders(key: str, name: str | None,
                                                                          form_id: str | None) -> None:
    ref = forms.parse_key(key)
    assert (ref.name, ref.form_id) == (name, form_id)
    assert ref.external == (name is None and form_id is None)


# --- identity numbers (validationType idNumber, creditCode) ---------------------------------------

def test_an_id_number_field_checks_the_check_character_and_birth_date_and_writes_a_capital_x() -> None:
    compiled = form(field("textfield", "id", validate={"required": True, "validationType": "idNumber"}))
    assert compiled.validate({"id": " 11010519491231002x "}, {}) == {"id": "11010519491231002X"}
    assert compiled.validate({"id": "440524188001010014"}, {}) == {"id": "440524188001010014"}
    message = ("idNumber: not a resident identity card number (18 characters, a real birth date, the right "
               "check character)")
    for wrong in ("110105194912310021",  # one check character off
                  "110105194913310021",  # month 13 (its check character right)
                  "11010519491231002",  # 17 characters
                  "11010519491231002Y"):
        assert errors(compiled, {"id": wrong}) == {"id": message}, wrong
    assert errors(compiled, {"id": " "}) == {"id": "required: a value is required"}


def test_a_credit_code_field_checks_the_alphabet_and_the_check_character() -> None:
    compiled = form(field("textfield", "code", validate={"validationType": "creditCode"}))
    assert compiled.validate({"code": "91350100m000100y43"}, {}) == {"code": "91350100M000100Y43"}
    assert compiled.validate({"code": ""}, {}) == {"code": ""}  # optional: empty skips the rule
    message = "creditCode: not a unified social credit code (18 characters, the right check character)"
    for wrong in ("91350100M000100Y44", "91350100M000100I43", "9135010"):
        assert errors(compiled, {"code": wrong}) == {"code": message}, wrong


def test_an_unknown_validation_type_is_named_with_the_known_ones() -> None:
    with pytest.raises(DeploymentInvalid) as refused:
        form(field("textfield", "id", validate={"validationType": "passport"}))
    assert "idNumber, creditCode" in str(refused.value.details)
