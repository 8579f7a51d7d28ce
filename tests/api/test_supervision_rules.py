"""Supervision rules: the global rule and per-process rules over the API, the item's guide as its default,
and the board classifying each case by its own rule."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from engine import supervision, supervision_rules
from tests.api.test_supervision import SUPERVISOR, accept
from tests.api.test_time_limits import food
from tests.helpers import at

KEY = "food_business_licence"


def guide(tmp_path: Path, supervision_block: dict[str, Any] | None) -> Path:
    """The food licence's guide (bpmn/README.md's example), with the given ``supervision`` block."""
    data: dict[str, Any] = {
        "code": "SCJG-XK-0001", "name": "食品经营许可", "type": "01", "case_type": "2", "level": "city",
        "process": KEY, "department": {"code": "SCJG", "name": "市场监督管理局"}, "co_departments": [],
        "legal_basis": ["《中华人民共和国食品安全法》第三十五条"], "promised_days": 10, "statutory_days": 20,
        "calendar": "CN", "acceptance_conditions": ["申请人取得营业执照等合法主体资格"],
        "materials": [{"name": "食品经营许可申请书", "form": "original", "copies": 1, "electronic": True,
                       "key": True, "departments": ["SCJG"], "sample": "申请书示范文本"}],
        "fees": [], "delivery_methods": ["window"], "excluded_periods": [],
        "channels": {"consultation": "12345", "complaint": "12345"}, "rating": {"rectify_days": 5}}
    if supervision_block is not None:
        data["supervision"] = supervision_block
    path = tmp_path / "SCJG-XK-0001" / "guide.json"  # a guide is named by its item folder
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def rules(api: Any) -> dict[str, Any]:
    response = api.as_("supervisor").get("/api/supervision/rules")
    assert response.status_code == 200, response.get_json()
    return {r["scope"]: r for r in response.get_json()}


def test_the_global_rule_shows_the_defaults_until_set(food):
    assert rules(food) == {"*": {"scope": "*", "remind_days": None, "step_overrun": None, "updated_by": None,
                                 "updated_at": None, "effective": {
                                     "remind_days": 1, "step_overrun": True,
                                     "sources": {"remind_days": "default", "step_overrun": "default"}}}}
    put = food.as_("supervisor").put("/api/supervision/rules/*", json={"remind_days": 2})
    assert put.status_code == 200, put.get_json()
    body = put.get_json()
    assert (body["remind_days"], body["step_overrun"], body["updated_by"]) == (2, None, "supervisor")
    assert body["effective"] == {"remind_days": 2, "step_overrun": True,
                                 "sources": {"remind_days": "rule", "step_overrun": "default"}}


def test_a_process_rule_overrides_the_global_one_field_by_field(food):
    supervisor = food.as_("supervisor")
    assert supervisor.put("/api/supervision/rules/*", json={"remind_days": 2, "step_overrun": False}).status_code == 200
    put = food.put(f"/api/supervision/rules/{KEY}", json={"remind_days": 4})  # admin
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["effective"] == {"remind_days": 4, "step_overrun": False,
                                           "sources": {"remind_days": "rule", "step_overrun": "global"}}
    # null clears a field: it inherits again
    cleared = supervisor.put(f"/api/supervision/rules/{KEY}", json={"remind_days": None, "step_overrun": True})
    assert cleared.get_json()["effective"] == {"remind_days": 2, "step_overrun": True,
                                               "sources": {"remind_days": "global", "step_overrun": "rule"}}
    assert list(rules(food)) == ["*", KEY]


def test_rule_changes_are_checked(food):
    supervisor = food.as_("supervisor")
    assert food.as_("window_clerk").put("/api/supervision/rules/*", json={"remind_days": 2}).status_code == 403
    assert food.as_("window_clerk").get("/api/supervision/rules").status_code == 403
    assert supervisor.put("/api/supervision/rules/*", json={"remind_days": 61}).status_code == 422
    assert supervisor.put("/api/supervision/rules/*", json={"step_overrun": "often"}).status_code == 422
    empty = supervisor.put("/api/supervision/rules/*", json={})
    assert empty.status_code == 422 and empty.get_json()["error"]["details"]
    unknown = supervisor.put("/api/supervision/rules/no_such_process", json={"remind_days": 2})
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["details"] == [{"field": "scope",
                                                       "message": "'*' or the key of a deployed process"}]


def test_the_items_guide_is_its_default_under_an_explicit_rule(food, tmp_path):
    supervisor = food.as_("supervisor")
    assert supervisor.put("/api/supervision/rules/*", json={"remind_days": 2, "step_overrun": True}).status_code == 200
    food.deploy(guide(tmp_path, {"remind_days": 3, "step_overrun": False}))
    with food.runtime.uow() as uow:
        found = supervision_rules.RuleBook(uow).for_process(KEY)
    assert (found.remind_days, found.step_overrun, found.sources) == (
        3, False, {"remind_days": "guide", "step_overrun": "guide"})
    listed = rules(food)[KEY]  # listed without an explicit rule: its guide sets values
    assert (listed["remind_days"], listed["step_overrun"], listed["effective"]["remind_days"]) == (None, None, 3)

    put = supervisor.put(f"/api/supervision/rules/{KEY}", json={"remind_days": 5})
    assert put.get_json()["effective"] == {"remind_days": 5, "step_overrun": False,
                                           "sources": {"remind_days": "rule", "step_overrun": "guide"}}
    # A later guide without the block: the item falls back to the global rule where it has no rule.
    food.deploy(guide(tmp_path, None))
    assert rules(food)[KEY]["effective"]["sources"] == {"remind_days": "rule", "step_overrun": "global"}


def test_the_board_classifies_each_case_by_its_rule_unless_the_call_gives_one(food, now, monkeypatch):
    yellow = accept(food, now, date(2026, 3, 5))  # deadline 19 March
    monkeypatch.setattr(supervision, "utcnow", lambda: at(date(2026, 3, 16)))  # 3 working days left
    board = food.as_("supervisor")
    [case] = board.get("/api/supervision/cases").get_json()
    assert (case["process_instance_id"], case["level"], case["remind_days"]) == (yellow, "green", 1)

    assert board.put(f"/api/supervision/rules/{KEY}", json={"remind_days": 3}).status_code == 200
    [case] = board.get("/api/supervision/cases").get_json()
    assert (case["level"], case["remind_days"], case["reason_required"]) == ("yellow", 3, False)
    [stats] = board.get("/api/supervision/stats").get_json()
    assert (stats["yellow"], stats["red"]) == (1, 0)
    assert board.get("/api/supervision/cases?remind_days=1").get_json()[0]["level"] == "green"
    assert [c.level for c in supervision.list_cases(food.runtime.uow(), actor=SUPERVISOR, remind_days=0)] == ["green"]
