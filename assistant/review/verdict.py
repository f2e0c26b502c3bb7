"""The review of a model answer, in a fixed order, each step returning its
verdict with a reason:

1. ``screen``: an answer that obeys an instruction is withheld; one that
   says the passages do not answer is a refusal; one that only repeats the
   question is to be replaced by a quote of the document.
2. ``ground``: an answer that cannot be traced to the passages loses its
   wrong later sentences (pruned) or is withheld (ungrounded).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.retrieval.corpus import Knowledge
from assistant.review.evidence import echoes
from assistant.review.grounding import Grounds
from assistant.review.injection import injection_problem
from core.language import profiles
from core.schema import Passage
from core.settings import Settings
from core.text import tokens

OK, INJECTED, REFUSED, ECHO, PRUNED, UNGROUNDED = "ok", "injected", "refused", "echo", "pruned", "ungrounded"


@dataclass(frozen=True)
class Verdict:
    kind: str  # one of the codes above
    text: str = ""  # the answer as it may be shown (pruned: without the failed sentences)
    reason: str = ""  # why, for the record (withheld_reason)


@cache
def _refusal_marks() -> tuple[str, ...]:
    return tuple(m.lower() for p in profiles() for m in p.lexicon("answers", "refusal_marks").words)


def is_refusal(text: str) -> bool:
    """Empty, or opens by saying the passages do not answer (in either language)."""
    t = text.strip().lower()
    return not t or any(m in t[:80] for m in _refusal_marks())


class Reviewer:
    def __init__(self, settings: Settings, corpus: Knowledge, system: str) -> None:
        self.settings, self.corpus, self.system = settings, corpus, system

    def screen(self, text: str, question: str, passages: list[Passage]) -> Verdict:
        injected = injection_problem(text, question, [s for p in passages for s in p.instructions],
                                     self.settings.review.instruction_weak_needed, self.system,
                                     [p.text for p in passages])
        if injected:
            return Verdict(INJECTED, text, injected)
        if is_refusal(text):
            return Verdict(REFUSED, text)
        if echoes(text, question, tokens):
            # Nothing of the document's in it ("The agreement became the
            # template." for "Whose agreement became the template?").
            return Verdict(ECHO, text, "the answer only repeats the question")
        return Verdict(OK, text)

    def ground(self, text: str, question: str, query: str, passages: list[Passage],
               lang: str) -> Verdict:
        review = self.settings.review
        grounds = Grounds(self.corpus, question, query, passages, lang, review.novelty_max,
                          self.settings.retrieval.salient_share)
        problem = grounds.problem(text)
        if not problem:
            return Verdict(OK, text)
        pruned = grounds.pruned(text)
        if pruned:
            # The answer stands without the elaboration that was wrong.
            return Verdict(PRUNED, pruned, problem)
        return Verdict(UNGROUNDED, text, problem)
