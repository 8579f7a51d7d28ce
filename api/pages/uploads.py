"""A file chosen on a page (a clerk's material, an applicant's supplement), and what the page says when the
engine refuses it: the same words wherever a file is uploaded."""
from __future__ import annotations

from werkzeug.datastructures import FileStorage

from engine.errors import UnsupportedType

from ..context import runtime
from .form_values import file_size
from .i18n import gettext as _


def empty(upload: FileStorage) -> bool:
    """Whether the file chosen has no bytes (the stream is left at its start for the upload)."""
    head = upload.stream.read(1)
    upload.stream.seek(0)
    return not head


def too_large() -> str:
    return _("文件过大：单个文件不能超过 {size}。", size=file_size(runtime().settings.max_material_bytes))


def unsupported(exc: UnsupportedType) -> str:
    if "accepted" in exc.context:  # the extension is not among those taken
        return _("不接受此类文件。可上传：{types}。", types=accepted_types())
    return _("文件内容与扩展名不符，请上传原始文件。")


def accepted_types() -> str:
    return _("、").join(f".{t}" for t in runtime().settings.material_types)
