"""Entrustments to accept items on another department's behalf (委托受理): recorded and revoked by admins,
read by supervisors and admins (engine.delegations)."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

from engine import delegations

from .context import actor, uow
from .json_body import Blueprint
from .schemas import (
    ApiErrorSchema,
    DelegationCreateSchema,
    DelegationQuerySchema,
    DelegationRevokeSchema,
    DelegationSchema,
)

blp = Blueprint("delegations", __name__, url_prefix="/api",
                description="Entrustments to accept a department's items at another department's window (委托受理)")


@blp.route("/delegations")
class Delegations(MethodView):
    @blp.arguments(DelegationQuerySchema, location="query")
    @blp.response(200, DelegationSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Entrustments, newest first (supervisors and admins)."""
        return delegations.list_delegations(uow(), actor=actor(), department=query.get("department"),
                                            state=query.get("state"))

    @blp.arguments(DelegationCreateSchema)
    @blp.response(201, DelegationSchema)
    @blp.alt_response(422, schema=ApiErrorSchema,
                      description="a department not set up, an item not the principal's (`items.N`), or a bad field")
    def post(self, body: dict[str, Any]) -> Any:
        """Record an entrustment (admins)."""
        return delegations.add_delegation(uow(), actor=actor(), **body)


@blp.route("/delegations/<int:delegation_id>")
class Delegation(MethodView):
    @blp.response(200, DelegationSchema)
    def get(self, delegation_id: int) -> Any:
        """An entrustment (supervisors and admins)."""
        return delegations.get_delegation(uow(), delegation_id, actor=actor())


@blp.route("/delegations/<int:delegation_id>/revoke")
class DelegationRevoke(MethodView):
    @blp.arguments(DelegationRevokeSchema)
    @blp.response(200, DelegationSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="revoked already")
    def post(self, body: dict[str, Any], delegation_id: int) -> Any:
        """Revoke an entrustment, keeping it: no case starts under it any more, and the acceptance steps its
        cases wait at go back to the groups their diagrams name (admins)."""
        return delegations.revoke_delegation(uow(), delegation_id, actor=actor(), reason=body["reason"])
