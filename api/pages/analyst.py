"""Analysts: definitions and their versions, a diagram per version, what changed between two, and deployment
by upload."""
from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from engine import definitions, version_diff, versions
from engine.errors import DeploymentInvalid, InvalidRequest

from ..context import actor, uow
from ..downloads import send_download
from . import version_diff as diff_texts
from .i18n import gettext as _
from .problem_texts import problem_text, shown

bp = Blueprint("analyst", __name__, url_prefix="/analyst")


@bp.get("/definitions", endpoint="definitions")
def definition_list() -> ResponseReturnValue:
    return render_template("pages/definitions.html", catalogue=versions.catalogue(uow(), actor=actor()))


@bp.get("/definitions/<key>/<int:version>")
def version(key: str, version: int) -> ResponseReturnValue:
    found = versions.diagram_version(uow(), key, version=version, actor=actor())
    return render_template("pages/definition.html", found=found)


@bp.get("/definitions/<key>/<int:version>/diagram.bpmn")
def download(key: str, version: int) -> ResponseReturnValue:
    content = definitions.get_definition_xml(uow(), key, version=version)
    # A process id may be Chinese (食品许可): the header names it in UTF-8, with an ASCII name beside it.
    return send_download(content, mimetype="application/xml", name=f"{key}-v{version}.bpmn",
                         fallback=f"process-v{version}")


@bp.get("/definitions/<key>/diff")
def compare(key: str) -> ResponseReturnValue:
    """What changed between two versions (``from``, ``to``: by default the latest and the one before it); a
    version that is no number is said beside its selector (400), and nothing is compared."""
    actor().require("analyst", "supervisor", action="browse definitions")
    latest = definitions.get_definition(uow(), key)  # an unknown key: not found
    chosen, problems, status = diff_texts.chosen_versions(request.args, latest.version)
    # One version and none asked for: nothing to compare yet, said as such (not an error).
    alone = latest.version == 1 and not problems and not (chosen["from"] and chosen["to"])
    found = None if problems or alone else version_diff.compare(
        uow(), key, from_version=chosen["from"], to_version=chosen["to"])
    page = render_template("pages/version_diff.html", key=key, name=latest.name, diff=found,
                           latest_version=latest.version, chosen=chosen, problems=problems, alone=alone,
                           texts=diff_texts)
    return page, status


@bp.get("/deploy")
def deploy() -> ResponseReturnValue:
    actor().require("analyst", action="deploy")
    return render_template("pages/deploy.html", problems=[])


@bp.post("/deploy")
def deploy_post() -> ResponseReturnValue:
    files = [(upload.filename or f"file{i}.bpmn", upload.read())
             for i, upload in enumerate(request.files.getlist("files")) if upload.filename]
    if not files:
        raise InvalidRequest("choose at least one file to deploy")
    result = definitions.deploy(uow(), files, actor=actor(), name=request.form.get("name", "").strip() or None,
                                # until the analyst confirms a take-over the page named (see _refused)
                                takeovers="accept" if request.form.get("take_over") == "true" else "refuse")
    return after_deploy(result)


@bp.errorhandler(DeploymentInvalid)
def _refused(exc: DeploymentInvalid) -> ResponseReturnValue:
    # A file taking over another item's process id: named, and confirmed by the analyst on the next upload.
    # Named in the page's own words beside the confirmation, not in the problems' table.
    takeovers = [p for p in exc.details if p.get("rule") == definitions.TAKE_OVER_RULE and p.get("severity") == "error"]
    problems = [p for p in exc.details if p not in takeovers]
    return render_template("pages/deploy.html", problems=shown(problems), name=request.form.get("name", ""),
                           takeovers=takeovers), 422


def after_deploy(result: definitions.DeploymentResult) -> ResponseReturnValue:
    """Say what became of each definition and show the first one's new version."""
    for deployed in result.definitions:
        d = deployed.definition
        text = "已部署 {key} 版本 {version}" if deployed.new else "{key} 内容未变，仍为版本 {version}"
        flash(_(text, key=d.key, version=d.version), "success")
    for form in result.generated_forms:
        flash(_("已由 camunda:formData 生成表单 {form}", form=form), "success")
    for warning in result.warnings:
        flash(f"{warning.file}:{warning.line or 0} [{warning.element or '-'}] {problem_text(warning.as_dict())}",
              "warning")
    if not result.definitions:
        return redirect(url_for("pages.analyst.definitions"))
    first = result.definitions[0].definition
    return redirect(url_for("pages.analyst.version", key=first.key, version=first.version))
