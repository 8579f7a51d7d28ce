"""A BPMN file as deploy time sees it: namespaces, problems named by file, line and element, the
prepared diagram, safe XML parsing and extension properties."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "spiffworkflow": SPIFF_NS}

MAX_XML_BYTES = 5 * 1024 * 1024
DOCTYPE_REFUSED = "DOCTYPE declarations are not allowed (their entities could read files or expand without bound)"
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

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file  # no fake line 0
        element = f" [{self.element}]" if self.element else ""
        return f"{where}:{element} {self.message}" if self.severity == "error" else \
            f"{where}:{element} warning: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "element": self.element,
                "message": self.message, "severity": self.severity}


@dataclass
class PreparedDiagram:
    """A diagram ready for the SpiffWorkflow parser, with what the parser does not keep."""

    name: str
    tree: Any  # the translated lxml root
    executable: list[str] = field(default_factory=list)  # executable process ids
    process_names: dict[str, str | None] = field(default_factory=dict)
    elements: dict[str, dict[str, Any]] = field(default_factory=dict)  # process id -> element id -> meta
    lines: dict[str, int] = field(default_factory=dict)  # element id -> source line
    problems: list[Problem] = field(default_factory=list)

    def error(self, node: Any, message: str, *, at: Any = None) -> None:
        """A problem of element ``node``; ``at``: the child it lies in, whose line is given (else the node's)."""
        self._add(node, message, "error", at)

    def warn(self, node: Any, message: str, *, at: Any = None) -> None:
        self._add(node, message, "warning", at)

    def _add(self, node: Any, message: str, severity: str, at: Any = None) -> None:
        where = at if at is not None else node
        line = getattr(where, "sourceline", None) if where is not None else None
        element = node.get("id") if node is not None else None
        self.problems.append(Problem(self.name, line, element, message, severity))


def safe_parse(name: str, content: bytes) -> tuple[Any, Problem | None]:
    """Parse XML without entities, DTDs or network access, and refuse oversized files."""
    if len(content) > MAX_XML_BYTES:
        return None, Problem(name, None, None, f"file is larger than {MAX_XML_BYTES // 1024} KiB")
    doctype = _prolog_doctype(content)
    if doctype is not None:  # refused before parsing: entities could read files or expand without bound
        return None, Problem(name, content[:doctype].count(b"\n") + 1, None, DOCTYPE_REFUSED)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        return None, Problem(name, exc.lineno, None, f"malformed XML: {exc.msg}")
    if root.getroottree().docinfo.doctype:
        return None, Problem(name, 1, None, DOCTYPE_REFUSED)
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


def element_properties(node: Any) -> dict[str, str]:
    """Extension properties (Camunda Modeler's or SpiffWorkflow's) of one element."""
    return {p.get("name"): p.get("value") for p in node.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property|"
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS) if p.get("name")}
