"""The rating statistics page (/supervision/ratings) and its CSV file: supervisors and admins read the
好差评 of a period of local days by item, department and clerk, in plain words; nobody else does."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from engine import Runtime, departments, users
from engine.clock import LOCAL_TZ
from engine.models import Rating
from engine.users import SYSTEM
from tests.api.test_pages import Browser, person
from tests.api.test_ratings import library, rate
from tests.applicants import window_case_done
from tests.helpers import ApiClient

STYLESHEET = Path(__file__).resolve().parents[2] / "api" / "static" / "pages.css"
# When the three ratings were given, local time: late on Thursday 5 March 2026, then twice on Friday the 6th.
GIVEN = [datetime(2026, 3, 5, 23, 30), datetime(2026, 3, 6, 0, 30), datetime(2026, 3, 6, 15, 0)]


@pytest.fixture
def rated(api: ApiClient, runtime: Runtime) -> None:
    """Three window-acceptance cases rated 1 (非常满意), 2 (满意) and 4 (不满意, rectified) at GIVEN; the window
    clerk goes by a display name, and the window belongs to the government service centre."""
    library(api)
    for n, level in enumerate((1, 2, 4)):
        case = window_case_done(api, business_key=f"SX-2026-00020{n}")
        rate(api, case["business_key"], case["query_code"], level, comment="等候太久" if level == 4 else None)
    users.change_user(runtime.uow(), "window_clerk", display_name="王小窗", actor=SYSTEM)
    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="政务服务中心", groups=["window"])
    with runtime.uow() as uow:
        for level, at in zip((1, 2, 4), GIVEN, strict=True):
            uow.session.execute(update(Rating).where(Rating.level == level).values(
                created_at=at.replace(tzinfo=LOCAL_TZ).astimezone(UTC)))
        uow.session.execute(update(Rating).where(Rating.level == 4).values(rectification_state="rectified"))
        uow.commit()


@pytest.fixture
def supervisor(app: Any, runtime: Runtime) -> Browser:
    browser = Browser(app.test_client())
    person(runtime, "zhou", roles=["supervisor"])
    assert browser.log_in("zhou").status_code == 302
    return browser


def row(html: str, kind: str, key: str) -> str:
    return html.split(f'<tr data-{kind}="{key}">')[1].split("</tr>")[0]


def cell(html: str, name: str) -> str:
    return re.sub(r"<[^>]+>", "", html.split(f'class="num {name}"')[1].split("</td>")[0].split(">", 1)[1]).strip()


@pytest.mark.usefixtures("rated")
def test_the_page_says_the_figures_by_item_department_and_clerk_in_plain_words(supervisor: Browser) -> None:
    page = supervisor.get("/supervision/ratings")
    assert page.status_code == 200
    assert "统计期间：不限日期" in page.text and "共 3 条评价" in page.text
    figures = page.text.split('<dl class="rating-figures">')[1].split("</dl>")[0]
    assert '<dd class="total">3</dd>' in figures and "2.33" in figures and "接近“满意”" in figures
    assert '<dd class="bad-share">33.3%</dd>' in figures and '<dd class="unrectified">0</dd>' in figures
    assert "1 非常满意，2 满意，3 基本满意，4 不满意，5 非常不满意" in page.text  # what the number means
    item = row(page.text, "item", "window_acceptance")
    assert "一窗受理 标准许可事项" in item
    assert (cell(item, "count"), cell(item, "bad"), cell(item, "bad-share"), cell(item, "rectified")) \
        == ("3", "1", "33.3%", "1")
    assert cell(item, "average") == "2.33 接近“满意”"
    assert "政务服务中心" in row(page.text, "department", "ZWFW")  # the department owning the window group
    # Which department a rating counts for, as engine.service_cases.handling picks it.
    assert "部门为被评价办件牵头部门最后办理的环节所属部门（其他部门的环节不计" in page.text
    clerk = row(page.text, "clerk", "window_clerk")
    assert "王小窗" in clerk and "window_clerk" in clerk and cell(clerk, "count") == "3"
    for heading in ("按事项", "按部门", "按经办人"):
        assert f">{heading}</h2>" in page.text


@pytest.mark.usefixtures("rated")
def test_a_period_counts_local_days_with_both_ends_included(supervisor: Browser) -> None:
    def total(query: str) -> str:
        found = re.search(r"共 (\d+) 条评价", supervisor.get(f"/supervision/ratings?{query}").text)
        assert found, query
        return found.group(1)

    assert total("from=2026-03-06") == "2"  # 00:30 local on the 6th is still the 5th in UTC
    assert total("to=2026-03-05") == "1"  # 23:30 local on the 5th is already the 5th's last hour
    assert total("from=2026-03-05&to=2026-03-06") == "3"
    assert total("from=2026-03-06&to=2026-03-06") == "2"
    page = supervisor.get("/supervision/ratings?from=2026-03-06&to=2026-03-06").text
    assert "统计期间：2026-03-06 至 2026-03-06" in page and 'value="2026-03-06"' in page
    assert cell(row(page, "item", "window_acceptance"), "average") == "3.00 接近“基本满意”"  # (2 + 4) / 2
    empty = supervisor.get("/supervision/ratings?from=2026-04-01").text
    assert "该期间没有评价。" in empty and "<table" not in empty


def test_a_refused_date_is_said_beside_its_field_and_nothing_is_counted(supervisor: Browser) -> None:
    bad = supervisor.get("/supervision/ratings?from=2026-13-01")
    assert bad.status_code == 400 and "日期格式应为 YYYY-MM-DD：2026-13-01" in bad.text
    assert 'aria-invalid="true"' in bad.text and "共 " not in bad.text and "导出 CSV" not in bad.text
    reversed_ = supervisor.get("/supervision/ratings?from=2026-03-06&to=2026-03-05")
    assert reversed_.status_code == 400 and "“至”的日期不能早于“自”的日期：2026-03-05" in reversed_.text
    assert supervisor.get("/supervision/ratings?to=9999-12-31").status_code == 400  # the day after overflows
    csv_bad = supervisor.get("/supervision/ratings.csv?to=2026-02-30")
    assert csv_bad.status_code == 400 and "text/html" in csv_bad.content_type and "2026-02-30" in csv_bad.text


@pytest.mark.usefixtures("rated")
def test_the_csv_file_has_the_same_figures_a_bom_and_the_period_in_its_name(supervisor: Browser) -> None:
    page = supervisor.get("/supervision/ratings?from=2026-03-05&to=2026-03-06").text
    assert 'href="/supervision/ratings.csv?from=2026-03-05&amp;to=2026-03-06"' in page  # the same period
    got = supervisor.get("/supervision/ratings.csv?from=2026-03-05&to=2026-03-06")
    assert got.status_code == 200 and got.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = got.headers["Content-Disposition"]
    assert 'filename="ratings_2026-03-05_2026-03-06.csv"' in disposition
    assert "filename*=UTF-8''%E5%A5%BD%E5%B7%AE%E8%AF%84%E7%BB%9F%E8%AE%A1_2026-03-05_2026-03-06.csv" in disposition
    assert got.data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with it
    lines = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert lines[0] == ["统计期间", "统计维度", "标识", "名称", "评价数", "平均满意度", "满意度说明", "差评数",
                        "差评率", "整改完成", "未整改"]
    by = {(line[1], line[2]): line for line in lines[1:]}
    assert by[("合计", "")] == ["2026-03-05 至 2026-03-06", "合计", "", "", "3", "2.33", "接近“满意”", "1",
                               "33.3%", "1", "0"]
    assert by[("按事项", "window_acceptance")][3:] == ["一窗受理 标准许可事项", "3", "2.33", "接近“满意”", "1",
                                                      "33.3%", "1", "0"]
    assert by[("按部门", "ZWFW")][3] == "政务服务中心" and by[("按经办人", "window_clerk")][3] == "王小窗"
    assert len(lines) == 1 + 1 + 1 + 1 + 2  # header, total, one item, one department, two clerks
    everything = supervisor.get("/supervision/ratings.csv")
    assert 'filename="ratings_all.csv"' in everything.headers["Content-Disposition"]
    assert 'filename="ratings_from_2026-03-06.csv"' in \
        supervisor.get("/supervision/ratings.csv?from=2026-03-06").headers["Content-Disposition"]


@pytest.mark.usefixtures("rated")
def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(supervisor: Browser,
                                                                        runtime: Runtime) -> None:
    with runtime.uow() as uow:
        uow.session.execute(update(Rating).values(item_name="=HYPERLINK(\"http://x\")"))
        uow.commit()
    lines = list(csv.reader(io.StringIO(supervisor.get("/supervision/ratings.csv").data.decode("utf-8-sig"))))
    [item] = [line for line in lines if line[1] == "按事项"]
    assert item[3] == "'=HYPERLINK(\"http://x\")"


def test_only_supervisors_and_admins_read_the_statistics(app: Any, runtime: Runtime) -> None:
    clerk = Browser(app.test_client())
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    assert clerk.log_in("wang").status_code == 302
    for url in ("/supervision/ratings", "/supervision/ratings.csv", "/supervision/ratings?from=2026-13-01"):
        refused = clerk.get(url)
        assert refused.status_code == 403 and "您无权执行此操作。" in refused.text, url
    admin = Browser(app.test_client())
    person(runtime, "li", roles=["admin"])
    assert admin.log_in("li").status_code == 302
    assert admin.get("/supervision/ratings").status_code == 200
    assert admin.get("/supervision/ratings.csv").status_code == 200
    anonymous = Browser(app.test_client()).get("/supervision/ratings.csv")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_board_links_to_the_page_and_the_page_back(supervisor: Browser) -> None:
    assert 'href="/supervision/ratings"' in supervisor.get("/supervision").text
    page = supervisor.get("/supervision/ratings").text
    assert 'href="/supervision"' in page.split('<div class="page-head">')[1].split("</div>")[0]
    assert "该期间没有评价。" in page  # nothing rated yet


@pytest.mark.usefixtures("rated")
def test_on_a_phone_each_row_is_a_card_with_every_figure_under_its_name(supervisor: Browser) -> None:
    page = supervisor.get("/supervision/ratings").text
    item = row(page, "item", "window_acceptance")
    labels = re.findall(r'<td class="[^"]*" data-label="([^"]+)"', item)
    assert labels == ["事项", "评价数", "平均满意度", "差评数", "差评率", "整改完成", "未整改"]
    assert re.search(r'<table class="grid rating-stats [^"]*cards-on-phone">', page)
    narrow = STYLESHEET.read_text().split("/* A table on a phone")[1]
    assert "@media (max-width: 760px)" in narrow and "table.grid.cards-on-phone td::before" in narrow


@pytest.mark.usefixtures("rated")
def test_the_page_and_the_file_read_in_english(supervisor: Browser) -> None:
    supervisor.client.get("/lang/en")
    page = supervisor.get("/supervision/ratings").text
    assert "Rating statistics" in page and "close to “Satisfied”" in page and "By clerk" in page
    got = supervisor.get("/supervision/ratings.csv")
    assert got.data.decode("utf-8-sig").startswith("Period,Table,Key,Name,Ratings,Average level")
    assert "ratings_all.csv" in got.headers["Content-Disposition"]


@pytest.mark.usefixtures("rated")
def test_the_api_answers_in_its_own_shape_with_clerks_by_their_display_names(api: ApiClient,
                                                                              runtime: Runtime) -> None:
    stats = api.as_("supervisor").get("/api/ratings/stats").get_json()
    assert set(stats) == {"total", "by_item", "by_department", "by_clerk"}  # the page's overall figure stays out
    assert [(c["key"], c["name"]) for c in stats["by_clerk"]] == [("admin", "admin"), ("window_clerk", "王小窗")]
    with runtime.uow() as uow:
        assert len(uow.session.scalars(select(Rating)).all()) == stats["total"] == 3


def test_the_supervision_tab_stays_current_on_the_ratings_board(supervisor: Browser) -> None:
    page = supervisor.get("/supervision/ratings").text
    assert re.search(r'<a href="/supervision" class="current">电子监察</a>', page)
