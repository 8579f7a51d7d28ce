"""``govflow calendar ...``: working-day calendars (holidays and make-up working days, per year)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from engine import calendar
from engine.calendar import DayView, YearView
from engine.errors import EngineError, ValidationFailed

from .cli_runtime import command_actor, command_runtime

_WEEKDAYS = "一二三四五六日"


@click.group("calendar")
def calendar_group() -> None:
    """Working-day calendars: holidays and make-up working days (调休) per year."""


@calendar_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--calendar", "name", help="the calendar to load (default: the file's, else CN)")
@click.option("--year", "years", type=int, multiple=True,
              help="a year the file announces, to load whole (repeat for several); without it, a year with "
                   "far fewer lines than the file's fullest is refused as a typo")
def import_cmd(file: Path, name: str | None, years: tuple[int, ...]) -> None:
    """Load the years in FILE (JSON or CSV; see engine/calendar.py), replacing what they had."""
    content = file.read_bytes()
    try:
        views = calendar.import_file(command_runtime().uow(), str(file), content, actor=command_actor(),
                                     calendar=name, years=years)
        _, adjoining = calendar.read_file(str(file), content, years)
    except ValidationFailed as exc:
        for problem in exc.details:
            where = f"{file}:{problem['line']}" if problem.get("line") else str(file)
            field = f" {problem['field']}:" if problem.get("field") else ""
            click.echo(f"{where}:{field} {problem['message']}", err=True)
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    except EngineError as exc:
        click.echo(f"{file}: error: {exc.message}", err=True)
        sys.exit(1)
    for view in views:
        click.echo(f"{view.calendar} {view.year}: {len(view.holidays)} holidays, "
                   f"{len(view.workdays)} make-up working days, {view.working_days} working days")
    for year in sorted({d.day.year for d in adjoining}):
        days = [d for d in adjoining if d.day.year == year]
        click.echo(f"{views[0].calendar if views else name or calendar.NATIONAL} {year}: "
                   f"{len(days)} day(s) added next to {year + 1} ({', '.join(str(d.day) for d in days)}); "
                   f"the rest of {year} is as it was")


@calendar_group.command("show")
@click.argument("year", type=int)
@click.option("--calendar", "name", default=calendar.NATIONAL, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="print the year in the import format")
def show(year: int, name: str, as_csv: bool) -> None:
    """Print a year's holidays and make-up working days."""
    try:
        view = calendar.get_year(command_runtime().uow(), year, calendar=name)
    except EngineError as exc:
        raise click.ClickException(exc.message) from None
    if as_csv:
        click.echo("date,kind,name")
        rows = [(d, "holiday") for d in view.holidays] + [(d, "workday") for d in view.workdays]
        for day, kind in sorted(rows, key=lambda r: r[0].date):
            click.echo(f"{day.date},{kind},{day.name or ''}")
        return
    click.echo(_heading(view))
    click.echo("holidays (放假):")
    for line in _ranges(view.holidays) or ["(none)"]:
        click.echo(f"  {line}")
    click.echo("make-up working days (调休上班):")
    made_up = [f"{d.date} 周{_WEEKDAYS[d.date.weekday()]}  {d.name or ''}" for d in view.workdays]
    for line in made_up or ["(none)"]:
        click.echo(f"  {line}")


@calendar_group.command("list")
def list_cmd() -> None:
    """List calendars and the years each has data for."""
    for info in calendar.list_calendars(command_runtime().uow()):
        count = f"{len(info.years)} year{'s' if len(info.years) > 1 else ''}"
        years = f"{_year_spans(info.years)} ({count})" if info.years else "no years"
        extends = f"\textends {info.extends}" if info.extends else ""
        click.echo(f"{info.name}\t{years}{extends}\t{info.description or ''}")


@calendar_group.command("create")
@click.argument("name")
@click.option("--extends", help="take this calendar's days and add local ones (e.g. CN)")
@click.option("--region", help="the region it serves, e.g. 山西省太原市")
@click.option("--description")
def create(name: str, extends: str | None, region: str | None, description: str | None) -> None:
    """Create a calendar, usually a region's extending CN with its local days off."""
    try:
        calendar.create_calendar(command_runtime().uow(), name, actor=command_actor(), extends=extends,
                                 region=region, description=description)
    except EngineError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"calendar {name} created" + (f", extending {extends}" if extends else ""))


def _heading(view: YearView) -> str:
    origin = (f"from {view.source}, {view.loaded_at:%Y-%m-%d %H:%M} UTC" if view.source and view.loaded_at
              else "no data of its own")
    extends = f" (extends {view.extends})" if view.extends else ""
    warning = "; PROVISIONAL: no announced data, weekdays only" if view.provisional else ""
    return f"{view.calendar} {view.year}{extends}: {view.working_days} working days; {origin}{warning}"


def _year_spans(years: list[int]) -> str:
    """Runs of consecutive years, so a year without data shows as a gap: "2024–2025, 2027"."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else f"{run[0]}" for run in runs)


def _ranges(days: list[DayView]) -> list[str]:
    """Consecutive days of one name on one line: "2025-01-28 – 2025-02-04  春节 (8 days)"."""
    lines: list[str] = []
    run: list[DayView] = []
    for day in [*days, None]:
        if run and (day is None or day.name != run[-1].name or (day.date - run[-1].date).days != 1):
            span = f"{run[0].date} – {run[-1].date}" if len(run) > 1 else f"{run[0].date}"
            lines.append(f"{span:<25} {run[0].name or ''} ({len(run)} day{'s' if len(run) > 1 else ''})")
            run = []
        if day is not None:
            run.append(day)
    return lines
