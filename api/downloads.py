"""Files sent as attachments: materials and documents, from the API and the pages."""
from __future__ import annotations

import io
from pathlib import PurePath
from typing import IO
from urllib.parse import quote

from flask import Response, send_file


def send_download(content: IO[bytes] | bytes, *, mimetype: str, name: str, fallback: str,
                  etag: str | None = None, inline: bool = False) -> Response:
    """``content`` as an attachment named ``name`` (in UTF-8, RFC 6266 ``filename*``), and ``fallback`` plus the
    name's extension (``document-12.pdf``) for clients that read only ``filename=``: werkzeug's own fallback
    drops every Chinese character, which left ``.pdf``, a hidden file where it was saved. ``inline``: shown in the
    browser (its PDF viewer prints it) under the same name, when saved from there."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    response = send_file(stream, mimetype=mimetype, as_attachment=not inline, download_name=name, etag=etag or False)
    if not name.isascii():
        plain = fallback + PurePath(name).suffix if PurePath(name).suffix.isascii() else fallback
        response.headers["Content-Disposition"] = (f'{"inline" if inline else "attachment"}; filename="{plain}"; '
                                                   f"filename*=UTF-8''{quote(name, safe='')}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
