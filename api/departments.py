"""Departments (部门) and the user groups each owns: read by anyone signed in, set by admins; and the
departments taking part in a case."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from engine import departments
from engine.departments import TITLE_LENGTH

from .context import actor, uow
from .json_body import Blueprint
from .schemas import ApiErrorSchema

blp = Blueprint("departments", __name__, url_prefix="/api",
                description="Departments, the user groups they own, and the departments of each case")


class DepartmentSchema(Schema):
    code = fields.String(metadata={"description": "the code guides name, e.g. SCJG"})
    name = fields.String(metadata={"description": "e.g. 市场监督管理局"})
    parent_code = fields.String(allow_none=True)
    groups = fields.List(fields.String(), metadata={"description": "user groups (windows, sections) it owns"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), metadata={
        "description": "each of its groups with its display name, null where it has none (pages show the code)",
        "example": {"window": "综合受理窗口", "zwfw": None}})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class GroupInSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    title = fields.String(allow_none=True, validate=validate.Length(max=TITLE_LENGTH), metadata={
        "description": "the name pages show for the group (e.g. 综合受理窗口 for window); null or \"\" clears it, "
                       "left out keeps the title it has"})


_GROUP_NAME = fields.String(validate=validate.Length(min=1, max=255))
GROUP_DOC = {"oneOf": [
    {"type": "string", "minLength": 1, "maxLength": 255, "description": "a group, keeping the title it has"},
    {"type": "object", "required": ["name"], "additionalProperties": False,
     "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 255},
                    "title": {"type": "string", "nullable": True, "maxLength": TITLE_LENGTH}},
     "description": "a group with its display name"}]}


class GroupField(fields.Field):
    """A group the department owns: its name (the title it has stays), or ``{"name", "title"}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        if isinstance(value, str):
            return {"name": _GROUP_NAME.deserialize(value)}
        if isinstance(value, dict):
            loaded: dict[str, Any] = GroupInSchema().load(value)
            return loaded
        raise ValidationError('a group name, or an object {"name", "title"}')


class DepartmentInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    parent_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    groups = fields.List(GroupField(metadata=GROUP_DOC), load_default=list, metadata={
        "description": "replaces the groups it owns; a group belongs to one department. Each a name, or an "
                       "object with its display name (`title`), e.g. "
                       "`[\"zwfw\", {\"name\": \"window\", \"title\": \"综合受理窗口\"}]`"})
    move_groups = fields.Boolean(load_default=False, metadata={
        "description": "take the groups another department owns from it (a reorganisation); else that is a 409"})


class CaseDepartmentSchema(Schema):
    department_code = fields.String()
    role = fields.String(metadata={"description": "lead (牵头) or participant"})
    since = fields.DateTime()


@blp.route("/departments")
class Departments(MethodView):
    @blp.response(200, DepartmentSchema(many=True))
    def get(self) -> Any:
        """Every department with the groups it owns, by code."""
        actor()
        return departments.list_departments(uow())


@blp.route("/departments/<code>")
class Department(MethodView):
    @blp.response(200, DepartmentSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, code: str) -> Any:
        """A department with its groups."""
        actor()
        return departments.get_department(uow(), code)

    @blp.arguments(DepartmentInSchema)
    @blp.response(200, DepartmentSchema, description="updated")
    @blp.alt_response(201, schema=DepartmentSchema, description="created")
    @blp.alt_response(403, schema=ApiErrorSchema, description="not an admin")
    @blp.alt_response(409, schema=ApiErrorSchema, description="a group belongs to another department")
    @blp.alt_response(422, schema=ApiErrorSchema, description="a bad field, or a parent that does not exist")
    def put(self, body: dict[str, Any], code: str) -> Any:
        """Create the department or replace its name, parent and groups, and set titles of groups (admins)."""
        groups = body["groups"]
        # Each title with the entry that gave it: of a group listed twice, its last entry with a title.
        titled = {g["name"]: i for i, g in enumerate(groups) if "title" in g}
        view, created = departments.put_department(
            uow(), code, actor=actor(), name=body["name"], parent_code=body["parent_code"],
            groups=[g["name"] for g in groups], titles={name: groups[i]["title"] for name, i in titled.items()},
            title_entries=titled, move_groups=body["move_groups"])
        return (view, 201) if created else view

    @blp.response(204, description="deleted")
    @blp.alt_response(403, schema=ApiErrorSchema, description="not an admin")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such department")
    @blp.alt_response(409, schema=ApiErrorSchema, description=(
        "still referred to, so kept: `details` has one item per reason, its `field` one of `groups` "
        "(it owns groups: move them first), `children` (departments belong to it), `cases` (it took part "
        "in cases: their history and supervision statistics name it) or `guides` (a deployed guide names it)"))
    def delete(self, code: str) -> None:
        """Delete a department nothing refers to, e.g. one set up with a mistyped code (admins)."""
        departments.delete_department(uow(), code, actor=actor())


@blp.route("/process-instances/<int:instance_id>/departments")
class CaseDepartments(MethodView):
    @blp.response(200, CaseDepartmentSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, instance_id: int) -> Any:
        """The departments taking part in the case, lead first."""
        return departments.departments_of_case(uow(), instance_id, actor=actor())
