"""What the chain returns: the answer, its citations and the passages it
read, the review's verdict, and timings; and the check of a question."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.citations import Citation
from assistant.messages import CLOSEST, EMPTY_QUESTION, LONG_QUESTION
from core.markup import neutralise_tokens
from core.schema import Passage
from core.settings import ServerSettings
from core.text import strip_controls

MAX_QUESTION_CHARS = ServerSettings().max_question_chars


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
    # A model answer the review withheld, and why (evaluation, logs).
    withheld: dict[str, str] = field(default_factory=dict)
    corrected: bool = False  # a false premise answered with what the document says
    evidence: list[Any] = field(default_factory=list)  # assistant.support.Evidence

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
            "corrected": self.corrected,
            "evidence": [e.to_json() for e in self.evidence],
        }

    def display_text(self) -> str:
        """The answer as people read it: a refusal lists the closest sections."""
        text = self.answer
        if self.refused and self.closest_sections:
            label = CLOSEST["zh" if self.language == "zh" else "en"]
            text += "\n\n" + label + "\n" + "\n".join(f"- {s}" for s in self.closest_sections)
        return text


def validate(question: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """The question as the chain reads it: no control characters or chat
    template tokens; QuestionError when empty or longer than ``limit``."""
    question = neutralise_tokens(strip_controls(question or "")).strip()
    if not question:
        raise QuestionError(EMPTY_QUESTION)
    if len(question) > limit:
        raise QuestionError(LONG_QUESTION.format(n=len(question), limit=limit))
    return question
