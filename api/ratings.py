"""Ratings (好差评) for supervisors: statistics by item, department and clerk."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

from engine import ratings

from .context import actor, uow
from .json_body import Blueprint
from .public_schemas import RatingStatsQuerySchema, RatingStatsSchema
from .schemas import ApiErrorSchema

blp = Blueprint("ratings", __name__, url_prefix="/api/ratings", description="Ratings (好差评): statistics")


@blp.route("/stats")
class RatingStats(MethodView):
    @blp.arguments(RatingStatsQuerySchema, location="query")
    @blp.response(200, RatingStatsSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Count, average level, share of 差评 and rectified 差评 by item, department (the one owning the group
        the rating is about, else that group: the rated step's, the receiving window's for a 差评 whose
        aspects rated 4-5 are all 窗口服务, else the group that handled the rated case's last step) and clerk
        (who completed its steps); supervisors and admins."""
        return ratings.stats(uow(), actor=actor(), since=query.get("since"), until=query.get("until"))
