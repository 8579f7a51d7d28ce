"""What a rating is about: a service contact's rating is about that step's group, a 差评 whose bad aspects
are all the window's service (窗口服务) is about the window that received the case; anything else is about
the group that handled the case (its lead department's last step). That group rectifies a 差评 and the
statistics count the rating for its department."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import departments, ratings
from engine.models import Rating
from engine.users import SYSTEM
from tests.api.test_pages import Browser
from tests.api.test_pages_public import lookup, send
from tests.api.test_ratings import PER_CONTACT_GUIDE, library, rate
from tests.applicants import window_case_done
from tests.helpers import ApiClient, complete_open_task, open_task


def rectifying_groups(api: ApiClient) -> list[list[str]]:
    tasks = api.as_("supervisor").get("/api/tasks", query_string={"process_key": "rating_rectification"}
                                      ).get_json()["items"]
    return [t["candidate_groups"] for t in tasks]


def deploy_guide(api: ApiClient, tmp_path: Path, **changes: Any) -> None:
    (tmp_path / "guide.json").write_text(json.dumps({**PER_CONTACT_GUIDE, **changes}, ensure_ascii=False))
    api.deploy(tmp_path / "guide.json")


def test_a_bad_rating_of_a_service_contact_is_rectified_by_that_steps_group(api: ApiClient, tmp_path: Path) -> None:
    """The lead department (ZWFW, the guide's) owns the window; the applicant rates the review step just
    done: the review section rectifies, not the lead's last step (the window's acceptance)."""
    library(api)
    departments.put_department(api.runtime.uow(), "ZWFW", actor=SYSTEM, name="政务服务中心", groups=["window"])
    departments.put_department(api.runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局",
                               groups=["review", "chief", "certificate"])
    deploy_guide(api, tmp_path)
    started = api.start("window_acceptance", business_key="SX-2026-000300")
    complete_open_task(api.as_("window_clerk"), started["id"], "accept", reader="admin", decision="accept")
    review = open_task(api, started["id"], "review", reader="admin")
    complete_open_task(api.as_("admin"), started["id"], "review", reader="admin", review_opinion="同意")

    rated = rate(api, "SX-2026-000300", started["query_code"], 5, comment="审查意见没有说明理由")

    assert rated["contact"] == review["id"]
    assert rectifying_groups(api) == [["review"]]
    with api.runtime.uow() as uow:
        rating = uow.session.scalars(select(Rating)).one()
        # about the review and its clerk: not the window clerk who accepted the case before it
        assert (rating.department, [c.clerk for c in rating.clerks]) == ("review", ["admin"])
    stats = api.as_("supervisor").get("/api/ratings/stats").get_json()
    assert [(d["key"], d["bad"]) for d in stats["by_department"]] == [("SCJG", 1)]


def led_by_scjg(api: ApiClient, tmp_path: Path) -> None:
    """Window-acceptance cases received by the centre's window (ZWFW) and handled by SCJG's groups."""
    library(api)
    departments.put_department(api.runtime.uow(), "ZWFW", actor=SYSTEM, name="政务服务中心", groups=["window"])
    departments.put_department(api.runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局",
                               groups=["review", "chief", "certificate"])
    deploy_guide(api, tmp_path, department={"code": "SCJG", "name": "市场监督管理局"}, rating={})


def test_a_bad_rating_of_the_window_service_is_rectified_by_the_window_that_received_the_case(
        api: ApiClient, tmp_path: Path) -> None:
    """The case's lead (SCJG) handled it last; a 差评 whose only bad aspect is 窗口服务 is about the
    centre's window that received it, which rectifies it and is counted for it."""
    led_by_scjg(api, tmp_path)
    case = window_case_done(api)

    rate(api, case["business_key"], case["query_code"], 5, comment="窗口排队两个小时",
         dimensions={"窗口服务": 5, "办事效率": 2})

    assert rectifying_groups(api) == [["window"]]
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(Rating.department)).one() == "window"
    stats = api.as_("supervisor").get("/api/ratings/stats").get_json()
    assert [(d["key"], d["bad"]) for d in stats["by_department"]] == [("ZWFW", 1)]


def test_a_rating_that_names_no_step_stays_with_the_group_that_handled_the_case(
        api: ApiClient, tmp_path: Path) -> None:
    """Other aspects rated bad besides the window's, no aspect rated bad, or no 差评 at all: the lead
    department's last step (制证) is what the rating is about."""
    led_by_scjg(api, tmp_path)
    ratings: list[tuple[int, dict[str, int]]] = [
        (5, {"窗口服务": 5, "办事效率": 4}),  # the window and the handling both
        (4, {"窗口服务": 2}),  # the window's service was fine
        (3, {"窗口服务": 4}),  # no 差评: nothing to rectify, counted for the case
    ]
    for n, (level, aspects) in enumerate(ratings):
        case = window_case_done(api, business_key=f"SX-2026-00031{n}")
        rate(api, case["business_key"], case["query_code"], level, comment="不满意", dimensions=aspects)

    assert rectifying_groups(api) == [["certificate"], ["certificate"]]
    with api.runtime.uow() as uow:
        assert list(uow.session.scalars(select(Rating.department).order_by(Rating.id))) == ["certificate"] * 3


def test_the_progress_page_lets_the_applicant_say_a_bad_rating_is_about_the_window(
        api: ApiClient, tmp_path: Path, app: Any) -> None:
    """The page's rating form offers the aspects (ratings.ASPECTS): a 差评 naming 窗口服务 alone goes to the
    window; a refused one keeps the aspects ticked; an aspect the form does not offer is not taken."""
    led_by_scjg(api, tmp_path)
    case = window_case_done(api)
    visitor = Browser(app.test_client())
    page = lookup(visitor, case["business_key"], case["query_code"]).text
    assert all(f'name="aspect" value="{aspect}"' in page for aspect in ratings.ASPECTS)

    def rate_on_page(**form: Any) -> Any:
        return send(visitor, "/public/progress/rating", {"case_no": case["business_key"], **form},
                    token_from="/public/progress", secrets=(case["business_key"], case["query_code"]))

    refused = rate_on_page(level="4", comment=" ", aspect=["窗口服务"])
    assert refused.status_code == 422 and 'value="窗口服务" checked' in refused.text
    assert rate_on_page(level="4", comment="窗口排队两个小时", aspect=["窗口服务", "别的"]).status_code == 200
    assert rectifying_groups(api) == [["window"]]
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(Rating.dimensions)).one() == {"窗口服务": 4}
