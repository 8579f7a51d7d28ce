"""How each corpus diagram with an upstream test is driven over the API, and what it must end with.

One function per manifest row with a ``test_start`` (plus three called diagrams whose caller cannot run
here but which run on their own), named after the file. The manifest's ``test_note`` is the source: the
same data, the same order of tasks and messages, the same expected end. Where the upstream test pokes
SpiffWorkflow internals (task trees, reset tokens, injected script functions) the scenario checks the
same outcome through what the API shows: case state, variables, open tasks, the history of reached
elements. Outcomes: ``driven`` (the expected end), ``refused`` (422 with the exact problems) and
``limitation`` (runs until a documented limit, asserted precisely; the reason says why).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.corpus import Case, Corpus, scenario

BPMN = "spiff/bpmn_data/"
TW = BPMN + "Test-Workflows/"
CAMUNDA_DATA = "spiff/camunda_data/"
SPIFF = "spiff/spiff_data/"


# ---- spiff/bpmn_data ---------------------------------------------------------------------------

@scenario(BPMN + "Approvals.bpmn")
def approvals(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "Approvals.bpmn")
    case = corpus.start("Approvals")
    # The first approval wins: the called process ends with a terminate end event.
    assert case.task_names() == ["Manager Approval", "Supervisor Approval"]
    case.complete("First_Approval_Wins.Manager_Approval")
    case.complete("Approvals.First_Approval_Wins_Done")
    case.complete("Approvals.Manager_Approval__P_")
    case.complete("Approvals.Supervisor_Approval__P_")
    case.complete("Approvals.Parallel_Approvals_Done")
    case.complete("Parallel_Approvals_SP.Step1")
    case.complete("Parallel_Approvals_SP.Manager_Approval")
    case.complete("Parallel_Approvals_SP.Supervisor_Approval")
    case.complete("Approvals.Parallel_SP_Done")
    case.assert_completed()
    assert "First_Approval_Wins.Supervisor_Approval" not in case.reached()


@scenario(BPMN + "ScriptTest.bpmn")
def script_test(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "ScriptTest.bpmn")
    variables = corpus.start("Process_1l85e0n").assert_completed(
        testvar={"a": 1, "b": 2, "new": "Test"},
        testvar2=[{"x": 1, "y": "a"}, {"x": 2, "y": "b"}, {"x": 3, "y": "c"}],
        sample=["b", "c"])
    assert "my_function" not in variables  # functions a script defines are not data


@scenario(TW + "Nested-Subprocesses.bpmn20.xml")
def nested_subprocesses(corpus: Corpus) -> None:
    corpus.deploy(TW + "Nested-Subprocesses.bpmn20.xml")
    case = corpus.start("sid-a12cf1e5-86f4-4d69-9790-6a90342f5963")
    for action in ("Action1", "Action2", "Action3"):
        assert case.task_names() == [action]  # exactly one ready each time, three call levels deep
        case.complete(action)
    case.assert_completed()


@scenario(TW + "Parallel-Multiple-Splits-And-Joins.bpmn20.xml")
def parallel_multiple_splits_and_joins(corpus: Corpus) -> None:
    corpus.deploy(TW + "Parallel-Multiple-Splits-And-Joins.bpmn20.xml")
    case = corpus.start("sid-a90fa1f1-32a9-4a62-8ad4-8820a3fc6cc4")
    for step in ["1", "!Done", "2", "1A", "!Done", "2A", "1B", "2B", "!Done", "1 Done", "!Done", "2 Done", "Done"]:
        if step.startswith("!"):
            assert step[1:] not in case.task_names()
        else:
            case.complete(step)
    case.assert_completed()


@scenario(BPMN + "call_activity_end_event.bpmn")
def call_activity_end_event(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "call_activity_end_event.bpmn")
    variables = corpus.start("Process_8200379").assert_completed(
        pre_var="some string", my_var="World", my_other_var="Mike")
    assert "remove_this_var" not in variables  # the called process deleted it


@scenario(BPMN + "call_activity_with_error.bpmn")
def call_activity_with_error(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "call_activity_with_error.bpmn")
    error = corpus.start_failure("ErroringBPMN")
    # The called process's script deletes a variable the caller never set.
    assert error["code"] == "process_error"
    assert "Create Data" in error["message"] and "remove_this_var" in error["message"], error
    assert error["details"][0]["element"] == "Sub_Bpmn_Task"


@scenario(BPMN + "collaboration.bpmn")
def collaboration(corpus: Corpus) -> None:
    body = corpus.deploy(BPMN + "collaboration.bpmn")
    assert [d["key"] for d in body["definitions"]] == ["process_buddy"]  # the other pool is not executable
    case = corpus.start("process_buddy", lover_name="Peggy")
    assert case.state == "running"
    assert any(e["event"] == "message.unhandled" for e in case.history())  # the letter goes to nobody here
    corpus.send("Love Letter Response", case=case, variables={"from_name": "Peggy", "other_nonsense": 1001})
    case.assert_completed(from_name="Peggy", lover_name="Peggy", other_nonsense=1001)


@scenario(BPMN + "conditional_event.bpmn")
def conditional_event(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "conditional_event.bpmn")
    case = corpus.start("intermediate")
    case.complete("B")
    assert case.state == "running" and case.task_names() == ["A"]  # event_1 waits for task_a_done
    case.complete("A", task_a_done=True)
    case.assert_completed()
    assert "event_1" in case.reached()

    other = corpus.start("boundary")
    other.complete("C", task_c_done=True)
    other.assert_completed()
    assert "event_2" in other.reached() and "task_d" not in other.reached()  # the boundary cancelled D


@scenario(BPMN + "correlation.bpmn")
def correlation(corpus: Corpus) -> None:
    """Two subprocess instances each start a partner case; each answer must find its own instance."""
    corpus.deploy(BPMN + "correlation.bpmn")
    case = corpus.start("proc_1")
    tasks = case.tasks
    assert [t["name"] for t in tasks] == ["Configure Data", "Configure Data"]
    for index, task in enumerate(tasks):
        case.complete_task(task, task_num=index)
    partners = [p for p in corpus.instances("proc_2")]
    assert len(partners) == 2
    for partner in partners:
        responder = Case(corpus, partner["id"])
        responder.complete("Rename Id", init_id=responder.variables["task_num"])
        responder.assert_completed()
    case.assert_completed()


@scenario(BPMN + "custom_function_test.bpmn", outcome="limitation",
          reason="the upstream test injects a Python function into the script environment; "
                 "diagram scripts here see only the sandbox's builtins")
def custom_function_test(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "custom_function_test.bpmn")
    error = corpus.start_failure("top_workflow")
    assert error["code"] == "process_error" and error["details"][0]["element"] == "Activity_1y303ko"
    assert "FirstScript" in error["message"] and "custom_function" in error["message"], error


@scenario(BPMN + "data_object.bpmn")
def data_object(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "data_object.bpmn")
    case = corpus.start("Process")
    case.complete("Generate Data", obj_1="hello")
    assert case.task_names() == ["Task"] and "obj_1" not in case.variables  # it went to the data object
    case.complete("Task", obj_1="changed in the task only")
    assert case.task_names() == ["Read Data"] and case.variables["obj_1"] == "hello"  # read from the object
    case.complete("Read Data")
    assert case.task_names() == ["placeholder"] and case.variables["obj_1"] == "hello"  # inside the subprocess
    case.complete("placeholder", obj_1="hello again")
    case.assert_completed()


@scenario(BPMN + "data_object_gateway.bpmn")
def data_object_gateway(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "data_object_gateway.bpmn")
    case = corpus.start("main")
    case.complete("Set Data", val=True)
    variables = case.assert_completed()
    assert "yes" in case.reached() and "no" not in case.reached()  # the gateway read the data object
    assert "val" not in variables


@scenario(BPMN + "event-gateway.bpmn")
def event_gateway(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "event-gateway.bpmn")
    for message, end, other in (("message_1", "message_1_end", "message_2_end"),
                                ("message_2", "message_2_end", "message_1_end")):
        case = corpus.start("Process_0pvx19v")
        assert case.state == "running" and case.tasks == []
        corpus.send(message, case=case)
        case.assert_completed()
        assert end in case.reached() and other not in case.reached() and "timer" not in case.reached()
        # The branches not taken no longer wait: the same message again finds nobody.
        corpus.send("message_1" if message == "message_2" else "message_2", case=case, expect=404)


@scenario(BPMN + "event-subprocess.bpmn")
def event_subprocess(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "event-subprocess.bpmn")
    case = corpus.start("main")
    case.complete("set data", v1=True, v2=False)  # then a signal starts the event subprocess
    assert case.task_names() == ["task"]
    assert case.variables["v1"] is True and case.variables["v2"] is False
    case.complete("task")
    case.assert_completed()


@scenario(BPMN + "exclusive_gateway_no_default.bpmn")
def exclusive_gateway_no_default(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "exclusive_gateway_no_default.bpmn")
    error = corpus.start_failure("NoDefaultGateway", x=1)  # neither x > 1 nor x < 1, and no default flow
    assert error["code"] == "process_error" and error["details"][0]["element"] == "Gateway_CheckValue", error
    assert "CheckValue" in error["message"]


@scenario(BPMN + "inclusive_gateway.bpmn")
def inclusive_gateway(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "inclusive_gateway.bpmn")
    default_only = corpus.start("main")
    default_only.complete("Set Data", v=-1, u=-1, w=-1)
    default_only.assert_completed(v=0, u=-1, w=-1)
    assert "u_plus_v" not in default_only.reached() and "w_plus_v" not in default_only.reached()

    both = corpus.start("main")
    both.complete("Set Data", v=0, u=1, w=1)
    both.assert_completed(v=0, u=1, w=1)
    assert {"u_plus_v", "w_plus_v"} <= set(both.reached()) and "increment_v" not in both.reached()

    stuck = corpus.start("main")
    error = stuck.complete("Set Data", expect=422, v=0, u=-1, w=-1)["error"]  # v becomes 1: no path out
    assert error["code"] == "process_error" and error["details"][0]["element"] == "second", error
    assert stuck.state == "running" and stuck.task_names() == ["Set Data"]  # nothing was stored


@scenario(BPMN + "io_spec_on_task.bpmn")
def io_spec_on_task(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "io_spec_on_task.bpmn")
    case = corpus.start("main")
    assert case.task_names() == ["Any Task"]
    assert {"in_1": 1, "in_2": "hello world"}.items() <= case.variables.items()
    case.complete("Any Task", out_1=1, out_2="bye", extra=True)
    variables = case.assert_completed(out_1=1, out_2="bye")
    assert variables.keys() == {"out_1", "out_2"}  # only the task's declared outputs leave it

    missing = corpus.start("main")
    error = missing.complete("Any Task", expect=422, out_1=1)["error"]
    assert error["code"] == "process_error" and error["message"].startswith("completing Any Task failed: Missing data"), error
    assert missing.task_names() == ["Any Task"]  # refused: out_2, a declared output, was not given


@scenario(BPMN + "io_spec_parent.bpmn")
def io_spec_parent(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "io_spec_parent.bpmn")
    variables = corpus.start("parent").assert_completed(in_1=1, in_2="hello world", unused=True,
                                                         out_1=2, out_2="HELLO WORLD")
    assert variables["unused"] is True  # the called process's own 'unused' stayed inside it


@scenario(BPMN + "lanes.bpmn")
def lanes(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "lanes.bpmn")
    case = corpus.start("lanes")

    def in_lane(lane: str) -> list[str]:
        query = f"/api/tasks?candidate_group={lane}&process_instance_id={case.id}"
        return [t["bpmn_id"] for t in corpus.api.as_("supervisor").get(query).get_json()["items"]]

    assert in_lane("A") == ["Activity_A1"] and in_lane("B") == []
    case.complete("Activity_A1")
    assert in_lane("B") == ["Activity_B1"] and in_lane("A") == []
    case.complete("Activity_B1", NeedClarification=False)
    assert in_lane("B") == ["Implement_Feature"]
    case.complete("Implement_Feature")
    assert in_lane("C") == ["Activity_1uksrqx"]
    case.complete("Activity_1uksrqx")
    assert in_lane("C") == ["SubProcessTask"]  # the subprocess lies in lane C, so does its task
    assert case.task("SubProcessTask")["lane"] == "C"
    case.complete("SubProcessTask")
    case.assert_completed()


@scenario(BPMN + "multiple-start-parallel.bpmn")
def multiple_start_parallel(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "multiple-start-parallel.bpmn")
    case = corpus.start("main")
    assert case.state == "running" and case.tasks == []
    corpus.send("message_1", case=case)
    assert case.tasks == []  # a parallel multiple start waits for every one of its messages
    corpus.send("message_2", case=case)
    assert case.task_names() == ["Any Task"]
    case.complete("Any Task")
    case.assert_completed()


def _double_each_item(case: Case, expected_items: list[Any], *, sequential: bool) -> None:
    """Complete every multi-instance 'Any Task' with output_item = 2 * input_item, in input order as the
    upstream test does (SpiffWorkflow appends a parallel instance's output when it completes)."""
    seen: list[Any] = []
    while case.tasks:
        ready = [(case.data_of(task)["input_item"], task) for task in case.tasks]
        assert len(ready) == (1 if sequential else len(expected_items) - len(seen)), case.task_names()
        for item, task in sorted(ready, key=lambda pair: expected_items.index(pair[0])):
            seen.append(item)
            case.complete_task(task, output_item=item * 2)
    assert sorted(seen) == sorted(expected_items)


@scenario(BPMN + "parallel_multiinstance_cardinality.bpmn")
def parallel_multiinstance_cardinality(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "parallel_multiinstance_cardinality.bpmn")
    case = corpus.start("main")
    _double_each_item(case, [0, 1, 2], sequential=False)
    case.assert_completed(output_data=[0, 2, 4])


@scenario(BPMN + "parallel_multiinstance_loop_input.bpmn")
def parallel_multiinstance_loop_input(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "parallel_multiinstance_loop_input.bpmn")
    case = corpus.start("main", input_data=[1, 2, 3])
    assert case.task_names() == ["Any Task"] * 3
    _double_each_item(case, [1, 2, 3], sequential=False)
    case.assert_completed(input_data=[1, 2, 3], output_data=[2, 4, 6])

    keyed = corpus.start("main", input_data={"a": 1, "b": 2, "c": 3})
    _double_each_item(keyed, [1, 2, 3], sequential=False)
    keyed.assert_completed(output_data={"a": 2, "b": 4, "c": 6})

    corpus.start("main", input_data=[]).assert_completed(output_data=[])


@scenario(BPMN + "sequential_multiinstance_cardinality.bpmn")
def sequential_multiinstance_cardinality(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "sequential_multiinstance_cardinality.bpmn")
    case = corpus.start("main")
    _double_each_item(case, [0, 1, 2], sequential=True)
    case.assert_completed(output_data=[0, 2, 4])


@scenario(BPMN + "sequential_multiinstance_loop_input.bpmn")
def sequential_multiinstance_loop_input(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "sequential_multiinstance_loop_input.bpmn")
    case = corpus.start("main", input_data=[1, 2, 3])
    _double_each_item(case, [1, 2, 3], sequential=True)
    case.assert_completed(input_data=[1, 2, 3], output_data=[2, 4, 6])


@scenario(BPMN + "parallel_multiinstance_invalid.bpmn", outcome="refused",
          reason="negative case: a multi-instance task with neither cardinality nor input collection")
def parallel_multiinstance_invalid(corpus: Corpus) -> None:
    [problem] = corpus.refusal(BPMN + "parallel_multiinstance_invalid.bpmn")
    assert problem == {"file": "parallel_multiinstance_invalid.bpmn", "line": 7, "element": "any_task",
                       "severity": "error", "message": "A multiinstance task must specify exactly one of "
                                                       "cardinality or loop input data reference.",
                       "code": "spiff.multi_instance_both", "params": {}}


@scenario(BPMN + "standard_loop.bpmn")
def standard_loop(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "standard_loop.bpmn")
    three = corpus.start("main", done=False)
    for _ in range(3):  # loopMaximum 3
        three.complete("Any Task")
    three.assert_completed(done=False)

    once = corpus.start("main", done=False)
    once.complete("Any Task", done=True)
    once.assert_completed(done=True)

    never = corpus.start("main", done=True)  # testBefore: the condition is checked first
    never.assert_completed()
    assert [e for e in never.history() if e["event"] == "task.created"] == []


@scenario(BPMN + "start_event_split.bpmn")
def start_event_split(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "start_event_split.bpmn")
    [started] = corpus.send("message_1", variables={"source": "integration"})  # starts a case
    case = Case(corpus, started["id"])
    assert case.task_names() == ["Any Task"] and case.variables["source"] == "integration"
    case.complete("Any Task")
    case.assert_completed()
    assert "start_1" in case.reached() and "start_2" not in case.reached()


@scenario(BPMN + "reset_with_boundary_event.bpmn", needs=("jobs",))
def reset_with_boundary_event(corpus: Corpus) -> None:
    """Upstream resets tokens, which the API does not offer; the flow and the boundary timer are checked."""
    corpus.deploy(BPMN + "reset_with_boundary_event.bpmn")
    case = corpus.start("token")
    case.complete("First")  # before the 14 days are up: the boundary timer is cancelled
    assert corpus.fire_timers(after=timedelta(days=15)) == 0
    case.complete("Last")
    case.complete("Final")
    case.assert_completed()
    assert "Event_My_Timer" not in case.reached()

    late = corpus.start("token")
    assert corpus.fire_timers(after=timedelta(days=13)) == 0
    assert corpus.fire_timers(after=timedelta(days=15)) == 1  # interrupts First
    assert late.task_names() == ["Middle"]
    late.complete("Middle")
    late.assert_completed()
    assert "First" not in late.reached() and "Event_My_Timer" in late.reached()


# Timers fire through the job runner (engine.jobs) with a clock moved forward, not by sleeping.

@scenario(BPMN + "timer.bpmn", needs=("jobs",))
def timer(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "timer.bpmn")
    case = corpus.start("timer")
    assert corpus.fire_timers(after=timedelta(seconds=-1)) == 0  # "PT0.25S" is not due yet
    assert case.state == "running"
    assert corpus.fire_timers(after=timedelta(seconds=1)) == 1
    case.assert_completed()


@scenario(BPMN + "timer-date-start.bpmn", needs=("jobs",))
def timer_date_start(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "timer-date-start.bpmn")
    case = corpus.start("date_timer")  # a script sets the date to wait for: now + 0.05 s
    if case.state == "running":  # else the 50 ms had already passed when the start command ended
        assert corpus.fire_timers(after=timedelta(seconds=-1)) == 0
        assert corpus.fire_timers(after=timedelta(minutes=1)) == 1
    case.assert_completed()
    assert "Event_0eb0w95" in case.reached() and "futuredate" in case.variables


@scenario(TW + "Timer-Intermediate.bpmn20.xml", needs=("jobs",))
def timer_intermediate(corpus: Corpus) -> None:
    corpus.deploy(TW + "Timer-Intermediate.bpmn20.xml")
    due = datetime.now(UTC) + timedelta(hours=2)
    case = corpus.start("sid-909dfba4-15dd-47b3-b7d4-88330891429a", due_time=due.isoformat())
    assert corpus.fire_timers(after=timedelta(hours=1)) == 0
    assert case.state == "running"
    assert corpus.fire_timers(after=timedelta(hours=3)) == 1
    case.assert_completed()


@scenario(BPMN + "timer-non-interrupt-boundary.bpmn", needs=("jobs",))
def timer_non_interrupt_boundary(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "timer-non-interrupt-boundary.bpmn")
    case = corpus.start("NonInterruptTimer")
    assert case.task_names() == ["Work Done?"]
    assert corpus.fire_timers(after=timedelta(seconds=1)) == 1  # non-interrupting: the work goes on
    assert case.task_names() == ["Delay Reason", "Work Done?"]
    case.complete("Work Done?", work_done="No")  # loops back
    assert case.task_names() == ["Delay Reason", "Work Done?"]
    case.complete("Delay Reason", delay_reason="Just Because")
    case.complete("Work Done?", work_done="Yes")
    case.assert_completed(work_done="Yes", delay_reason="Just Because")


@scenario(BPMN + "boundary.bpmn", needs=("jobs",))
def boundary(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "boundary.bpmn")
    case = corpus.start("boundary_event")
    case.complete("ReadyTogo")
    assert case.task_names() == ["Are we there yet?\n\n"]
    assert corpus.fire_timers(after=timedelta(seconds=1)) == 1  # "FedUp" interrupts the subprocess
    assert case.task_names() == ["Scream head off"]
    case.complete("Scream head off")
    case.complete("Stop Car")
    case.assert_completed()
    assert "Event_0iiih8g" in case.reached() and "Event_0lasqgj" not in case.reached()


@scenario(BPMN + "timer-cycle.bpmn", needs=("jobs",), outcome="limitation",
          reason="the cycle's script calls custom_function, a counter the upstream test injects into the "
                 "script environment; the sandbox offers no such function, so the timer becomes an incident")
def timer_cycle(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "timer-cycle.bpmn")
    case = corpus.start("timer")
    assert case.task_names() == ["Get coffee"]
    [incident] = corpus.fire_until_incident(after=timedelta(seconds=1))
    assert incident["process_instance_id"] == case.id and incident["element_id"] == "CatchMessage"
    assert "custom_function" in incident["last_error"], incident
    # The non-interrupting cycle never cancelled the work, and the failed firing left no trace in the case.
    assert case.task_names() == ["Get coffee"] and "Refill_Coffee" not in case.reached()
    case.complete("Get coffee")
    case.complete("Get Back To Work")
    case.assert_completed(refill_count=0)


@scenario(BPMN + "timer-cycle-start.bpmn", needs=("jobs",), outcome="limitation",
          reason="the cycle start event's script calls custom_function (injected upstream); and the upstream "
                 "test runs both pools as one workflow, where the terminate end of one ends the other")
def timer_cycle_start(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "timer-cycle-start.bpmn")
    waiter = corpus.start("Process_0vaq70r")
    cycle = corpus.start("timer")
    assert waiter.state == "running" and cycle.state == "running"
    incidents = corpus.fire_until_incident(after=timedelta(seconds=1))
    # The pool with the plain duration timer ran to its terminate end event ...
    waiter.assert_completed()
    assert "EndItAll" in waiter.reached()
    # ... while the cycle's script failed on the missing function, and keeps its case waiting.
    [incident] = incidents
    assert incident["process_instance_id"] == cycle.id and incident["element_id"] == "CycleStart"
    assert "custom_function" in incident["last_error"], incident
    assert cycle.state == "running"


@scenario(BPMN + "transaction.bpmn")
def transaction(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "transaction.bpmn")
    boundaries = {"Catch_Cancel_Event", "Catch_Error_None", "Catch_Error_1"}

    def run(value: str, quantity: int | None = None) -> Case:
        case = corpus.start("Main_Process")
        case.complete("Get Data", value=value)
        if quantity is not None:
            case.complete("Get Quantity", quantity=quantity)
        return case

    happy = run("asdf", 2)
    happy.assert_completed(value="asdf", quantity=2)
    assert "Activity_Print_Data" in happy.reached() and not boundaries & set(happy.reached())

    cancelled = run("")  # the cancel end event: the transaction's data is discarded
    variables = cancelled.assert_completed(reason="Cancel")
    assert "value" not in variables
    assert {"Catch_Cancel_Event", "Cancel_Action"} <= set(cancelled.reached())
    assert "Activity_Print_Data" not in cancelled.reached()

    no_code = run("asdf", 0)  # an error without a code: only the catch-all boundary
    no_code.assert_completed(reason="Error None")
    assert boundaries & set(no_code.reached()) == {"Catch_Error_None"}

    coded = run("asdf", -1)  # 'Error 1': caught by the catch-all and by the boundary for that error
    coded.assert_completed()
    assert boundaries & set(coded.reached()) == {"Catch_Error_None", "Catch_Error_1"}
    assert {"Error_1_Action", "Error_None_Action"} <= set(coded.reached())


@scenario(BPMN + "uncaught_escalation.bpmn")
def uncaught_escalation(corpus: Corpus) -> None:
    corpus.deploy(BPMN + "uncaught_escalation.bpmn")
    case = corpus.start("top_level")
    case.assert_completed()
    [uncaught] = [e["data"] for e in case.history() if e["event"] == "event.uncaught"]
    assert uncaught["type"] == "escalation" and uncaught["code"] == "escalation-1"


# ---- negative cases and the Test-Workflows folder ----------------------------------------------

@scenario(BPMN + "Invalid-Workflows/No-Start-Event.bpmn20.xml", outcome="refused",
          reason="negative case: a process without a start event")
def no_start_event(corpus: Corpus) -> None:
    [problem] = corpus.refusal(BPMN + "Invalid-Workflows/No-Start-Event.bpmn20.xml")
    assert problem == {"file": "No-Start-Event.bpmn20.xml", "line": 10, "severity": "error",
                       "element": "sid-669ddebf-4196-41ee-8b04-bcc90bc5f983", "message": "No start event found.",
                       "code": "spiff.no_start", "params": {}}


@scenario(BPMN + "Invalid-Workflows/Unsupported-Task.bpmn20.xml", outcome="refused",
          reason="negative case: a business rule task that names no decision")
def unsupported_task(corpus: Corpus) -> None:
    [problem] = corpus.refusal(BPMN + "Invalid-Workflows/Unsupported-Task.bpmn20.xml")
    assert problem["element"] == "sid-75EEAB28-3B69-4282-B91A-0F3C97931834" and problem["line"] == 63
    assert problem["message"] == ("business rule task names no decision (camunda:decisionRef or "
                                  "spiffworkflow:calledDecisionId)")


# Upstream loads the whole Test-Workflows folder for each test. Two of its diagrams are not executable
# BPMN (exclusive gateways whose flows have no conditions: the upstream parser shim picks the flow named
# by a 'choice' variable), and a deployment is all or nothing, so the runnable ones go with exactly the
# files they call.

def _assert_unconditioned_flows(problems: list[dict[str, Any]], file: str, flows: set[str]) -> None:
    found = {p["element"] for p in problems if p["file"] == file and "without a condition" in p["message"]}
    assert found == flows, (found, flows)


@scenario(TW + "Test-Workflows.bpmn20.xml", outcome="refused",
          reason="exclusive gateways whose outgoing flows have no conditions (upstream relies on a parser "
                 "shim that routes by flow name); Scripts.bpmn20.xml also has a condition that is not Python")
def test_workflows(corpus: Corpus) -> None:
    problems = corpus.refusal(TW + "Test-Workflows.bpmn20.xml")
    _assert_unconditioned_flows(problems, "Test-Workflows.bpmn20.xml", {
        "sid-BFCB2CAC-CE5B-4EA2-8A4D-339D7D5894A4", "sid-9AD6C46B-BC40-4D3A-91E2-8E933EF9ADF0",
        "sid-488CD0F1-E280-4BDE-B794-64CAF8C4FCA8", "sid-ECE4F718-B986-45F1-8B0C-C0C1DAE66DB3",
        "sid-85975D4B-1DC8-4998-A7DF-6F9C31861EE7"})
    _assert_unconditioned_flows(problems, "Scripts.bpmn20.xml", {
        "sid-5457E966-E8F8-4E6A-AEDE-B4A1399CFAC2", "sid-0258E597-1879-4A66-B2A0-686F559D123E"})
    [syntax] = [p for p in problems if p["element"] == "sid-9928A8F9-83F2-4C6B-A253-FC3D161BD33C"]
    assert syntax["file"] == "Scripts.bpmn20.xml" and "priority = 'Emergency'" in syntax["message"]
    flow = next(p for p in problems if p["element"] == "sid-85975D4B-1DC8-4998-A7DF-6F9C31861EE7")
    assert flow["line"] and "'Messages'" in flow["message"] and "exclusive gateway" in flow["message"]


@scenario(TW + "Action-Management.bpmn20.xml", outcome="refused",
          reason="exclusive gateways whose outgoing flows have no conditions (upstream parser shim)")
def action_management(corpus: Corpus) -> None:
    problems = corpus.refusal(TW + "Action-Management.bpmn20.xml")
    assert {p["file"] for p in problems} == {"Action-Management.bpmn20.xml"}
    _assert_unconditioned_flows(problems, "Action-Management.bpmn20.xml", {
        "sid-4B3460BF-1433-4961-BEA6-CD4766A5F509", "sid-880EE112-139E-4533-BB98-8A1E6D943A18",
        "sid-5AE8BBED-8AD1-41A8-95DB-4897F73E7492", "sid-4023B856-5C8C-4F4B-89CF-00D224EADEDC"})


@scenario(TW + "Message-Interrupts-SP.bpmn20.xml")
def message_interrupts_sp(corpus: Corpus) -> None:
    corpus.deploy(TW + "Message-Interrupts-SP.bpmn20.xml", companions=())  # calls its own second pool
    happy = corpus.start("sid-607dfa9b-dbfd-41e8-94f8-42ae37f3b824")
    happy.complete("Do Something In a Subprocess")
    happy.complete("Ack Subprocess Done")
    happy.assert_completed()

    interrupted = corpus.start("sid-607dfa9b-dbfd-41e8-94f8-42ae37f3b824")
    corpus.send("Test Message", case=interrupted)  # the boundary on the call activity interrupts it
    assert interrupted.task_names() == ["Acknowledge  SP Interrupt Message"]
    interrupted.complete("Acknowledge  SP Interrupt Message")
    interrupted.assert_completed()
    assert "sid-137E71C6-FE26-418B-AFC0-1083027370F7" not in interrupted.reached()


@scenario(TW + "CallActivity-Escalation-Test.bpmn20.xml", outcome="limitation",
          reason="the called process tests for its variable with vars() and globals(), which the script "
                 "sandbox does not offer")
def call_activity_escalation(corpus: Corpus) -> None:
    corpus.deploy(TW + "CallActivity-Escalation-Test.bpmn20.xml",
                  companions=[TW + "CallActivity-Escalation-Test-Sub.bpmn20.xml"])
    error = corpus.start_failure("CallActivity-Escalation-Test", should_escalate=True)
    assert error["code"] == "process_error" and error["details"][0]["element"] == "ExclusiveGateway_0faf08n"
    assert "vars" in error["message"] and "variable present?" in error["message"], error


# Called by Test-Workflows.bpmn20.xml (refused above); each runs on its own exactly as it would there.

@scenario(TW + "Messages.bpmn20.xml")
def messages(corpus: Corpus) -> None:
    corpus.deploy(TW + "Messages.bpmn20.xml", companions=())
    case = corpus.start("sid-4a1f10ab-316f-4cd8-836d-65aa3d178fff")
    corpus.send("Wrong Message", case=case, expect=404)  # nothing waits for it: the caller is told
    assert case.state == "running"
    corpus.send("Test Message", case=case)
    case.assert_completed()


@scenario(TW + "Message-Interrupts.bpmn20.xml")
def message_interrupts(corpus: Corpus) -> None:
    corpus.deploy(TW + "Message-Interrupts.bpmn20.xml", companions=())
    plain = corpus.start("sid-db1e1749-03ee-46aa-8674-bba07b1bd167")
    plain.complete("Do Something That Takes A Long Time")
    plain.assert_completed()

    interrupted = corpus.start("sid-db1e1749-03ee-46aa-8674-bba07b1bd167")
    corpus.send("Test Message", case=interrupted)
    assert interrupted.task_names() == ["Acknowledge Interrupt Message"]  # the long task was cancelled
    interrupted.complete("Acknowledge Interrupt Message")
    interrupted.assert_completed()


@scenario(TW + "Message-Non-Interrupt.bpmn20.xml")
def message_non_interrupt(corpus: Corpus) -> None:
    corpus.deploy(TW + "Message-Non-Interrupt.bpmn20.xml", companions=())
    case = corpus.start("sid-60e2cc58-68c9-4cb5-a95c-22e3e311b6b9")
    corpus.send("Test Message", case=case)
    assert case.task_names() == ["Acknowledge Non-Interrupt Message", "Do Something That Takes A Long Time"]
    case.complete("Do Something That Takes A Long Time")
    case.complete("Acknowledge Non-Interrupt Message")
    case.assert_completed()


# ---- spiff/camunda_data: diagrams SpiffWorkflow's Camunda parser reads ------------------------

@scenario(CAMUNDA_DATA + "ExclusiveGatewayIfElseAndDecision.bpmn")
def exclusive_gateway_if_else_and_decision(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA_DATA + "ExclusiveGatewayIfElseAndDecision.bpmn")
    case = corpus.start("Process_1", x=3)  # neither x == 1 nor x == 2: the default flow to the decision
    case.assert_completed(x=3, y="A")


@scenario(CAMUNDA_DATA + "DMNMultiInstance.bpmn")
def dmn_multi_instance(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA_DATA + "DMNMultiInstance.bpmn")
    stuff = corpus.start("Process_1").assert_completed()["stuff"]
    assert {key: item["y"] for key, item in stuff.items()} == {"A": "A", "B": "B", "C": "C", "D": "D", "E": "D"}


@scenario(CAMUNDA_DATA + "MessageBoundary.bpmn", needs=("jobs",))
def message_boundary(corpus: Corpus) -> None:
    """The two pools run as two cases; the interrupt message goes from one to the other."""
    corpus.deploy(CAMUNDA_DATA + "MessageBoundary.bpmn")
    worker = corpus.start("Process_0srqcj1")
    boss = corpus.start("Process_1kjyavs")
    for answer in ("No", "No", "Yes"):
        worker.complete("Do Work")
        corpus.fire_timers(after=timedelta(seconds=1))  # "Take Break" (10 ms: it may have passed already)
        assert worker.task_names() == ["Do Work"]  # and back to work
        boss.complete("Interrupt Work?", interrupt_task=answer)
    boss.assert_completed(interrupt_task="Yes")
    worker.assert_completed(Event_InterruptBoundary_Response="Interrupt!")
    assert "Event_InterruptBoundary" in worker.reached()


@scenario(CAMUNDA_DATA + "noninterrupting-MessageBoundary.bpmn")
def noninterrupting_message_boundary(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA_DATA + "noninterrupting-MessageBoundary.bpmn")
    worker = corpus.start("Process_1k0py56")
    boss = corpus.start("Process_1kjyavs")
    for _ in range(3):
        boss.complete("Is work Late?", flag_task="No")
        worker.complete("Do Work", work_done="No")
    boss.complete("Is work Late?", flag_task="Yes")  # the tardy message: the work goes on, and a reason is due
    boss.assert_completed()
    assert worker.task_names() == ["Do Work", "Why was the work Late?"]
    worker.complete("Why was the work Late?", work_late_reason="covid-19")
    worker.complete("Do Work", work_done="Yes")
    worker.complete("What work was completed?", work_completed="Lots of Stuff")
    variables = worker.assert_completed(Event_InterruptBoundary_Response="Youre late!", work_done="Yes",
                                        work_completed="Lots of Stuff", work_late_reason="covid-19")
    assert "flag_task" not in variables  # the other pool's data stays in its own case


@scenario(CAMUNDA_DATA + "message_test.bpmn")
def message_test(corpus: Corpus) -> None:
    body = corpus.deploy(CAMUNDA_DATA + "message_test.bpmn")
    assert {d["key"]: d["start_messages"] for d in body["definitions"]}["ThrowCatch"] == ["ApprovalRequest"]
    planner = corpus.start("Process_05r9nfx")
    for plan, verdict in (("Bad", "No"), ("Better", "No"), ("Best", "Yes")):
        planner.complete("Enter Plan", plan_details=plan)  # its message starts an approval case
        approval = Case(corpus, corpus.instances("ThrowCatch")[0]["id"])
        approval.complete("Approved?", approved=verdict)
        approval.assert_completed()
    planner.complete("Enable Plan", Done="OK!")
    planner.assert_completed(plan_details="Best", ApprovalResult="Yes", Done="OK!")
    assert len(corpus.instances("ThrowCatch")) == 3


@scenario(CAMUNDA_DATA + "call_activity_with_message_parent.bpmn")
def call_activity_with_message_parent(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA_DATA + "call_activity_with_message_parent.bpmn")
    planner = corpus.start("Process_0vpmpb9")
    for plan, verdict in (("Bad", "No"), ("Better", "No"), ("Best", "Yes")):
        planner.complete("Enter Plan", plan_details=plan)  # inside the called process
        approval = Case(corpus, corpus.instances("Process_0xeaemr")[0]["id"])
        approval.complete("Approved?", approved=verdict)
        approval.assert_completed()
    planner.complete("Enable Plan", Done="OK!")
    planner.assert_completed(plan_details="Best", Approved="Yes", Done="OK!")


@scenario(CAMUNDA_DATA + "external_message.bpmn", outcome="refused",
          reason="a script task declares scriptFormat 'reset'; only Python scripts run here")
def external_message(corpus: Corpus) -> None:
    [problem] = corpus.refusal(CAMUNDA_DATA + "external_message.bpmn")
    assert problem == {"file": "external_message.bpmn", "line": 32, "element": "Activity_1n8ighs",
                       "severity": "error",
                       "message": "script language 'reset' is not supported; write it in Python",
                       "code": "script.language", "params": {"language": "reset"}}


@scenario(CAMUNDA_DATA + "subWorkflowComplex.bpmn")
def sub_workflow_complex(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA_DATA + "subWorkflowComplex.bpmn")
    case = corpus.start("SubWorkflow")
    for name, field in (("FormA", "A"), ("Form A1", "A1"), ("Form A2", "A2"), ("FormB", "B")):
        fields: dict[str, Any] = {f"Field{field}": field}
        case.complete(name, **fields)
    case.assert_completed(FieldA="A", FieldA1="A1", FieldA2="A2", FieldB="B")


@scenario(CAMUNDA_DATA + "random_fact.bpmn", outcome="limitation",
          reason="its script calls scripts.FactService, an application service the upstream test never "
                 "provides (it checks only the parsed form)")
def random_fact(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA_DATA + "random_fact.bpmn")
    case = corpus.start("random_fact")
    task = case.task("Set Type")
    assert task["form_key"] == "Fact"
    error = case.complete("Set Type", expect=422, type="cat")["error"]
    assert error["code"] == "process_error" and "scripts" in error["message"], error
    assert error["details"][0]["element"] == "Task_Get_Fact_From_API"
    assert case.task_names() == ["Set Type"]


# ---- spiff/spiff_data: SpiffWorkflow's own extensions ------------------------------------------

@scenario(SPIFF + "business_rule_task.bpmn")
def business_rule_task(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "business_rule_task.bpmn")
    corpus.start("Process_bd2e724").assert_completed(question="X", answer="Y")  # the rule for "X"


@scenario(SPIFF + "correlation.bpmn")
def spiff_correlation(corpus: Corpus) -> None:
    """Two subprocess instances each start a partner case with a payload expression; each answer finds
    its own instance again through the correlation key."""
    corpus.deploy(SPIFF + "correlation.bpmn")
    case = corpus.start("proc_1")
    tasks = case.tasks
    assert [t["name"] for t in tasks] == ["Configure Data", "Configure Data"]
    for index, task in enumerate(tasks):
        case.complete_task(task, task_num=index, task_name=f"subprocess {index}", extra_data={"n": index})
    partners = [Case(corpus, p["id"]) for p in corpus.instances("proc_2")]
    assert sorted(p.variables["source_task"]["num"] for p in partners) == [0, 1]
    for partner in partners:
        source = partner.variables["source_task"]
        partner.complete("Prepare Response", response="OK" if source["num"] else "No")
        partner.assert_completed()
    variables = case.assert_completed()
    assert variables["response"]["init_id"] in (0, 1)  # what the last subprocess instance received
    answers = [e["data"]["changed"]["response"] for e in case.history()
               if e["event"] == "element.completed" and e["element_id"] == "get_response"]
    assert sorted((a["init_id"], a["response"]) for a in answers) == [(0, "No"), (1, "OK")]


@scenario(SPIFF + "error_event_payload.bpmn")
def error_event_payload(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "error_event_payload.bpmn")
    case = corpus.start("event_test")
    case.complete("Set Data", error=True, payload="ERROR!")
    case.assert_completed(result="ERROR!")
    assert "catch" in case.reached()


@scenario(SPIFF + "escalation_event_payload.bpmn")
def escalation_event_payload(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "escalation_event_payload.bpmn")
    case = corpus.start("event_test")
    case.complete("Set Data", escalation=True, payload="ERROR!")
    case.assert_completed(result="ERROR!")
    assert "catch" in case.reached()


@scenario(SPIFF + "signal_event_payload.bpmn")
def signal_event_payload(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "signal_event_payload.bpmn")
    case = corpus.start("event_test")
    case.complete("Set Data", v1=1, v2=2, v3=3)
    case.assert_completed(v1=1, v2=2, v3=3, result={"r1": 1, "r2": 2})


@scenario(SPIFF + "human_task_metadata.bpmn")
def human_task_metadata(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "human_task_metadata.bpmn")
    case = corpus.start("Process_human_task_metadata")
    task = case.task("User Task with Metadata")
    # The metadata expressions are evaluated when the task opens, and shown with the task.
    assert task["properties"] == {"dynamic_key": "dynamic_value", "static_key": "static_value",
                                  "key_with_no_value_property_in_xml": None}
    case.complete("User Task with Metadata")
    case.assert_completed(my_var="dynamic_value")


@scenario(SPIFF + "prescript_postscript.bpmn")
def prescript_postscript(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "prescript_postscript.bpmn")
    case = corpus.start("Process_1", a=1, b=2)  # the pre-script runs when the task opens
    assert {"x": 2, "y": 4, "z": 6}.items() <= case.variables.items()
    case.complete("Any Task")
    variables = case.assert_completed(a=1, b=2, c=12, z=6)
    assert "x" not in variables and "y" not in variables  # the post-script deleted them

    error = corpus.start_failure("Process_1")  # without a and b the pre-script fails: no case
    assert error["details"][0]["element"] == "Activity_1iqs4li", error
    assert "name 'a' is not defined" in error["message"] and "Pre-Script" in error["message"], error


@scenario(SPIFF + "prescript_postscript_data_object.bpmn", outcome="limitation",
          reason="upstream sets the data object 'a' directly on the workflow; through the API data reaches "
                 "a case as variables only, so the task's pre-script reads an unset data object")
def prescript_postscript_data_object(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "prescript_postscript_data_object.bpmn")
    error = corpus.start_failure("Process_1", a=1, b=2)
    assert error["details"][0]["element"] == "Activity_1iqs4li", error
    assert "NoneType" in error["message"] and "Pre-Script" in error["message"], error


@scenario(SPIFF + "prescript_postscript_parent.bpmn")
def prescript_postscript_parent(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "prescript_postscript_parent.bpmn")
    corpus.start("parent", old="hello").assert_completed(old="hello", new="HELLO")


@scenario(SPIFF + "receive_correlations.bpmn")
def receive_correlations(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "receive_correlations.bpmn")
    case = corpus.start("correlation-test")
    case.complete("Any Task", value_1="a", value_2="b")
    other = corpus.start("correlation-test")
    other.complete("Any Task", value_1="c", value_2="d")
    # Found by its correlation values alone, among two waiting cases.
    corpus.send("message", correlations={"prop_1": "a", "prop_2": "b"},
                variables={"msg_value_1": "a", "msg_value_2": "b"})
    case.assert_completed(value_1="a", value_2="b")
    assert other.state == "running"


@scenario(SPIFF + "waiting_event.bpmn")
def waiting_event(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "waiting_event.bpmn")
    case = corpus.start("main")
    corpus.send("B", correlations={"uid": 2}, expect=404)  # a different correlation value finds no case
    corpus.send("B", correlations={"uid": 1}, variables={"uid": 1, "data": "asdf"})
    case.assert_completed()


@scenario(SPIFF + "script_on_mi.bpmn")
def script_on_mi(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "script_on_mi.bpmn")
    case = corpus.start("Process_1", input_data=[1, 2, 3])
    _double_each_item(case, [2, 3, 4], sequential=False)  # each instance's pre-script adds 1 to its item
    case.assert_completed(input_data=[1, 2, 3], output_data=[3, 5, 7])  # and its post-script subtracts 1


@scenario(SPIFF + "spiff_multiinstance.bpmn")
def spiff_multiinstance(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "spiff_multiinstance.bpmn")
    case = corpus.start("Process_1", input_data=[1, 2, 3])
    _double_each_item(case, [2, 3, 4], sequential=False)  # the pre-script added 1 to the whole input
    case.assert_completed(input_data=[2, 3, 4], output_data=[3, 5, 7])


@scenario(SPIFF + "script_task_with_unit_tests.bpmn", outcome="limitation",
          reason="the script asks locals() whether a variable exists; the script sandbox has no locals()")
def script_task_with_unit_tests(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "script_task_with_unit_tests.bpmn")
    error = corpus.start_failure("Process_ScriptTaskWithUnitTests")
    assert error["details"][0]["element"] == "script_with_unit_test_id" and "locals" in error["message"], error


@scenario(SPIFF + "service_task.bpmn")
def service_task(corpus: Corpus) -> None:
    """Service operators run as external tasks: an integrator does the call and completes with its result."""
    body = corpus.deploy(SPIFF + "service_task.bpmn")
    assert {w["element"] for w in body["warnings"]} >= {"Activity-1inxqgx", "Activity_12erefa"}
    case = corpus.start("service_task_example1")
    [pay_rate] = case.tasks
    assert pay_rate["kind"] == "external" and pay_rate["name"] == "ServiceTask1"
    assert corpus.api.as_("integrator").get("/api/tasks?kind=external").get_json()["total"] == 1
    result = {"amount": "65000.00", "currency": "USD", "id": "4", "payRate": "65000.00 USD"}
    case.complete("ServiceTask1", spiff__Activity_1inxqgx_result=result)
    case.complete("ServiceTask2", waynesboroWeatherResult={"temp": "72F"})
    case.assert_completed(spiff__Activity_1inxqgx_result=result, waynesboroWeatherResult={"temp": "72F"})


@scenario(SPIFF + "user_task_variable.bpmn")
def user_task_variable(corpus: Corpus) -> None:
    corpus.deploy(SPIFF + "user_task_variable.bpmn")
    order: dict[str, Any] = {"size": "large", "toppings": ["sausage", "onions", "peppers"]}
    merged = corpus.start("two")
    merged.complete("User Task", **order)
    merged.assert_completed(**order)  # no variable name: the form data is merged into the case

    named = corpus.start("one")
    named.complete("User Task", **order)
    variables = named.assert_completed(order=order)  # spiffworkflow:variableName keeps it under one name
    assert "size" not in variables


# ---- camunda/: diagrams saved by Camunda Modeler ------------------------------------------------

CAMUNDA = "camunda/"


@scenario(CAMUNDA + "single-task/single-task-process.bpmn")
def single_task(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA + "single-task/single-task-process.bpmn")
    case = corpus.start("single-task-process", taskName="My single Task", assignee="john",
                        candidateGroups="management", dueDate="2016-09-23", followUpDate="2016-09-16",
                        priority="10", formKey="embedded:app:forms/task-form.html", description="to do")
    [task] = case.tasks  # every attribute of the task is a ${...} expression
    assert task["name"] == "My single Task" and task["assignee"] == "john"
    assert task["candidate_groups"] == ["management"] and task["priority"] == 10
    assert task["form_key"] == "embedded:app:forms/task-form.html"
    assert task["due_at"].startswith("2016-09-23") and task["follow_up_at"].startswith("2016-09-16")
    case.complete_task(task)
    case.assert_completed()


@scenario(CAMUNDA + "orquery/Checkin.bpmn")
def checkin(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA + "orquery/Checkin.bpmn")
    [started] = corpus.send("check")  # the process starts on a message
    case = Case(corpus, started["id"])
    [task] = case.tasks
    assert task["candidate_users"] == ["tom"] and task["candidate_groups"] == ["camunda-admin"]
    tom = corpus.api.as_("tom").get("/api/tasks?mine=true").get_json()
    assert [t["id"] for t in tom["items"]] == [task["id"]]  # tom by name, admins of camunda-admin by group
    case.complete_task(task)
    case.assert_completed()


@scenario(CAMUNDA + "usertask/loanApproval.bpmn")
def loan_approval(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA + "usertask/loanApproval.bpmn")
    case = corpus.start("embeddedFormsQuickstart", amount=1000, creditor="Mr. Smith")
    [task] = case.tasks
    assert task["name"] == "Approve Request" and task["assignee"] == "demo"
    assert task["form_key"] == "embedded:app:task-form.html"
    case.complete_task(task, approved=True)
    case.assert_completed(amount=1000, approved=True)


@scenario(CAMUNDA + "usertask/invoiceApproval.bpmn")
def invoice_approval(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA + "usertask/invoiceApproval.bpmn")
    case = corpus.start("camundaFormsQuickstart", amount=250, invoiceNumber="GPFE-23232323")
    [task] = case.tasks
    assert task["assignee"] == "demo" and task["form_key"] == "camunda-forms:app:task-form.form"
    case.complete_task(task, approved=True)
    case.assert_completed(approved=True)


@scenario(CAMUNDA + "usertask/invoicePayment.bpmn")
def invoice_payment(corpus: Corpus) -> None:
    """The error and escalation boundaries are thrown by Camunda's embedded forms; the API offers no such
    call, so the payment path is the one driven."""
    corpus.deploy(CAMUNDA + "usertask/invoicePayment.bpmn")
    case = corpus.start("embeddedFormsBpmnEvents", amount=30, creditor="Great Pizza for Everyone Inc.")
    [task] = case.tasks
    assert task["name"] == "Pay Invoice" and task["form_key"] == "embedded:app:task-form.html"
    case.complete_task(task, paid=True)
    case.assert_completed(paid=True)
    assert "EndEvent_1ug8ljt" in case.reached()


@scenario(CAMUNDA + "usertask/json-variables-process.bpmn", outcome="refused",
          reason="gateway conditions call Camunda Spin methods (customer.prop(\"age\").numberValue())")
def json_variables(corpus: Corpus) -> None:
    problems = corpus.refusal(CAMUNDA + "usertask/json-variables-process.bpmn")
    assert {(p["element"], p["line"]) for p in problems} == {("SequenceFlow_4", 18), ("SequenceFlow_5", 21)}
    assert all('method calls are not supported: customer.prop(...)' in p["message"] for p in problems)


@scenario(CAMUNDA + "twitter/TwitterDemoProcess.bpmn")
def twitter(corpus: Corpus) -> None:
    body = corpus.deploy(CAMUNDA + "twitter/TwitterDemoProcess.bpmn")
    java = {w["element"] for w in body["warnings"] if "external task" in w["message"]}
    assert java == {"service_task_publish_on_twitter", "service_task_send_rejection_notification"}
    for approved, published in ((True, "service_task_publish_on_twitter"),
                                (False, "service_task_send_rejection_notification")):
        case = corpus.start("TwitterDemoProcess", tweet="Hello from govflow")
        assert case.task("Review Tweet")["assignee"] == "demo"
        case.complete("Review Tweet", approved=approved)
        [external] = case.tasks
        assert external["bpmn_id"] == published and external["kind"] == "external"
        case.complete_task(external)  # the integrator's system did the delegate's work
        case.assert_completed(approved=approved)


@scenario(CAMUNDA + "job-announcement/camunda-testing-job-announcement-publication.bpmn")
def job_announcement_publication(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA + "job-announcement/camunda-testing-job-announcement-publication.bpmn")
    for twitter, facebook in ((True, True), (True, False), (False, False)):
        case = corpus.start("camunda-testing-job-announcement-publication", jobAnnouncementId=1,
                            twitter=twitter, facebook=facebook)
        case.complete("publish_announcement_website")  # bean method calls run as external tasks
        expected = {name for name, chosen in (("publish_announcement_twitter", twitter),
                                              ("publish_announcement_facebook", facebook)) if chosen}
        assert {t["bpmn_id"] for t in case.tasks} == expected
        for task in case.tasks:
            case.complete_task(task)
        case.assert_completed(jobAnnouncementId=1)


@scenario(CAMUNDA + "job-announcement/camunda-testing-job-announcement.bpmn", outcome="refused",
          reason="task assignees come from Java bean methods (#{jobAnnouncementService.findRequester(...)}), and "
                 "the call passes variables one by one")
def job_announcement(corpus: Corpus) -> None:
    problems = corpus.refusal(CAMUNDA + "job-announcement/camunda-testing-job-announcement.bpmn")
    assert {(p["element"], p["line"]) for p in problems} == {("review", 40), ("correct", 54), ("publication", 33)}
    assert "method calls are not supported: jobAnnouncementService.findRequester(...)" in \
        next(p["message"] for p in problems if p["element"] == "review")
    assert "variables passed one by one (camunda:in jobAnnouncementId; camunda:in facebook; camunda:in twitter)" in \
        next(p["message"] for p in problems if p["element"] == "publication")


@scenario(CAMUNDA + "message-start/instantiating_process.bpmn")
def instantiating_process(corpus: Corpus) -> None:
    corpus.deploy(CAMUNDA + "message-start/instantiating_process.bpmn")
    case = corpus.start("Instantiating_Process")
    sender = case.task("Send Message")
    assert sender["kind"] == "external"  # a Java delegate that correlates the message: an integrator's job
    case.complete_task(sender)
    [started] = corpus.send("instantiationMessage", variables={"from": case.id})
    other = Case(corpus, started["id"])
    assert started["definition_key"] == "Message_Start_Process"
    assert case.task_names() == ["Wait in Instantiating Process"]
    assert other.task_names() == ["Wait in Message Process"]
    assert len(corpus.instances()) == 2


@scenario(CAMUNDA + "kibana/insurance-payment-check.bpmn")
def insurance_payment_check(corpus: Corpus) -> None:
    """Upstream only starts it; here it runs through both FEEL decision tables (ranges, not(), lists, a
    COLLECT with SUM) and the called audit process."""
    corpus.deploy(CAMUNDA + "kibana/insurance-payment-check.bpmn")
    case = corpus.start("InsurencePaymentCheck")
    entry = case.task("Enter Candidate Details")
    assert entry["candidate_groups"] == ["media-assessment"]
    assert entry["form_key"] == "embedded:app:forms/embedded/candidate-data-entry-form.html"
    case.complete_task(entry, claimType="car", region="dublin", claimAmount=20000)
    application = case.task("Enter Application Details")  # assignee #{userName}, from the AssignAnalyst table
    assert application["assignee"] == "John" and case.variables["userName"] == "John"
    assert "assigneeName" not in case.variables  # Camunda keeps only the mapped result variable
    case.complete_task(application, paymentRejected=False, numberOfPayouts=2, historyOfFraud=False)
    decide = case.task("Decide on Further Fraud Check")
    assert case.variables["fraudScore"] == 20 + 20 + 70 + 10 + 0  # the matching rules' scores, summed
    assert decide["priority"] == 120  # priority #{fraudScore}
    case.complete_task(decide, audit=True)
    case.assert_completed(audit=True, fraudScore=120)
    assert "Task_0vu5yqs" in case.reached()  # the call activity ran AuditProcess


@scenario(CAMUNDA + "video-analysis/process.bpmn")
def video_analysis(corpus: Corpus) -> None:
    """Upstream's test only deploys it; here both outcomes of the assignment table are driven."""
    corpus.deploy(CAMUNDA + "video-analysis/process.bpmn")
    case = corpus.start("BPMCamp")
    case.complete("Enter Media Details", analystSkillLevel="senior", primaryLanguage="english", estimatedTime=6)
    media = case.task("Process Media")
    assert media["assignee"] == "mary" and media["candidate_groups"] == ["media-analyst"]
    case.complete_task(media, funny=True, music=True, currentEvent=False, strange=False, authentic=True)
    assert case.variables["viralScore"] == 50 + 40 + 0
    case.complete("Decide on publication", publishMedia=True)
    case.assert_completed(userName="mary", viralScore=90, publishMedia=True)
    assert "Task_0vu5yqs" in case.reached()

    nobody = corpus.start("BPMCamp")  # no rule matches but the last: NONE
    nobody.complete("Enter Media Details", analystSkillLevel="expert", primaryLanguage="latin", estimatedTime=9)
    nobody.assert_completed(userName="NONE")
    assert "Task_05dif1e" in nobody.reached()  # the rejection mail


def _messages_by_element(problems: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        found.setdefault((problem["file"], problem["element"]), []).append(problem["message"])
    return found


def _invoice_refusal(corpus: Corpus, path: str, file: str, listener_lines: tuple[int, int]) -> None:
    problems = corpus.refusal(path)
    found = _messages_by_element(problems)
    listeners = [(p["line"], p["message"]) for p in problems if "Listener" in p["message"]]
    create, assignment = listener_lines
    assert listeners == [  # each at its own line, told apart by its event
        (create, "taskListener (create) script in javascript cannot run here; move the logic into a Python script "
                 "task"),
        (assignment, "taskListener (assignment) script in javascript cannot run here; move the logic into a "
                     "Python script task")]
    for element in ("approveInvoice", "prepareBankTransfer"):
        assert "function calls are not supported: dateTime(...)" in found[(file, element)][-1]
    assert "dateTime(...)" in found[("reviewInvoice.bpmn", "reviewInvoice")][0]


@scenario(CAMUNDA + "invoice/invoice.v1.bpmn", outcome="refused",
          reason="JavaScript task listeners, and due dates computed with Camunda's Java dateTime() API")
def invoice_v1(corpus: Corpus) -> None:
    _invoice_refusal(corpus, CAMUNDA + "invoice/invoice.v1.bpmn", "invoice.v1.bpmn", listener_lines=(34, 39))


@scenario(CAMUNDA + "invoice/invoice.v2.bpmn", outcome="refused",
          reason="JavaScript task listeners, and due dates computed with Camunda's Java dateTime() API")
def invoice_v2(corpus: Corpus) -> None:
    _invoice_refusal(corpus, CAMUNDA + "invoice/invoice.v2.bpmn", "invoice.v2.bpmn", listener_lines=(33, 38))


@scenario(CAMUNDA + "optimize-onboarding/onboarding.bpmn", outcome="refused",
          reason="JavaScript execution and task listeners, a call passing variables one by one (and it calls "
                 "requestDocument_en, which is not in the corpus)")
def onboarding(corpus: Corpus) -> None:
    found = _messages_by_element(corpus.refusal(CAMUNDA + "optimize-onboarding/onboarding.bpmn"))
    assert set(found) == {("onboarding.bpmn", "BusinessRuleTask_CheckApplicationAutomatically"),
                          ("onboarding.bpmn", "UserTask_DecideOnApplication"),
                          ("onboarding.bpmn", "CallActivity_RequestDocument")}
    call = found[("onboarding.bpmn", "CallActivity_RequestDocument")]
    mappings = [m for m in call if "one by one" in m]
    assert len(mappings) == 1 and "camunda:out document" in mappings[0]
    unknown = [m for m in call if "requestDocument_en" in m and "nor deployed before" in m]  # told in the same round
    assert len(unknown) == 1
    assert all("script in javascript cannot run here" in m.lower() for ms in found.values() for m in ms
               if m not in mappings + unknown)


@scenario(CAMUNDA + "task-assignment-dmn/Approval.bpmn", outcome="refused",
          reason="the assignment is computed from the decision result by FEEL output-parameter scripts")
def approval(corpus: Corpus) -> None:
    found = _messages_by_element(corpus.refusal(CAMUNDA + "task-assignment-dmn/Approval.bpmn"))
    assert found == {("Approval.bpmn", "DetermineTaskAssignmentTask"): [
        f"camunda:outputParameter {name!r} is a feel script, which cannot run here; compute it in a Python "
        "script task" for name in ("assignee", "candidateUsers", "candidateGroups")]}


@scenario(CAMUNDA + "forms/screening-and-scheduling.bpmn", outcome="refused",
          reason="an output parameter calls Camunda's JSON() function; its two-decision DMN file itself deploys")
def screening_and_scheduling(corpus: Corpus) -> None:
    [problem] = corpus.refusal(CAMUNDA + "forms/screening-and-scheduling.bpmn")
    assert (problem["element"], problem["line"]) == ("Activity_0wmr9jp", 56)
    assert problem["message"] == "cannot translate '${JSON(general_config)}': function calls are not supported: JSON(...)"


# Called diagrams deployed on their own (with what they call) that are refused for problems of their own:
# path -> (element, part of the message).
DEPENDENCY_REFUSALS: dict[str, tuple[str, str]] = {
    CAMUNDA + "invoice/reviewInvoice.bpmn": ("reviewInvoice", "function calls are not supported: dateTime(...)"),
    TW + "Scripts.bpmn20.xml": ("sid-9928A8F9-83F2-4C6B-A253-FC3D161BD33C", "priority = 'Emergency'"),
}
