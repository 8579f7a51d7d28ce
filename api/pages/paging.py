"""Page numbers of the listing pages (``?page=N``): the cases, the queue, the supervision board."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

# Far past any listing's end, and small enough that page × size stays a valid OFFSET on every database
# (a page number of 20 digits overflowed the query).
MAX_PAGE = 10_000


def page_number(args: MultiDict[str, str]) -> int:
    """The page asked for, from 1: missing, unreadable or below 1 is the first; beyond MAX_PAGE, MAX_PAGE."""
    return min(max(args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
