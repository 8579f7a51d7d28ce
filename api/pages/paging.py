"""Page numbers of the listing pages (``?page=N``): the cases, the queue, the supervision board, the audit log."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

# Far past any listing's end, and small enough that page × size stays a valid OFFSET on every database
# (a page number of 20 digits overflowed the query).
MAX_PAGE = 10_000


def page_number(args: MultiDict[str, str]) -> int:
    """The page asked for, from 1: missing, unreadable or below 1 is the first; beyond MAX_PAGE, MAX_PAGE."""
    return min(max(args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def past_last_page(page: int, page_size: int, total: int) -> Response | None:
    """A page past the listing's end (its last rows claimed, finished or filtered away since the link was
    made) goes to the last page, filters kept, instead of an empty page reading "2 / 1". The address is this
    one with its page changed (a relative one: the scheme and host stay the request's)."""
    last = max((total + page_size - 1) // page_size, 1)
    if page <= last:
        return None
    return without_arg("page", str(last))


def without_arg(name: str, value: str | None = None) -> Response:
    """A redirect to this address with the query argument ``name`` dropped (or set to ``value``), the others
    kept: a listing shows what its address says. Relative: the scheme and host stay the request's."""
    args = [(key, v) for key, v in request.args.items(multi=True) if key != name]
    args += [(name, value)] if value is not None else []
    return redirect(f"{request.path}?{urlencode(args, safe=':')}" if args else request.path)
