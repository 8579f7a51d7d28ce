"""Page numbers of the listing pages (``?page=N``): the cases, the queue, the supervision board, the audit log."""
from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
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
    made) goes to the last page, filters kept, instead of an empty page reading "2 / 1"."""
    last = max((total + page_size - 1) // page_size, 1)
    if page <= last:
        return None
    values: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict(), "page": last}
    return redirect(url_for(str(request.endpoint), **values))
