"""The audit log page (/supervision/audit): supervisors and admins read who changed what, newest first, with
the values before and after, narrowed by who, action, target and local dates; nobody else reads it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from engine import Runtime, departments, users
from engine.clock import LOCAL_TZ
from engine.models import AuditEntry
from engine.users import Actor
from tests import append_only
from tests.api.test_pages import Browser, person

ADMIN = Actor("li", roles=frozenset({"admin"}))


@pytest.fixture
def supervisor(app: Any, runtime: Runtime) -> Browser:
    browser = Browser(app.test_client())
    person(runtime, "zhou", roles=["supervisor"])
    assert browser.log_in("zhou").status_code == 302
    return browser


@pytest.fixture
def changes(runtime: Runtime) -> None:
    """li (an admin) sets up the window department, then renames it and moves a clerk out of a group."""
    departments.put_department(runtime.uow(), "ZWFW", actor=ADMIN, name="政务服务中心", groups=["window"])
    departments.put_department(runtime.uow(), "ZWFW", actor=ADMIN, name="市政务服务管理局", groups=["window"])
    users.add_user(runtime.uow(), "wang", groups=["window"], roles=["clerk"], actor=ADMIN)
    users.change_user(runtime.uow(), "wang", groups=["back-office"], actor=ADMIN)


def entries(html: str) -> list[str]:
    """The actions of the listed entries, in order."""
    return re.findall(r'<tr class="audit-entry" data-entry="\d+" data-action="([\w.]+)"', html)


def row(html: str, action: str, nth: int = 0) -> str:
    return html.split(f'data-action="{action}"')[1 + nth].split('<tr class="audit-entry"')[0]


@pytest.mark.usefixtures("changes")
def test_the_log_lists_changes_newest_first_with_before_and_after(supervisor: Browser) -> None:
    page = supervisor.get("/supervision/audit?by=li")
    assert page.status_code == 200
    assert entries(page.text) == ["user.changed", "token.issued", "user.added", "department.put", "department.put"]
    renamed = row(page.text, "department.put")
    assert "新增或修改部门" in renamed and ">li<" in renamed and "ZWFW" in renamed
    name = renamed.split('data-field="name"')[1].split("</tr>")[0]
    assert "政务服务中心" in name.split('class="before"')[1].split("</td>")[0]
    assert "市政务服务管理局" in name.split('class="after"')[1].split("</td>")[0]
    groups = row(page.text, "user.changed").split('data-field="groups"')[1].split("</tr>")[0]
    # a list reads as JSON with its own characters, not \\u escapes
    assert '[&#34;window&#34;]' in groups and '[&#34;back-office&#34;]' in groups
    assert "操作日志" in supervisor.get("/supervision").text  # reached from the board


@pytest.mark.usefixtures("changes")
def test_filters_narrow_by_who_action_target_and_local_days(supervisor: Browser, runtime: Runtime) -> None:
    assert set(entries(supervisor.get("/supervision/audit?action=department.put").text)) == {"department.put"}
    assert entries(supervisor.get("/supervision/audit?kind=user&key=wang").text) == ["user.changed", "token.issued", "user.added"]
    assert entries(supervisor.get("/supervision/audit?by=nobody").text) == []
    # The first department entry happened yesterday, local time: a day range includes both of its days.
    yesterday = datetime.now(LOCAL_TZ) - timedelta(days=1)
    with runtime.engine.begin() as connection, append_only.lifted(connection):  # the log as if written then
        first = connection.scalar(select(func.min(AuditEntry.id)).where(AuditEntry.action == "department.put"))
        connection.execute(update(AuditEntry).where(AuditEntry.id == first).values(at=yesterday))
    today = datetime.now(LOCAL_TZ).date()
    only_yesterday = supervisor.get(f"/supervision/audit?action=department.put&to={today - timedelta(days=1)}")
    assert len(entries(only_yesterday.text)) == 1 and "共 1 条" in only_yesterday.text
    assert len(entries(supervisor.get(f"/supervision/audit?action=department.put&from={today}").text)) == 1
    both = supervisor.get(f"/supervision/audit?action=department.put&from={today - timedelta(days=1)}&to={today}")
    assert len(entries(both.text)) == 2


def test_a_bad_filter_is_an_error_page_not_a_crash(supervisor: Browser) -> None:
    bad_date = supervisor.get("/supervision/audit?from=2026-13-01")
    assert bad_date.status_code == 400 and "2026-13-01" in bad_date.text
    for edge in ("to=9999-12-31", "from=0001-01-01"):  # before, 500: the day after, or UTC, overflowed
        assert supervisor.get(f"/supervision/audit?{edge}").status_code == 400, edge
    unknown = supervisor.get("/supervision/audit?action=user.deleted")
    assert unknown.status_code == 400 and "user.deleted" in unknown.text


def test_only_supervisors_and_admins_read_the_log(app: Any, runtime: Runtime) -> None:
    clerk = Browser(app.test_client())
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    assert clerk.log_in("wang").status_code == 302
    assert clerk.get("/supervision/audit").status_code == 403
    assert Browser(app.test_client()).get("/supervision/audit").status_code == 302  # to the login


def test_the_log_pages_through_entries(supervisor: Browser, runtime: Runtime,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from api.pages import supervision

    monkeypatch.setattr(supervision, "PAGE_SIZE", 2)
    for n in range(3):
        departments.put_department(runtime.uow(), f"D{n}", actor=ADMIN, name=f"部门{n}")
    first = supervisor.get("/supervision/audit?kind=department")
    assert len(entries(first.text)) == 2 and "1 / 2" in first.text and "page=2" in first.text
    second = supervisor.get("/supervision/audit?kind=department&page=2")
    assert len(entries(second.text)) == 1 and "D0" in second.text
    beyond = supervisor.get("/supervision/audit?kind=department&page=4")
    assert beyond.status_code == 302 and beyond.headers["Location"] == "/supervision/audit?kind=department&page=2"


def test_the_page_reads_in_english(supervisor: Browser) -> None:
    supervisor.client.get("/lang/en")
    page = supervisor.get("/supervision/audit")
    assert "Audit log" in page.text and "All actions" in page.text


def test_every_action_and_target_kind_has_its_words_in_both_languages() -> None:
    from api.pages import i18n, supervision
    from engine import audit

    assert set(supervision.ACTION_LABELS) == set(audit.ACTIONS)
    assert set(supervision.KIND_LABELS) == set(audit.TARGET_KINDS)
    labels = [*supervision.ACTION_LABELS.values(), *supervision.KIND_LABELS.values()]
    assert [label for label in labels if label not in i18n.EN] == []
