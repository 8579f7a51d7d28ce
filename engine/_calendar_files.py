"""Reading a year's holidays and make-up working days from JSON, CSV or an API body, with errors that
name the line and field. The formats are documented in ``engine.calendar``."""
from __future__ import annotations

import csv
import io
import json
import re
from calendar import month_name, monthrange
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ._workdays import HOLIDAY, WORKDAY
from .errors import ValidationFailed
from .json_depth import loads, too_deep

MIN_YEAR, MAX_YEAR = 1900, 2200
NAME_MAX = 100
_KINDS = {"holiday": HOLIDAY, "workday": WORKDAY, "休": HOLIDAY, "班": WORKDAY}
# The header line, in English or as a Chinese spreadsheet names its columns.
_HEADERS = (["date", "kind", "name"], ["date", "kind"], ["日期", "类型", "名称"], ["日期", "类型"])
# 2027-01-01, and as spreadsheets write dates: 2027-1-1, 2027/1/1 (one separator throughout).
_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")
# A year of a CSV file with fewer lines than this share of its fullest year's is taken for a typo.
STRAY_SHARE = 4
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_JSON_KEYS = {"calendar", "year", "holidays", "workdays"}


@dataclass(frozen=True)
class SpecialDay:
    day: date
    kind: str  # holiday | workday
    name: str | None
    line: int | None = field(default=None, compare=False)  # the file's line, for problems with it


@dataclass(frozen=True)
class YearData:
    year: int
    days: list[SpecialDay]
    calendar: str | None = None  # a JSON file may name its calendar
    line: int | None = None  # where a JSON file lists the year's days, for problems of the year as a whole


@dataclass(frozen=True)
class _Entry:
    kind: Any
    day: Any
    name: Any
    field: str  # "holidays.2" in JSON and API bodies, "" in CSV
    line: int | None
    extra: tuple[str, ...] = ()


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, field: str, message: str, line: int | None = None) -> None:
        item: dict[str, Any] = {"field": field, "message": message}
        if line is not None:
            item["line"] = line
        self.items.append(item)

    def raise_if_any(self, what: str) -> None:
        if self.items:
            raise self.error(what)

    def error(self, what: str) -> ValidationFailed:
        self.items.sort(key=lambda item: item.get("line") or 0)  # file order, for people fixing it
        return ValidationFailed(f"{what}: {len(self.items)} problem(s), nothing was loaded", details=self.items)


def valid_year(year: Any) -> bool:
    return not isinstance(year, bool) and isinstance(year, int) and MIN_YEAR <= year <= MAX_YEAR


def check_year(year: Any) -> int:
    """``year`` itself if it is a whole number from 1900 to 2200. Raises ValidationFailed (``year``)."""
    if not valid_year(year):
        raise ValidationFailed(f"invalid {_year_message(year)}", details=[{"field": "year", "message": _year_message(year)}])
    return int(year)


def _year_message(year: Any) -> str:
    return f"year must be a whole number from {MIN_YEAR} to {MAX_YEAR}, not {year!r}"


def validate_year(year: int, holidays: Sequence[Any], workdays: Sequence[Any]) -> list[SpecialDay]:
    """The days of an API body (items ``{"date": ..., "name": ...}``), checked as a file would be.

    Raises:
        ValidationFailed: with ``{"field": "holidays.2.date", "message": ...}`` details.
    """
    check_year(year)
    problems = _Problems()
    entries = [_entry(HOLIDAY, item, f"holidays.{i}", None, problems) for i, item in enumerate(holidays)]
    entries += [_entry(WORKDAY, item, f"workdays.{i}", None, problems) for i, item in enumerate(workdays)]
    days = _check(year, [e for e in entries if e is not None], problems)
    problems.raise_if_any("invalid calendar data")
    return days


def parse_file(filename: str, content: bytes | str) -> list[YearData]:
    """The years in a ``.json`` or ``.csv`` file (other names: JSON if it starts with ``{``).

    Raises:
        ValidationFailed: every problem found, each with ``line`` and ``field``; nothing is returned
            unless the whole file is valid.
    """
    text = _decoded(content) if isinstance(content, bytes) else content
    is_json = filename.lower().endswith(".json") or (
        not filename.lower().endswith(".csv") and text.lstrip().startswith("{"))
    return [_parse_json(text)] if is_json else _parse_csv(text)


def _decoded(content: bytes) -> str:
    """UTF-8; UTF-16 with its byte-order mark; else GB18030, the encoding Excel saves a CSV in on a
    Chinese system. Holiday names are never stored with characters replaced."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    problems = _Problems()
    problems.add("", "the file is not text in UTF-8, UTF-16 or GB18030: save it as UTF-8", 1)
    raise problems.error("invalid calendar file")


# ---- JSON --------------------------------------------------------------------------------------

def _parse_json(text: str) -> YearData:
    problems = _Problems()
    if deep := too_deep(text):
        problems.add("", f"the file is {deep}", 1)
        problems.raise_if_any("invalid calendar file")
    try:
        data = loads(text)
    except json.JSONDecodeError as exc:
        problems.add("", f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno)
        problems.raise_if_any("invalid calendar file")
    if not isinstance(data, dict):
        problems.add("", 'the file must hold one JSON object {"calendar", "year", "holidays", "workdays"}', 1)
        problems.raise_if_any("invalid calendar file")
    for key in sorted(set(data) - _JSON_KEYS):
        problems.add(key, f"unknown field {key!r} (fields: calendar, year, holidays, workdays)",
                     _key_line(text, key))
    if "holidays" not in data and "workdays" not in data:
        problems.add("holidays", "give holidays, workdays or both (an empty list clears them)", 1)
    year = data.get("year")
    if not valid_year(year):
        problems.add("year", _year_message(year), _key_line(text, "year"))
    calendar = data.get("calendar")
    if calendar is not None and not isinstance(calendar, str):
        problems.add("calendar", "calendar must be a name", _key_line(text, "calendar"))
    entries: list[_Entry] = []
    for key, kind in (("holidays", HOLIDAY), ("workdays", WORKDAY)):
        items = data.get(key, [])
        if not isinstance(items, list):
            problems.add(key, f"{key} must be a list of {{\"date\", \"name\"}} objects", _key_line(text, key))
            continue
        lines = _item_lines(text, key, items)
        for i, item in enumerate(items):
            entry = _entry(kind, item, f"{key}.{i}", lines[i], problems)
            if entry is not None:
                entries.append(entry)
    days = _check(year if valid_year(year) else None, entries, problems)
    problems.raise_if_any("invalid calendar file")
    return YearData(year, days, calendar, _key_line(text, "holidays" if "holidays" in data else "workdays"))


def _entry(kind: str, item: Any, field: str, line: int | None, problems: _Problems) -> _Entry | None:
    if not isinstance(item, Mapping):
        problems.add(field, 'each entry must be an object {"date": "YYYY-MM-DD", "name": ...}', line)
        return None
    extra = tuple(sorted(str(k) for k in item if k not in ("date", "name")))
    return _Entry(kind, item.get("date"), item.get("name"), field, line, extra)


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, max(pos, 0)) + 1


def _key_line(text: str, key: str) -> int:
    found = re.search(rf'"{re.escape(key)}"\s*:', text)
    return _line_at(text, found.start()) if found else 1


def _item_lines(text: str, key: str, items: list[Any]) -> list[int]:
    """Lines of a list's items: each item's date string, searched in document order from the key."""
    found = re.search(rf'"{re.escape(key)}"\s*:', text)
    cursor = found.end() if found else 0
    lines = []
    for item in items:
        value = item.get("date") if isinstance(item, Mapping) else None
        pos = text.find(json.dumps(value, ensure_ascii=False), cursor) if value is not None else -1
        if pos >= 0:
            cursor = pos + 1
        lines.append(_line_at(text, pos if pos >= 0 else cursor))
    return lines


# ---- CSV ---------------------------------------------------------------------------------------

def _parse_csv(text: str) -> list[YearData]:
    problems = _Problems()
    reader = csv.reader(io.StringIO(text))
    entries: list[_Entry] = []
    header_seen = False
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            if [c.lower() for c in cells] not in _HEADERS:
                problems.add("", "the first line must be the header: date,kind,name (or 日期,类型,名称)", line)
                break
            continue
        if len(cells) not in (2, 3):
            problems.add("", f"expected date,kind,name: found {len(cells)} field(s)", line)
            continue
        kind = _KINDS.get(cells[1].lower())
        if kind is None:
            problems.add("kind", f"kind must be holiday or workday (or 休/班), not {cells[1]!r}", line)
            continue
        entries.append(_Entry(kind, cells[0], (cells[2] if len(cells) == 3 else "") or None, "", line))
    if not entries and not problems.items:
        problems.add("", "no days: after the header, one line per day: date,kind,name", reader.line_num or 1)
    days = _check(None, entries, problems)
    problems.raise_if_any("invalid calendar file")
    years = sorted({d.day.year for d in days})
    return [YearData(y, [d for d in days if d.day.year == y]) for y in years]


# ---- which years a file announces -----------------------------------------------------------------

def announced(years: Sequence[YearData], named: Collection[int] = ()) -> tuple[list[YearData], list[SpecialDay]]:
    """Split a file's years into those it announces, each loaded whole (replacing what the calendar had
    for it), and the days it adds next to them without replacing their year.

    A file announces each of its years (or, when the operator names years, those), except:
      * days within 25-31 December of a year not announced, just before an announced year, are that
        year's 元旦 starting early (a notice lists them with its own year): they are added to their year,
        which is not replaced (a CSV of 2027 with 2026-12-31 must not wipe out the rest of 2026);
      * so a year whose only days are such late-December days, listed with the next year, is never
        announced, however small the file and even when named: it is announced by a file of its own. Its
        days are added next to the next year when that year is announced, else refused, naming their lines;
      * without named years, a year with fewer than a quarter of the lines of the file's fullest year
        (a year of late-December days alone not counted as the fullest) is taken for a typo (a 2027
        file with one line of 2028 would announce 2028 with one holiday, and replace all of it once
        loaded): refused, naming its lines;
      * with named years, a day of a year not named (nor adjoining as above) is refused, naming its line.

    Raises:
        ValidationFailed: with a problem per refused line, and one per named year the file has no day in.
    """
    problems = _Problems()
    in_file = {y.year for y in years}
    early = {y.year for y in years
             if y.days and y.year + 1 in in_file and all(_late_december(d) for d in y.days)}
    fullest = max((len(y.days) for y in years if y.year not in early), default=0)
    main: set[int] = set()
    loaded: list[YearData] = []
    adjoining: list[SpecialDay] = []
    for data in sorted(years, key=lambda y: y.year, reverse=True):  # a year's next year is decided first
        next_announced = data.year + 1 in main
        if data.year in early:
            if next_announced:
                adjoining.extend(data.days)
            else:
                for day in data.days:
                    problems.add("date", _early_stray(day, data), day.line)
        elif (data.year in named) if named else (len(data.days) * STRAY_SHARE >= fullest):
            main.add(data.year)
            loaded.append(data)
        else:
            for day in data.days:
                if next_announced and _late_december(day):
                    adjoining.append(day)
                else:
                    problems.add("date", _stray(day, data, fullest, named), day.line)
    for year in sorted(set(named) - in_file):
        problems.add("year", f"the file has no day in {year}, a year named to load", None)
    problems.raise_if_any("invalid calendar file")
    return loaded[::-1], sorted(adjoining, key=lambda d: d.day)


def _late_december(day: SpecialDay) -> bool:
    return day.day >= date(day.day.year, 12, 25)


def _early_stray(day: SpecialDay, data: YearData) -> str:
    return (f"{day.day} is late December of {data.year}, the file's only days of {data.year}: such days are "
            f"added next to {data.year + 1} (元旦 starting early), which the file does not announce; to load "
            f"{data.year} itself, import a file of its own")


def _stray(day: SpecialDay, data: YearData, fullest: int, named: Collection[int]) -> str:
    if named:
        return (f"{day.day} is in {data.year}, which is not among the years named to load "
                f"({', '.join(str(y) for y in sorted(named))})")
    return (f"{day.day} is one of only {len(data.days)} line(s) of {data.year} against {fullest} for the "
            f"file's fullest year: too few to announce {data.year}, and loading it would replace all of "
            f"{data.year} (a typo?); to load it anyway, name the years to load (--year)")


# ---- rules common to every source ----------------------------------------------------------------

def require_days(calendar: str, years: Sequence[YearData], what: str) -> None:
    """Refuse a year without days for a calendar that extends none (CN): its years are the announcements,
    and an empty one would count every weekday as a working day as if announced. A region's year may be
    empty (no local days).

    Raises:
        ValidationFailed: a ``holidays`` problem per empty year, with the file's line when there is one.
    """
    problems = _Problems()
    for data in years:
        if not data.days:
            problems.add("holidays", f"no days for {calendar} {data.year}: list the year's announced holidays "
                                     "and make-up working days (an empty year would count every weekday as a "
                                     "working day, as if announced)", data.line)
    problems.raise_if_any(what)


def _check(year: int | None, entries: list[_Entry], problems: _Problems) -> list[SpecialDay]:
    """Valid days in date order; problems collects the rest. ``year`` None: days may span years."""
    seen: dict[date, _Entry] = {}
    days: list[SpecialDay] = []
    for e in entries:
        prefix = f"{e.field}." if e.field else ""
        for key in e.extra:
            problems.add(prefix + key, f"unknown field {key!r} (an entry has date and name)", e.line)
        day = _as_date(e.day)
        if not isinstance(day, date):
            problems.add(prefix + "date", day, e.line)
            continue
        if year is not None and day.year != year:
            problems.add(prefix + "date", f"{day} is not in {year}: each year holds only its own days",
                         e.line)
        elif not valid_year(day.year):  # a CSV's years come from its dates: the range every year keeps
            problems.add(prefix + "date", f"{day} is outside the years {MIN_YEAR} to {MAX_YEAR}", e.line)
            continue
        if day in seen:
            first = seen[day]
            where = f"line {first.line}" if not first.field and first.line else first.field
            problems.add(prefix + "date", f"{day} is listed twice (also at {where})", e.line)
        seen.setdefault(day, e)
        if e.kind == WORKDAY and day.weekday() < 5:
            problems.add(prefix + "date", f"{day} is a {_WEEKDAYS[day.weekday()]}, a working day anyway: a "
                                          "make-up working day (调休) falls on a Saturday or Sunday", e.line)
        if e.name is not None and (not isinstance(e.name, str) or len(e.name) > NAME_MAX):
            problems.add(prefix + "name", f"name must be text of at most {NAME_MAX} characters", e.line)
            continue
        days.append(SpecialDay(day, e.kind, (e.name.strip() or None) if isinstance(e.name, str) else None,
                               e.line))
    return sorted(days, key=lambda d: d.day)


def _as_date(value: Any) -> date | str:
    """The day ``value`` names (``2027-01-01``, ``2027-1-1`` or ``2027/1/1``), else what is wrong with it."""
    if isinstance(value, date):
        return value
    if value is None:
        return "date is required"
    found = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        return f"date must be YYYY-MM-DD (or YYYY/M/D), not {value!r}"
    year, month, day = int(found[1]), int(found[3]), int(found[4])
    if not 1 <= month <= 12:
        return f"{value.strip()} is not a day: there is no month {month}"
    if not 1 <= day <= monthrange(year, month)[1]:
        return f"{value.strip()} is not a day: {month_name[month]} {year} has {monthrange(year, month)[1]} days"
    return date(year, month, day)
