"""Working-day calendars: a year's holidays and make-up working days (调休), read by anyone, replaced
by admins."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

from engine import calendar

from .context import actor, uow
from .json_body import Blueprint
from .schemas import ApiErrorSchema, CalendarInfoSchema, CalendarQuerySchema, CalendarYearInSchema, CalendarYearSchema

blp = Blueprint("calendar", __name__, url_prefix="/api/calendar",
                description="Working-day calendars: public holidays and make-up working days per year")


@blp.route("")
class Calendars(MethodView):
    @blp.response(200, CalendarInfoSchema(many=True))
    def get(self) -> Any:
        """Every calendar (CN and regional ones) and the years each has data for."""
        actor()
        return calendar.list_calendars(uow())


@blp.route("/<int:year>")
class CalendarYear(MethodView):
    @blp.arguments(CalendarQuerySchema, location="query")
    @blp.response(200, CalendarYearSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such calendar")
    def get(self, query: dict[str, Any], year: int) -> Any:
        """A year's holidays and make-up working days; ``provisional`` when it has no announced data."""
        actor()
        return calendar.get_year(uow(), year, calendar=query["calendar"])

    @blp.arguments(CalendarQuerySchema, location="query")
    @blp.arguments(CalendarYearInSchema)
    @blp.response(200, CalendarYearSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="not an admin")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such calendar")
    @blp.alt_response(422, schema=ApiErrorSchema, description="invalid days, listed by field")
    def put(self, query: dict[str, Any], body: dict[str, Any], year: int) -> Any:
        """Replace the year's data, all or nothing (admins); the body is the JSON import format without
        ``calendar`` and ``year``."""
        return calendar.replace_year(uow(), year, calendar=query["calendar"], holidays=body["holidays"],
                                     workdays=body["workdays"], actor=actor())
