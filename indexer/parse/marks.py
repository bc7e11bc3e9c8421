"""OCR-damaged item marks, repaired in place: "$ 28" and "S 28" are "§ 28", "§ l0" is "§ 10".

Scanned minutes read through OCR lose the paragraph sign to a lookalike ("$", "S", "l", "I")
and digits to letters ("l0", "2O"). A clerk reads past the damage; the parser repairs a copy
of the text before it looks for items, character for character, so every position still
points at the same place in the original text. The lookalikes are data
(``[ocr]`` in parse_labels.toml). Only marks shaped like an item are touched: a lookalike
before a number and a capitalised title, a letter at a line start only when the document has
two marks at line starts (damaged or sound), digits only inside a mark.
"""

from __future__ import annotations

import re
from functools import cache

from indexer.parse.labels import labels

_TITLE_AFTER = r"(?=[ \t]+[\"”«]?[A-ZÅÄÖ][a-zåäöéA-ZÅÄÖ])"
MIN_LETTER_MARKS = 2  # damaged and sound marks at line starts together
_SOUND_MARK = re.compile(r"^[ \t]*§[ \t]?\d", re.MULTILINE)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[int, str]]:
    spec = labels()["ocr"]
    digits = spec["digits"]
    digit_like = "0-9" + "".join(re.escape(c) for c in digits)
    number = rf"(?=[{digit_like}]*[0-9])[{digit_like}]{{1,4}}|[lI](?![\w])"
    anywhere = re.compile(rf"(?<![\w$])(?:{spec['paragraph_sign_anywhere']})(?=[ \t]?(?:{number}){_TITLE_AFTER})")
    line_start = re.compile(
        rf"^([ \t]*)(?:{spec['paragraph_sign_line_start']})(?=[ \t](?:{number}){_TITLE_AFTER})", re.MULTILINE
    )
    mark_number = re.compile(rf"(?<=§)([ \t]?)({number}){_TITLE_AFTER}")
    return anywhere, line_start, mark_number, str.maketrans(digits)


def repair(text: str) -> str:
    """``text`` with damaged item marks repaired; always the same length as ``text``."""
    if not any(c in text for c in "$SlI|§"):
        return text
    anywhere, line_start, mark_number, to_digits = _patterns()
    text = anywhere.sub("§", text)
    damaged = len(line_start.findall(text))
    if damaged and damaged + len(_SOUND_MARK.findall(text)) >= MIN_LETTER_MARKS:
        text = line_start.sub(lambda m: m.group(1) + "§", text)
    return mark_number.sub(lambda m: m.group(1) + m.group(2).translate(to_digits), text)
