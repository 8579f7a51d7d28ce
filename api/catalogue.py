"""The public catalogue of service items (事项目录) and their guides (办事指南): free to read, no login
(SX28). Each entry is the latest guide version of an item, with the current version of its process."""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from marshmallow import INCLUDE, Schema, fields, post_dump, validate

from engine import guides, samples

from .context import uow
from .downloads import send_download
from .json_body import Blueprint
from .schemas import ApiErrorSchema

blp = Blueprint("catalogue", __name__, url_prefix="/api/catalogue",
                description="Public catalogue of service items and their guides (办事指南); no login needed")

PUBLIC: dict[str, Any] = {"security": []}  # overrides the API's default bearer requirement in the OpenAPI document


class GuideDepartmentSchema(Schema):
    code = fields.String()
    name = fields.String()


class CatalogueQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "part of the item's code or name"})
    department = fields.String(validate=validate.Length(max=50),
                               metadata={"description": "the lead department's code, e.g. SCJG"})
    type = fields.String(validate=validate.OneOf(sorted(guides.ITEM_TYPES)),
                         metadata={"description": "事项类型 (GB/T 39046), e.g. 01 许可"})


class CatalogueItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    type = fields.String(metadata={"description": "事项类型 (GB/T 39046): 01 许可 … 20 公共服务"})
    case_type = fields.String(metadata={"description": "办件类型: 1 即办件, 2 承诺件, 9 其他"})
    level = fields.String(metadata={"description": "province, city, county, township or village"})
    department = fields.Nested(GuideDepartmentSchema)
    promised_days = fields.Integer(metadata={"description": "承诺时限, working days"})
    statutory_days = fields.Integer(metadata={"description": "法定时限, working days"})
    process = fields.String(metadata={"description": "the definition key a case of this item starts"})
    process_version = fields.Integer(allow_none=True,
                                     metadata={"description": "the process's current definition version"})
    version = fields.Integer(metadata={"description": "the guide's version"})


class GuideMaterialSchema(Schema):
    name = fields.String()
    form = fields.String(metadata={"description": "original, copy, original_and_copy or electronic"})
    copies = fields.Integer()
    electronic = fields.Boolean(metadata={"description": "an electronic copy suffices"})
    key = fields.Boolean(metadata={"description": "a key material: tolerant acceptance (容缺受理) may not waive it"})
    conditional = fields.Boolean(metadata={"description": "required only in some cases (e.g. when an agent "
                                                          "applies): the window may mark it not applicable"})
    departments = fields.List(fields.String())
    sample = fields.String(metadata={"description": "the title of the sample or template text offered (样表)"})
    sample_url = fields.String(metadata={"description": "where the sample is downloaded (no login), when the guide "
                                                        "deploys a file for it"})
    sample_format = fields.String(metadata={"description": "what the download is: pdf, docx or xlsx"})
    note = fields.String(metadata={"description": "a remark on the material, e.g. that data sharing spares it"})


class GuideFeeSchema(Schema):
    name = fields.String()
    amount = fields.Float()
    basis = fields.String()


class GuideExcludedPeriodSchema(Schema):
    type = fields.String(metadata={"description": "as govflow.excluded: hearing, testing, inspection, …"})
    max_days = fields.Integer()
    note = fields.String()


class GuideChannelsSchema(Schema):
    consultation = fields.String()
    complaint = fields.String()


class GuideExtensionSchema(Schema):
    days = fields.Integer(metadata={"description": "working days a time limit may be extended by, in all"})
    basis = fields.String(metadata={"description": "the law that sets this allowance"})


class GuideStepSchema(Schema):
    name = fields.String(metadata={"description": "the step, as the diagram names it"})
    lane = fields.String(allow_none=True, metadata={"description": "who works it: the diagram's lane"})
    department = fields.String(allow_none=True, metadata={
        "description": "the department set up here whose user group the step's candidate groups name"})


class GuideSchema(CatalogueItemSchema):
    """The whole guide as deployed (bpmn/README.md, "The guide"); fields beyond these are passed through."""

    class Meta:
        unknown = INCLUDE  # documented as open: the optional fields a guide adds are published too

    co_departments = fields.List(fields.Nested(GuideDepartmentSchema))
    legal_basis = fields.List(fields.String())
    calendar = fields.String()
    acceptance_conditions = fields.List(fields.String())
    materials = fields.List(fields.Nested(GuideMaterialSchema))
    fees = fields.List(fields.Nested(GuideFeeSchema))
    delivery_methods = fields.List(fields.String(), metadata={"description": "window, electronic, self_service, mail"})
    excluded_periods = fields.List(fields.Nested(GuideExcludedPeriodSchema))
    channels = fields.Nested(GuideChannelsSchema)
    supervision = fields.Dict()
    rating = fields.Dict()
    extension = fields.Nested(GuideExtensionSchema, metadata={
        "description": "the item's own extension allowance (else 行政许可法 Art 42's)"})
    location = fields.String(metadata={"description": "办理地点: where to apply"})
    office_hours = fields.String(metadata={"description": "办理时间: when"})
    max_visits = fields.Integer(metadata={"description": "到办事现场次数: at most this many visits (0: none)"})
    steps = fields.List(fields.Nested(GuideStepSchema), metadata={
        "description": "办理流程: the steps of the process's current version a person works, in the order a case "
                       "meets them (engine.guide_steps)"})

    @post_dump(pass_original=True)
    def keep_undocumented(self, data: dict[str, Any], original: dict[str, Any], **_: Any) -> dict[str, Any]:
        # Optional fields a guide may add are published as written; declared ones keep their dumped form.
        return {**{k: v for k, v in original.items() if k not in data and not k.startswith("_")}, **data}


def _item(entry: guides.CatalogueEntry, *, whole: bool) -> dict[str, Any]:
    guide = entry.guide
    content = guide.content if whole else {k: guide.content.get(k) for k in CatalogueItemSchema().fields}
    materials = content.get("materials")
    if whole and isinstance(materials, list):
        content = {**content, "materials": [_material(guide.code, m) for m in materials]}
    shown = {**content, "code": guide.code, "name": guide.name, "process": guide.process_key,
             "process_version": entry.process_version, "version": guide.version}
    return {**shown, "steps": [step._asdict() for step in entry.steps]} if whole else shown


def _material(code: str, material: Any) -> Any:
    """A material with its sample's title, and where its file is downloaded."""
    sample = samples.of(material)
    if sample is None:
        return material
    shown = {**material, "sample": sample.title}
    if sample.file is not None and sample.download_suffix is not None:
        shown.update(sample_url=sample_url(code, sample.file), sample_format=sample.download_suffix.lstrip("."))
    return shown


def sample_url(code: str, file: str) -> str:
    """The public download of a guide's sample file (also the guide pages' 下载样表 link)."""
    return url_for("catalogue.CatalogueSample", code=code, file=file)


@blp.route("")
class Catalogue(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(CatalogueQuerySchema, location="query")
    @blp.response(200, CatalogueItemSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Every service item (latest guide), by code; filter by ``q``, ``department`` and ``type``."""
        entries = guides.catalogue(uow(), q=query.get("q"), department=query.get("department"),
                                   item_type=query.get("type"))
        return [_item(e, whole=False) for e in entries]


@blp.route("/<code>")
class CatalogueItem(MethodView):
    @blp.doc(**PUBLIC)
    @blp.response(200, GuideSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="no item with this code")
    def get(self, code: str) -> Any:
        """An item's whole guide, with its ``version`` and the current ``process_version``."""
        return _item(guides.get_entry(uow(), code), whole=True)


@blp.route("/<code>/<path:file>")
class CatalogueSample(MethodView):
    @blp.doc(**PUBLIC, responses={"200": {"description": "the sample (样表), a PDF, DOCX or XLSX attachment named by "
                                                         "its title", "content": {samples.PDF: {}, samples.DOCX: {},
                                                                                 samples.XLSX: {}}}})
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such item, or its guide names no such sample")
    def get(self, code: str, file: str) -> Response:
        """Download a sample file a material of the item's guide names (``samples/…`` as its ``sample_url``
        gives it): an HTML sample laid out as PDF, others as deployed."""
        found = samples.download(uow(), code, file)
        return send_download(found.content, mimetype=found.mimetype, name=found.file_name,
                             fallback=f"{code}-{PurePosixPath(file).stem}", etag=found.etag)
