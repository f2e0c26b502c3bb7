"""The premise check: what a question takes for granted must be what the
passages say. Run before the model answers; a false premise is answered
with the document's own sentence, not with the model's text.

The question's claims are typed (:mod:`assistant.review.claims`) and each
type has one rule, the same in both languages:

- names: every name the question gives must occur in the documents, in a
  passage that also holds one of the question's other specific words
  (a city or body the documents never link to the subject is a false link);
- outcomes: the passages' sentences about the question's subject must not
  state the opposite outcome (asked why X succeeded, where they say X failed;
  asked about a shrinking, where they say it grew);
- winners: asked why X won, where the sentence that says who won names
  someone else;
- years: asked about an event in a year, where the sentences about it give
  another year and never this one.

A yes/no question asks its outcome instead of assuming it: it is left to
the answer (and its own check, :func:`answers_against_evidence`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieval.corpus import Knowledge
from assistant.review import claims
from assistant.review.evidence import is_yes_no
from core.schema import Passage
from core.text import has_han, nfkc, sentences, tokens

OK, UNLINKED, OUTCOME, WINNER, YEAR = "ok", "unlinked_name", "contradicted_outcome", "other_winner", "other_year"
FIGURE = "no_figure"


@dataclass(frozen=True)
class Premise:
    kind: str = OK
    reason: str = ""
    n: int = 0  # the passage (1-based) that states what the document says, for a correction
    sentence: str = ""  # its sentence, verbatim

    @property
    def false(self) -> bool:
        return self.kind != OK


@dataclass(frozen=True)
class Evidence:
    n: int  # passage number, 1-based
    sentence: str
    score: int  # the question's specific words it holds, with the sentence before it
    context: str = ""  # the sentence before it and itself (a subject named just before)


def evidence(query: str, passages: list[Passage], salient: set[str], least: int = 1) -> list[Evidence]:
    """The passages' sentences about the question, most specific words first."""
    found = []
    for n, p in enumerate(passages, start=1):
        sents = sentences(p.text)
        for i, sentence in enumerate(sents):
            context = "".join(sents[max(0, i - 1):i + 1])
            score = len(salient & set(tokens(context)))
            if score >= least:
                found.append(Evidence(n, sentence, score, context))
    return sorted(found, key=lambda e: (-e.score, e.n))


class PremiseCheck:
    def __init__(self, corpus: Knowledge, salient_share: float = 0.3) -> None:
        self.corpus, self.salient_share = corpus, salient_share

    def __call__(self, question: str, query: str, passages: list[Passage], lang: str) -> Premise:
        if not passages:
            return Premise()
        salient = self.corpus.salient_terms(query, self.salient_share)
        found = evidence(query, passages, salient)
        for check in (self._names, self._outcome, self._winner, self._year, self._figure):
            verdict = check(question, query, passages, salient, found)
            if verdict.false:
                return verdict
        return Premise()

    # -- the rules -------------------------------------------------------------
    def _forms(self, name: str) -> set[str]:
        """A name as the documents may write it: itself, and the glossary's
        other-language names for it."""
        glossary = self.corpus.search_glossary
        return {name.lower(), *(z.lower() for z in glossary.expand(name))} - {""}

    def _names(self, question: str, query: str, passages: list[Passage], salient: set[str],
               found: list[Evidence]) -> Premise:
        corpus_text = getattr(self.corpus, "text", "")
        if not corpus_text:
            return Premise()
        # The question's own names: a machine translation's renderings of them
        # (博恩 for Bonn) would be "unknown" names of its own making.
        for name in sorted(claims.names(question), key=len, reverse=True):
            forms = self._forms(name)
            if any(f in corpus_text for f in forms):
                continue
            # Spelled in no document at all. A Latin name with no glossary entry
            # gives no verdict: the documents may spell it in Chinese.
            if has_han(name) or self.corpus.search_glossary.expand(name):
                return Premise(UNLINKED, f"a name the documents never mention: {name}")
        return Premise()

    def _outcome(self, question: str, query: str, passages: list[Passage], salient: set[str],
                 found: list[Evidence]) -> Premise:
        if is_yes_no(question):
            return Premise()
        asked = claims.outcome(question)
        if asked is None:
            return Premise()
        axis, sign = asked
        stated = [(e, claims.outcome(e.sentence, axis=axis)) for e in found[:6]]
        stated = [(e, o) for e, o in stated if o is not None]
        if stated and all(o[1] == -sign for _, o in stated):
            e = stated[0][0]
            return Premise(OUTCOME, f"the passages state the opposite {axis}", e.n, e.sentence)
        return Premise()

    def _winner(self, question: str, query: str, passages: list[Passage], salient: set[str],
                found: list[Evidence]) -> Premise:
        """Asked why X won Y: the sentence about Y that says who won names a
        rival of X's kind (a place for a place) and not X."""
        if is_yes_no(question):
            return Premise()
        asked = claims.outcome(question, axis="result")
        if asked is None or asked[1] < 0:
            return Premise()
        named = {n: self._forms(n) for n in claims.names(question)}
        kinds = {n: claims.kind(n, forms) for n, forms in named.items()}
        for e in found[:6]:
            said = claims.outcome(e.sentence, axis="result")
            if said is None or said[1] < 0 or e.score < 2:
                continue
            text = nfkc(e.context or e.sentence).lower()
            present = {n for n, forms in named.items() if any(f in text for f in forms)}
            absent = [n for n in named if n not in present and kinds[n]]
            known = {f for forms in named.values() for f in forms}
            # Who wins is a place or a person: an organisation named beside is the prize.
            wanted = {kinds[n] for n in absent} & {"place", "person"}
            rivals = {r for r, k in claims.kinds(e.sentence).items() if r.lower() not in known and k in wanted}
            if present and absent and rivals:
                return Premise(WINNER, f"the sentence that says who succeeded names "
                                       f"{', '.join(sorted(rivals))}, not {', '.join(absent)}", e.n, e.sentence)
            return Premise()
        return Premise()

    def _figure(self, question: str, query: str, passages: list[Passage], salient: set[str],
                found: list[Evidence]) -> Premise:
        """Asked how many or how much, where no sentence about the subject
        states any number: the documents give no figure for it."""
        if not _asks_amount(question) or not found:
            return Premise()
        about = [e for e in found if e.score >= 2] or found[:3]
        if any(re.search(r"\d|[一二两三四五六七八九十百千万亿]", e.context) for e in about):
            return Premise()
        return Premise(FIGURE, "the passages about it state no figure")

    def _year(self, question: str, query: str, passages: list[Passage], salient: set[str],
              found: list[Evidence]) -> Premise:
        asked = claims.years(question)
        if not asked:
            return Premise()
        about = [e for e in found if e.score >= 2] or found[:2]
        if not about or any(asked & claims.years(e.sentence) for e in found):
            return Premise()
        dated = [e for e in about if claims.years(e.sentence)]
        if dated:
            e = dated[0]
            return Premise(YEAR, f"the passages give {', '.join(sorted(claims.years(e.sentence)))}, "
                                 f"not {', '.join(sorted(asked))}", e.n, e.sentence)
        return Premise()


def _asks_amount(question: str) -> bool:
    from assistant.review.evidence import asks_amount

    return asks_amount(question)


def answers_against_evidence(answer: str, question: str, found: list[Evidence], lang: str) -> Evidence | None:
    """For a yes/no question: the evidence sentence whose outcome contradicts
    the answer's yes or no (asked "did X succeed?", answered yes, where the
    passages say X failed), or None."""
    if not is_yes_no(question):
        return None
    said = claims.says_yes_or_no(answer, lang)
    asked = claims.outcome(question)
    if not said or asked is None:
        return None
    axis, sign = asked
    for e in found[:4]:
        stated = claims.outcome(e.sentence, axis=axis)
        if stated is not None:
            return e if stated[1] * sign != said else None
    return None
