"""The answer chain: condense -> retrieve -> generate -> cite.

Each step is a LangChain runnable; :meth:`Assistant.stream` runs them one by
one so the sources can be shown before the first token arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.runnables import RunnableLambda

from assistant.citations import Citation, cite
from assistant.condense import condense
from assistant.config import Settings
from assistant.evidence import echoes
from assistant.generators import GeneratorError, make_chat_model
from assistant.generators.extractive import extract
from assistant.glossary import Glossary
from assistant.grounding import Grounds
from assistant.prompts import (
    CLOSEST,
    REFUSAL_MARK,
    REFUSAL_TEXT,
    SYSTEM,
    TRANSLATE_FOR_SEARCH,
    TRANSLATE_QUOTE,
    answer_prompt,
    format_context,
)
from assistant.retrieval import HybridRetriever, Passage, PassageSource
from assistant.review.injection import injection_problem
from assistant.text import detect_language, strip_controls, tokens
from core.instructions import redact, redact_question
from core.markup import neutralise_tokens

MAX_QUESTION_CHARS = 2000
NOTICES = {
    "fallback": {
        "zh": "本地模型无法加载，以下是文档原文摘录（抽取式回答）。",
        "en": "The local model could not be loaded; showing sentences quoted from the document.",
    },
    "ungrounded": {
        "zh": "模型给出的回答无法在文档中找到依据，已拒绝。",
        "en": "The model's answer could not be traced to the document, so it was withheld.",
    },
    "pruned": {
        "zh": "模型回答中有句子无法在文档中找到依据，已删去。",
        "en": "A sentence of the model's answer could not be traced to the document and was removed.",
    },
    "echo": {
        "zh": "模型的回答只是复述了问题，以下是文档中最相关的原文。",
        "en": "The model's answer only repeated the question; here is the document's most "
              "relevant passage, translated.",
    },
    "other_language": {
        "en": "I answer in Chinese or English; here is the answer in English.",
    },
    "instructions_ignored": {
        "zh": "问题中给助手的指令已被忽略：只根据文档回答问题。",
        "en": "Instructions to the assistant in the question were ignored: I only answer "
              "questions from the documents.",
    },
    "injected": {
        "zh": "模型的回答执行了文档或问题中的指令（或含有问题未给出的链接），已拒绝。",
        "en": "The model's answer followed an instruction from a document or the question (or "
              "gave a link the question did not), so it was withheld.",
    },
}


class QuestionError(ValueError):
    """The question cannot be answered as asked (empty, too long)."""


@dataclass
class Answer:
    question: str
    answer: str
    language: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Passage] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    notice: str = ""
    generator: str = ""
    ranked: list[Passage] = field(default_factory=list)  # deeper ranking (evaluation)
    closest_sections: list[str] = field(default_factory=list)  # offered with a refusal
    # A model answer the grounding checks withheld, and why (evaluation, logs).
    withheld: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "language": self.language,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [p.to_json() for p in self.retrieved],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "notice": self.notice,
            "generator": self.generator,
            "closest_sections": self.closest_sections,
            "withheld_reason": self.withheld.get("reason", ""),
        }

    def display_text(self) -> str:
        """The answer as people read it: a refusal lists the closest sections."""
        text = self.answer
        if self.refused and self.closest_sections:
            label = CLOSEST["zh" if self.language == "zh" else "en"]
            text += "\n\n" + label + "\n" + "\n".join(f"- {s}" for s in self.closest_sections)
        return text


def validate(question: str) -> str:
    question = neutralise_tokens(strip_controls(question or "")).strip()
    if not question:
        raise QuestionError("The question is empty. / 问题为空。")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"The question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}."
            f" / 问题过长（{len(question)}字），上限为{MAX_QUESTION_CHARS}字。"
        )
    return question


class Assistant:
    def __init__(self, settings: Settings, retriever: PassageSource,
                 chat_model: BaseChatModel | None, notice: str = "") -> None:
        self.settings = settings
        self.retriever = retriever
        self.chat_model = chat_model
        self.load_notice = notice  # e.g. the model could not load
        self.generator = settings.generator if chat_model is not None else "extractive"
        self.condense_step = RunnableLambda(
            lambda x: condense(x["question"], x.get("history"), x["lang"],
                              retriever.search_glossary))
        # Evaluation asks for a deeper ranking than the generator reads, in the
        # same search, so measuring adds no work.
        self.rank_depth = settings.top_k
        self.retrieve_step = RunnableLambda(
            lambda q: retriever.search(q, max(settings.top_k, self.rank_depth)))

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        from ingest.embed import embedder_id, make_embedder
        from ingest.store import open_store

        embedder = make_embedder(settings)
        store = open_store(settings, embedder_id(embedder), create=False)
        retriever = HybridRetriever.from_settings(
            settings, store, embedder, Glossary.load(settings.glossary_path))
        notice = ""
        try:
            chat_model = make_chat_model(settings)
        except (GeneratorError, ImportError, OSError) as exc:
            chat_model, notice = None, f"{exc}"
        return cls(settings, retriever, chat_model, notice)

    # -- the chain ---------------------------------------------------------
    def stream(self, question: str, history: list[dict[str, str]] | None = None,
               cancel: threading.Event | None = None) -> Iterator[dict[str, Any]]:
        """Events: {"type": "sources", "passages"}, {"type": "queue", "position"}
        while the model is busy with others, {"type": "token", "text"}, then
        {"type": "answer", "answer": Answer}. Setting ``cancel`` (or closing
        the iterator) stops the generation and frees the model."""
        started = time.perf_counter()
        question = validate(question)
        history = [{**h, "content": neutralise_tokens(strip_controls(str(h.get("content", ""))))}
                   for h in history or []]
        asked_lang = detect_language(question)
        lang = "en" if asked_lang == "other" else asked_lang
        result = Answer(question=question, answer="", language=lang, refused=False,
                        generator=self.generator)
        notices = [NOTICES["other_language"]["en"]] if asked_lang == "other" else []
        if self.load_notice and self.settings.generator != "extractive":
            notices.append(NOTICES["fallback"][lang])
        # What the question tells the assistant to do is not part of the question.
        asked = redact_question(question, self.settings.instruction_weak_needed)
        if asked.changed:
            notices.append(NOTICES["instructions_ignored"][lang])
            result.withheld = {"text": " | ".join(asked.removed),
                               "reason": "instructions in the question"}
        if not tokens(asked.text):
            result.refused, result.answer = True, REFUSAL_TEXT[lang]
            result.notice = " ".join(notices)
            result.timings["total"] = time.perf_counter() - started
            yield {"type": "sources", "passages": []}
            yield {"type": "answer", "answer": result}
            return

        standalone = self.condense_step.invoke(
            {"question": asked.text, "history": history, "lang": lang})
        result.standalone_question = standalone
        query, passages = self._search(standalone, lang, result)
        yield {"type": "sources", "passages": passages}

        t1 = time.perf_counter()
        text, refused = "", not passages
        if passages and self.chat_model is None:
            text, refused = self._extractive(standalone, passages, lang)
            result.timings["first_token"] = time.perf_counter() - started
            if not refused:
                yield {"type": "token", "text": text}
        elif passages:
            parts: list[str] = []
            for token in self._generate(standalone, passages, lang, cancel):
                if isinstance(token, int):  # waiting for the model: the place in line
                    yield {"type": "queue", "position": token}
                    continue
                if not parts:
                    result.timings["first_token"] = time.perf_counter() - started
                parts.append(token)
                yield {"type": "token", "text": token}
            text, refused = self._reviewed("".join(parts).strip(), standalone, query, passages,
                                           lang, result, notices)
        result.timings["generate"] = time.perf_counter() - t1
        result.timings.setdefault("first_token", time.perf_counter() - started)

        if refused:
            result.refused = True
            result.answer = REFUSAL_TEXT[lang]
            # Offered apart from the answer text, which stays in the asker's language.
            result.closest_sections = list(dict.fromkeys(p.section for p in passages if p.section))[:3]
        else:
            vectors = self._vectors(passages) if lang == "en" else None
            result.answer, result.citations = cite(
                text, passages, self.retriever.embedder.embed_query, vectors)
        result.notice = " ".join(notices)
        result.timings["total"] = time.perf_counter() - started
        yield {"type": "answer", "answer": result}

    def ask(self, question: str, history: list[dict[str, str]] | None = None,
            cancel: threading.Event | None = None) -> Answer:
        for event in self.stream(question, history, cancel):
            if event["type"] == "answer":
                return event["answer"]
        raise RuntimeError("the chain ended without an answer")  # pragma: no cover

    # -- steps ---------------------------------------------------------------
    def _search(self, standalone: str, lang: str, result: Answer) -> tuple[str, list[Passage]]:
        """The query searched (for English, with a Chinese rendering) and the
        passages the answer is drafted from; records the ranking and timings."""
        t0 = time.perf_counter()
        query = standalone
        if lang == "en" and self.chat_model is not None:
            # The document is Chinese: searching with a Chinese rendering of
            # the question as well finds the right passage far more often.
            query = f"{standalone} {self._translate(standalone)}"
            result.timings["translate"] = time.perf_counter() - t0
            t0 = time.perf_counter()
        ranked: list[Passage] = self.retrieve_step.invoke(query)
        # Sentences that instruct the assistant are left out of what it reads.
        readable = [p for p in (self._without_instructions(p) for p in ranked[: self.settings.top_k])
                    if p is not None]
        passages = within_budget(readable, self.settings.context_chars)
        # A question about a whole section ("which hardware advantages") also
        # reads the section's outline: its subsection headings.
        section = self.retriever.outline_for(query)
        if section is not None:
            passages = [*passages, section]
        result.retrieved, result.ranked = passages, ranked
        result.timings["retrieve"] = time.perf_counter() - t0
        return query, passages

    def _without_instructions(self, p: Passage) -> Passage | None:
        """``p`` without the sentences that instruct the assistant (None if
        nothing else is left); they are kept in ``p.instructions``."""
        cleaned = redact(neutralise_tokens(p.text), self.settings.instruction_weak_needed)
        if not cleaned.changed:
            return p
        if not tokens(cleaned.text):
            return None
        return replace(p, text=cleaned.text, instructions=cleaned.removed)

    def _reviewed(self, text: str, standalone: str, query: str, passages: list[Passage],
                  lang: str, result: Answer, notices: list[str]) -> tuple[str, bool]:
        """The model's answer as it may be shown, and whether it is a refusal:
        an answer that obeys an instruction is withheld, an echo of the
        question becomes a quote, and an answer that cannot be traced to the
        passages loses its wrong sentences or is withheld. Records what was
        withheld and why."""
        injected = injection_problem(text, standalone, [s for p in passages for s in p.instructions],
                                     self.settings.instruction_weak_needed, SYSTEM,
                                     [p.text for p in passages])
        if injected:
            result.withheld = {"text": text, "reason": injected}
            notices.append(NOTICES["injected"][lang])
            return text, True
        refused = _is_refusal(text, lang)
        if not refused and echoes(text, standalone, tokens):
            # Nothing of the document's in it ("The agreement became the
            # template." for "Whose agreement became the template?"):
            # quote the document instead.
            result.withheld = {"text": text, "reason": "the answer only repeats the question"}
            text, refused = self._quoted(standalone, passages, lang)
            if not refused:
                notices.append(NOTICES["echo"][lang])
        if refused:
            return text, True
        grounds = Grounds(self.retriever, standalone, query, passages, lang)
        problem = grounds.problem(text)
        if not problem:
            return text, False
        result.withheld = {"text": text, "reason": problem}
        pruned = grounds.pruned(text)
        if pruned:
            # The answer stands without the elaboration that was wrong.
            notices.append(NOTICES["pruned"][lang])
            return pruned, False
        notices.append(NOTICES["ungrounded"][lang])
        return text, True

    def _generate(self, question: str, passages: list[Passage], lang: str,
                  cancel: threading.Event | None = None) -> Iterator[str | int]:
        """The answer's text pieces; an int is the request's place in line
        while the model answers others."""
        context = format_context(passages, lang, self.retriever.search_glossary)
        messages = answer_prompt(lang).format_messages(context=context, question=question)
        model = self.chat_model
        assert model is not None
        kwargs: dict[str, Any] = self._writing_in(lang)
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
            where = f" at {self.settings.openai_base_url}" if self.generator == "openai" else ""
            raise GeneratorError(f"the {self.generator} generator{where} failed: {exc}") from exc

    def _writing_in(self, lang: str) -> dict[str, bool]:
        """Call options for text in ``lang``: the local model writes English
        with Chinese tokens banned (it drifts into the passages' language)."""
        model = self.chat_model
        english = lang == "en" and model is not None and model._llm_type == "llama-cpp"
        return {"ban_cjk": True} if english else {}

    def _translate(self, question: str) -> str:
        assert self.chat_model is not None
        messages = TRANSLATE_FOR_SEARCH.format_messages(question=question)
        try:
            return str(self.chat_model.invoke(messages, max_tokens=80).content).strip()
        except Exception:  # noqa: BLE001  (search still works without it)
            return ""

    def _extractive(self, question: str, passages: list[Passage], lang: str,
                    min_score: float | None = None) -> tuple[str, bool]:
        picked, best = extract(question, passages, self.retriever.glossary)
        floor = self.settings.extractive_min_score if min_score is None else min_score
        if not picked or best < floor:
            return "", True
        quoted = "".join(sent for _, sent in picked)
        if lang == "en":
            return f"The document says (quoted in Chinese): {quoted}", False
        return quoted, False

    def _quoted(self, question: str, passages: list[Passage], lang: str) -> tuple[str, bool]:
        """The extractive answer; for English, translated by the model. The
        model found an answer in the passages (it did not refuse), so the
        best-matching sentences are quoted however weak their word match: a
        paraphrased question shares few words with its answer."""
        text, refused = self._extractive(question, passages, "zh", min_score=0.0)
        if refused or lang != "en" or self.chat_model is None:
            return text, refused
        messages = TRANSLATE_QUOTE.format_messages(text=text)
        try:
            english = str(self.chat_model.invoke(messages, **self._writing_in("en")).content).strip()
        except Exception:  # noqa: BLE001  (then there is nothing to show)
            return "", True
        return english, not english

    def _vectors(self, passages: list[Passage]) -> list[list[float]] | None:
        if self.retriever.store is None:
            return None
        ids = [pid for p in passages for pid in p.part_ids]
        got = self.retriever.store.collection.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
        # A section outline is not stored: embedded here, as a passage.
        unstored = [p for p in passages if any(pid not in by_id for pid in p.part_ids)]
        if unstored:
            fresh = self.retriever.embedder.embed_documents([p.text for p in unstored])
            by_id.update({p.id: v for p, v in zip(unstored, fresh, strict=True)})
        # A merged passage is compared by the mean of its parts' vectors.
        return [list(np.mean([by_id[pid] for pid in p.part_ids], axis=0)) if p.parts
                else list(by_id[p.id]) for p in passages]


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


def _is_refusal(text: str, lang: str) -> bool:
    t = text.strip().lower()
    # Besides the asked-for marks, the ways the model words "the passages do
    # not say" on its own (e.g. "…'s annual budget is not mentioned in the
    # given passages" on the eval set).
    marks = [REFUSAL_MARK["zh"], REFUSAL_MARK["en"].lower(), "not in the document",
             "does not say", "does not mention", "doesn't mention", "is not mentioned",
             "are not mentioned", "not provided in", "no information", "does not provide",
             "not specified in", "not stated in", "没有提到", "未提及", "没有提及", "未提到",
             "资料中没有", "无法回答"]
    return not t or any(m in t[:80] for m in marks)
