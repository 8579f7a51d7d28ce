"""Task forms: form-js schemas deployed with the diagrams, found from a task's formKey, enforced when
the task is completed (DOMAIN rule 15: a task takes only what its form asks for).

A formKey names a form the way Camunda does:

* ``camunda-forms:deployment:accept.form`` and ``camunda-forms:app:forms/accept.form``: a ``.form``
  file, matched by file name (folders are ignored);
* a plain ``accept.form``: the same; any other plain key (``Form_accept``, Camunda's ``formRef``) is
  matched by file name first, then by the form's ``id``;
* ``camunda-forms:bpmn:UserTaskForm_1`` (Camunda 8 linking a form to the task): the deployed form
  whose ``id`` is that (a form exported from the diagram into a ``.form`` file keeps its id);
* ``embedded:...`` and ``app:...``: HTML or JSF pages the client application renders. The server has
  no schema for them, so their submissions are not validated here;
* ``<process>.<element>.generated.form``: the form deploy made from the element's ``camunda:formData``
  (engine.camunda_forms), a name no uploaded form may take.

Of several deployed forms that match, the one deployed with the task's diagram wins (newest first:
redeploying an unchanged diagram with a corrected form keeps the version and uses the new form),
else the newest anywhere. A formKey that matches no deployed form is warned about at deploy, and
the task completes without form checks.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import or_, select

from ._form_compiler import CompiledForm
from ._form_reader import read
from .bpmn_xml import PROCESS_KEY, PreparedDiagram, Problem
from .errors import DeploymentInvalid, NotFound, ProcessError
from .form_key_cache import MISSING, RESOURCES_MARKER
from .json_depth import loads, too_deep
from .models import ProcessDefinition, Resource
from .problem_codes import said
from .unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

EXTERNAL_PREFIXES = ("embedded:", "app:")
# A process property listing the member forms of a one-thing bundle, merged into its start form (engine.form_merge).
BUNDLE_PROPERTY = "govflow.bundleForms"


def bundle_form_keys(properties: dict[str, str] | None) -> list[str]:
    """The form keys a process's ``govflow.bundleForms`` lists (comma-separated), in order, each once."""
    listed = (properties or {}).get(BUNDLE_PROPERTY) or ""
    return list(dict.fromkeys(part.strip() for part in listed.split(",") if part.strip()))


FILE_PREFIXES = ("camunda-forms:deployment:", "camunda-forms:app:")
ID_PREFIX = "camunda-forms:bpmn:"
# The names of the forms deploy generates from camunda:formData (engine.camunda_forms), kept from uploads so
# that a task's generated form is always the one generated.
GENERATED_SUFFIX = ".generated.form"


@dataclass(frozen=True)
class FormRef:
    """What a formKey points at: a file name, a form id, or a page the client renders (external)."""

    key: str
    name: str | None = None
    form_id: str | None = None

    @property
    def external(self) -> bool:
        return self.name is None and self.form_id is None


@dataclass
class TaskForm:
    key: str
    schema: dict[str, Any] | None  # the form-js JSON; None for embedded/app forms
    data: dict[str, Any]  # the current values of the form's fields, to prefill it


def parse_key(key: str) -> FormRef:
    if key.startswith(EXTERNAL_PREFIXES):
        return FormRef(key)
    for prefix in FILE_PREFIXES:
        if key.startswith(prefix):
            return FormRef(key, name=PurePosixPath(key[len(prefix):]).name)
    if key.startswith(ID_PREFIX) and len(key) > len(ID_PREFIX):
        return FormRef(key, form_id=key[len(ID_PREFIX):])
    if key.endswith(".form"):
        return FormRef(key, name=PurePosixPath(key).name)
    return FormRef(key, name=key, form_id=key)


def check(name: str, content: bytes) -> list[Problem]:
    """Problems of a ``.form`` file at deploy: anything the server could not enforce as form-js does, or a
    name kept for generated forms; each with its line (``with_lines``)."""
    if PurePosixPath(name).name.endswith(GENERATED_SUFFIX):
        return [Problem.of(name, 1, None, said("form.generated_name", suffix=GENERATED_SUFFIX))]
    return with_lines(read(name, content)[1], content)


def with_lines(problems: list[Problem], content: bytes) -> list[Problem]:
    """Problems each with a line, for an editor to jump to: one without (a form component that has no id,
    a whole-file problem) at the line of the component's ``"key"`` in ``content``, else line 1."""
    text = content.decode("utf-8", "replace")
    for problem in problems:
        if problem.line is None and problem.element is not None:
            found = re.search(rf'"key"\s*:\s*{re.escape(json.dumps(str(problem.element), ensure_ascii=False))}', text)
            problem.line = text.count("\n", 0, found.start()) + 1 if found else None
        problem.line = problem.line or 1
    return problems


def check_references(uow: UnitOfWork, prepared: list[PreparedDiagram], files: list[tuple[str, bytes]]
                     ) -> list[Problem]:
    """Warnings for user tasks and start events whose formKey, and one-thing bundles whose
    ``govflow.bundleForms``, name a form neither in this deployment nor deployed before."""
    names, ids = set(), set()
    for file_name, content in files:
        if file_name.lower().endswith(".form"):
            names.add(PurePosixPath(file_name).name)
            form_id = _form_id(content)
            if form_id:
                ids.add(form_id)

    def missing(key: str, diagram: PreparedDiagram, element_id: str, without_it: str) -> Problem | None:
        """A warning when the form ``key`` names is not at hand, saying what becomes of the element without
        it; None when it is (or names a page)."""
        ref = parse_key(key)
        if ref.external or ref.name in names or ref.form_id in ids:
            return None
        line = diagram.lines.get(element_id)
        try:
            if _find(uow, ref, None) is not None:
                return None
        except DeploymentInvalid:  # deployed before forms were checked
            return Problem.of(diagram.name, line, element_id, said("form.deployed_invalid", key=key), "warning")
        return Problem.of(diagram.name, line, element_id, said("form.missing", key=key, without_it=without_it),
                          "warning")

    problems = []
    for diagram in prepared:
        for pid, elements in diagram.elements.items():
            for element_id, meta in elements.items():
                key = meta.get("form_key")
                if isinstance(key, str):
                    problems.append(missing(key, diagram, element_id, _without_it(meta, elements)))
            for key in bundle_form_keys(elements.get(PROCESS_KEY, {}).get("properties")):
                problems.append(missing(key, diagram, pid, f"it is one of {BUNDLE_PROPERTY}, and no case "
                                                           "starts until it is deployed"))
    return [problem for problem in problems if problem is not None]


def _without_it(meta: dict[str, Any], elements: dict[str, dict[str, Any]]) -> str:
    """What becomes of an element whose form is missing: a start form merged into a bundle's form stops
    every start (engine.form_merge); any other is skipped, as Camunda skips a form it cannot find."""
    if meta.get("type") != "startEvent":
        return "the task will be completed without form checks"
    if (elements.get(PROCESS_KEY, {}).get("properties") or {}).get(BUNDLE_PROPERTY):
        return f"it is merged with the forms of {BUNDLE_PROPERTY}, and no case starts until it is deployed"
    return "cases will start without form checks"


def validate_submission(uow: UnitOfWork, form_key: str | None, definition: ProcessDefinition | None,
                        current: dict[str, Any], submitted: dict[str, Any]) -> dict[str, Any]:
    """The variables a task's completion may store: checked against its form, hidden and readonly
    values dropped. Without a form (or with an embedded one) the submission passes unchanged.

    Raises:
        ValidationFailed: a field broke a rule, or the submission has fields the form lacks.
        ProcessError: the deployed form itself is broken (deployed before forms were checked).
    """
    form = _form_for(uow, form_key, definition)
    if form is None:
        return submitted
    return form.validate(submitted, current)


def describe(uow: UnitOfWork, form_key: str | None, definition: ProcessDefinition | None,
             data: dict[str, Any]) -> TaskForm:
    """A task's form and the values to prefill it with.

    Raises:
        NotFound: the task has no form, or its form is not deployed.
        ProcessError: the deployed form is broken.
    """
    if not form_key:
        raise NotFound("the task has no form")
    if parse_key(form_key).external:
        return TaskForm(form_key, None, {})
    form = _form_for(uow, form_key, definition)
    if form is None:
        raise NotFound(f"form {form_key!r} is not deployed")
    return TaskForm(form_key, form.schema, form.prefill(data))


def deployed_schema(uow: UnitOfWork, form_key: str) -> dict[str, Any] | None:
    """The form-js schema of the deployed form a key names (newest first), or None: not deployed, external,
    or broken. Quiet, for deploy-time checks (engine.lint)."""
    ref = parse_key(form_key)
    if ref.external:
        return None
    try:
        form = _find(uow, ref, None)
    except DeploymentInvalid:
        return None
    return form.schema if form is not None else None


def _form_for(uow: UnitOfWork, form_key: str | None, definition: ProcessDefinition | None) -> CompiledForm | None:
    if not form_key:
        return None
    ref = parse_key(form_key)
    if ref.external:
        return None  # rendered by the client application; the server has no schema to check against
    try:
        form = _find(uow, ref, definition)
    except DeploymentInvalid as exc:
        raise ProcessError(f"{exc.message}; deploy a corrected form", details=exc.details) from exc
    if form is None:
        log.warning("form %r is not deployed; completing without form checks", form_key)
    return form


def _find(uow: UnitOfWork, ref: FormRef, definition: ProcessDefinition | None) -> CompiledForm | None:
    """The matching form, compiled (from the process's cache). Raises DeploymentInvalid for a broken one.

    A task's form (a definition given) is resolved once per deployed state (engine.form_key_cache);
    deploy-time checks (no definition) resolve afresh: their transaction holds resources not yet committed.
    """
    if definition is None:
        row = _resolve(uow, ref, None)
    else:
        key = (definition.id, ref.key)
        marker = tuple(uow.session.execute(RESOURCES_MARKER).one())  # read first: a later deployment is newer
        row = uow.runtime.form_keys.get(key, marker)
        if row is MISSING:
            row = _resolve(uow, ref, definition)
            uow.runtime.form_keys.put(key, marker, row)
    return _compiled(uow, row) if row is not None else None


def _resolve(uow: UnitOfWork, ref: FormRef, definition: ProcessDefinition | None) -> Any:
    """The resource row of the matching form, or None. Raises DeploymentInvalid for a broken one."""
    query = (select(Resource.id, Resource.name, Resource.deployment_id, Resource.sha256)
             .where(Resource.kind == "form").order_by(Resource.id.desc()))
    home = _home_deployments(uow, definition)

    def home_first(row: Any) -> bool:  # sorted() is stable: newest first within each half
        return row.deployment_id not in home
    if ref.name:
        # A file deployed from a folder ("forms/accept.form") matches by its last part; "_" is a LIKE wildcard.
        pattern = "%/" + ref.name.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        rows = uow.session.execute(query.where(or_(Resource.name == ref.name,
                                                   Resource.name.like(pattern, escape="!")))).all()
        named = sorted((r for r in rows if PurePosixPath(r.name).name == ref.name), key=home_first)
        if named:
            return named[0]
    if ref.form_id:
        for row in sorted(uow.session.execute(query).all(), key=home_first):
            try:
                form = _compiled(uow, row)
            except DeploymentInvalid:
                continue  # a broken form cannot be the one meant by id; a name match would report it
            if form.form_id == ref.form_id:
                return row
    return None


def _compiled(uow: UnitOfWork, row: Any) -> CompiledForm:
    return uow.runtime.forms.get(row.sha256, row.name, lambda: uow.session.scalars(
        select(Resource.content).where(Resource.id == row.id)).one())


def _home_deployments(uow: UnitOfWork, definition: ProcessDefinition | None) -> set[int]:
    """Deployments that carried this definition's diagram byte for byte (its own and later redeployments)."""
    if definition is None:
        return set()
    diagram = select(Resource.sha256).where(Resource.id == definition.resource_id).scalar_subquery()
    found = set(uow.session.scalars(select(Resource.deployment_id).where(Resource.kind == "bpmn",
                                                                          Resource.sha256 == diagram)))
    return found | {definition.deployment_id}


def _form_id(content: bytes) -> str | None:
    try:
        text = content.decode("utf-8-sig")
        schema = None if too_deep(text) else loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # reported by check()
    return schema.get("id") if isinstance(schema, dict) and isinstance(schema.get("id"), str) else None
