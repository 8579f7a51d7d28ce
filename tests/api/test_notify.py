"""Notices to applicants go through channels: the outbox by default, any gateway as one more class."""
from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest
from sqlalchemy import select

from engine import notify
from engine.models import OutboxEvent
from engine.unit_of_work import UnitOfWork


class RecordingChannel:
    """A gateway as the notify module's docstring shows one: it sends once the command has committed."""

    name = "recording"
    sent: ClassVar[list[notify.Notice]] = []

    def send(self, uow: UnitOfWork, notice: notify.Notice) -> None:
        notify.after_commit(uow, lambda: RecordingChannel.sent.append(notice))


@pytest.fixture(autouse=True)
def channels() -> Iterator[None]:
    RecordingChannel.sent = []
    yield
    notify.use_channels()  # back to the configured default


def accept(api) -> dict:  # type: ignore[no-untyped-def]
    api.deploy("notified_approval.bpmn")
    case = api.start("notified_approval", variables={"applicant_phone": "13900001234"})
    [task] = case["tasks"]
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/complete").status_code == 200
    return case


def test_the_default_channel_writes_the_notice_to_the_outbox(api, runtime):
    assert [type(c) for c in notify.channels()] == [notify.OutboxChannel]
    case = accept(api)
    with runtime.uow() as uow:
        [notice] = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "notice"))
    assert notice.instance_id == case["id"] and notice.data["recipient"] == "13900001234"
    assert notice.data["text"] == f"您的办件（编号{case['business_key']}）已受理。"


def test_a_gateway_channel_sends_after_the_command_commits(api, runtime):
    notify.use_channels(RecordingChannel(), notify.OutboxChannel())
    case = accept(api)
    [sent] = RecordingChannel.sent
    assert (sent.event, sent.recipient, sent.instance_id) == ("accepted", "13900001234", case["id"])


def test_nothing_is_sent_for_a_transaction_that_rolls_back(runtime):
    with runtime.uow() as uow:
        notify.after_commit(uow, lambda: RecordingChannel.sent.append("rolled back"))  # type: ignore[arg-type]
    with runtime.uow() as uow:
        notify.after_commit(uow, lambda: RecordingChannel.sent.append("committed"))  # type: ignore[arg-type]
        uow.commit()
    assert RecordingChannel.sent == ["committed"]


def test_channels_are_named_in_the_environment(monkeypatch):
    monkeypatch.setenv("GOVFLOW_NOTICE_CHANNELS", "tests.api.test_notify:RecordingChannel, outbox")
    notify.use_channels()
    assert [c.name for c in notify.channels()] == ["recording", "outbox"]
