"""The documents' and samples' PDFs embed a serif CJK TrueType font (a subset of it), chosen by
GOVFLOW_PDF_FONT or from Debian's paths, and fall back to the non-embedded STSong-Light with one warning; rare
characters that font lacks are set in embedded supplementary faces (HanaMin, or GOVFLOW_PDF_FALLBACK_FONTS)."""
from __future__ import annotations

import io
import logging
import os
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


HANAZONO = [Path(path) for path in document_pdf.SUPPLEMENTARY_FONT_FILES]
needs_hanazono = pytest.mark.skipif(not UMING.is_file() or not all(path.is_file() for path in HANAZONO),
                                    reason="fonts-arphic-uming or fonts-hanazono is not installed "
                                    "(scripts/system-packages.sh installs them)")
# U+20BB7 (Extension B, plane 2), U+3400 (Extension A), U+2A700 (Extension C: in HanaMinB only) and
# U+30000 (Extension G: in no installed face).
RARE_HTML = """<html><body><h1>𠮷野家</h1><h2>不予行政许可决定书</h2>
  <p class="noindent">申请人：<strong>𠮷㐀</strong>某某（身份证号 1101）</p><p>𪜀记餐馆，𰀀。</p>
  <table><tr><th>序号</th><th>申请人</th></tr><tr><td>1</td><td>张㐀</td></tr></table>
  <ul><li>𠮷祥</li></ul></body></html>"""


def base_fonts(pdf: bytes) -> list[str]:
    return sorted(font["/BaseFont"].split("+", 1)[1] for font in fonts(pdf))


def supplement_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "engine.document_pdf" and "supplementary PDF font" in r.getMessage()]


@needs_hanazono
def test_rare_characters_the_main_font_lacks_are_set_in_an_embedded_supplementary_face(
        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    monkeypatch.delenv("GOVFLOW_PDF_FALLBACK_FONTS", raising=False)
    glyphs = pdfmetrics.getFont(document_pdf.font_name()).face.charToGlyph
    assert all(ord(c) not in glyphs for c in "𠮷㐀𪜀")  # else the test proves nothing
    pdf = html_to_pdf(RARE_HTML)
    used = fonts(pdf)
    assert all(embedded(font) for font in used)
    assert base_fonts(pdf) == ["HanaMinA", "HanaMinB", "UMingCN-0"]
    written = text(pdf)
    # Headings, bold, body, table cells and list items; plane 2 comes out as text too (copy, search).
    for words in ("𠮷野家", "申请人：𠮷㐀某某（身份证号 1101）", "𪜀记餐馆", "张㐀", "𠮷祥", "不予行政许可决定书"):
        assert words in written, words


@needs_uming
def test_a_document_without_rare_characters_embeds_no_supplementary_face(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    monkeypatch.delenv("GOVFLOW_PDF_FALLBACK_FONTS", raising=False)
    pdf = html_to_pdf(HTML)
    assert base_fonts(pdf) == ["UMingCN-0"] and b"HanaMin" not in pdf
    assert len(pdf) < 40_000  # as before the supplementary faces: some 34 KB


@needs_hanazono
def test_govflow_pdf_fallback_fonts_lists_the_supplementary_faces(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    monkeypatch.setenv("GOVFLOW_PDF_FALLBACK_FONTS", str(HANAZONO[1]))  # HanaMinB: no Extension A
    pdf = html_to_pdf(RARE_HTML)
    assert base_fonts(pdf) == ["HanaMinB", "UMingCN-0"]
    written = text(pdf)
    assert "𠮷野家" in written and "𪜀记餐馆" in written and "张㐀" not in written  # an empty box


@needs_uming
def test_a_missing_supplementary_font_leaves_empty_boxes_with_one_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    missing = tmp_path / "HanaMinA.ttf"
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    monkeypatch.setenv("GOVFLOW_PDF_FALLBACK_FONTS", os.pathsep.join([str(missing), str(tmp_path / "B.ttf")]))
    with caplog.at_level(logging.WARNING, logger="engine.document_pdf"):
        first, second = html_to_pdf(RARE_HTML), html_to_pdf(RARE_HTML)
    [warning] = supplement_warnings(caplog)  # once per process, not per document or file
    assert str(missing) in warning and "fonts-hanazono" in warning
    for pdf in (first, second):
        assert base_fonts(pdf) == ["UMingCN-0"] and "野家" in text(pdf) and "𠮷" not in text(pdf)


def test_with_stsong_light_no_supplementary_face_is_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    monkeypatch.setenv("GOVFLOW_PDF_FONT", str(tmp_path / "no-such-font.ttf"))
    monkeypatch.delenv("GOVFLOW_PDF_FALLBACK_FONTS", raising=False)
    pdf = html_to_pdf(RARE_HTML)
    assert [font["/BaseFont"] for font in fonts(pdf)] == ["/STSong-Light"] and "野家" in text(pdf)


@needs_hanazono
def test_a_variation_selector_after_a_character_prints_no_box_of_its_own(monkeypatch: pytest.MonkeyPatch):
    """A name's glyph variant (U+E0100 after 葛, U+FE00 after 𠮷): the character prints in its standard form."""
    monkeypatch.delenv("GOVFLOW_PDF_FONT", raising=False)
    monkeypatch.delenv("GOVFLOW_PDF_FALLBACK_FONTS", raising=False)
    pdf = html_to_pdf("<html><body><p>申请人：葛\U000e0100某，𠮷\ufe00田</p>"
                      "<table><tr><td>葛\U000e0100某</td></tr></table></body></html>")
    written = text(pdf)
    assert "申请人：葛某，𠮷田" in written and written.count("葛某") == 2
    assert "\U000e0100" not in written and "\ufe00" not in written
