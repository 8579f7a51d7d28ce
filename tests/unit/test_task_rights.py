"""Who may work and see a task: pure rules over the task row and the actor."""
from __future__ import annotations

from engine.models import Task
from engine.tasks import may_see, may_work
from engine.users import Actor


def actor(name: str, *roles: str, groups: tuple[str, ...] = ()) -> Actor:
    return Actor(name, frozenset(groups), frozenset(roles))


def task(**fields: object) -> Task:
    defaults: dict[str, object] = {"kind": "user", "assignee": None, "candidate_groups": [], "candidate_users": [],
                                   "completed_by": None, "state": "READY"}
    return Task(**{**defaults, **fields})


WINDOW_CLERK = actor("wang", "clerk", groups=("window",))
OFFICE_CLERK = actor("li", "clerk", groups=("office",))


def test_a_clerk_works_the_tasks_of_their_groups_only():
    window_task = task(candidate_groups=["window"])
    assert may_work(WINDOW_CLERK, window_task) and not may_work(OFFICE_CLERK, window_task)


def test_naming_a_candidate_user_or_assignee_lets_that_clerk_work_it():
    assert may_work(OFFICE_CLERK, task(candidate_groups=["window"], candidate_users=["li"]))
    assert may_work(OFFICE_CLERK, task(candidate_groups=["window"], assignee="li"))


def test_a_task_that_names_nobody_is_open_to_every_clerk():
    assert may_work(OFFICE_CLERK, task()) and may_work(WINDOW_CLERK, task())
    assert not may_work(actor("zhao", "supervisor"), task())


def test_once_ended_or_held_a_task_naming_nobody_is_no_clerk_s():
    for state in ("COMPLETED", "CANCELLED", "SUSPENDED"):
        assert not may_work(WINDOW_CLERK, task(state=state)), state
    assert may_work(WINDOW_CLERK, task(state="COMPLETED", assignee="wang"))  # their own stays theirs


def test_external_tasks_belong_to_integrators():
    external = task(kind="external")
    assert may_work(actor("erp", "integrator"), external) and not may_work(WINDOW_CLERK, external)


def test_a_supervisor_sees_everything_and_a_clerk_sees_what_they_completed():
    other_groups = task(candidate_groups=["office"], completed_by="wang")
    assert may_see(actor("zhao", "supervisor"), task(candidate_groups=["office"]))
    assert may_see(WINDOW_CLERK, other_groups) and not may_see(WINDOW_CLERK, task(candidate_groups=["office"]))


def test_an_admin_may_do_anything():
    admin = actor("root", "admin")
    assert may_work(admin, task(candidate_groups=["office"], assignee="li")) and admin.has("supervisor")
