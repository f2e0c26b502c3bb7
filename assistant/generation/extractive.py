"""No model: the retrieved sentences that best match the question, cited.

Instant and deterministic: used by the fast tests and the CI eval gate, and as
the fallback when the model cannot load.
"""

from __future__ import annotations

from assistant.messages import LANGUAGE_NAMES, QUOTED_IN
from assistant.retrieval.glossary import Glossary
from core.text import content_terms, detect_language, overlap, sentences


def extract(question: str, passages: list, glossary: Glossary | None = None,
            max_sentences: int = 2, max_chars: int = 260) -> tuple[list[tuple[int, str]], float]:
    """Return [(passage number, sentence)] in reading order, and the best match score."""
    query = question
    if glossary is not None:
        query += " " + " ".join(glossary.expand(question))
    terms = content_terms(query)
    scored: list[tuple[float, int, int, str]] = []
    for n, p in enumerate(passages, start=1):
        for i, sent in enumerate(sentences(p.text)):
            if len(sent) < 6:
                continue
            sent_terms = content_terms(sent)
            hit = len(terms & sent_terms) / max(1, len(terms))
            score = hit + 0.3 * overlap(query, sent) - 0.02 * (n - 1)
            scored.append((score, n, i, sent))
    if not scored:
        return [], 0.0
    scored.sort(key=lambda s: s[0], reverse=True)
    best = scored[0][0]
    picked, used = [], 0
    for score, n, i, sent in scored[:max_sentences]:
        if picked and (score < best * 0.6 or used + len(sent) > max_chars):
            break
        picked.append((n, i, sent))
        used += len(sent)
    picked.sort(key=lambda x: (x[0], x[1]))
    return [(n, sent) for n, _, sent in picked], best


def extractive_answer(question: str, passages: list, lang: str, floor: float,
                      glossary: Glossary | None = None) -> tuple[str, bool]:
    """(answer, refused): the best-matching sentences quoted, with their
    language named when it is not the asker's; a refusal below ``floor``."""
    picked, best = extract(question, passages, glossary)
    if not picked or best < floor:
        return "", True
    quoted = "".join(sent for _, sent in picked)
    source = detect_language(quoted)
    if source != lang and source in LANGUAGE_NAMES[lang]:
        return QUOTED_IN[lang].format(language=LANGUAGE_NAMES[lang][source]) + quoted, False
    return quoted, False
