"""The document's own outline, for questions about a whole section.

"What advantages does the paper list?" is answered by the headings of a
section's numbered subsections (1.… 5.…), while retrieval brings back the
text of one or two of them, and the model lists only those. When a
question names a section that has numbered subsections, the section's
outline is read with the passages, and cited like them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from core.schema import SECTION_SEPARATOR


@dataclass(frozen=True)
class Section:
    doc_id: str
    doc_title: str
    path: str  # the parent section's path
    children: tuple[str, ...]  # its subsections' headings, in document order

    @property
    def heading(self) -> str:
        return self.path.split(SECTION_SEPARATOR)[-1]

    def text(self) -> str:
        # One sentence (、 not ；), so a quote of it keeps the whole list.
        return f"{self.heading}：" + "、".join(self.children) + "。"


def outline(records: Iterable[tuple[str, str, str]]) -> list[Section]:
    """Sections with two or more subsections, from (doc_id, doc_title,
    section path) of the passages in reading order."""
    children: dict[tuple[str, str], list[str]] = {}
    titles: dict[str, str] = {}
    for doc_id, title, path in records:
        titles[doc_id] = title
        parts = path.split(SECTION_SEPARATOR)
        for depth in range(1, len(parts)):
            key = (doc_id, SECTION_SEPARATOR.join(parts[:depth]))
            seen = children.setdefault(key, [])
            if parts[depth] not in seen:
                seen.append(parts[depth])
    return [Section(doc_id, titles[doc_id], path, tuple(kids))
            for (doc_id, path), kids in children.items() if len(kids) >= 2]


@lru_cache(maxsize=1024)
def _heading_words(heading: str, tokenize: Callable[[str], list[str]]) -> frozenset[str]:
    # Cached: every question is matched against the same headings.
    # "（一）" / "1." numbering is not a word of the heading.
    return frozenset(tokenize(re.sub(r"^[（(]?[一二三四五六七八九十\d]+[)）.、]?", "", heading)))


def best_section(query: str, sections: list[Section], tokenize: Callable[[str], list[str]],
                 specific: Callable[[str], bool], min_words: int = 1) -> Section | None:
    """The section whose heading the query names: every specific word of the
    heading (``specific``: rare in the corpus) is in the query, and there
    are at least two of them, or one the query shares with no other heading."""
    asked = set(tokenize(query))
    headings = [_heading_words(s.heading, tokenize) for s in sections]
    best: tuple[int, Section] | None = None
    for s, heading in zip(sections, headings, strict=True):
        words = {w for w in heading if specific(w)}
        if len(words) < max(1, min_words) or not words <= asked:
            continue
        if len(words) == 1 and sum(words <= other for other in headings) > 1:
            continue
        if best is None or len(words) > best[0]:
            best = (len(words), s)
    return best[1] if best else None
