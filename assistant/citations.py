"""Citations by the application: each answer sentence is linked to the
passage that supports it best, and ``[n]`` markers are written into the text.
The small model almost never writes citations itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.schema import Passage
from core.text import HAN_RE, overlap, sentences

# Below this share of shared words a sentence is compared by meaning instead
# (English sentences share almost no characters with Chinese passages); the
# review settings' lexical_min.
LEXICAL_MIN = 0.2


@dataclass
class Citation:
    n: int
    doc: str
    section: str
    text: str
    page: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"n": self.n, "doc": self.doc, "section": self.section, "text": self.text,
                "page": self.page}


def _cos(a: list[float], b: list[float]) -> float:
    va, vb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb) / norm if norm else 0.0


def cite(answer: str, passages: list[Passage], embed_query: Callable[[str], list[float]] | None = None,
         passage_vectors: list[list[float]] | None = None,
         lexical_min: float = LEXICAL_MIN) -> tuple[str, list[Citation]]:
    """Return the answer with [n] markers (n = rank of the passage) and its citations."""
    # Never trust model-written markers; drop the document's footnote marks too.
    answer = re.sub(r"\s*\[\^?\d+\]", "", answer).strip()
    if not passages or not answer:
        return answer, []
    used: list[int] = []
    out: list[str] = []
    for sent in sentences(answer):
        scores = [overlap(sent, p.text) for p in passages]
        best = max(range(len(passages)), key=lambda i: scores[i])
        if scores[best] < lexical_min and embed_query and passage_vectors:
            v = embed_query(sent)
            sims = [_cos(v, pv) for pv in passage_vectors]
            best = max(range(len(passages)), key=lambda i: sims[i])
        n = best + 1
        if n not in used:
            used.append(n)
        out.append(_mark(sent, n))
    text = "".join(s if HAN_RE.search(s[-6:]) else s + " " for s in out).strip()
    # A citation names its document by name, never by a server path.
    citations = [Citation(n, passages[n - 1].doc, passages[n - 1].section, passages[n - 1].text,
                          passages[n - 1].page) for n in sorted(used)]
    return text, citations


def _mark(sentence: str, n: int) -> str:
    sentence = sentence.strip()
    return f"{sentence}[{n}]"
