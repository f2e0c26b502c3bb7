"""Each answer's own sources, opened in the side panel: clicking an answer
(or its sources message) shows the passages it cites with their document,
section and page and the supporting sentence in bold; on request each passage
is rendered in the asker's language by the configured model (a machine
translation, marked as such and kept per passage)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant import messages as say
from assistant.answer import Answer
from assistant.citations import Citation
from assistant.support import Evidence
from assistant.web.render import cited_markdown, safe_markdown
from core.text import detect_language


@dataclass
class Opened:
    """What the side panel needs of one answer (kept in the page's state as JSON)."""

    language: str
    citations: list[Citation]
    evidence: list[Evidence] = field(default_factory=list)

    @classmethod
    def of(cls, answer: Answer) -> Opened:
        return cls(answer.language, list(answer.citations), list(answer.evidence))

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "citations": [c.to_json() for c in self.citations],
                "evidence": [e.to_json() for e in self.evidence]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Opened:
        return cls(str(data["language"]), [Citation(**c) for c in data["citations"]],
                   [Evidence(**e) for e in data.get("evidence", [])])


def remember(answers: dict[str, Any] | None, index: int, answer: Answer) -> dict[str, Any]:
    """``answers`` with ``answer`` kept under its message's place in the chat."""
    return {**(answers or {}), str(index): Opened.of(answer).to_json()}


def chosen(answers: dict[str, Any] | None, index: Any) -> Opened | None:
    """The answer at chat message ``index``, or the one below it (an answer's
    sources message sits just above the answer)."""
    if isinstance(index, list | tuple):
        index = index[0] if index else None
    if not isinstance(index, int) or not answers:
        return None
    data = answers.get(str(index)) or answers.get(str(index + 1))
    return Opened.from_json(data) if data else None


def panel(opened: Opened | None, renderings: dict[int, str] | None = None) -> str:
    if opened is None:
        return safe_markdown(say.NOTHING_OPENED)
    if not opened.citations:
        return safe_markdown(say.NO_SOURCES_CITED)
    return f"**{say.OPENED_SOURCES}**\n\n" + cited_markdown(opened, renderings)


def rendered(bot: Any, opened: Opened | None) -> Iterator[str]:
    """The side panel while and after the cited passages are translated into
    the asker's language (each one once: the assistant keeps them)."""
    if opened is None or not opened.citations:
        yield panel(opened)
        return
    foreign = [c for c in opened.citations if detect_language(c.text) != opened.language]
    renderings_of = getattr(bot, "renderings", None)
    if not foreign:
        yield panel(opened) + "\n\n" + safe_markdown(say.RENDER_SAME)
        return
    if renderings_of is None or not renderings_of.available:
        yield panel(opened) + "\n\n" + safe_markdown(say.RENDER_NEEDS_MODEL)
        return
    done: dict[int, str] = {}
    failed: list[str] = []
    for c in foreign:
        yield panel(opened, done) + "\n\n" + safe_markdown(say.RENDERING)
        text = renderings_of.render(c.text, opened.language)
        if text:
            done[c.n] = text
        else:
            failed.append(f"[{c.n}] {say.RENDER_FAILED}")
    yield "\n\n".join([panel(opened, done), *map(safe_markdown, failed)])
