"""Two neighbouring chunks that both rank near the top are one passage.

An answer often straddles a chunk boundary (the end of one chunk names the
subject, the next gives the facts); they are read and cited as one.
"""

from __future__ import annotations

from core.schema import Passage


def adjacent(a: Passage, b: Passage) -> bool:
    """Overlapping or touching pieces of one section of one document."""
    return (a.doc_id == b.doc_id and a.section == b.section
            and b.start <= a.end and a.start <= b.end)


def _union(a: Passage, b: Passage) -> Passage:
    first, second = (a, b) if a.start <= b.start else (b, a)
    text = first.text
    if second.end > first.end:
        text += second.text[max(0, first.end - second.start):]
    merged = Passage(a.id, text, a.doc_id, a.doc_title, a.section, first.page,
                     first.start, max(first.end, second.end), a.score, max(a.dense, b.dense),
                     max(a.bm25, b.bm25), dict(a.ranks), language=a.language)
    merged.parts = [pid for p in (first, second) for pid in p.part_ids]
    return merged


def merge_neighbours(ranked: list[Passage], window: int = 3, max_chars: int = 700) -> list[Passage]:
    """Join a passage with a neighbour of it that also ranks in the top
    ``window``, while the joined text stays within ``max_chars``."""
    top = ranked[:window]
    out: list[Passage] = []
    used: set[str] = set()
    for p in ranked:
        if p.id in used:
            continue
        used.add(p.id)
        for q in top:
            if q.id not in used and adjacent(p, q):
                joined = _union(p, q)
                if len(joined.text) <= max_chars:
                    p = joined
                    used.add(q.id)
        out.append(p)
    return out
