"""A generated corpus of broken and hostile files beside good ones, with the expected outcome.

Why generated and not hand-picked: a hand-picked folder proves only that the files someone
thought of work. Here every fault family is produced by code from one ``random.Random(seed)``
(garbage bytes, cut points, which good text lands under which hostile name), so a new seed
gives new variants and the same seed gives the same bytes (except the two encrypted PDFs, whose
salt pypdf draws from the OS), and every file carries what the indexer must do with it:

* ``reject``: it must appear in ``BuildReport.failed`` / the CLI summary with a reason;
* ``accept``: hostile packaging around real minutes; it must be indexed;
* ``either``: pathological but possibly salvageable; it must be indexed *or* reported, never
  silently dropped, and it must not stop or hang the run.

Good files are the synthetic archive from ``benchmark.generate`` plus copies of ``corpus/``.
Run ``python tests/reliability/faultcorpus.py OUT [--seed N] [--big-mb M]`` to look at one.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED_CORPUS = ROOT / "corpus"
ZIP_DATE = (2021, 3, 18, 9, 0, 0)
FIXED_DATE = dt.datetime(2021, 3, 18, 9, 0, tzinfo=dt.UTC)  # same bytes on every run
REJECT, ACCEPT, EITHER = "reject", "accept", "either"
HOSTILE_NAMES = (
    "protokoll med mellanslag 2015.txt",
    "styrgrupp 📄🔥 möte.txt",
    'fel:tecken*i?namn"<>|.txt',
    "-börjar-med-streck.md",
    "  inledande och avslutande blanksteg  .txt",
    "ÅÄÖ åäö é ü.md",
    "nyrad\ni namnet.txt",
    "bakåtsnedstreck\\i namnet.txt",
)


@dataclass(frozen=True)
class Fault:
    """One deliberately bad or hostile file and what the indexer must do with it."""

    source: str  # corpus-relative POSIX path, as the indexer reports it
    kind: str
    expect: str  # REJECT | ACCEPT | EITHER


@dataclass
class FaultCorpus:
    root: Path
    good: list[str] = field(default_factory=list)  # plain good files: must be indexed
    faults: list[Fault] = field(default_factory=list)
    vanishing: str = ""  # a good file the in-process test deletes during the run
    loop_dir: str = ""  # a directory symlink pointing at its own parent

    def expected(self, expect: str) -> set[str]:
        return {f.source for f in self.faults if f.expect == expect}

    @property
    def must_index(self) -> set[str]:
        return set(self.good) | self.expected(ACCEPT)

    @property
    def bad_count(self) -> int:
        """Files that are broken or hostile in some way (all faults, whatever the outcome)."""
        return len(self.faults)

    @property
    def tried(self) -> set[str]:
        """Every regular file the indexer should try (symlinks to nothing included)."""
        return set(self.good) | {f.source for f in self.faults}


def build_fault_corpus(
    root: Path, *, seed: int = 0, big_bytes: int | None = None, generated: int = 40
) -> FaultCorpus:
    """Write the corpus under ``root`` (which must not exist yet) and return its expectations.

    ``big_bytes`` is the size of the one oversized text file; by default just above the
    pipeline's ``MAX_FILE_BYTES`` (the fast suite), ``scripts/reliability`` passes 200 MB.
    """
    from benchmark.generate import generate
    from indexer.pipeline import MAX_FILE_BYTES

    rng = random.Random(seed)
    root.mkdir(parents=True)
    corpus = FaultCorpus(root)
    generate(generated, root / "arkiv", seed=seed)
    (root / "arkiv" / "manifest.json").unlink()
    corpus.good += sorted(
        p.relative_to(root).as_posix()
        for p in (root / "arkiv").rglob("*")
        if p.is_file() and p.name != "protokoll.toml"
    )
    seeds = _seed_texts()
    for name, data in seeds:
        _put(corpus, f"kopior/{name}", data, None)
    bad = root / "trasigt"
    bad.mkdir()
    for maker in FAULT_MAKERS:
        maker(corpus, bad, rng, seeds)
    _big_file(corpus, bad, seeds, big_bytes or MAX_FILE_BYTES + 5 * 1024 * 1024)
    return corpus


# ------------------------------------------------------------------ helpers


def _seed_texts() -> list[tuple[str, bytes]]:
    return [
        (p.name, p.read_bytes())
        for p in sorted(SEED_CORPUS.iterdir())
        if p.is_file() and p.name != "protokoll.toml"
    ]


def _put(corpus: FaultCorpus, rel: str, data: bytes | str, fault: tuple[str, str] | None) -> Path:
    """Write one file; ``fault`` = (kind, expect), None for a plain good file."""
    path = corpus.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    source = path.relative_to(corpus.root).as_posix()
    if fault is None:
        corpus.good.append(source)
    else:
        corpus.faults.append(Fault(source, *fault))
    return path


def _text(seeds: list[tuple[str, bytes]], rng: random.Random) -> str:
    return rng.choice([d for n, d in seeds if n.endswith(".txt")]).decode("utf-8")


def _pdf_bytes(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    safe = text.encode("latin-1", "replace").decode("latin-1")
    pdf.multi_cell(0, 5, safe[:3000])
    return bytes(pdf.output())


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data)
    return buf.getvalue()


# ------------------------------------------------------------------ fault families

Maker = Callable[[FaultCorpus, Path, random.Random, list[tuple[str, bytes]]], None]


def _empty(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    for ext in ("txt", "md", "html", "pdf", "docx"):
        _put(c, f"trasigt/tom.{ext}", b"", ("empty", REJECT))
    _put(c, "trasigt/bara-blanksteg.txt", b" \n\t\r\n   \n", ("whitespace", REJECT))
    _put(c, "trasigt/bara-nul.txt", b"\x00" * 4096, ("nul-only", REJECT))


def _garbage(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    for i in range(10):
        data = rng.randbytes(rng.randint(64, 256 * 1024))
        _put(c, f"trasigt/skrap-{i:02d}.txt", data, ("binary-txt", REJECT))
    for i, ext in enumerate(("md", "md", "html", "htm")):
        _put(c, f"trasigt/skrap-{i:02d}.{ext}", rng.randbytes(8192), (f"binary-{ext}", REJECT))
    magics = (
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0",
        b"PK\x03\x04",
        b"\x7fELF",
        b"MZ",
        b"\xd0\xcf\x11\xe0",
    )
    for i, magic in enumerate(magics):
        _put(c, f"trasigt/forkladd-{i}.txt", magic + rng.randbytes(4096), ("magic-txt", REJECT))


def _pdfs(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    from pypdf import PdfReader, PdfWriter

    good = _pdf_bytes(_text(seeds, rng))
    for i in range(6):
        cut = rng.randint(16, len(good) - 64)
        _put(c, f"trasigt/avkortad-{i}.pdf", good[:cut], ("truncated-pdf", REJECT))
    for i, password in enumerate(("hemligt", "lösen")):
        writer = PdfWriter()
        writer.append(PdfReader(io.BytesIO(good)))
        writer.encrypt(user_password=password, owner_password="ägare")
        buf = io.BytesIO()
        writer.write(buf)
        _put(c, f"trasigt/krypterad-{i}.pdf", buf.getvalue(), ("encrypted-pdf", REJECT))
    for i in range(2):
        _put(c, f"trasigt/bara-bild-{i}.pdf", _image_only_pdf(rng), ("image-only-pdf", REJECT))
    for i in range(2):
        junk = b"%PDF-1.7\n" + rng.randbytes(4096) + b"\n%%EOF\n"
        _put(c, f"trasigt/pdf-skrap-{i}.pdf", junk, ("garbage-pdf", REJECT))
    _put(c, "trasigt/pdf-slinga.pdf", _cyclic_pdf(), ("cyclic-pdf", EITHER))
    _put(c, "trasigt/pdf-med-txt-namn.txt", good, ("pdf-named-txt", EITHER))


def _image_only_pdf(rng: random.Random) -> bytes:
    """Shapes but no text layer: what a scanned page looks like to a text extractor."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    for _ in range(40):
        x, y = rng.uniform(10, 180), rng.uniform(10, 270)
        pdf.rect(x, y, rng.uniform(2, 20), rng.uniform(1, 4), style="F")
    return bytes(pdf.output())


def _cyclic_pdf() -> bytes:
    """A page tree whose /Kids contains itself: naive walkers recurse forever."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _docx(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    for i in range(3):
        members = {f"skrap{j}.bin": rng.randbytes(2048) for j in range(3)}
        _put(c, f"trasigt/zip-skrap-{i}.docx", _zip(members), ("junk-zip-docx", REJECT))
    for i in range(2):
        _put(c, f"trasigt/inte-zip-{i}.docx", rng.randbytes(3000), ("not-zip-docx", REJECT))
    for i in range(2):
        xml = b"<?xml version='1.0'?><w:document><w:body><w:p>" + rng.randbytes(500)
        members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": xml}
        _put(c, f"trasigt/trasig-xml-{i}.docx", _zip(members), ("bad-xml-docx", REJECT))
    cut = _zip({"word/document.xml": b"<w:document>" + b"x" * 20000 + b"</w:document>"})
    _put(c, "trasigt/avkortad.docx", cut[: len(cut) // 2], ("truncated-docx", REJECT))


def _html(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    body = _text(seeds, rng).replace("&", "&amp;").replace("<", "&lt;")
    for i, tag in enumerate(("div", "b")):
        deep = f"<html><body>{f'<{tag}>' * 10_000}<p>{body}</p>{f'</{tag}>' * 10_000}</body></html>"
        _put(c, f"trasigt/djup-{i}.html", deep, ("deep-html", EITHER))
    unclosed = "<html><body>" + "<div><span><table><tr><td>" * 3000 + body
    _put(c, "trasigt/oavslutad.html", unclosed, ("unclosed-html", EITHER))
    only_script = (
        "<html><head><script>" + "var a=1;" * 2000 + "</script></head><body></body></html>"
    )
    _put(c, "trasigt/bara-skript.html", only_script, ("script-only-html", REJECT))


def _encodings(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    for i in range(2):
        text = _text(seeds, rng)
        half = len(text) // 2
        mixed = text[:half].encode("utf-8") + text[half:].encode("cp1252", "replace")
        _put(c, f"trasigt/blandad-kodning-{i}.txt", mixed, ("mixed-encoding", ACCEPT))
    text = _text(seeds, rng)
    _put(c, "trasigt/utf16-bom.txt", text.encode("utf-16"), ("utf16-bom", ACCEPT))
    _put(c, "trasigt/utf16-utan-bom.txt", text.encode("utf-16-le"), ("utf16-no-bom", ACCEPT))
    _put(c, "trasigt/cp1252.txt", text.encode("cp1252", "replace"), ("cp1252", ACCEPT))
    for i in range(2):
        raw = bytearray(_text(seeds, rng).encode("utf-8"))
        for _ in range(12):
            pos = rng.randrange(len(raw))
            while pos < len(raw) and raw[pos] >= 0x80:  # never split a UTF-8 sequence
                pos += 1
            raw[pos:pos] = b"\x00" * rng.randint(1, 4)
        _put(c, f"trasigt/nul-tecken-{i}.txt", bytes(raw), ("nul-bytes", ACCEPT))
    bidi = "\u202e\u200b\ufeff" + _text(seeds, rng).replace(" ", " \u200d", 50)
    _put(c, "trasigt/bidi-och-nollbredd.txt", bidi, ("bidi-zero-width", ACCEPT))
    script = "<script>alert(1)</script>\n" + _text(seeds, rng)
    _put(c, "trasigt/skript-i-text.txt", script, ("script-in-text", ACCEPT))


def _shapes(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    line = " ".join(rng.choice(("beslut", "kommun", "förbund", "ärende")) for _ in range(150_000))
    _put(c, "trasigt/en-enda-rad.txt", line, ("one-long-line", EITHER))
    items = "PROTOKOLL\nStyrgrupp 2015-02-11\n" + "".join(
        f"{n}. Punkt {n}\nBeslut: godkänns.\n" for n in range(1, 20_001)
    )
    _put(c, "trasigt/tjugotusen-punkter.txt", items, ("many-items", EITHER))
    letters = "".join(rng.choice("abcdefghij åäö\n") for _ in range(20_000))
    _put(c, "trasigt/slumpbokstaver.txt", letters, ("random-letters", EITHER))


def _names(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    for name in HOSTILE_NAMES:
        _put(c, f"namn/{name}", rng.choice(seeds)[1], ("hostile-name", ACCEPT))
    dotted = c.root / "namn" / "mapp-som-heter.txt"
    dotted.mkdir()
    _put(c, "namn/mapp-som-heter.txt/inuti.txt", rng.choice(seeds)[1], ("dir-named-txt", ACCEPT))


def _links_and_rights(c: FaultCorpus, bad: Path, rng: random.Random, seeds: list) -> None:
    (bad / "slinga-a.txt").symlink_to("slinga-b.txt")
    (bad / "slinga-b.txt").symlink_to("slinga-a.txt")
    (bad / "pekar-ingenstans.txt").symlink_to("finns-inte.txt")
    for name, kind in (
        ("slinga-a.txt", "symlink-loop"),
        ("slinga-b.txt", "symlink-loop"),
        ("pekar-ingenstans.txt", "dangling-symlink"),
    ):
        c.faults.append(Fault(f"trasigt/{name}", kind, REJECT))
    (bad / "mappslinga").mkdir()
    (bad / "mappslinga" / "upp").symlink_to("..")
    c.loop_dir = "trasigt/mappslinga/upp"
    path = _put(c, "trasigt/olasbar.txt", rng.choice(seeds)[1], ("no-permission", REJECT))
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads mode 000 anyway: then it must simply be indexed
        c.faults[-1] = Fault(c.faults[-1].source, "no-permission-root", ACCEPT)
    broken_meta = c.root / "trasig-metadata"
    broken_meta.mkdir()
    (broken_meta / "protokoll.toml").write_text('organisation = "Oavslutad\n', encoding="utf-8")
    _put(c, "trasig-metadata/protokoll.txt", rng.choice(seeds)[1], ("broken-folder-toml", REJECT))
    c.vanishing = "zz-forsvinner/forsvinner-under-korning.txt"
    _put(c, c.vanishing, rng.choice(seeds)[1], ("removed-while-indexing", REJECT))


def _big_file(c: FaultCorpus, bad: Path, seeds: list, size: int) -> None:
    """Real text (not a sparse hole) so a reader that ignores the size limit really pays."""
    chunk = (seeds[0][1] * (1 + (1 << 20) // len(seeds[0][1])))[: 1 << 20]
    path = bad / "jattestor.txt"
    with open(path, "wb") as fh:
        for _ in range(size // len(chunk)):
            fh.write(chunk)
        fh.write(chunk[: size % len(chunk)])
    c.faults.append(Fault("trasigt/jattestor.txt", "oversized", REJECT))


def add_special_faults(
    c: FaultCorpus, seed: int = 0, kinds: tuple[str, ...] = ("fifo", "non-utf8-name")
) -> None:
    """Faults that can hang or abort a whole run, kept apart so each has its own test.

    A FIFO named ``.txt`` blocks a naive ``read_bytes()`` forever (and fails for root too,
    unlike mode 000); a file name that is not valid UTF-8 reaches Python as lone surrogates,
    which cannot be encoded into an index term.
    """
    rng = random.Random(seed)
    if "fifo" in kinds:
        _fifo(c)
    if "non-utf8-name" in kinds:
        _undecodable_name(c, rng)


def _fifo(c: FaultCorpus) -> None:
    fifo = c.root / "trasigt" / "fifo-ror.txt"
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    c.faults.append(Fault("trasigt/fifo-ror.txt", "fifo", REJECT))


def _undecodable_name(c: FaultCorpus, rng: random.Random) -> None:
    raw = os.fsencode(c.root / "namn") + b"/ogiltig-utf8-\xff\xfe.txt"
    os.makedirs(os.fsencode(c.root / "namn"), exist_ok=True)
    with open(raw, "wb") as fh:
        fh.write(rng.choice(_seed_texts())[1])
    c.faults.append(
        Fault("namn/" + os.fsdecode(b"ogiltig-utf8-\xff\xfe.txt"), "non-utf8-name", EITHER)
    )


FAULT_MAKERS: tuple[Maker, ...] = (
    _empty,
    _garbage,
    _pdfs,
    _docx,
    _html,
    _encodings,
    _shapes,
    _names,
    _links_and_rights,
)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Skriv en felkorpus för tillförlitlighetstester.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--big-mb", type=int, default=0)
    parser.add_argument("--special", action="store_true", help="också FIFO och icke-UTF-8-namn")
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    corpus = build_fault_corpus(args.out, seed=args.seed, big_bytes=args.big_mb << 20 or None)
    if args.special:
        add_special_faults(corpus, args.seed)
    print(f"{len(corpus.good)} bra filer, {corpus.bad_count} trasiga/fientliga i {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
