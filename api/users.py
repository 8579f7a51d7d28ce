"""Users, their groups, roles and API tokens: for an identity system (统一身份认证) keeping govflow in step,
or an admin's tools. Admins change; supervisors read (whom to assign a task to)."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import users
from engine.settings import MAX_TOKEN_DAYS
from engine.users import ROLES

from .context import actor, uow
from .json_body import Blueprint
from .schemas import ROW_ID_MAX, ApiErrorSchema

blp = Blueprint("users", __name__, url_prefix="/api/users",
                description="Users, their groups and roles, and their API tokens (admins)")

_GROUP = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": users.GROUP_RULE})
_ROLE = fields.String(validate=validate.OneOf(ROLES))
_DISPLAY_NAME = fields.String(validate=validate.Length(max=200), metadata={"description": "e.g. 王芳"})
_TTL_DAYS = fields.Integer(validate=validate.Range(1, MAX_TOKEN_DAYS), metadata={
    "description": "the token's lifetime in days; default GOVFLOW_TOKEN_TTL_DAYS, else it never expires"})


class UserSchema(Schema):
    name = fields.String()
    display_name = fields.String(allow_none=True)
    groups = fields.List(fields.String())
    roles = fields.List(fields.String())
    active = fields.Boolean(metadata={"description": "false: a leaver, refused on every request"})
    has_password = fields.Boolean(metadata={"description": "may log in to the pages"})
    created_at = fields.DateTime()


class UserCreateSchema(Schema):
    name = fields.String(required=True, metadata={"description": users.NAME_RULE, "pattern": users.NAME_PATTERN})
    display_name = _DISPLAY_NAME
    groups = fields.List(_GROUP, load_default=list)
    roles = fields.List(_ROLE, load_default=list)
    token_ttl_days = _TTL_DAYS


class UserCreatedSchema(UserSchema):
    token = fields.String(metadata={"description": "the first API token, shown only now"})


class UserChangeSchema(Schema):
    groups = fields.List(_GROUP, metadata={"description": "replaces the user's groups; [] takes them all"})
    roles = fields.List(_ROLE, metadata={"description": "replaces the user's roles"})
    active = fields.Boolean(metadata={
        "description": "false keeps a leaver out at once and gives their open tasks back to their queues"})
    display_name = fields.String(validate=validate.Length(max=200), metadata={"description": "\"\" clears it"})


class UserChangedSchema(UserSchema):
    released_tasks = fields.List(fields.String(), metadata={
        "description": "tasks the user held that went back to their queues with this change"})
    waiting_for_supervisor = fields.List(fields.String(), metadata={
        "description": "of their tasks, those nobody else may claim: unassigned until a supervisor assigns them"})


class TokenSchema(Schema):
    id = fields.Integer()
    label = fields.String(allow_none=True)
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreateSchema(Schema):
    label = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "e.g. 省平台对接"})
    ttl_days = _TTL_DAYS


class TokenIssuedSchema(Schema):
    id = fields.Integer()
    label = fields.String(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    token = fields.String(metadata={"description": "shown only now; only its hash is kept"})


class RevokedSchema(Schema):
    revoked = fields.Integer(metadata={"description": "how many live tokens were revoked"})


def _user_with(user: Any, **extra: Any) -> dict[str, Any]:
    """A user's fields, as UserSchema reads them, with the answer's own."""
    return {name: getattr(user, name) for name in UserSchema().fields} | extra


class UserQuerySchema(Schema):
    group = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "members of this group"})
    role = fields.String(validate=validate.OneOf(ROLES), metadata={"description": "users with this role"})
    active = fields.Boolean(metadata={"description": "false: the deactivated only; true: the active only"})
    limit = fields.Integer(validate=validate.Range(min=1, max=1000),
                           metadata={"description": "at most this many, by name (default: all); X-Total-Count "
                                                    "says how many match"})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ROW_ID_MAX))


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, UserSchema(many=True), headers={"X-Total-Count": {
        "description": "how many users match, whatever the page", "schema": {"type": "integer"}}})
    def get(self, args: dict[str, Any]) -> Any:
        """Users by name, deactivated ones too (supervisors and admins)."""
        found = users.list_users(uow(), actor=actor(), group=args.get("group"), role=args.get("role"),
                                 active=args.get("active"))
        limit, offset = args.get("limit"), args["offset"]
        return found[offset:] if limit is None else found[offset:offset + limit], {"X-Total-Count": str(len(found))}

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserCreatedSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the name is taken")
    def post(self, body: dict[str, Any]) -> Any:
        """Add a user with their first API token, shown this once (admins). A password for the pages is
        set with `govflow user passwd`."""
        user, token = users.add_user(uow(), body["name"], groups=body["groups"], roles=body["roles"],
                                     display_name=body.get("display_name"),
                                     token_ttl_days=body.get("token_ttl_days"), actor=actor())
        return _user_with(user, token=token)


@blp.route("/<name>")
class User(MethodView):
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, name: str) -> Any:
        """A user (supervisors and admins)."""
        return users.get_user(uow(), name, actor=actor())

    @blp.arguments(UserChangeSchema)
    @blp.response(200, UserChangedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="no active admin would be left")
    def patch(self, body: dict[str, Any], name: str) -> Any:
        """Change what is given, in one step (admins): groups and roles replaced, a leaver deactivated (or
        let in again), the display name. Takes effect at the user's next request. Tasks they hold and may
        no longer work go back to their queues, with the reason in each case's history."""
        change = users.change_user(uow(), name, groups=body.get("groups"), roles=body.get("roles"),
                                   active=body.get("active"), display_name=body.get("display_name"),
                                   actor=actor(), keep_an_admin=True)
        return _user_with(change.user, released_tasks=[t.id for t in change.released.tasks],
                          waiting_for_supervisor=[t.id for t in change.released.for_supervisors])


@blp.route("/<name>/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, name: str) -> Any:
        """A user's tokens, newest first, revoked and expired ones too; never the token itself (admins)."""
        return users.list_tokens(uow(), name, actor=actor())

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenIssuedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], name: str) -> Any:
        """Issue another token, shown this once: a second system, or rotating one (admins)."""
        return users.issue_token(uow(), name, ttl_days=body.get("ttl_days"), label=body.get("label"),
                                 actor=actor())

    @blp.response(200, RevokedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def delete(self, name: str) -> Any:
        """Revoke every token of the user (admins). Their password still opens the pages: deactivate a
        leaver instead."""
        return {"revoked": users.revoke_tokens(uow(), name, actor=actor())}


@blp.route("/<name>/tokens/<int:token_id>")
class Token(MethodView):
    @blp.response(200, RevokedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def delete(self, name: str, token_id: int) -> Any:
        """Revoke one token (admins): the old one, once a system has moved to its new one."""
        return {"revoked": users.revoke_tokens(uow(), name, token_id=token_id, actor=actor())}
