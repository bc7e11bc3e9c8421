"""Bytes → str for the text formats (txt, md, html): BOMs, UTF-16 without BOM, cp1252 and
mixed encodings line by line, and binary files refused before any decoding.

Split from ``indexer.extract`` because guessing an encoding is its own craft: archives of
minutes hold Windows-1252 exports, DOS code pages, UTF-16 from Word and files where one pasted
paragraph has another encoding than the rest. Pure: no I/O; failures are ``ExtractError``.
"""

from __future__ import annotations

import codecs
import re

from indexer.errors import ExtractError

# Magic numbers of files that are certainly not text. Checked before any decoding so a JPEG
# renamed to .txt is reported as a picture, not indexed as mojibake.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG-bild"),
    (b"\xff\xd8\xff", "JPEG-bild"),
    (b"GIF87a", "GIF-bild"),
    (b"GIF89a", "GIF-bild"),
    (b"II*\x00", "TIFF-bild"),
    (b"MM\x00*", "TIFF-bild"),
    (b"PK\x03\x04", "ZIP-arkiv"),
    (b"PK\x05\x06", "ZIP-arkiv"),
    (b"MZ", "Windows-program"),
    (b"\x7fELF", "program"),
    (b"\x1f\x8b", "gzip-arkiv"),
    (b"Rar!", "RAR-arkiv"),
    (b"7z\xbc\xaf", "7z-arkiv"),
    (b"\xd0\xcf\x11\xe0", "gammalt Office-format (.doc/.xls); spara som DOCX eller PDF"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1A, 0x1B}
# The same sets as bytes, counted by C loops (``_count_of``): a Python loop over every byte of
# the sample cost 0.7 ms for an 8 KB file, 4 % of parsing it.
_CONTROLS = bytes(sorted(_CONTROL_BYTES))
_HIGH = bytes(range(0x80, 0x100))
_SAMPLE = 64 * 1024
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
# Characters cp1252 gives to bytes that DOS code pages (cp850/cp437) use for å/ä/ö; seen
# between letters they mean the cheap cp1252 guess was wrong.
_MOJIBAKE_IN_WORD = re.compile(r"[A-Za-z][\u2020\u201e\u201d\u2030\u0160\u2039\u0152][a-z]")

def decode_text(data: bytes, name: str, suffix: str, *, supported: bool = True) -> tuple[str, str]:
    """Decode text bytes, rejecting binaries. HTML may name its own charset."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8-sig":
                text, found = _decode_8bit(data[len(bom) :])
                return text, "utf-8-sig" if found == "utf-8" else f"utf-8-sig+{found}"
            return data.decode(encoding, errors="replace"), encoding
    utf16 = _bomless_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    _reject_binary(data, name, suffix, supported)
    declared = (
        _declared_charset(data) if suffix in {".html", ".htm"} or b"<" in data[:4096] else None
    )
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass  # the declaration lied; fall through to the byte-level rules
    return _decode_8bit(data)


def _decode_8bit(data: bytes) -> tuple[str, str]:
    """Valid UTF-8 → utf-8; otherwise per line: UTF-8 where valid, cp1252 elsewhere.

    Per line because merged archives mix both (a cp1252 header pasted above UTF-8 notes).
    cp1252 is the Swedish Windows legacy; it also decodes latin-1 Swedish text identically.
    """
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8_lines = legacy_lines = 0
    out: list[str] = []
    for line in lines:
        try:
            decoded = line.decode("utf-8")
            utf8_lines += not line.isascii()
        except UnicodeDecodeError:
            decoded = _cp1252(line)
            legacy_lines += 1
        out.append(decoded)
    text = "\n".join(out)
    if utf8_lines:
        return text, "utf-8+cp1252"
    if _MOJIBAKE_IN_WORD.search(text):
        guessed = _charset_normalizer_guess(data)
        if guessed and _swedishness(guessed[0]) > _swedishness(text):
            return guessed
    return text, "cp1252"


def _cp1252(line: bytes) -> str:
    """cp1252 with latin-1 for the five bytes cp1252 leaves undefined: never fails."""
    return "".join(
        chunk.decode("cp1252") if i % 2 == 0 else chunk.decode("latin-1")
        for i, chunk in enumerate(re.split(rb"([\x81\x8d\x8f\x90\x9d]+)", line))
    )


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    """Used only when cp1252 produced visible mojibake: try the DOS/Mac code pages Swedish
    archives actually contain plus charset-normalizer's statistical guess, and keep the
    decoding with the most Swedish letters and the fewest odd symbols inside words."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_SAMPLE]).best()
    candidates = ["cp850", "cp437", "mac_roman"] + ([best.encoding] if best else [])
    scored: list[tuple[int, str, str]] = []
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((_swedishness(text), encoding.replace("_", "-"), text))
    if not scored:
        return None
    score, encoding, text = max(scored, key=lambda s: s[0])
    return (text, encoding) if score > 0 else None


def _swedishness(text: str) -> int:
    letters = sum(text.count(c) for c in "åäöÅÄÖé")
    odd = len(re.findall(r"[^\W\d_][^\w\s.,;:!?()'\"/-][^\W\d_]", text))
    return letters - 3 * odd


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM (some Windows exports): NULs on one side of almost every pair."""
    sample = data[:_SAMPLE]
    if len(sample) < 8 or sample.count(0) < len(sample) // 3:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _reject_binary(data: bytes, name: str, suffix: str, supported: bool) -> None:
    """Refuse files that are mostly not text; a few NULs in real text are merely stripped."""
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise ExtractError(name, f"binärfil, inte text ({what}).")
    sample = data[:_SAMPLE]
    nuls = sample.count(0)
    controls = _count_of(sample, _CONTROLS) - nuls
    high = _count_of(sample, _HIGH)
    size = len(sample)
    invalid_utf8 = not _valid_utf8_prefix(sample)
    if nuls > 0.3 * size or controls > 0.05 * size or (invalid_utf8 and high > 0.3 * size):
        where = "" if supported else f"filtypen {suffix} stöds inte; "
        raise ExtractError(
            name,
            f"binärfil, inte text ({where}för många styrtecken); "
            "exportera protokollet som text, PDF eller DOCX.",
        )


def _count_of(data: bytes, members: bytes) -> int:
    """How many bytes of ``data`` are among ``members``."""
    return len(data) - len(data.translate(None, members))


def _valid_utf8_prefix(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # only a character cut off by the sample edge
    return True


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # Browsers read latin-1 and ascii declarations as windows-1252; so do we.
    return "cp1252" if name in {"latin-1", "iso8859-1", "ascii"} else name
