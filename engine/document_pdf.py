"""HTML documents as PDF, without a browser: the small HTML subset the document templates use, walked
with lxml and laid out by reportlab.

Supported: ``h1``, ``h2``, ``h3``, ``p``, ``div``, ``ul``/``ol``/``li``, ``table``/``tr``/``th``/``td``,
inline ``strong``/``b``, ``em``/``i``, ``u``, ``br``, ``span``; the classes ``center``, ``right``,
``noindent`` and ``sign`` (right-aligned, a signature or date line) on blocks. Anything else is laid out
as its text.

Chinese is set in a Song/Ming (serif) CJK TrueType font embedded in the PDF as a subset of the glyphs used,
so that any reader, and an archive expecting embedded fonts (PDF/A practice), shows it: the file named by
the environment variable ``GOVFLOW_PDF_FONT`` (a .ttf, or a .ttc whose first face is used), else the first
of ``FONT_FILES`` present (Debian's fonts-arphic-uming, which scripts/system-packages.sh installs). A face
with PostScript (CFF) outlines, as Noto CJK has, cannot be embedded by reportlab and is refused. Without a
usable font the PDFs fall back to reportlab's CID font STSong-Light, which is not embedded (readers without
Adobe's Asian font pack show blanks), and one warning per process says so. Neither font has a bold face:
``strong``/``b`` (and ``em``/``i``) are set in the same face.

Rare characters the main face lacks (names with characters of CJK Extension A, and of Extension B and beyond
in plane 2) are set in the first supplementary face that has them, each run wrapped in a ``<font>`` of
that face: the files of the ``os.pathsep``-separated list ``GOVFLOW_PDF_FALLBACK_FONTS``, else
``SUPPLEMENTARY_FONT_FILES`` (Debian's fonts-hanazono, HanaMinA for the BMP and Extension A, HanaMinB for
plane 2, which scripts/system-packages.sh installs). They are embedded as subsets too, and loaded (some 60 MB
of memory each) only when a document holds a character the main face lacks, so a document without one names
no other face. A character no face has prints as an empty box; a supplementary file that is missing or
unusable is skipped with one warning per process. With STSong-Light, whose coverage is not known here,
no character is set in a supplementary face.

The page follows GB/T 9704 (党政机关公文格式) loosely: A4, margins 37/26/35/28 mm, title 22 pt,
body 16 pt with a two-character first-line indent.
"""
from __future__ import annotations

import functools
import io
import logging
import os
import re
import threading
from collections.abc import Container, Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import lxml.html
from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
    paragraph,
)

FALLBACK_FONT = "STSong-Light"
FONT_ENV = "GOVFLOW_PDF_FONT"
# Debian's serif CJK fonts with TrueType outlines, the first present wins: (path, face in a collection).
# Face 0 of uming.ttc is AR PL UMing CN, the simplified-Chinese glyph forms.
FONT_FILES: tuple[tuple[str, int], ...] = (("/usr/share/fonts/truetype/arphic/uming.ttc", 0),)
# A face must hold these to set a document (the punctuation, bullet and dash the layout and templates use):
# a Latin-only font named by mistake would otherwise print every Chinese character as an empty box.
REQUIRED_GLYPHS = "，。、；：？！“”‘’（）《》〔〕【】—…•受理通知书决定0123456789AZaz"
SUPPLEMENTARY_FONT_ENV = "GOVFLOW_PDF_FALLBACK_FONTS"
# Faces for the characters the main face lacks, the first that has a character sets it.
SUPPLEMENTARY_FONT_FILES: tuple[str, ...] = ("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
                                             "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")
BODY_SIZE = 16
log = logging.getLogger(__name__)
_lock = threading.Lock()
_chosen: dict[tuple[str | None, tuple[tuple[str, int], ...]], str] = {}
# A supplementary face by path: its registered name and code points, None when it cannot be used.
_supplements: dict[str, tuple[str, Container[int]] | None] = {}
_warned_supplements: set[tuple[str, ...]] = set()
_INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i", "u": "u"}
# A variation selector after a character (a name's glyph variant) is in no face's character map: laid out,
# it would print as a box of its own after the character, which prints in its standard form.
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_CANNOT_START = "，；：？！》」』”’"
_BLOCKS = {"h1", "h2", "h3", "p", "div", "ul", "ol", "table", "section", "header", "footer"}


def font_name() -> str:
    """The registered name of the font the PDFs are set in, chosen once per process (and setting)."""
    setting = os.environ.get(FONT_ENV, "").strip() or None
    key = (setting, FONT_FILES)
    with _lock:
        if key not in _chosen:
            _break_lines_the_chinese_way()
            _write_plane_2_text_as_utf16()
            _chosen[key] = _choose(setting)
        return _chosen[key]


def _choose(setting: str | None) -> str:
    candidates = [(setting, 0)] if setting else [(path, index) for path, index in FONT_FILES if os.path.isfile(path)]
    problems = []
    for path, index in candidates:
        try:
            return _register_truetype(path, index)
        except (TTFError, OSError, ValueError) as exc:
            problems.append(f"{path}: {exc}")
    if setting:
        log.warning("%s=%s cannot be embedded (%s); PDFs are set in %s, which is not embedded", FONT_ENV, setting,
                    "; ".join(problems), FALLBACK_FONT)
    else:
        found = "; ".join(problems) or "none of " + ", ".join(path for path, _ in FONT_FILES) + " exists"
        log.warning("no CJK TrueType font to embed in PDFs (%s): install fonts-arphic-uming or set %s; PDFs are "
                    "set in %s, which is not embedded", found, FONT_ENV, FALLBACK_FONT)
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        _same_face_for_every_style(FALLBACK_FONT)
    return FALLBACK_FONT


def _register_truetype(path: str, index: int) -> str:
    """Register face ``index`` of a TrueType file, subset on embedding; TTFError for CFF outlines."""
    name = f"GovflowSerif-{index}-{path}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    font = TTFont(name, path, subfontIndex=index)
    lacking = [c for c in REQUIRED_GLYPHS if ord(c) not in font.face.charToGlyph]
    if lacking:
        raise ValueError(f"the font has no glyph for {''.join(lacking)!r}")
    pdfmetrics.registerFont(font)
    _same_face_for_every_style(name)
    return name


def _same_face_for_every_style(name: str) -> None:
    # No bold or italic face: <b> and <i> map to the same face rather than failing.
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)


def _break_lines_the_chinese_way() -> None:
    # reportlab's line breaker knows the Japanese marks that may not start a line, not the Chinese
    # full-width ，；：？！: without them a line could begin with a comma.
    # Both breakers (one fragment: textsplit; mixed fragments: paragraph) keep their own copy.
    for module in (textsplit, paragraph):
        module.ALL_CANNOT_START += "".join(c for c in _CANNOT_START if c not in module.ALL_CANNOT_START)


def _write_plane_2_text_as_utf16() -> None:
    # reportlab writes a character beyond the BMP into a subset's ToUnicode CMap as five hex digits, which
    # readers reject (the text of a name in Extension B could not be copied or searched): UTF-16BE it is.
    if getattr(ttfonts.makeToUnicodeCMap, "govflow", False):
        return
    original = ttfonts.makeToUnicodeCMap

    def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
        return re.sub(r"^(<[0-9A-F]{2}> )<([0-9A-F]{5,6})>$",
                      lambda m: f"{m[1]}<{chr(int(m[2], 16)).encode('utf-16-be').hex().upper()}>",
                      original(fontname, subset), flags=re.MULTILINE)

    to_unicode_cmap.govflow = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode_cmap


def _supplementary_paths() -> tuple[str, ...]:
    setting = os.environ.get(SUPPLEMENTARY_FONT_ENV)
    if setting is None:
        return SUPPLEMENTARY_FONT_FILES
    return tuple(path.strip() for path in setting.split(os.pathsep) if path.strip())


def _supplementary_face(path: str, paths: tuple[str, ...]) -> tuple[str, Container[int]] | None:
    """A supplementary face, registered on first use; None (and one warning per list of paths) if unusable."""
    with _lock:
        if path not in _supplements:
            name = f"GovflowSupplement-{path}"
            try:
                if not os.path.isfile(path):
                    raise OSError("no such file")
                font = TTFont(name, path)
                pdfmetrics.registerFont(font)
                _same_face_for_every_style(name)
                _supplements[path] = (name, font.face.charToGlyph)
            except (TTFError, OSError, ValueError) as exc:
                _supplements[path] = None
                if paths not in _warned_supplements:
                    _warned_supplements.add(paths)
                    log.warning("supplementary PDF font %s cannot be used (%s): characters the main font lacks "
                                "may print as empty boxes; install fonts-hanazono or set %s", path, exc,
                                SUPPLEMENTARY_FONT_ENV)
        return _supplements[path]


def _with_supplements(markup: str, font: str) -> str:
    """Paragraph markup whose runs of characters the main face lacks are set in a supplementary face."""
    face = getattr(pdfmetrics.getFont(font), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    if glyphs is None or all(ord(c) in glyphs or c.isspace() for c in markup):
        return markup  # STSong-Light (a CID font: coverage unknown), or nothing rare
    paths = _supplementary_paths()
    chosen: dict[str, str | None] = {}

    def face_for(char: str) -> str | None:
        if char.isspace() or ord(char) in glyphs:
            return None
        if char not in chosen:
            chosen[char] = None
            for path in paths:
                supplement = _supplementary_face(path, paths)
                if supplement and ord(char) in supplement[1]:
                    chosen[char] = supplement[0]
                    break
        return chosen[char]

    out = []
    # Tags and entities (ASCII, which the main face has) stay as they are; runs of text are split by face.
    for piece in re.split(r"(<[^>]*>|&[#\w]+;)", markup):
        if piece.startswith(("<", "&")):
            out.append(piece)
            continue
        run_face: str | None = None
        run: list[str] = []
        for char in piece + "\n":  # the newline ends the last run
            current = face_for(char)
            if current != run_face and run:
                text = "".join(run)
                out.append(f"<font name={quoteattr(run_face)}>{text}</font>" if run_face else text)
                run = []
            run_face = current
            run.append(char)
        out.append("".join(run)[:-1])
    return "".join(out)


def _paragraph(markup: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_with_supplements(_VARIATION_SELECTORS.sub("", markup), style.fontName), style)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.75,
                          firstLineIndent=BODY_SIZE * 2, alignment=TA_JUSTIFY, wordWrap="CJK")
    return {
        "h1": ParagraphStyle("h1", parent=body, fontSize=22, leading=34, alignment=TA_CENTER, firstLineIndent=0,
                             spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontSize=18, leading=28, alignment=TA_CENTER, firstLineIndent=0,
                             spaceAfter=6),
        "h3": ParagraphStyle("h3", parent=body, fontSize=BODY_SIZE, firstLineIndent=0, spaceBefore=4),
        "p": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=12, leading=18, firstLineIndent=0, alignment=TA_LEFT),
        "li": ParagraphStyle("li", parent=body, firstLineIndent=0),
    }


def html_to_pdf(html: str | bytes, *, title: str = "", author: str = "", subject: str = "") -> bytes:
    """The PDF of an HTML document in the supported subset. Raises ValueError on an empty document."""
    font = font_name()
    root = lxml.html.document_fromstring(html)
    body = root.find("body")
    story = list(_flowables(body if body is not None else root, _styles(font)))
    if not story:
        raise ValueError("the document has no content to lay out")
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, topMargin=37 * mm, bottomMargin=35 * mm, leftMargin=28 * mm,
                            rightMargin=26 * mm, title=title, author=author, subject=subject, creator="govflow",
                            initialFontName=font)  # else every page names Helvetica, not embedded
    page_number = functools.partial(_page_number, font)
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()


def _page_number(font: str, canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(font, 12)
    canvas.drawCentredString(A4[0] / 2, 20 * mm, f"— {doc.page} —")
    canvas.restoreState()


def _flowables(element: Any, styles: dict[str, ParagraphStyle]) -> Iterator[Flowable]:
    """Block flowables for an element's children; loose text between blocks becomes a paragraph."""
    loose: list[str] = [escape(element.text or "")] if element.text and element.text.strip() else []
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCKS:
            if "".join(loose).strip():
                yield _paragraph("".join(loose).strip(), styles["p"])
            loose = []
            yield from _block(child, tag, styles)
        elif tag in ("style", "script", "head", "title", "meta"):
            pass
        elif tag == "hr":
            yield Spacer(1, BODY_SIZE)
        elif tag:
            loose.append(_inline(child))
        if child.tail and child.tail.strip():
            loose.append(escape(child.tail))
    if "".join(loose).strip():
        yield _paragraph("".join(loose).strip(), styles["p"])


def _block(element: Any, tag: str, styles: dict[str, ParagraphStyle]) -> Iterator[Flowable]:
    if tag in ("div", "section", "header", "footer"):
        if any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in element):
            yield from _flowables(element, styles)
            return
        tag = "p"
    if tag in ("ul", "ol"):
        yield _list(element, tag, styles)
    elif tag == "table":
        yield _table(element, styles)
    else:
        text = _inline_content(element).strip()
        if text:
            yield _paragraph(text, _classed(styles[tag], element))
        elif tag == "p":
            yield Spacer(1, BODY_SIZE)  # an empty paragraph is a blank line


def _classed(style: ParagraphStyle, element: Any) -> ParagraphStyle:
    classes = set((element.get("class") or "").split())
    if not classes & {"center", "right", "sign", "noindent"}:
        return style
    alignment = TA_CENTER if "center" in classes else TA_RIGHT if classes & {"right", "sign"} else style.alignment
    return ParagraphStyle(f"{style.name}-{'-'.join(sorted(classes))}", parent=style, alignment=alignment,
                          firstLineIndent=0, rightIndent=BODY_SIZE * 2 if "sign" in classes else 0)


def _list(element: Any, tag: str, styles: dict[str, ParagraphStyle]) -> Flowable:
    font = styles["li"].fontName
    items = [ListItem(_paragraph(_inline_content(li).strip() or " ", styles["li"]))
             for li in element if li.tag == "li"]
    if tag == "ol":
        return ListFlowable(items, bulletType="1", bulletFontName=font, bulletFontSize=BODY_SIZE,
                            leftIndent=BODY_SIZE * 2, bulletFormat="%s.")
    return ListFlowable(items, bulletType="bullet", start="•", bulletFontName=font, bulletFontSize=BODY_SIZE,
                        leftIndent=BODY_SIZE * 2)


KEPT_TOGETHER_ROWS = 15


def _table(element: Any, styles: dict[str, ParagraphStyle]) -> Flowable:
    rows: list[list[Paragraph]] = []
    header_rows = 0
    for tr in element.iter("tr"):
        cells = [c for c in tr if c.tag in ("td", "th")]
        if not cells:
            continue
        if all(c.tag == "th" for c in cells) and len(rows) == header_rows:
            header_rows += 1
        rows.append([_paragraph(_inline_content(c).strip() or " ", styles["cell"]) for c in cells])
    if not rows:
        return Spacer(1, 0)
    width = max(len(r) for r in rows)
    rows = [r + [Paragraph(" ", styles["cell"])] * (width - len(r)) for r in rows]
    # FONTNAME although the cells hold paragraphs: the table selects it for each cell (Helvetica otherwise).
    style = [("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
             ("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eeeeee")))
    available = A4[0] - 54 * mm
    # A narrow first column holds numbers (序号) or field labels; the rest share the width.
    first = available * (0.12 if width > 2 else 0.3) if width > 1 else available
    widths = [first] + [(available - first) / (width - 1)] * (width - 1) if width > 1 else [available]
    table = Table(rows, colWidths=widths, repeatRows=header_rows, spaceBefore=6, spaceAfter=10)
    table.setStyle(TableStyle(style))
    # A short table (a notice's summary) moves whole to the next page rather than break; a long one (a list of
    # materials) breaks, its header rows repeated.
    return KeepTogether([table]) if len(rows) <= KEPT_TOGETHER_ROWS else table


def _inline_content(element: Any) -> str:
    """reportlab paragraph markup of an element's content: text escaped, supported inline tags kept."""
    parts = [escape(element.text or "")]
    for child in element:
        parts.append(_inline(child))
        parts.append(escape(child.tail or ""))
    return "".join(parts)


def _inline(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        return "<br/>"
    inner = _inline_content(element)
    mark = _INLINE.get(tag)
    return f"<{mark}>{inner}</{mark}>" if mark else inner
