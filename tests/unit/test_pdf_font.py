"""The documents' and samples' PDFs embed a serif CJK TrueType font (a subset of it), chosen by
GOVFLOW_PDF_FONT or from Debian's paths, and fall back to the non-embedded STSong-Light with one warning."""
from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pypdf
import pytest
from reportlab.pdfbase import pdfmetrics

from engine import document_pdf, samples
from engine.document_pdf import html_to_pdf
from tests.helpers import ROOT

UMING = Path(document_pdf.FONT_FILES[0][0])
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
PUNCTUATION = "，。、；：“”（）《》〔〕—"
HTML = f"""<html><head><title>不予行政许可决定书</title></head><body>
  <h1>某市市场监督管理局</h1><h2>不予行政许可决定书</h2><p class="center">〔2026〕第12号</p>
  <p class="noindent">张三（ABC Foods Ltd.）：</p>
  <p>你（单位）提出的<strong>食品经营许可</strong>申请，依据《中华人民共和国行政许可法》第三十八条——</p>
  <p class="noindent">{PUNCTUATION}</p>
  <table><tr><th>序号</th><th>理由</th></tr><tr><td>1</td><td>经营场所面积不足 20 平方米</td></tr></table>
  <ol><li>第一项</li></ol><ul><li>附注</li></ul><p class="sign">2026年3月2日</p></body></html>"""
needs_uming = pytest.mark.skipif(not UMING.is_file(), reason="fonts-arphic-uming is not installed "
                                 "(scripts/system-packages.sh installs it)")


def fonts(pdf: bytes) -> list[pypdf.generic.DictionaryObject]:
    """Every font dictionary the pages use."""
    found = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        found += [font.get_object() for font in page["/Resources"]["/Font"].values()]
    return found


def embedded(font: pypdf.generic.DictionaryObject) -> bool:
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and "/FontFile2" in descriptor.get_object()


def text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def fallback_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "engine.document_pdf" and r.levelno == logging.WARNING and "STSong-Light" in r.getMessage()]


@needs_uming
def test_a_document_embeds_a_subset_of_the_serif_font_and_names_no_other(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    pdf = html_to_pdf(HTML, title="不予行政许可决定书")
    used = fonts(pdf)
    assert used and all(embedded(font) for font in used)
    # A subset (six letters and a plus before the face's name), a simple TrueType font per 256 glyphs.
    assert all(re.fullmatch(r"/[A-Z]{6}\+UMingCN.*", font["/BaseFont"]) for font in used)
    assert b"STSong-Light" not in pdf and b"Helvetica" not in pdf  # tables and pages once named Helvetica
    written = text(pdf)
    for words in ("某市市场监督管理局", "〔2026〕第12号", "张三（ABC Foods Ltd.）：", "食品经营许可",
                  PUNCTUATION, "20 平方米", "第一项", "附注", "2026年3月2日"):
        assert words in written, words
    assert len(pdf) < 100_000  # subset: tens of KB, not the 20 MB collection


@needs_uming
def test_the_font_has_a_glyph_for_every_character_of_the_library_s_documents_and_samples(
        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    glyphs = pdfmetrics.getFont(document_pdf.font_name()).face.charToGlyph
    used = set(PUNCTUATION + "0123456789ABCXYZabcxyz•") | {
        c for path in ROOT.glob("bpmn/**/*.html") for c in path.read_text(encoding="utf-8") if ord(c) > 32}
    assert sorted(c for c in used if ord(c) not in glyphs) == []


@needs_uming
def test_a_sample_form_embeds_the_font_too(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    sample = ROOT / "bpmn" / "SCJG-XK-0001" / "samples" / "food_licence_application.html"
    pdf = samples.rendered_pdf(sample.read_bytes())
    assert all(embedded(font) for font in fonts(pdf)) and b"STSong-Light" not in pdf
    assert "食品经营许可申请书" in text(pdf)


@pytest.mark.skipif(not WQY.is_file(), reason="fonts-wqy-microhei is not installed")
def test_govflow_pdf_font_names_another_truetype_font(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture):
    monkeypatch.setenv("GOVFLOW_PDF_FONT", str(WQY))
    pdf = html_to_pdf(HTML)
    used = fonts(pdf)
    assert used and all(embedded(font) and "WenQuanYiMicroHei" in font["/BaseFont"] for font in used)
    assert fallback_warnings(caplog) == []


def test_a_missing_font_file_falls_back_to_stsong_light_with_one_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    missing = tmp_path / "no-such-font.ttf"
    monkeypatch.setenv("GOVFLOW_PDF_FONT", str(missing))
    with caplog.at_level(logging.WARNING, logger="engine.document_pdf"):
        first, second = html_to_pdf(HTML), html_to_pdf(HTML)
    [warning] = fallback_warnings(caplog)  # once per process, not once per document
    assert f"GOVFLOW_PDF_FONT={missing}" in warning and "not embedded" in warning
    for pdf in (first, second):
        assert [font["/BaseFont"] for font in fonts(pdf)] == ["/STSong-Light"]
        assert b"/FontFile2" not in pdf and "食品经营许可" in text(pdf) and PUNCTUATION in text(pdf)


def test_a_file_that_is_no_truetype_font_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture):
    bogus = tmp_path / "font.ttc"
    bogus.write_bytes(b"OTTO" + bytes(200))  # not a TrueType font: reportlab refuses it rather than embedding it
    monkeypatch.setenv("GOVFLOW_PDF_FONT", str(bogus))
    with caplog.at_level(logging.WARNING, logger="engine.document_pdf"):
        pdf = html_to_pdf(HTML)
    [warning] = fallback_warnings(caplog)
    assert str(bogus) in warning
    assert [font["/BaseFont"] for font in fonts(pdf)] == ["/STSong-Light"]


@pytest.mark.skipif(not DEJAVU.is_file(), reason="fonts-dejavu is not installed")
def test_a_font_without_chinese_glyphs_is_refused_rather_than_printing_empty_boxes(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    monkeypatch.setenv("GOVFLOW_PDF_FONT", str(DEJAVU))
    with caplog.at_level(logging.WARNING, logger="engine.document_pdf"):
        pdf = html_to_pdf(HTML)
    [warning] = fallback_warnings(caplog)
    assert "no glyph for" in warning and "受理通知书" in warning
    assert b"DejaVu" not in pdf and [font["/BaseFont"] for font in fonts(pdf)] == ["/STSong-Light"]


def test_without_any_of_the_debian_fonts_the_warning_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    monkeypatch.setattr(document_pdf, "FONT_FILES", ((str(tmp_path / "uming.ttc"), 0),))
    with caplog.at_level(logging.WARNING, logger="engine.document_pdf"):
        pdf = html_to_pdf(HTML)
        html_to_pdf(HTML)
    [warning] = fallback_warnings(caplog)
    assert "install fonts-arphic-uming or set GOVFLOW_PDF_FONT" in warning and str(tmp_path) in warning
    assert [font["/BaseFont"] for font in fonts(pdf)] == ["/STSong-Light"] and "附注" in text(pdf)
