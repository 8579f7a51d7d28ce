"""Driving an item of the service-item library (bpmn/<item-code>/) over the HTTP API: deploy it with the
library's forms, fire its timers, read its case states (its tasks are completed with tests.helpers)."""
from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from engine import jobs, timeline
from engine.models import Job
from engine.users import Actor
from tests.helpers import ROOT, ApiClient, guide_samples, seed_national_calendar

LIBRARY = ROOT / "bpmn"
FORMS = ROOT / "forms"
READER = Actor("supervisor", roles=frozenset({"supervisor"}))
# What the food licence's start form (forms/food-business-licence-application.form, 食品经营许可申请书) asks:
# a case of SCJG-XK-0001 starts with it whenever the library's forms are deployed.
FOOD_APPLICATION: dict[str, Any] = {
    "applicant_name": "某某餐饮管理有限公司", "applicant_id_number": "91140302MA0K3L7Q8C",
    "legal_representative": "王某", "applicant_phone": "13800138000", "business_address": "阳泉市城区桃北西街18号",
    "business_type": "catering", "food_categories": ["hot_food", "drinks"], "food_safety_manager": "李某",
}


def food_application(**changed: Any) -> dict[str, Any]:
    """The food licence's application, with ``changed`` values (e.g. another applicant_name)."""
    return {**FOOD_APPLICATION, **changed}


def item_files(code: str) -> list[tuple[str, bytes]]:
    """An item's diagrams, guide and document templates, named as ``govflow deploy bpmn/ forms/`` names
    them (``<code>/guide.json``, ``documents/<name>.html``), with the library's shared templates and forms."""
    folder = LIBRARY / code
    files = [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.bpmn"))]
    files.append((f"{code}/guide.json", (folder / "guide.json").read_bytes()))
    files += guide_samples((folder / "guide.json").read_bytes(), folder)
    templates = sorted((LIBRARY / "documents").glob("*.html")) + sorted((folder / "documents").glob("*.html"))
    files += [(f"documents/{path.name}", path.read_bytes()) for path in templates]
    files += [(path.name, path.read_bytes()) for path in sorted(FORMS.glob("*.form"))]
    return files


def deploy_item(api: ApiClient, code: str, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Deploy an item as an analyst (with the national calendar loaded) and return the deployment.
    ``leave_out``: names of its files not to deploy (a document template, say)."""
    seed_national_calendar(api.runtime)
    analyst = api.as_("analyst")
    uploads = [(io.BytesIO(content), name) for name, content in item_files(code) if name not in leave_out]
    response = analyst.client.post("/api/deployments", data={"files": uploads}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def guide(code: str) -> dict[str, Any]:
    """The item's guide, each material's sample by its title alone: a copy deployed under another code (or
    alone) needs none of the item's sample files (``item_files`` deploys them with the guide as written)."""
    content = json.loads((LIBRARY / code / "guide.json").read_text(encoding="utf-8"))
    for material in content.get("materials") or []:
        if isinstance(material.get("sample"), dict):
            material["sample"] = material["sample"]["title"]
    return dict(content)


def form_options(form: str, key: str) -> list[Any]:
    """The values a choice field of a library form offers."""
    schema = json.loads((FORMS / form).read_text(encoding="utf-8"))
    [field] = [c for c in schema["components"] if c.get("key") == key]
    return [option["value"] for option in field["values"]]


def case(api: ApiClient, case_id: int) -> dict[str, Any]:
    response = api.as_("supervisor").get(f"/api/process-instances/{case_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def send_message(api: ApiClient, name: str, business_key: str, expect: int = 200, **variables: Any) -> Any:
    response = api.as_("integrator").post("/api/messages", json={
        "name": name, "business_key": business_key, "variables": variables})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def pending_timer(api: ApiClient, case_id: int, bpmn_id: str) -> Job:
    with api.runtime.uow() as uow:
        [job] = uow.session.scalars(select(Job).where(Job.instance_id == case_id, Job.bpmn_id == bpmn_id,
                                                      Job.state == "pending")).all()
        uow.session.expunge(job)
        return job


def fire_timer(api: ApiClient, case_id: int, bpmn_id: str) -> Job:
    """Let the case's pending timer ``bpmn_id`` fall due, as a worker would see it then."""
    job = pending_timer(api, case_id, bpmn_id)
    assert jobs.run_due(api.runtime, worker_id="test", now=job.due_at + timedelta(seconds=1)) >= 1
    return job


def case_states(api: ApiClient, case_id: int) -> list[str]:
    """The case states the case's timeline reached, in order (已接件, 已受理, ...)."""
    file = timeline.case_file(api.runtime.uow(), case_id, actor=READER)
    return [entry.case_state for entry in file.timeline if entry.case_state]


def history_events(api: ApiClient, case_id: int) -> list[dict[str, Any]]:
    response = api.as_("supervisor").get(f"/api/process-instances/{case_id}/history")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def documents(api: ApiClient, case_id: int) -> dict[str, str]:
    """The documents issued on the case: template name -> the HTML the applicant got."""
    integrator = api.as_("integrator")
    listed = integrator.get(f"/api/process-instances/{case_id}/documents")
    assert listed.status_code == 200, listed.get_json()
    issued = {}
    for document in listed.get_json():
        html = integrator.get(f"/api/process-instances/{case_id}/documents/{document['id']}?format=html")
        assert html.status_code == 200
        issued[document["name"]] = html.get_data(as_text=True)
    return issued


def completed_elements(api: ApiClient, case_id: int) -> list[str]:
    return [e["element_id"] for e in history_events(api, case_id) if e["event"] == "element.completed"]



SCAN = b"%PDF-1.4\n% a scanned page\n"


def supply_materials(api: ApiClient, case_id: int, code: str, *, leave_out: tuple[str, ...] = (),
                     paper: tuple[str, ...] = (), clerk: str = "window_clerk") -> None:
    """What the window receives before acceptance: every material of the item's guide uploaded (a small PDF
    each), but those in ``leave_out`` (missing) and in ``paper`` (recorded as paper originals checked at
    the window, 纸质原件已核验, by ``clerk``, who accepts)."""
    for material in guide(code)["materials"]:
        name = material["name"]
        if name in leave_out:
            continue
        if name in paper:
            marked = api.as_(clerk).post(f"/api/process-instances/{case_id}/materials/marks",
                                         json={"name": name, "kind": "paper_checked"})
            assert marked.status_code == 201, marked.get_json()
            continue
        uploaded = api.as_("integrator").post(f"/api/process-instances/{case_id}/materials",
                                              data={"name": name, "file": (io.BytesIO(SCAN), "scan.pdf")},
                                              content_type="multipart/form-data")
        assert uploaded.status_code == 201, uploaded.get_json()
