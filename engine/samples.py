"""Sample files of a guide's materials (样表, 示范文本): a blank form or a filled example an applicant
downloads from the guide, deployed with it from the item's ``samples`` folder.

A material names one as ``"sample": {"title": "...", "file": "samples/<name>"}`` (a plain string stays a
title only, with nothing to download). The file is stored as a resource of kind ``sample`` named
``<item code>/samples/<name>``, beside ``<item code>/guide.json``.

Formats (``FORMATS``): HTML in the subset engine.document_pdf lays out, downloaded as the PDF it renders
to; PDF, DOCX and XLSX downloaded as they are. Each is checked at deploy (its size, that it is what its
suffix says, an HTML file well formed in that subset); a guide naming a file neither in its deployment
nor deployed before is refused (``check_references``). Unchanged content deployed again is not stored
again (``unchanged``): the latest resource of a name is the sample served.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any

import lxml.html
from sqlalchemy import select

from . import document_pdf
from .bpmn_xml import Problem
from .errors import NotFound
from .models import Guide, Resource
from .problem_codes import Said, said
from .unit_of_work import UnitOfWork

FOLDER = "samples"
KIND = "sample"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Suffix -> (what is downloaded, its suffix). HTML is laid out as PDF: the applicant prints it as it is.
FORMATS = {".html": (PDF, ".pdf"), ".pdf": (PDF, ".pdf"), ".docx": (DOCX, ".docx"), ".xlsx": (XLSX, ".xlsx")}
MAX_BYTES = 5 * 1024 * 1024  # a scanned form of a few pages
MAX_HTML_BYTES = 256 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_FILE_CHARS = 200
# The elements engine.document_pdf lays out (and the head around them); any other would lose its meaning.
HTML_ELEMENTS = frozenset({"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "div", "section",
                           "header", "footer", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th",
                           "td", "strong", "b", "em", "i", "u", "br", "span", "hr"})
# HTML's void elements: never closed, whether laid out or not.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
LAID_OUT = sorted(HTML_ELEMENTS - VOID - {"html", "head", "title", "style", "body"})
# A word-processing or spreadsheet file must hold its main part, and no macros (they would run on opening).
OOXML_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


# ---- names -------------------------------------------------------------------------------------------

def is_sample(name: str) -> bool:
    """A file of an item's ``samples`` folder in one of the accepted formats."""
    path = PurePosixPath(name.replace("\\", "/"))
    return path.parent.name == FOLDER and path.suffix.lower() in FORMATS


def deployed_name(path: str) -> str:
    """The name a sample found at ``path`` is deployed under: ``<item folder>/samples/<name>``."""
    found = PurePosixPath(path.replace("\\", "/"))
    item = found.parent.parent.name
    return f"{item}/{FOLDER}/{found.name}" if item else f"{FOLDER}/{found.name}"


def resource_name(guide_name: str, file: str) -> str:
    """Where the sample ``file`` (``samples/x.html``) a guide deployed as ``guide_name`` names is found."""
    folder = PurePosixPath(guide_name.replace("\\", "/")).parent
    return (folder / file).as_posix()


def valid_file(file: str, field: str = "sample.file") -> Said | None:
    """Why ``file`` cannot name a sample (said of ``field``), or None: a path in the guide's ``samples``
    folder, in an accepted format."""
    path = PurePosixPath(file)
    if len(file) > MAX_FILE_CHARS:
        return said("guide.too_long", field=field, longest=MAX_FILE_CHARS)
    if "\\" in file or path.is_absolute() or len(path.parts) != 2 or path.parts[0] != FOLDER or \
            path.name in ("", ".", ".."):
        return said("guide.sample_file_folder", field=field, file=file)
    if path.suffix.lower() not in FORMATS:
        return said("guide.sample_file_format", field=field, file=file, formats=", ".join(sorted(FORMATS)))
    return None


@dataclass(frozen=True)
class Sample:
    title: str
    file: str | None  # samples/<name>; None: a title only, nothing to download

    @property
    def download_suffix(self) -> str | None:
        return FORMATS[PurePosixPath(self.file).suffix.lower()][1] if self.file else None


def of(material: Any) -> Sample | None:
    """A material's sample as its guide writes it (a title, or a title and file), or None."""
    value = material.get("sample") if isinstance(material, dict) else None
    if isinstance(value, str) and value.strip():
        return Sample(value, None)
    if isinstance(value, dict) and isinstance(value.get("title"), str):
        file = value.get("file")
        return Sample(value["title"], file if isinstance(file, str) and valid_file(file) is None else None)
    return None


# ---- checking a file ---------------------------------------------------------------------------------

def check(name: str, content: bytes) -> list[Problem]:
    """Problems of one sample file: its size, that it is what its suffix says, and an HTML file well formed
    in the subset the PDF lays out, with a ``<title>``, rendering to a PDF."""
    suffix = PurePosixPath(name).suffix.lower()
    limit = MAX_HTML_BYTES if suffix == ".html" else MAX_BYTES
    if len(content) > limit:
        return [Problem.of(name, None, None, said("sample.too_large", kib=limit // 1024, size=len(content) // 1024))]
    if not content:
        return [Problem.of(name, None, None, said("sample.empty"))]
    if suffix == ".html":
        return _check_html(name, content)
    if suffix == ".pdf":
        if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
            return [Problem.of(name, None, None, said("sample.not_pdf"))]
        return []
    return _check_ooxml(name, content, suffix)


def _check_ooxml(name: str, content: bytes, suffix: str) -> list[Problem]:
    kind = suffix.lstrip(".").upper()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return [Problem.of(name, None, None, said("sample.not_package", format=kind))]
    if len(names) > MAX_ZIP_ENTRIES:
        return [Problem.of(name, None, None, said("sample.too_many_parts", format=kind, parts=MAX_ZIP_ENTRIES))]
    if "[Content_Types].xml" not in names or OOXML_PARTS[suffix] not in names:
        return [Problem.of(name, None, None, said("sample.no_main_part", format=kind, part=OOXML_PARTS[suffix]))]
    if any(PurePosixPath(n).name.lower() == "vbaproject.bin" for n in names):
        return [Problem.of(name, None, None, said("sample.macros", format=kind))]
    return []


class _Structure(HTMLParser):
    """Every element closed in order, only the laid-out subset, a <title> present: what a page of
    a document needs for the PDF to show what the author wrote."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, int]] = []
        self.problems: list[tuple[int, Said]] = []
        self.title = False
        self.text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag not in HTML_ELEMENTS:
            self.problems.append((line, said("sample.not_laid_out", element=tag, allowed=", ".join(LAID_OUT))))
        self.title = self.title or tag == "title"
        if tag not in VOID:
            self.open.append((tag, line))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.problems.append((self.getpos()[0], said("sample.not_empty_element", element=tag)))
        elif tag not in HTML_ELEMENTS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID:
            return
        if not self.open or self.open[-1][0] != tag:
            self.problems.append((line, said("sample.closes_other", element=tag, open=self.open[-1][0],
                                             opened=self.open[-1][1]) if self.open else
                                  said("sample.closes_nothing", element=tag)))
            if any(t == tag for t, _ in self.open):  # resynchronise: the elements left open are reported once
                while self.open and self.open[-1][0] != tag:
                    self.open.pop()
                self.open.pop()
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and self.open and self.open[-1][0] not in ("style", "title"):
            self.text = True


def _check_html(name: str, content: bytes) -> list[Problem]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Problem.of(name, None, None, said("sample.not_utf8", reason=exc.reason))]
    parser = _Structure()
    parser.feed(text)
    parser.close()
    problems = [Problem.of(name, line, None, message) for line, message in parser.problems]
    problems += [Problem.of(name, line, None, said("sample.never_closed", element=tag)) for tag, line in parser.open]
    if not parser.title:
        problems.append(Problem.of(name, 1, None, said("sample.no_title")))
    if not parser.text:
        problems.append(Problem.of(name, 1, None, said("sample.no_text")))
    if problems:
        return problems
    try:
        rendered_pdf(content)
    except Exception as exc:  # noqa: BLE001 - whatever the layout refuses (a table wider than the page, say)
        return [Problem.of(name, None, None, said("sample.not_rendering", reason=f"{type(exc).__name__}: {exc}"))]
    return []


@lru_cache(maxsize=32)
def rendered_pdf(content: bytes) -> bytes:
    """The PDF of a sample HTML file (titled by its ``<title>``), cached by content: deploy renders it
    once, downloads reuse it."""
    title = lxml.html.document_fromstring(content).findtext(".//title") or ""
    return document_pdf.html_to_pdf(content, title=title.strip(), subject="示范文本")


# ---- a deployment -----------------------------------------------------------------------------------

def check_references(guide_name: str, data: dict[str, Any], lines: dict[str, int],
                     here: set[str], deployed: Callable[[str], bool], *, missing: str = "guide.unknown_sample",
                     severity: str = "error") -> list[Problem]:
    """Each sample file a guide's materials name is in this deployment (``here``: names of its sample files)
    or ``deployed`` before: else the guide is refused, naming the material and the file (``missing`` and
    ``severity``: how lint says it of the files it was given)."""
    problems = []
    for i, material in enumerate(data.get("materials") or []):
        sample = of(material)
        if sample is None or sample.file is None:
            continue
        stored = resource_name(guide_name, sample.file)
        if stored not in here and not deployed(stored):
            where = f"materials[{i}].sample.file"
            problems.append(Problem.of(guide_name, lines.get(where) or lines.get(f"materials[{i}]"), where,
                                       said(missing, material=str(material.get("name")), file=sample.file,
                                            stored=stored), severity))
    return problems


def deployed(uow: UnitOfWork, name: str) -> Resource | None:
    """The latest deployed sample stored under ``name`` (``<code>/samples/<file>``)."""
    return uow.session.scalars(select(Resource).where(Resource.kind == KIND, Resource.name == name)
                               .order_by(Resource.id.desc()).limit(1)).first()


def unchanged(uow: UnitOfWork, name: str, sha256: str) -> bool:
    """Whether the latest sample of this name has this content: deploying it again stores nothing."""
    latest = deployed(uow, name)
    return latest is not None and latest.sha256 == sha256


# ---- downloading ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Download:
    title: str
    file_name: str  # the title with the suffix of what is downloaded: 食品经营许可申请书（示范文本）.pdf
    mimetype: str
    content: bytes
    etag: str


def download(uow: UnitOfWork, code: str, file: str) -> Download:
    """The sample ``file`` the latest guide of a published item names, as the applicant downloads it (HTML
    laid out as PDF). Public: needs no actor, as the guide. Raises NotFound when there is no such item, its
    guide names no such sample, or the sample is not deployed."""
    with uow:
        guide = uow.session.scalars(select(Guide).where(Guide.code == code)
                                    .order_by(Guide.version.desc()).limit(1)).first()
        if guide is None or guide.content.get("public") is False:  # engine.guides.is_public
            raise NotFound(f"no service item with code {code!r} in the catalogue")
        sample = next((s for s in map(of, guide.content.get("materials") or []) if s and s.file == file), None)
        resource = deployed(uow, f"{guide.code}/{file}") if sample is not None else None
        if sample is None or resource is None:
            raise NotFound(f"item {guide.code!r} has no sample {file!r}")
        content, sha = resource.content, resource.sha256
    mimetype, suffix = FORMATS[PurePosixPath(file).suffix.lower()]
    if PurePosixPath(file).suffix.lower() == ".html":
        content = rendered_pdf(content)
    return Download(sample.title, _file_name(sample.title) + suffix, mimetype, content, sha)


def _file_name(title: str) -> str:
    """A title as a file name: the characters file systems refuse replaced."""
    cleaned = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in title).strip(" .")
    return cleaned[:120] or "sample"
