"""The search step: the standalone question -> the passages the answer is
drafted from.

For every language the indexed documents are written in other than the
question's, the model's rendering of the question in it rides along in the
query (English questions find Chinese passages, Chinese questions English
ones: one mechanism for both directions). Sentences that instruct the
assistant are cut out of every passage. The best passage is always read and
the next ones while the context stays within budget; a question about a
whole section also reads that section's outline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from langchain_core.runnables import RunnableLambda

from assistant.answer import QuestionError
from assistant.retrieval.corpus import Knowledge
from core.instructions import Redacted, redact
from core.markup import neutralise_tokens
from core.schema import Passage
from core.settings import Settings
from core.text import tokens


@dataclass
class Found:
    query: str  # what was searched (with a translation, if any)
    passages: list[Passage]  # what the generator reads
    ranked: list[Passage]  # the deeper ranking (evaluation)
    timings: dict[str, float] = field(default_factory=dict)


class Search:
    def __init__(self, settings: Settings, retrieve: Callable[[str, int, list[str] | None], list[Passage]],
                 corpus: Knowledge, translate: Callable[[str, str], str] | None = None) -> None:
        self.settings = settings
        self.corpus = corpus
        self.translate = translate
        # Evaluation asks for a deeper ranking than the generator reads, in the
        # same search, so measuring adds no work.
        self.rank_depth = settings.retrieval.top_k
        self.retrieve = retrieve
        self.step = RunnableLambda(self._ranked)

    def _ranked(self, request: tuple[str, list[str] | None]) -> list[Passage]:
        query, documents = request
        return self.retrieve(query, max(self.settings.retrieval.top_k, self.rank_depth), documents)

    def check(self, documents: list[str] | None) -> None:
        """QuestionError when ``documents`` names a document the index does not hold."""
        if documents:
            try:
                self.corpus.document_ids(documents)
            except ValueError as exc:
                raise QuestionError(str(exc)) from exc

    def renderings(self, standalone: str, lang: str) -> list[str]:
        """The question in each other language the documents are written in."""
        if self.translate is None or not self.settings.retrieval.translate_question:
            return []
        others = sorted(self.corpus.languages - {lang})
        return [r for r in (self.translate(standalone, other) for other in others) if r]

    def __call__(self, standalone: str, lang: str, documents: list[str] | None = None) -> Found:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        # Searching with the question rendered in the passages' language as
        # well finds the right passage far more often (docs/decisions.md).
        rendered = self.renderings(standalone, lang)
        query = " ".join([standalone, *rendered])
        if rendered:
            timings["translate"] = time.perf_counter() - t0
            t0 = time.perf_counter()
        ranked: list[Passage] = self.step.invoke((query, documents))
        top_k = self.settings.retrieval.top_k
        readable = [p for p in (self.without_instructions(p) for p in ranked[:top_k]) if p is not None]
        passages = within_budget(readable, self.settings.retrieval.context_chars)
        section = self.corpus.outline_for(query)
        if section is not None:
            passages = [*passages, section]
        timings["retrieve"] = time.perf_counter() - t0
        return Found(query, passages, ranked, timings)

    def without_instructions(self, p: Passage) -> Passage | None:
        """``p`` without the sentences that instruct the assistant (None if
        nothing else is left); they are kept in ``p.instructions``."""
        cleaned = _redacted(p.text, self.settings.review.instruction_weak_needed)
        if not cleaned.changed:
            return p
        if not tokens(cleaned.text):
            return None
        return replace(p, text=cleaned.text, instructions=cleaned.removed)


@lru_cache(maxsize=4096)
def _redacted(text: str, weak_needed: int) -> Redacted:
    # Passages are read again and again; their text decides the result.
    return redact(neutralise_tokens(text), weak_needed)


def within_budget(passages: list[Passage], budget: int) -> list[Passage]:
    """The best passage always; the next ones while the context stays within ``budget``."""
    kept: list[Passage] = []
    used = 0
    for p in passages:
        if kept and used + len(p.text) > budget:
            break
        kept.append(p)
        used += len(p.text)
    return kept
