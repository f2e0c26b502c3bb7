"""The records the index holds and the passages retrieval returns: one
definition of their fields and of how they become Chroma metadata and back.

One collection holds each chunk (kind ``passage``) and each of its sentences
(kind ``sentence``, with its own vector), told apart by ``kind``, so that one
add or delete keeps them in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KIND_KEY = "kind"
PASSAGE = "passage"
SENTENCE = "sentence"
# Joins the headings of a section path: "二、… > （一）… > 1.…".
SECTION_SEPARATOR = " > "


@dataclass
class Chunk:
    """A piece of one section of one document, as ingest stores it."""

    id: str
    text: str
    doc_id: str
    doc_title: str
    section: str
    index: int
    start: int
    end: int
    page: int | None
    metadata: dict[str, object] = field(default_factory=dict)
    instructions: int = 0  # sentences that read as instructions to an assistant
    language: str = ""  # of the document: "zh", "en"

    @property
    def embed_text(self) -> str:
        """What gets embedded: only the passage (the section path hurt e5;
        BM25 indexes it separately; see docs/decisions.md)."""
        return self.text

    def to_metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = {
            KIND_KEY: PASSAGE,
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "section": self.section,
            "chunk_index": self.index,
            "start": self.start,
            "end": self.end,
            "page": -1 if self.page is None else self.page,  # Chroma rejects None
            "content_hash": self.id,
            "instructions": self.instructions,
        }
        if self.language:
            meta["language"] = self.language
        return meta


@dataclass
class Sentence:
    """One sentence of a chunk, embedded on its own: a question usually
    matches one sentence of the passage that answers it."""

    id: str
    text: str
    chunk: Chunk

    @property
    def embed_text(self) -> str:
        return self.text

    def to_metadata(self) -> dict[str, str | int]:
        return {KIND_KEY: SENTENCE, "chunk_id": self.chunk.id, "doc_id": self.chunk.doc_id,
                "section": self.chunk.section}


@dataclass
class Passage:
    """A retrieved passage: a stored chunk, two merged neighbours, or a
    section outline, with its scores."""

    id: str
    text: str
    doc_id: str
    doc_title: str
    section: str
    page: int | None
    start: int
    end: int
    score: float = 0.0  # fused RRF score
    dense: float = 0.0  # cosine similarity to the question
    bm25: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # stored ids, when neighbours were merged
    instructions: list[str] = field(default_factory=list)  # sentences left out of the prompt
    language: str = ""

    @property
    def part_ids(self) -> list[str]:
        return self.parts or [self.id]

    @property
    def doc(self) -> str:
        """The document's name as people see it (never a server path)."""
        return self.doc_id.rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "doc": self.doc, "doc_id": self.doc_id, "section": self.section,
                "text": self.text, "score": round(self.score, 5), "dense": round(self.dense, 4),
                "bm25": round(self.bm25, 3), "page": self.page, "start": self.start, "end": self.end}

    def copy(self) -> Passage:
        """A fresh copy without scores (ranking fills them in)."""
        return Passage(self.id, self.text, self.doc_id, self.doc_title, self.section, self.page,
                       self.start, self.end, language=self.language)


def passage_from_record(pid: str, text: str, meta: dict[str, Any]) -> Passage:
    page = int(meta.get("page", -1))
    return Passage(pid, text, str(meta.get("doc_id", "")), str(meta.get("doc_title", "")),
                   str(meta.get("section", "")), None if page < 0 else page,
                   int(meta.get("start", 0)), int(meta.get("end", 0)),
                   language=str(meta.get("language", "")))
