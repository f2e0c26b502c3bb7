"""The answer chain: condense -> search -> generate -> review -> cite.

Each step returns its result (:class:`~assistant.search.Found`, the text,
a :class:`~assistant.review.verdict.Verdict`, the cited text);
:meth:`Assistant.stream` runs them in order so the sources can be shown
before the first token arrives. Components are assembled from settings in
:mod:`assistant.build`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.runnables import RunnableLambda

from assistant.answer import MAX_QUESTION_CHARS, Answer, QuestionError, validate
from assistant.citations import Citation, cite
from assistant.condense import condense
from assistant.generation import GeneratorError
from assistant.generation import translate as translation
from assistant.generation.extractive import extract, extractive_answer
from assistant.generation.prompts import answer_prompt, format_context, system_prompt
from assistant.messages import CORRECTION, LANGUAGE_NAMES, NOTICES, QUOTED_IN, REFUSAL_TEXT, YES_NO
from assistant.renderings import PassageRenderings
from assistant.retrieval.corpus import Knowledge
from assistant.review import verdict as v
from assistant.review.premise import Premise, PremiseCheck, answers_against_evidence, evidence
from assistant.review.verdict import Reviewer
from assistant.search import Found, Search
from assistant.support import Evidence, evidence_for
from assistant.vectors import passage_vectors, similarity
from core import profile as profiles
from core.instructions import redact_question
from core.markup import neutralise_tokens
from core.profile import Profile
from core.schema import Passage
from core.settings import Settings
from core.text import detect_language, strip_controls, tokens

__all__ = ["MAX_QUESTION_CHARS", "Answer", "Assistant", "QuestionError", "validate"]

log = logging.getLogger("assistant.chain")


class Assistant:
    """``retriever`` ranks passages (``search(query, k)``, ``embedder``,
    ``store`` or None); ``corpus`` knows the indexed documents; ``chat_model``
    is None for the extractive generator."""

    def __init__(self, settings: Settings, retriever: Any, chat_model: BaseChatModel | None,
                 notice: str = "", corpus: Knowledge | None = None,
                 profile: Profile | None = None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.corpus: Knowledge = corpus if corpus is not None else retriever.corpus
        self.chat_model = chat_model
        self.load_notice = notice  # e.g. the model could not load
        self.generator = settings.generation.generator if chat_model is not None else "extractive"
        page = self.profile = profile or profiles.load(settings.retrieval.profile_path)
        self.system = system_prompt(page)
        self.condense_step = RunnableLambda(
            lambda x: condense(x["question"], x.get("history"), x["lang"],
                               self.corpus.search_glossary, page.places_zh))
        translate = ((lambda q, lang: translation.for_search(chat_model, self.system, q, lang))
                     if chat_model is not None else None)
        self.search = Search(settings, retriever.search, self.corpus, translate)
        self.reviewer = Reviewer(settings, self.corpus, self.system)
        self.premise = PremiseCheck(self.corpus, settings.retrieval.salient_share)
        self.renderings = PassageRenderings(self._into if chat_model else None, settings.generation.rendering_cache,
                                            settings.generation.rendering_piece_chars)

    # -- the chain ---------------------------------------------------------
    def stream(self, question: str, history: list[dict[str, str]] | None = None,
               cancel: threading.Event | None = None,
               documents: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """Events: {"type": "sources", "passages", "ranked", "standalone"}, {"type": "queue", "position"}
        while the model is busy with others, {"type": "token", "text"}, then
        {"type": "answer", "answer": Answer}. Setting ``cancel`` (or closing
        the iterator) stops the generation and frees the model. ``documents``
        (names) restricts the search to those documents."""
        started = time.perf_counter()
        question = validate(question, self.settings.server.max_question_chars)
        self.search.check(documents)
        history = [{**h, "content": neutralise_tokens(strip_controls(str(h.get("content", ""))))}
                   for h in history or []]
        asked_lang = detect_language(question)
        lang = "en" if asked_lang == "other" else asked_lang
        result = Answer(question=question, answer="", language=lang, refused=False,
                        generator=self.generator)
        notices = [NOTICES["other_language"]["en"]] if asked_lang == "other" else []
        if self.load_notice and self.settings.generation.generator != "extractive":
            notices.append(NOTICES["fallback"][lang])
        # What the question tells the assistant to do is not part of the question.
        asked = redact_question(question, self.settings.review.instruction_weak_needed)
        if asked.changed:
            notices.append(NOTICES["instructions_ignored"][lang])
            result.withheld = {"text": " | ".join(asked.removed), "reason": "instructions in the question"}
        if not tokens(asked.text):
            yield {"type": "sources", "passages": []}
            yield {"type": "answer", "answer": self._finish(result, "", True, [], notices, started)}
            return

        standalone = self.condense_step.invoke({"question": asked.text, "history": history, "lang": lang})
        result.standalone_question = standalone
        found = self.search(standalone, lang, documents)
        result.retrieved, result.ranked = found.passages, found.ranked
        result.timings.update(found.timings)
        passages = found.passages
        yield {"type": "sources", "passages": passages, "ranked": found.ranked, "standalone": standalone}

        t1 = time.perf_counter()
        text, refused = "", not passages
        premise = (self.premise(standalone, found.query, passages, lang)
                   if passages and self.settings.review.premise_check else Premise())
        if premise.false:
            # What the question takes for granted is not what the passages say:
            # the document's own sentence answers it, not the model.
            result.withheld = {"text": "", "reason": premise.reason}
            notices.append(NOTICES["premise"][lang])
            if premise.sentence:
                text = CORRECTION[lang].format(sentence=self._rendered(premise.sentence, lang))
                result.corrected = True
            refused = True
        elif passages and self.chat_model is None:
            text, refused = self._extractive(standalone, passages, lang)
            result.timings["first_token"] = time.perf_counter() - started
            if not refused:
                yield {"type": "token", "text": text}
        elif passages:
            parts: list[str] = []
            try:
                for token in self._generate(standalone, passages, lang, cancel):
                    if isinstance(token, int):  # waiting for the model: the place in line
                        yield {"type": "queue", "position": token}
                        continue
                    if not parts:
                        result.timings["first_token"] = time.perf_counter() - started
                    parts.append(token)
                    yield {"type": "token", "text": token}
            except GeneratorError as exc:  # the model is down (its server killed, say)
                if parts:  # half an answer is on the reader's screen: say it failed
                    raise
                log.warning("%s; answering extractively", exc)
                notices.append(NOTICES["unreachable"][lang])
                text, refused = self._extractive(standalone, passages, lang)
                if not refused:
                    yield {"type": "token", "text": text}
            else:
                text, refused = self._reviewed("".join(parts).strip(), standalone, found, lang, result,
                                               notices)
                if not refused and self.settings.review.yes_no_check:
                    text = self._yes_no(text, standalone, found, lang, result, notices)
        result.timings["generate"] = time.perf_counter() - t1
        result.timings.setdefault("first_token", time.perf_counter() - started)
        yield {"type": "answer", "answer": self._finish(result, text, refused, passages, notices, started,
                                                        premise)}

    def ask(self, question: str, history: list[dict[str, str]] | None = None,
            cancel: threading.Event | None = None, documents: list[str] | None = None) -> Answer:
        for event in self.stream(question, history, cancel, documents):
            if event["type"] == "answer":
                return event["answer"]
        raise RuntimeError("the chain ended without an answer")  # pragma: no cover

    # -- steps ---------------------------------------------------------------
    def _finish(self, result: Answer, text: str, refused: bool, passages: list[Passage],
                notices: list[str], started: float, premise: Premise | None = None) -> Answer:
        """The cite step: markers and citations, or the refusal with the closest sections."""
        lang = result.language
        if refused and result.corrected and premise is not None:
            result.refused = True
            n = premise.n
            p = passages[n - 1]
            result.answer = f"{text}[{n}]"
            result.citations = [Citation(n, p.doc, p.section, p.text, p.page)]
            result.evidence = [Evidence(n, premise.sentence)]
        elif refused:
            result.refused = True
            result.answer = REFUSAL_TEXT[lang]
            # Offered apart from the answer text, which stays in the asker's language.
            result.closest_sections = list(dict.fromkeys(p.section for p in passages if p.section))[:3]
        else:
            vectors = passage_vectors(self.retriever, passages) if lang == "en" else None
            result.answer, result.citations = cite(text, passages, self.retriever.embedder.embed_query,
                                                   vectors, self.settings.review.lexical_min)
            result.evidence = evidence_for(result.answer, result.citations, lang, self._translator(lang),
                                           self.settings.review.evidence_translations,
                                           similarity(self.retriever.embedder))
        result.notice = " ".join(notices)
        result.timings["total"] = time.perf_counter() - started
        return result

    def _reviewed(self, text: str, standalone: str, found: Found, lang: str, result: Answer,
                  notices: list[str]) -> tuple[str, bool]:
        """The model's answer as it may be shown, and whether it is a refusal,
        after the review (see assistant.review.verdict). Records what was
        withheld and why."""
        passages = found.passages
        screened = self.reviewer.screen(text, standalone, passages)
        if screened.kind == v.INJECTED:
            result.withheld = {"text": text, "reason": screened.reason}
            notices.append(NOTICES["injected"][lang])
            return text, True
        refused = screened.kind == v.REFUSED
        if screened.kind == v.ECHO:
            result.withheld = {"text": text, "reason": screened.reason}
            text, refused = self._quoted(standalone, passages, lang)
            if not refused:
                notices.append(NOTICES["echo"][lang])
        if refused:
            return text, True
        grounded = self.reviewer.ground(text, standalone, found.query, passages, lang)
        if grounded.kind == v.OK:
            return text, False
        result.withheld = {"text": text, "reason": grounded.reason}
        if grounded.kind == v.PRUNED:
            notices.append(NOTICES["pruned"][lang])
            return grounded.text, False
        notices.append(NOTICES["ungrounded"][lang])
        return text, True

    def _yes_no(self, text: str, standalone: str, found: Found, lang: str, result: Answer,
                notices: list[str]) -> str:
        """A yes or no that the evidence sentence contradicts (asked "did X
        succeed?", the model said yes, the passage says X failed) is replaced
        by the right one and the document's sentence."""
        salient = self.corpus.salient_terms(found.query, self.settings.retrieval.salient_share)
        against = answers_against_evidence(text, standalone, evidence(found.query, found.passages, salient),
                                           lang)
        if against is None:
            return text
        said = 1 if text.strip().lower().startswith(tuple(YES_NO[lang][1].strip().lower()[:2])) else -1
        result.withheld = {"text": text, "reason": "the yes/no answer contradicts the passage"}
        notices.append(NOTICES["yes_no"][lang])
        return YES_NO[lang][-said] + self._rendered(against.sentence, lang)

    def _rendered(self, sentence: str, lang: str) -> str:
        """A passage sentence for a reader of ``lang``: translated by the model
        when it is in another language, else quoted with its language named."""
        source = detect_language(sentence)
        if source == lang or source not in LANGUAGE_NAMES[lang]:
            return sentence
        translate = self._translator(lang)
        rendered = translate(sentence) if translate else ""
        return rendered or QUOTED_IN[lang].format(language=LANGUAGE_NAMES[lang][source]) + sentence

    def _translator(self, lang: str) -> Any:
        return (lambda text: self._into(text, lang)) if self.chat_model is not None else None

    def _into(self, text: str, lang: str) -> str:
        return translation.into(self.chat_model, self.system, text, lang) if self.chat_model else ""

    def _generate(self, question: str, passages: list[Passage], lang: str,
                  cancel: threading.Event | None = None) -> Iterator[str | int]:
        """The answer's text pieces; an int is the request's place in line
        while the model answers others."""
        context = neutralise_tokens(format_context(passages, lang, self.corpus.search_glossary))
        messages = answer_prompt(lang, self.system).format_messages(context=context, question=question)
        model = self.chat_model
        assert model is not None
        kwargs: dict[str, Any] = translation.writing_in(model, lang)
        if model._llm_type == "llama-cpp":
            kwargs |= {"cancel": cancel, "report_wait": True}
        try:
            for chunk in model.stream(messages, **kwargs):
                if cancel is not None and cancel.is_set():
                    return
                place = chunk.response_metadata.get("queue_position")
                if place:
                    yield int(place)
                elif chunk.content:
                    yield str(chunk.content)
        except Exception as exc:  # network errors, a server's 500, a model crash
            where = (f" at {self.settings.generation.openai_base_url}"
                     if self.generator == "openai" else "")
            raise GeneratorError(f"the {self.generator} generator{where} failed: {exc}") from exc

    def _extractive(self, question: str, passages: list[Passage], lang: str) -> tuple[str, bool]:
        return extractive_answer(question, passages, lang, self.settings.generation.extractive_min_score,
                                 self.corpus.glossary)

    def _quoted(self, question: str, passages: list[Passage], lang: str) -> tuple[str, bool]:
        """The extractive answer, in the asker's language (translated by the
        model). The model found an answer in the passages (it did not
        refuse), so the best-matching sentences are quoted however weak their
        word match: a paraphrased question shares few words with its answer."""
        picked, best = extract(question, passages, self.corpus.glossary)
        if not picked or best < 0.0:
            return "", True
        text = "".join(sent for _, sent in picked)
        if lang != "en" or detect_language(text) == "en" or self.chat_model is None:
            return text, False
        english = translation.into_english(self.chat_model, self.system, text)
        return english, not english
