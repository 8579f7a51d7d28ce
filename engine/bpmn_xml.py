"""A BPMN file as deploy time sees it: namespaces, problems named by file, line and element, the
prepared diagram, safe XML parsing and extension properties."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .problem_codes import Param, Said, said

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "spiffworkflow": SPIFF_NS}

MAX_XML_BYTES = 5 * 1024 * 1024
DOCTYPE_REFUSED = said("xml.doctype").message
HUMAN_TAGS = {"userTask", "manualTask"}
PROCESS_KEY = "#process"  # the process's own metadata among its elements


def bpmn(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def camunda(attr: str) -> str:
    return f"{{{CAMUNDA_NS}}}{attr}"


def local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


@dataclass
class Problem:
    file: str
    line: int | None
    element: str | None
    message: str
    severity: str = "error"
    rule: str | None = None  # what a caller may act on (``take_over``: confirm it, engine.definitions)
    # The message by code and parameters (engine.problem_codes), from which a page says it in its language.
    code: str | None = None
    params: dict[str, Param] | None = None

    @classmethod
    def of(cls, file: str, line: int | None, element: str | None, message: str | Said, severity: str = "error",
           rule: str | None = None) -> Problem:
        """A problem whose message is plain English or said by code."""
        if isinstance(message, Said):
            return cls(file, line, element, message.message, severity, rule, message.code, dict(message.params))
        return cls(file, line, element, message, severity, rule)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file  # no fake line 0
        element = f" [{self.element}]" if self.element else ""
        return f"{where}:{element} {self.message}" if self.severity == "error" else \
            f"{where}:{element} warning: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"file": self.file, "line": self.line, "element": self.element,
                                 "message": self.message, "severity": self.severity}
        if self.rule:
            found["rule"] = self.rule
        if self.code:
            found.update(code=self.code, params=self.params or {})
        return found


@dataclass
class PreparedDiagram:
    """A diagram ready for the SpiffWorkflow parser, with what the parser does not keep."""

    name: str
    tree: Any  # the translated lxml root
    executable: list[str] = field(default_factory=list)  # executable process ids
    process_names: dict[str, str | None] = field(default_factory=dict)
    elements: dict[str, dict[str, Any]] = field(default_factory=dict)  # process id -> element id -> meta
    lines: dict[str, int] = field(default_factory=dict)  # element id -> source line
    # element id -> translated expression -> the diagram's own text, to quote in errors at run time
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Durations in calendar days (P5D), which a service item's time limit seldom means (engine.camunda): what
    # lint warns of in service items, where time limits are working days.
    calendar_days: list[Problem] = field(default_factory=list)

    def error(self, node: Any, message: str | Said, *, at: Any = None) -> None:
        """A problem of element ``node``; ``at``: the child it lies in, whose line is given (else the node's)."""
        self._add(node, message, "error", at)

    def warn(self, node: Any, message: str | Said, *, at: Any = None) -> None:
        self._add(node, message, "warning", at)

    def _add(self, node: Any, message: str | Said, severity: str, at: Any = None) -> None:
        where = at if at is not None else node
        line = getattr(where, "sourceline", None) if where is not None else None
        element = node.get("id") if node is not None else None
        self.problems.append(Problem.of(self.name, line, element, message, severity))


def safe_parse(name: str, content: bytes) -> tuple[Any, Problem | None]:
    """Parse XML without entities, DTDs or network access, and refuse oversized files."""
    if len(content) > MAX_XML_BYTES:
        return None, Problem.of(name, None, None, said("xml.too_large", kib=MAX_XML_BYTES // 1024))
    doctype = _prolog_doctype(content)
    if doctype is not None:  # refused before parsing: entities could read files or expand without bound
        return None, Problem.of(name, content[:doctype].count(b"\n") + 1, None, said("xml.doctype"))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        return None, Problem.of(name, exc.lineno, None, said("xml.malformed", reason=exc.msg))
    if root.getroottree().docinfo.doctype:
        return None, Problem.of(name, 1, None, said("xml.doctype"))
    return root, None


def _prolog_doctype(content: bytes) -> int | None:
    """Offset of a DOCTYPE in the prolog (after a BOM, the XML declaration, comments and processing
    instructions: the only place one may stand), found in one linear scan."""
    pos = 3 if content.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(content) and content[pos:pos + 1].isspace():
            pos += 1
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if content.startswith(opening, pos):
                end = content.find(closing, pos + len(opening))
                if end < 0:
                    return None  # unterminated: the parser reports it
                pos = end + len(closing)
                break
        else:
            return pos if content.startswith(b"<!DOCTYPE", pos) else None


# The XML declaration's encoding, in the ASCII-compatible encodings a declaration can be read in as bytes.
_DECLARED = re.compile(rb"""\A(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])([A-Za-z][A-Za-z0-9._-]*)\2""")
_UTF8 = {"utf-8", "utf8"}
# Files labelled GB2312 are written with GBK's characters by Windows tools; GBK decodes both.
_DECODE_AS = {"gb2312": "gbk", "gb_2312-80": "gbk", "euc-cn": "gbk", "euccn": "gbk", "cp936": "gbk"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Transcoded:
    """An XML file as deploy stores it: UTF-8, whatever encoding it was saved in."""

    content: bytes
    encoding: str | None = None  # the encoding it was saved in, when not UTF-8
    problem: Problem | None = None


def to_utf8(name: str, content: bytes) -> Transcoded:
    """An XML file saved in another encoding (GBK, GB18030, UTF-16 ...) decoded with the one it declares
    (or its byte order mark) and written as UTF-8, its declaration saying so; every line keeps its number,
    so problems found later still point at the line the author sees. A file in UTF-8, or declaring no
    encoding (XML's default is UTF-8), is returned as it is; one that does not decode in its encoding is a
    problem naming the line."""
    text: str | None = None
    encoding: str | None = None
    bom = next(((mark, codec) for mark, codec in _BOMS if content.startswith(mark)), None)
    if bom is not None:  # UTF-16 and UTF-32 files start with their byte order mark (UTF-8's is kept as is)
        encoding = bom[1].upper()
        try:
            text = content.decode(bom[1])
        except UnicodeDecodeError as exc:
            return Transcoded(content, encoding, _undecodable(name, content, exc, encoding))
        declared = re.match(r"""(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])([^"']*)\2""", text)
        if declared:
            text = text[:declared.start(3)] + "UTF-8" + text[declared.end(3):]
        return Transcoded(text.encode("utf-8"), encoding)
    declared_bytes = _DECLARED.match(content)
    if declared_bytes is None:
        return Transcoded(content)
    encoding = declared_bytes.group(3).decode("ascii")
    if encoding.lower() in _UTF8:
        return Transcoded(content)
    try:
        codec = codecs.lookup(_DECODE_AS.get(encoding.lower(), encoding)).name
    except LookupError:
        return Transcoded(content, encoding, Problem.of(name, 1, None, said("xml.unknown_encoding",
                                                                            encoding=encoding)))
    if "<?xml".encode(codec, "replace") != b"<?xml":
        return Transcoded(content)  # a declaration read as ASCII, so not in this encoding: the parser judges
    try:
        text = content.decode(codec)
    except UnicodeDecodeError as exc:
        return Transcoded(content, encoding, _undecodable(name, content, exc, encoding))
    start, end = declared_bytes.span(3)  # the declaration is ASCII: its byte offsets are character offsets
    return Transcoded((text[:start] + "UTF-8" + text[end:]).encode("utf-8"), encoding)


def _undecodable(name: str, content: bytes, exc: UnicodeDecodeError, encoding: str) -> Problem:
    return Problem.of(name, content[:exc.start].count(b"\n") + 1, None,
                      said("xml.undecodable", encoding=encoding, byte=f"{content[exc.start]:02x}"))


def xml_text(content: bytes) -> str:
    """A stored diagram as text: UTF-8 (deploy stores every diagram so), or one stored in another encoding
    before deploy transcoded, decoded with the encoding it declares."""
    return to_utf8("", content).content.decode("utf-8", "replace")


_ID_NAMESPACES = (f"{{{BPMN_NS}}}", "{http://www.omg.org/spec/BPMN/20100524/DI}")


def duplicate_ids(diagram: PreparedDiagram) -> list[Problem]:
    """Elements sharing an id: BPMN (and XML) ids are unique in a document, and the parser would silently
    keep one of them (two flows both ``f5``: one of them vanishes from the process)."""
    if diagram.tree is None:
        return []
    first: dict[str, int | None] = {}
    problems = []
    for node in diagram.tree.iter():
        # BPMN's own elements and their diagram interchange: extensions' ids (camunda:formField) are no ids
        if not isinstance(node.tag, str) or not node.tag.startswith(_ID_NAMESPACES):
            continue
        element = node.get("id")
        if element is None or node.sourceline is None:  # not in the file: added by the translation
            continue
        if element in first:
            problems.append(Problem.of(diagram.name, node.sourceline, element,
                                       said("xml.duplicate_id", first=first[element] or "?")))
        else:
            first[element] = node.sourceline
    return problems


def element_properties(node: Any) -> dict[str, str]:
    """Extension properties (Camunda Modeler's or SpiffWorkflow's) of one element."""
    return {p.get("name"): p.get("value") for p in node.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property|"
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS) if p.get("name")}
