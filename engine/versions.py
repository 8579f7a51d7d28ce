"""Definition versions as analysts browse them: every key with its versions, and one version with its
diagram and deployment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from .bpmn_xml import xml_text
from .execution import find_definition
from .models import Deployment, ProcessDefinition, ProcessInstance
from .unit_of_work import UnitOfWork
from .users import Actor


@dataclass
class VersionInfo:
    key: str
    version: int
    name: str | None
    resource_name: str
    deployment_name: str | None
    deployed_by: str | None
    deployed_at: datetime
    cases: int  # cases started on this version


@dataclass
class DefinitionVersions:
    key: str
    name: str | None  # the latest version's name
    versions: list[VersionInfo]  # newest first


@dataclass
class DiagramVersion:
    info: VersionInfo
    xml: str
    latest_version: int
    # Every process deployed from this version's file (two pools make two) with its key's latest version:
    # what an edit of the file is based on (engine.definitions.deploy's based_on).
    processes: dict[str, int]


def catalogue(uow: UnitOfWork, *, actor: Actor) -> list[DefinitionVersions]:
    """Every deployed definition key with all its versions, newest first. Raises Forbidden (clerks)."""
    actor.require("analyst", "supervisor", action="browse definitions")
    with uow:
        cases = {definition_id: count for definition_id, count in uow.session.execute(
            select(ProcessInstance.definition_id, func.count()).group_by(ProcessInstance.definition_id))}
        rows = uow.session.execute(
            select(ProcessDefinition, Deployment).join(Deployment, ProcessDefinition.deployment_id == Deployment.id)
            .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())).all()
        grouped: dict[str, DefinitionVersions] = {}
        for definition, deployment in rows:
            entry = grouped.setdefault(definition.key, DefinitionVersions(definition.key, definition.name, []))
            entry.versions.append(_info(definition, deployment, cases.get(definition.id, 0)))
        return list(grouped.values())


def diagram_version(uow: UnitOfWork, key: str, *, version: int | None = None, actor: Actor) -> DiagramVersion:
    """One version (default: the latest) with the diagram it was deployed from. Raises NotFound, Forbidden."""
    actor.require("analyst", "supervisor", action="browse definitions")
    with uow:
        definition = find_definition(uow, key, version)
        deployment = uow.session.get(Deployment, definition.deployment_id)
        assert deployment is not None  # definitions reference their deployment
        cases = uow.session.scalar(select(func.count()).where(ProcessInstance.definition_id == definition.id)) or 0
        in_file = select(ProcessDefinition.key).where(ProcessDefinition.resource_id == definition.resource_id)
        processes: dict[str, int] = {k: v for k, v in uow.session.execute(
            select(ProcessDefinition.key, func.max(ProcessDefinition.version))
            .where(ProcessDefinition.key.in_(in_file)).group_by(ProcessDefinition.key))}
        return DiagramVersion(info=_info(definition, deployment, cases), xml=xml_text(definition.resource.content),
                              latest_version=processes.get(key, definition.version), processes=processes)


def _info(definition: ProcessDefinition, deployment: Deployment, cases: int) -> VersionInfo:
    return VersionInfo(key=definition.key, version=definition.version, name=definition.name,
                       resource_name=definition.resource_name, deployment_name=deployment.name,
                       deployed_by=deployment.deployed_by, deployed_at=deployment.deployed_at, cases=cases)
