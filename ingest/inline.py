"""Inside a line of extracted text: spaced numbers (``4 000``) and acronyms
(``D H L``) closed up, runs of spaces collapsed, and two broken lines joined
the way their scripts are written (no space between Chinese characters, one
between Latin words, none after a hyphenated word break)."""

from __future__ import annotations

import re

_SPACED_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d])")
_SPACED_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z](?: [A-Z]){1,6}(?![A-Za-z])")


def normalise_inline(text: str) -> str:
    text = _SPACED_NUMBER.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _SPACED_ACRONYM.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return text.strip()


def join_lines(left: str, right: str) -> str:
    if left.endswith("-") and right[:1].islower():
        return left[:-1] + right
    if re.search(r"[A-Za-z0-9,.;:)]$", left) and re.match(r"[A-Za-z0-9(]", right):
        return left + " " + right
    return left + right
