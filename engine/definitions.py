"""Repository: deploy diagrams, version them, and read definitions back."""
from __future__ import annotations

import ast
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import _spiff, camunda_forms, diagrams, documents, forms, guides, lint, samples
from .bpmn_xml import HUMAN_TAGS, PreparedDiagram, Problem, duplicate_ids, to_utf8
from .errors import Conflict, DeploymentInvalid, InvalidRequest, NotFound
from .execution import find_definition, latest_definition
from .models import DepartmentGroup, Deployment, ProcessDefinition, Resource, User
from .problem_codes import said
from .unit_of_work import UnitOfWork
from .users import Actor

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".bpmn2")
TAKE_OVER_RULE = "take_over"  # a file taking over another's process id (deploy's ``takeovers``)
# Every kind kind_of knows, for the message refusing any other file.
ACCEPTED = (".bpmn, .bpmn20.xml, .bpmn2, .dmn, .form, guide.json, .html document template files or a guide's "
            "sample files (<item>/samples/*.html, .pdf, .docx, .xlsx)")


@dataclass
class DeployedDefinition:
    definition: ProcessDefinition
    new: bool  # False: identical content was already deployed, its version is reused


@dataclass
class DeploymentResult:
    deployment: Deployment | None
    definitions: list[DeployedDefinition]
    warnings: list[Problem] = field(default_factory=list)
    guides: list[guides.DeployedGuide] = field(default_factory=list)
    # The forms generated from camunda:formData (engine.camunda_forms), by the names tasks find them under.
    generated_forms: list[str] = field(default_factory=list)


def kind_of(name: str) -> str:
    lower = name.lower()
    if lower.endswith(BPMN_SUFFIXES):
        return "bpmn"
    if lower.endswith(".dmn"):
        return "dmn"
    if lower.endswith(".form"):
        return "form"
    if PurePosixPath(lower).name == "guide.json":
        return "guide"
    if samples.is_sample(name):  # before templates: a sample's HTML is a page to print, not a template
        return samples.KIND
    if documents.is_template(name):
        return "document"
    return "other"


def deploy(uow: UnitOfWork, files: list[tuple[str, bytes]], *, actor: Actor,
           name: str | None = None, based_on: Mapping[str, int] | None = None,
           takeovers: Literal["warn", "refuse", "accept"] = "warn") -> DeploymentResult:
    """Deploy a set of files atomically: every diagram is checked and nothing is stored if any fails.

    Each executable process becomes a definition keyed by its process id; changed content makes the
    next version, identical content keeps the current one.

    ``based_on`` guards an edit (the modeler's save, an upload through the API that gives it): for each key
    edited, the latest version the editor knew of, every process of the file (a file of two pools has two).
    Given, a process of such a key is refused while a newer version exists, and a process of any other key
    is refused if that key is deployed at all (one not deployed yet, a pool added while editing, saves), so
    that neither another analyst's version nor an existing item is taken over unnoticed. None (plain
    uploads, the CLI): no such guard.

    A process id deployed before, but never under this process name nor from a file of this name, may be a
    new item that kept a copied id, about to become another item's next version: ``takeovers`` says what
    becomes of it — ``warn`` (the API, the CLI), ``refuse`` (the deploy page, naming it: rule ``take_over``)
    or ``accept`` (the deploy page once the analyst confirmed: no warning to confirm again).

    Raises:
        Forbidden: the actor may not deploy.
        InvalidRequest: no files given.
        DeploymentInvalid: with every problem found (file, line, element, message).
        Conflict: another deployment of the same key committed at the same moment; or, with ``based_on``,
            versions in the way, each in ``details`` (key, version, deployed_by, deployed_at, based_on).
    """
    actor.require("analyst", action="deploy")
    if takeovers not in ("warn", "refuse", "accept"):
        raise ValueError(f"takeovers is warn, refuse or accept, not {takeovers!r}")
    if name is not None and len(name) > 200:
        raise InvalidRequest("a deployment's name is at most 200 characters")
    if not files:
        raise InvalidRequest("no files to deploy (multipart field 'files')")
    files, encoding_problems = transcode(files)
    files = [(_in_item_folder(n, c), c) for n, c in files]
    files = _samples_in_item_folder(files)
    problems, prepared, dmn = _prepare(files, skip={p.file for p in encoding_problems if p.severity == "error"})
    problems[:0] = encoding_problems
    # Forms generated from camunda:formData are deployed, checked and found as the uploaded ones.
    generated = camunda_forms.take(prepared)
    files = [*files, *generated]
    with uow:
        if based_on is not None:  # whose diagram this is comes before what is wrong in it
            _check_based_on(uow, prepared, based_on)
        templates = [(n, c) for n, c in files if kind_of(n) != samples.KIND]  # HTML samples are no templates
        problems.extend(documents.check_templates(uow, templates))  # a layout they extend may be deployed already
        built: dict[str, dict[str, Any]] = {}
        if not _errors(problems):
            built, parse_problems = _spiff.build_specs(prepared, dmn)
            problems.extend(parse_problems)
            if takeovers != "accept":
                problems.extend(_check_takeovers(uow, prepared, confirmed=takeovers != "refuse"))
            problems.extend(forms.check_references(uow, prepared, files))
            problems.extend(documents.check_references(uow, prepared, templates))
            problems.extend(guides.check_deployment(uow, files, set(built)))
            problems.extend(lint.check_deployment(uow, prepared, files))
            problems.extend(_check_candidate_groups(uow, prepared))
            problems.extend(_check_named_users(uow, prepared))
            problems.extend(_check_unnamed_tasks(prepared))
        # Calls are checked whatever else is wrong: the analyst learns of all of it in one round.
        problems.extend(_check_calls(uow, prepared, set(built) | {key for d in prepared for key in d.executable}))
        problems = _unique(problems)  # lint and deploy both say some things (a task nobody is named for)
        if _errors(problems):
            raise DeploymentInvalid(
                f"deployment refused: {len(_errors(problems))} problem(s)",
                details=[p.as_dict() for p in _errors(problems)] + [p.as_dict() for p in _warnings(problems)],
            )
        result = _store(uow, files, built, actor, name)
        result.warnings = _warnings(problems)
        result.generated_forms = [form_name for form_name, _ in generated]
        try:
            uow.commit()
        except IntegrityError:
            raise Conflict("another deployment of the same process committed meanwhile; deploy again") from None
        return result


def _unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once, in the order first found."""
    found: dict[tuple[Any, ...], Problem] = {}
    for problem in problems:
        found.setdefault((problem.file, problem.line, problem.element, problem.message, problem.severity), problem)
    return list(found.values())


def transcode(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Diagrams and decision tables as they are stored: in UTF-8, as the pages, the modeler and the XML
    endpoint read them. One saved in another encoding it declares (GBK, as Chinese tools still save) is
    transcoded, with a warning; one that does not decode in its encoding is refused."""
    out: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for file_name, content in files:
        if kind_of(file_name) in ("bpmn", "dmn"):
            transcoded = to_utf8(file_name, content)
            if transcoded.problem is not None:
                problems.append(transcoded.problem)
            elif transcoded.encoding is not None:
                problems.append(Problem.of(file_name, 1, None, said("xml.transcoded", encoding=transcoded.encoding),
                                           "warning"))
                content = transcoded.content
        out.append((file_name, content))
    return out, problems


def _prepare(files: list[tuple[str, bytes]], skip: set[str] | None = None
             ) -> tuple[list[Problem], list[PreparedDiagram], list[tuple[str, Any]]]:
    # Templates have a check of their own (engine.documents), naming the template both files define.
    problems: list[Problem] = lint.name_clashes((name, _found_as(name)) for name, _ in files
                                                if kind_of(name) != "document")
    prepared: list[PreparedDiagram] = []
    dmn: list[tuple[str, Any]] = []
    seen_processes: dict[str, str] = {}
    for file_name, content in files:
        kind = kind_of(file_name)
        if skip and file_name in skip:  # refused already (an encoding it is not in)
            continue
        if kind == "bpmn":
            diagram = diagrams.prepare(file_name, content)
            problems.extend(diagram.problems)
            problems.extend(duplicate_ids(diagram))
            for pid in diagram.executable:
                if pid in seen_processes:
                    problems.append(Problem.of(file_name, diagram.lines.get(pid), pid,
                                               said("process.duplicate", process=pid, other=seen_processes[pid])))
                seen_processes[pid] = file_name
            prepared.append(diagram)
        elif kind == "form":
            problems.extend(forms.check(file_name, content))
        elif kind == "guide":
            problems.extend(guides.check(file_name, content))
        elif kind == samples.KIND:
            problems.extend(samples.check(file_name, content))
        elif kind == "dmn":
            tree, problem = diagrams.safe_parse(file_name, content)
            if problem:
                problems.append(problem)
            else:
                dmn.append((file_name, tree))
        elif kind == "other":
            problems.append(Problem.of(file_name, None, None, said("file.unsupported", accepted=ACCEPTED)))
    # A deployment of guides alone is fine: check_deployment requires their processes to be deployed.
    if not prepared and not skip and not any(p.severity == "error" for p in problems) \
            and not any(kind_of(n) in ("guide", "document", samples.KIND) for n, _ in files):
        problems.append(_no_diagram(files))
    return problems, prepared, dmn


NO_DIAGRAM = said("bpmn.no_diagram").message


def _no_diagram(files: list[tuple[str, bytes]]) -> Problem:
    """A deployment without a diagram; forms alone are named, with what to do (as govflow lint says)."""
    form_files = [name for name, _ in files if kind_of(name) == "form"]
    if not form_files:
        return Problem.of(files[0][0], None, None, said("bpmn.no_diagram"))
    which = "this form with the diagram that uses it" if len(form_files) == 1 else \
        f"these {len(form_files)} forms ({', '.join(form_files)}) with the diagrams that use them"
    return Problem.of(form_files[0], None, None, said("bpmn.forms_alone", which=which, forms=", ".join(form_files)))


def _check_calls(uow: UnitOfWork, prepared: list[PreparedDiagram], deployed_now: set[str]) -> list[Problem]:
    problems = []
    for diagram in prepared:
        for elements in diagram.elements.values():
            for element_id, meta in elements.items():
                called = meta.get("called")
                if called and called not in deployed_now and latest_definition(uow, called) is None:
                    problems.append(Problem.of(diagram.name, diagram.lines.get(element_id), element_id,
                                               said("call.unknown", called=called)))
    return problems


def _check_based_on(uow: UnitOfWork, prepared: list[PreparedDiagram], based_on: Mapping[str, int]) -> None:
    """Raise Conflict naming every deployed version the diagrams would silently follow: a version newer than
    the one an edited key was based on, or the latest version of a key the editor did not start from."""
    in_the_way: list[dict[str, Any]] = []
    for diagram in prepared:
        for key in diagram.executable:
            latest = uow.session.execute(
                select(ProcessDefinition.version, Deployment.deployed_by, Deployment.deployed_at)
                .join(Deployment, ProcessDefinition.deployment_id == Deployment.id)
                .where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc()).limit(1)).first()
            base = based_on.get(key)
            if latest is not None and (base is None or latest.version > base):
                in_the_way.append({"key": key, "version": latest.version, "deployed_by": latest.deployed_by,
                                   "deployed_at": latest.deployed_at.isoformat(), "based_on": base})
    if not in_the_way:
        return
    first = in_the_way[0]
    # Every process in the way is named: a file of two pools may have both taken over.
    raise Conflict("; ".join(_in_the_way(d) for d in in_the_way), details=in_the_way, key=first["key"],
                   version=first["version"])


def _in_the_way(detail: Mapping[str, Any]) -> str:
    key, version, base = detail["key"], detail["version"], detail["based_on"]
    who = f"by {detail['deployed_by']} at {detail['deployed_at']}"
    if base is None:
        return (f"process {key!r} is already deployed (version {version}, {who}): give a new process another id, "
                f"or open version {version} to edit it")
    return (f"process {key!r} has version {version} ({who}), newer than version {base} this diagram was edited "
            f"from: open it, or save again on purpose")


def _check_candidate_groups(uow: UnitOfWork, prepared: list[PreparedDiagram]) -> list[Problem]:
    """A warning for each candidate group (written out, or a lane's name) that is neither a user's group nor a
    department's: no queue shows the task until someone is given that group. Groups computed when a task
    opens (``${...}``) are not known here; nor is any group before the first one is given to someone (a new
    installation deploying its library first), when a typo cannot be told from a group still to come."""
    known = set(uow.session.scalars(select(DepartmentGroup.group_name)))
    for groups in uow.session.scalars(select(User.groups)):
        known.update(groups or [])
    if not known:
        return []
    problems = []
    for diagram in prepared:
        for elements in diagram.elements.values():
            for element_id, meta in elements.items():
                for group in _literal_names(meta.get("candidate_groups")):
                    if group not in known:
                        problems.append(Problem.of(diagram.name, diagram.lines.get(element_id), element_id,
                                                   said("human_task.unknown_group", group=group), "warning"))
    return problems


def _check_unnamed_tasks(prepared: list[PreparedDiagram]) -> list[Problem]:
    """A warning for each human task nobody is named for (no candidate group or user, assignee or lane): every
    clerk's queue offers it (engine.tasks.may_work), whatever their department. Lint says the same."""
    return [Problem.of(diagram.name, diagram.lines.get(element_id), element_id,
                       said("human_task.unnamed", tag=meta.get("type"), name=meta.get("name") or element_id),
                       "warning")
            for diagram in prepared for elements in diagram.elements.values()
            for element_id, meta in elements.items()
            if meta.get("type") in HUMAN_TAGS
            and not any(meta.get(k) for k in ("candidate_groups", "candidate_users", "assignee"))]


def _check_named_users(uow: UnitOfWork, prepared: list[PreparedDiagram]) -> list[Problem]:
    """A warning for each assignee or candidate user written out that is no user here (a typo, or someone
    not set up yet): the task would wait for a name nobody logs in as. Users computed when a task opens
    (``${initiator}``) are not known here; nor is anything before the first user is added."""
    known = set(uow.session.scalars(select(User.name)))
    if not known:
        return []
    problems = []
    for diagram in prepared:
        for elements in diagram.elements.values():
            for element_id, meta in elements.items():
                for attribute, what in (("assignee", "assignee"), ("candidate_users", "candidate user")):
                    for name in _literal_names(meta.get(attribute)):
                        if name not in known:
                            problems.append(Problem.of(diagram.name, diagram.lines.get(element_id), element_id,
                                                       said("human_task.unknown_user", what=what, name=name), "warning"))
    return problems


def _literal_names(python: Any) -> list[str]:
    """The names a candidate-group expression gives when it is a literal (text split at commas, as a task
    reads it: engine.execution), else none."""
    try:
        value = ast.literal_eval(python) if isinstance(python, str) else None
    except (ValueError, SyntaxError):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v).strip() for v in value if str(v).strip()] if isinstance(value, (list, tuple)) else []


def _check_takeovers(uow: UnitOfWork, prepared: list[PreparedDiagram], *, confirmed: bool) -> list[Problem]:
    """Where a process id was deployed before, but never under this name nor from a file of this name: most
    likely a new item that kept a copied or default id (``Process_1``), about to become the next version of
    someone else's — an error unless ``confirmed``, then a warning. A renamed file of the same process
    (``permit_v2.bpmn``) or a rollback to an earlier version is no such case."""
    problems = []
    for diagram in prepared:
        for key in diagram.executable:
            earlier = uow.session.execute(select(ProcessDefinition.name, ProcessDefinition.resource_name,
                                                 ProcessDefinition.version)
                                          .where(ProcessDefinition.key == key)
                                          .order_by(ProcessDefinition.version.desc())).all()
            if earlier and diagram.process_names.get(key) not in {name for name, _, _ in earlier} \
                    and PurePosixPath(diagram.name).name not in {PurePosixPath(f).name for _, f, _ in earlier}:
                latest_name, latest_file, latest_version = earlier[0]
                problems.append(Problem.of(
                    diagram.name, diagram.lines.get(key), key,
                    said("process.taken_over" if confirmed else "process.takeover", process=key, file=latest_file,
                         version=latest_version, named=f", {latest_name}" if latest_name else "",
                         latest_name=latest_name or None),  # apart, for a page's own punctuation
                    severity="warning" if confirmed else "error", rule=TAKE_OVER_RULE))
    return problems


def _in_item_folder(file_name: str, content: bytes) -> str:
    """A guide uploaded without its folder (a browser or curl sends ``guide.json`` alone) named as
    ``govflow deploy`` names it, by its item code: ``SCJG-XK-0001/guide.json``. Two items' guides then
    deploy together; a guide whose code cannot be read keeps its name (its check says why)."""
    if kind_of(file_name) != "guide" or guides.folder_of(file_name) is not None:
        return file_name
    data, _ = guides.parse(file_name, content)
    code = data.get("code") if data else None
    return f"{code}/{file_name}" if isinstance(code, str) and guides.CODE.match(code) else file_name


def _samples_in_item_folder(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Sample files uploaded as ``samples/<name>`` (no item folder) named under the folder of the one guide
    deployed with them, as ``govflow deploy`` names them; with several guides (or none) their name stays,
    and a guide naming them says it does not find them."""
    folders = {str(guides.folder_of(n)) for n, _ in files if kind_of(n) == "guide" and guides.folder_of(n)}
    if len(folders) != 1:
        return files
    [folder] = folders
    return [(f"{folder}/{n}" if kind_of(n) == samples.KIND and PurePosixPath(n).parent.as_posix() == samples.FOLDER
             else n, c) for n, c in files]


def _found_as(file_name: str) -> str:
    """The name a file is looked up by: a form by its last path segment (a formKey names no folder)."""
    return PurePosixPath(file_name).name if kind_of(file_name) == "form" else file_name


def _stored_name(file_name: str) -> str:
    # A template is found by its name alone, whatever path its upload carried.
    return documents.stored_name(file_name) if kind_of(file_name) == "document" else file_name


def _store(uow: UnitOfWork, files: list[tuple[str, bytes]], built: dict[str, dict[str, Any]], actor: Actor,
           name: str | None) -> DeploymentResult:
    session = uow.session
    deployment = Deployment(name=name, deployed_by=actor.name)
    session.add(deployment)
    resources: dict[str, Resource] = {}
    for file_name, content in files:
        kind = kind_of(file_name)
        stored = _stored_name(file_name)
        digest = hashlib.sha256(content).hexdigest()
        if kind == samples.KIND and samples.unchanged(uow, stored, digest):
            continue  # deployed again unchanged: the sample stored before stays the one served
        resource = Resource(name=stored, kind=kind, content=content, sha256=digest)
        deployment.resources.append(resource)
        resources[file_name] = resource
    session.flush()
    result = DeploymentResult(deployment=deployment, definitions=[])
    for pid, item in built.items():
        diagram: PreparedDiagram = item["diagram"]
        resource = resources[diagram.name]
        # The hash covers the diagram bytes and the process id (two processes of one file version separately),
        # and the decisions its business rule tasks run: a changed DMN table beside an unchanged diagram is a
        # new version. Without such a task it is the diagram's hash alone, as it was before decisions counted.
        diagram_hash = hashlib.sha256(resource.sha256.encode() + pid.encode()).hexdigest()
        decisions = _spiff.decisions_digest(item["spec"], item["subprocess_specs"])
        content_hash = diagram_hash if decisions is None else \
            hashlib.sha256(f"{diagram_hash}:{decisions}".encode()).hexdigest()
        latest = latest_definition(uow, pid)
        if latest is not None and (latest.content_hash == content_hash
                                   or _same_decisions_before_hashed(latest, diagram_hash, decisions)):
            result.definitions.append(DeployedDefinition(latest, new=False))
            continue
        definition = ProcessDefinition(
            key=pid, version=(latest.version + 1) if latest else 1, name=item["name"], deployment_id=deployment.id,
            resource_id=resource.id, resource_name=resource.name, content_hash=content_hash, spec=item["spec"],
            subprocess_specs=item["subprocess_specs"], called_keys=item["called_keys"],
            elements={pid: diagram.elements.get(pid, {})}, start_messages=item["start_messages"],
        )
        session.add(definition)
        result.definitions.append(DeployedDefinition(definition, new=True))
    session.flush()
    result.guides = guides.store(uow, files, deployment)
    return result


def _same_decisions_before_hashed(latest: ProcessDefinition, diagram_hash: str, decisions: str | None) -> bool:
    """Whether ``latest`` was stored before its decisions counted in its hash (its hash is the diagram's
    alone) with the very decisions deployed now: kept then, rather than every process with a business rule
    task versioned again on the first deployment after the change."""
    return decisions is not None and latest.content_hash == diagram_hash \
        and _spiff.decisions_digest(latest.spec, latest.subprocess_specs) == decisions


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def _warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity != "error"]


# ---- reading -----------------------------------------------------------------------------------

def deployed_as(uow: UnitOfWork, name: str) -> bool:
    """Whether a deployment of this name exists (``govflow deploy --once`` names one by its files' hash)."""
    with uow:
        return uow.session.scalars(select(Deployment.id).where(Deployment.name == name).limit(1)).first() is not None


def list_definitions(uow: UnitOfWork, *, key: str | None = None, latest_only: bool = True
                     ) -> list[ProcessDefinition]:
    with uow:
        query = select(ProcessDefinition)
        if key:
            query = query.where(ProcessDefinition.key == key)
        if latest_only:
            newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
                      .group_by(ProcessDefinition.key).subquery())
            query = query.join(newest, (ProcessDefinition.key == newest.c.key)
                               & (ProcessDefinition.version == newest.c.v))
        return list(uow.session.scalars(query.order_by(ProcessDefinition.key, ProcessDefinition.version.desc())))


def get_definition(uow: UnitOfWork, key: str, *, version: int | None = None) -> ProcessDefinition:
    """The latest (or the given) version of a definition. Raises NotFound."""
    with uow:
        return find_definition(uow, key, version)


def get_definition_xml(uow: UnitOfWork, key: str, *, version: int | None = None) -> bytes:
    """The diagram file the definition was deployed from, byte for byte. Raises NotFound."""
    with uow:
        return find_definition(uow, key, version).resource.content


def get_resource(uow: UnitOfWork, name: str, *, kind: str | None = None) -> Resource:
    """The most recently deployed resource with this file name (forms and guides). Raises NotFound."""
    with uow:
        query = select(Resource).where(Resource.name == name)
        if kind:
            query = query.where(Resource.kind == kind)
        resource = uow.session.scalars(query.order_by(Resource.id.desc()).limit(1)).first()
        if resource is None:
            raise NotFound(f"resource {name!r} not found")
        return resource
