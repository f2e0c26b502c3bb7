"""The application's own grounding check of a model answer against the
passages it was drafted from: why it cannot be traced to them, or "".

What the answer is checked against (the passages, their amounts as English
numbers, the question's salient words) is worked out once per answer, since
pruning checks each of its sentences against the same sources.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from assistant.generation.amounts import in_english_numbers
from assistant.retrieval.corpus import Knowledge
from assistant.review.evidence import (
    lacks_asked_amount,
    misstated_amounts,
    novelty,
    titled_people,
    ungrounded_numbers,
    unknown_people,
    unsupported_numbers,
    without_list_marks,
)
from core.schema import Passage
from core.text import name_words, romanised_names, sentences, tokens


class Grounds:
    """The sources of one answer. ``corpus`` gives the corpus knowledge
    (salient terms, unknown names, the search glossary); ``query`` is
    what was searched (for English, with its Chinese translation);
    ``novelty_max``: a Chinese answer with this share of new character
    pairs is invented (the review settings)."""

    def __init__(self, corpus: Knowledge, question: str, query: str,
                 passages: list[Passage], lang: str, novelty_max: float = 0.3,
                 salient_share: float = 0.3) -> None:
        self.question, self.lang = question, lang
        self.texts = [f"{p.section}\n{p.text}" for p in passages]
        # An English answer may use the amounts as its prompt spelled them (5万 -> 50,000).
        self.spelled = [in_english_numbers(t) for t in self.texts] if lang == "en" else []
        self.novelty_max = novelty_max
        self.salient: set[str] = corpus.salient_terms(query, salient_share)
        self.related: set[str] = corpus.salient_terms(query, max_share=0.5) if lang == "zh" else set()
        self.unknown_names: set[str] = corpus.unknown_names(question) if lang == "zh" else set()
        self._glossary = corpus.search_glossary
        # Pruning checks each sentence against the same passages: each is
        # tokenized once per answer.
        self._tokens = lru_cache(maxsize=None)(tokens)

    def problem(self, answer: str, whole: bool = True) -> str:
        """Why ``answer`` cannot be traced to the sources, or "". ``whole``:
        the whole answer, which must give an asked-for number; one of its
        sentences need not."""
        lang, question, texts = self.lang, self.question, self.texts
        if whole and lacks_asked_amount(answer, question):
            return "the question asks for a number and the answer gives none"
        answer = without_list_marks(answer)
        ungrounded = ungrounded_numbers(answer, texts + self.spelled + [question])
        if lang == "en":
            ungrounded |= misstated_amounts(answer, self.spelled + [question])
        if ungrounded:
            return f"numbers in no passage: {', '.join(sorted(ungrounded))}"
        # The answer repeats a person or organisation the question names and
        # the document never does ("某市邀请哈佛大学…"): a false premise.
        unknown = [n for n in self.unknown_names if n in answer]
        if unknown:
            return f"a name the document never mentions: {', '.join(sorted(unknown))}"
        if lang == "en" and titled_people(answer):
            invented = unknown_people(answer, self._known_words, self._romanised)
            if invented:
                return f"a person the passages do not name: {', '.join(sorted(invented))}"
        # English answers reword and convert numbers, and their salient words
        # come from a machine translation: a sentence window refused good
        # English answers on the eval set, so they are checked per passage.
        window = 1 if lang == "zh" else None
        far = unsupported_numbers(answer, question, texts, self.salient, self._tokens, window,
                                  self.related)
        if far:
            return f"numbers the passages state about something else: {', '.join(sorted(far))}"
        if lang == "zh":
            new = novelty(answer, texts + [question])
            if new >= self.novelty_max:
                return f"wording found in no passage ({new:.0%} new character pairs)"
        return ""

    def pruned(self, answer: str) -> str:
        """The answer without the later sentences that fail the checks, when
        its first sentence (the answer proper) and what remains pass them;
        "" when that is not so. The small model answers, then rambles on
        into other passages' numbers ("…Abu Dhabi became the host of the 2012
        conference"), which used to cost the whole answer."""
        sents = sentences(answer)
        if len(sents) < 2:
            return ""
        kept = [sents[0]] + [s for s in sents[1:] if not self.problem(s, whole=False)]
        if len(kept) == len(sents):
            return ""
        joined = ("" if self.lang == "zh" else " ").join(kept)
        return "" if self.problem(joined) else joined

    @cached_property
    def _known_words(self) -> set[str]:
        """Names a person may go by: the question's and passages' own words,
        and the glossary's English names for the passages' Chinese ones."""
        return (set(name_words(" ".join(self.texts + [self.question])))
                | self._glossary.english_words(self.texts))

    @cached_property
    def _romanised(self) -> set[str]:
        return romanised_names(" ".join(self.texts))
