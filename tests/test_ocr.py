"""Issue 14: scanned minutes are read by OCR (Tesseract, Swedish model), marked as such on
the meeting page and in the JSON, and never dropped silently where Tesseract is missing.

The scanned PDF is generated here: the text is drawn into a bitmap and wrapped in a PDF with
no text layer, as a scanner would produce it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reliability.harness import index_command
from reliability.hostile import scanned_pdf

from indexer.extract import extract_text
from indexer.ocr import tesseract_problem

needs_tesseract = pytest.mark.skipif(
    tesseract_problem() is not None,
    reason="Tesseract med svenska saknas: kör scripts/test (installerar tesseract-ocr, tesseract-ocr-swe)",
)


@needs_tesseract
def test_a_scanned_pdf_is_read_by_ocr_and_its_words_found(tmp_path: Path) -> None:
    import time

    from reliability.harness import record

    data = scanned_pdf(tmp_path / "scan.pdf", pages=2).read_bytes()
    assert extract_text_layer_is_empty(data)
    seen: list[tuple[int, int]] = []
    started = time.perf_counter()
    extracted = extract_text(data, "scan.pdf", progress=lambda n, total: seen.append((n, total)))
    record("ocr", pages=2, seconds=round(time.perf_counter() - started, 1), words_checked=5,
           words_found=sum(w in extracted.text.split() for w in ("Bredbandsutbyggnad", "Norsjö",
                           "färdtjänst", "bordläggs", "2009-03-12")))  # fmt: skip
    assert extracted.ocr and extracted.pages == 2
    assert seen == [(1, 2), (2, 2)]
    words = extracted.text.split()
    for word in ("Bredbandsutbyggnad", "Norsjö", "färdtjänst", "bordläggs", "2009-03-12"):
        assert word in words, (word, extracted.text[:400])


def extract_text_layer_is_empty(data: bytes) -> bool:
    import io

    from pypdf import PdfReader

    return not "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).strip()


@needs_tesseract
def test_an_indexed_scan_is_searchable_and_marked_as_ocr(tmp_path: Path) -> None:
    from reliability.webindex import production_app

    corpus = tmp_path / "C"
    corpus.mkdir()
    scanned_pdf(corpus / "skellefteregionen-styrgrupp-2009-03-12.pdf")
    run = subprocess.run(index_command(corpus, tmp_path / "I", "--workers", "1"),
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OCR skellefteregionen-styrgrupp-2009-03-12.pdf: sida 1 av 1" in run.stderr
    client = production_app(tmp_path / "I", corpus).test_client()
    hits = client.get("/api/search?q=Norsjö").get_json()["hits"]
    assert hits, "the OCR text is not searchable"
    mid = hits[0]["meeting_id"]
    assert client.get(f"/api/meetings/{mid}").get_json()["ocr"] is True
    page = client.get(f"/mote/{mid}").get_data(as_text=True)
    assert 'id="ocr-note"' in page and "läst med OCR" in page


def test_without_tesseract_a_scan_is_listed_with_the_packages_to_install(tmp_path: Path) -> None:
    corpus = tmp_path / "C"
    corpus.mkdir()
    scanned_pdf(corpus / "skellefteregionen-styrgrupp-2009-03-12.pdf")
    shutil.copy(Path(__file__).parent.parent / "corpus" / "skellefteregionen-styrgrupp-2015-02-11.txt",
                corpus)  # fmt: skip
    bare = tmp_path / "bin"  # a PATH without tesseract on it
    bare.mkdir()
    env = {**os.environ, "PATH": str(bare)}
    run = subprocess.run([sys.executable, *index_command(corpus, tmp_path / "I")[1:]],
                         capture_output=True, text=True, env=env)  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    line = next(x for x in run.stdout.splitlines() if "2009-03-12.pdf" in x)
    assert "tesseract-ocr" in line and "tesseract-ocr-swe" in line and "inte installerat" in line
    assert "tillagda:     1" in run.stdout


def test_a_born_digital_pdf_is_not_sent_to_ocr() -> None:
    data = (Path(__file__).parent / "fixtures" / "protokoll.pdf").read_bytes()
    extracted = extract_text(data, "protokoll.pdf")
    assert not extracted.ocr and "Vänersborg" in extracted.text


@needs_tesseract
def test_a_garbage_text_layer_over_a_scan_is_read_by_ocr(tmp_path: Path) -> None:
    """A scan whose text layer is consonant soup (a broken font map): the image is read."""
    import pypdfium2 as pdfium
    from fpdf import FPDF

    image = pdfium.PdfDocument(scanned_pdf(tmp_path / "scan.pdf").read_bytes())[0]
    image.render(scale=200 / 72, grayscale=True).to_pil().save(tmp_path / "sida.png")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(tmp_path / "sida.png"), x=0, y=0, w=210)
    pdf.set_font("helvetica", size=10)
    pdf.text_mode = "INVISIBLE"  # a text layer the eye never sees, as over a scan
    for row in range(30):
        pdf.text(10, 10 + row * 9, "xzqt kdfgh wrtps bnmcv ghjkl pqrst vwxzk " * 2)
    data = bytes(pdf.output())
    extracted = extract_text(data, "trasigt-textlager.pdf")
    assert extracted.ocr
    assert "Norsjö" in extracted.text.split() and "xzqt" not in extracted.text
