"""Which lines of a document are headings: numbered Chinese headings
(一、 （一） 1.), Markdown's #, and, in text without either, the short
unpunctuated lines that stand before a paragraph (an article saved as text)."""

from __future__ import annotations

import re

from core.text import HAN_RE

TERMINAL = tuple("。！？!?；;….") + ("。”", "？”", "！”", ".”", '."')

# Heading patterns, with their level in the hierarchy.
_HEADINGS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(r"^[一二三四五六七八九十]{1,3}、\s*\S")),
    (2, re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]\s*\S")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)\s*\S")),
]
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def heading_level(text: str) -> int:
    if len(text) > 40 or text.endswith(("。", "，", "；", ",", ";", "：")):
        return 0
    if "。" in text:
        return 0
    for level, pattern in _HEADINGS:
        if pattern.match(text):
            return level
    return 0


def bare_headings(texts: list[str]) -> set[int]:
    """Lines that read as headings: short, no sentence punctuation, and
    followed (after at most two more such lines) by a sentence-ending paragraph."""

    def short(t: str) -> bool:
        if t.endswith(TERMINAL) or re.search(r"[，。；：,;:!?？！]", t):
            return False
        han = len(HAN_RE.findall(t))
        return (han <= 16 and len(t) <= 24) if han else (len(t) <= 60 and len(t.split()) <= 8)

    heads: set[int] = set()
    i = 0
    while i < len(texts):
        j = i
        while j < len(texts) and short(texts[j]):
            j += 1
        if i < j < len(texts) and texts[j].endswith(TERMINAL) and j - i <= 3:
            heads.update(range(i, j))
        i = max(j, i + 1)
    return heads
