"""Generators for the hostile and heavy inputs of issue 14, shared by the fast tests and the
long runs: a DOCX zip bomb, a long legitimate text of numbered items, and a scanned PDF (text
rendered to an image, wrapped in a PDF with no text layer).

Usable from the shell too: ``python tests/reliability/hostile.py bomb|items|scan OUT [N]``.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

BOMB_PARAGRAPH = b"<w:p><w:r><w:t>1. bredband</w:t></w:r></w:p>"


def zip_bomb_docx(path: Path, repeats: int = 6_000_000) -> Path:
    """A valid DOCX whose ``word/document.xml`` repeats one paragraph ``repeats`` times
    (6 million: an 800 KB file holding ~270 MB of XML), written with ZIP_DEFLATED level 9."""
    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(
        path, "w", zipfile.ZIP_DEFLATED, compresslevel=9
    ) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, src.read(info))
        head = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body>"
        )
        with out.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            block = BOMB_PARAGRAPH * 10_000
            for _ in range(repeats // 10_000):
                fh.write(block)
            fh.write(b"</w:body></w:document>")
    return path


def numbered_items_text(path: Path, megabytes: float = 60) -> Path:
    """A legitimate-looking minutes text of ~500 000 numbered items at 60 MB."""
    head = "Protokoll Umeåregionens kommunchefsgrupp 2019-03-14\n\nNärvarande: Anna Berg, Umeå\n\n"
    target = int(megabytes * (1 << 20))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(head)
        written, n = len(head), 0
        while written < target:
            n += 1
            chunk = f"{n}. Bredband\nGruppen diskuterade bredband.\nBESLUT: att godkänna {n}\n\n"
            fh.write(chunk)
            written += len(chunk.encode("utf-8"))
    return path


SCAN_LINES = (
    "Protokoll Skellefteregionen styrgrupp",
    "Datum: 2009-03-12",
    "1. Bredbandsutbyggnad i Norsjö",
    "Styrgruppen beslutar att godkänna planen.",
    "2. Kollektivtrafik och färdtjänst",
    "Ärendet bordläggs till nästa möte.",
)


def scanned_pdf(path: Path, lines: tuple[str, ...] = SCAN_LINES, pages: int = 1) -> Path:
    """An image-only PDF: each page is the text drawn into a 200 dpi greyscale bitmap."""
    from matplotlib import font_manager
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_manager.findfont("DejaVu Sans"), 34)
    images = []
    for page in range(pages):
        image = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
        draw = ImageDraw.Draw(image)
        for row, line in enumerate(lines):
            draw.text((150, 200 + row * 70), line if page == 0 else f"{line} ({page + 1})",
                      fill=0, font=font)  # fmt: skip
        images.append(image)
    images[0].save(path, "PDF", resolution=200.0, save_all=True, append_images=images[1:])
    return path


if __name__ == "__main__":  # pragma: no cover - a helper for manual reproduction
    kind, out = sys.argv[1], Path(sys.argv[2])
    arg = float(sys.argv[3]) if len(sys.argv) > 3 else None
    if kind == "bomb":
        zip_bomb_docx(out, int(arg or 6_000_000))
    elif kind == "items":
        numbered_items_text(out, arg or 60)
    else:
        scanned_pdf(out, pages=int(arg or 1))
    print(out, out.stat().st_size)
