"""The in-browser modeler (bpmn-js with the properties panel and Camunda moddle): open a version or
start blank; saving deploys through the same path as an upload, so it becomes the next version."""
from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from engine import definitions, versions
from engine.errors import DeploymentInvalid, EngineError, Forbidden, InvalidRequest, Unauthenticated

from ..context import actor, uow
from ..errors import status_of
from .analyst import after_deploy

bp = Blueprint("modeler", __name__, url_prefix="/analyst/modeler")
FILE_NAME = re.compile(r"^[\w.\-]{1,200}\.bpmn$")


@bp.before_request
def _analysts_only() -> None:
    actor().require("analyst", action="model diagrams")


@bp.get("")
def blank() -> ResponseReturnValue:
    return render_template("pages/modeler.html", found=None, xml=None, file_name="", name="", problems=[])


@bp.get("/<key>/<int:version>")
def edit(key: str, version: int) -> ResponseReturnValue:
    found = versions.diagram_version(uow(), key, version=version, actor=actor())
    return render_template("pages/modeler.html", found=found, xml=found.xml, file_name=found.info.resource_name,
                           name="", problems=[])


@bp.post("")
def save() -> ResponseReturnValue:
    file_name, xml = request.form.get("file_name", "").strip(), request.form.get("xml", "")
    try:
        if not FILE_NAME.match(file_name):
            raise InvalidRequest("the file name must be letters, digits, '.', '_' or '-' and end in .bpmn")
        if not xml.strip():
            raise InvalidRequest("the diagram is empty")
        result = definitions.deploy(uow(), [(file_name, xml.encode())], actor=actor(),
                                    name=request.form.get("name", "").strip() or None)
    except (Unauthenticated, Forbidden):
        raise  # the login page or the error page, as everywhere else
    except EngineError as exc:
        return _refused(exc)
    return after_deploy(result)


def _refused(exc: EngineError) -> ResponseReturnValue:
    """Show why the save was refused above the diagram as it was submitted, with the typed names, so no
    edit is lost. A deployment's problems come as a table; any other refusal as its message."""
    xml = request.form.get("xml", "")
    problems = exc.details if isinstance(exc, DeploymentInvalid) else []
    status = status_of(exc)
    return render_template("pages/modeler.html", found=None, xml=xml if xml.strip() else None,
                           file_name=request.form.get("file_name", ""), name=request.form.get("name", ""),
                           problems=problems, message=None if problems else exc.message), status
