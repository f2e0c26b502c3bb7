"""The evidence shown with an answer: for each citation, the passage
sentence the answer rests on, verbatim, and (for a question in another
language than the passage's) its translation, so that a reader sees the
document's own words even when the model errs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.citations import Citation
from core.text import detect_language, overlap, sentences

_MARK = re.compile(r"\[(\d+)\]")


@dataclass
class Evidence:
    n: int
    text: str
    translation: str = ""

    def to_json(self) -> dict[str, object]:
        return {"n": self.n, "text": self.text, "translation": self.translation}


def evidence_for(answer: str, citations: list[Citation], lang: str,
                 translate: Callable[[str], str] | None = None, translations: int = 1,
                 similarity: Callable[[str, str], float] | None = None) -> list[Evidence]:
    """One sentence per citation: the one of its passage that shares most with
    the answer sentences marked [n]; the first ``translations`` of them
    translated when their language is not the asker's."""
    claims: dict[int, list[str]] = {}
    for piece in re.split(r"(?<=\])", answer):
        for n in map(int, _MARK.findall(piece)):
            claims.setdefault(n, []).append(_MARK.sub("", piece))
    out: list[Evidence] = []
    for c in citations:
        candidates = [s for s in sentences(c.text) if len(s) >= 6] or [c.text]
        picked: list[str] = []
        for claim in claims.get(c.n, [answer])[:2]:
            scores = [overlap(claim, s) + overlap(s, claim) for s in candidates]
            if max(scores) < 0.2 and similarity is not None and len(candidates) > 1:
                # Another language: compared by meaning (e5), as citations are.
                scores = [similarity(claim, s) for s in candidates]
            best = candidates[max(range(len(candidates)), key=scores.__getitem__)]
            if best not in picked:
                picked.append(best)
        out += [Evidence(c.n, sentence) for sentence in picked]
    if translate is not None:
        for e in out[:translations]:
            if detect_language(e.text) != lang:
                e.translation = translate(e.text)
    return out
