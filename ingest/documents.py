"""One file -> clean blocks -> chunks (the pure part of ingest, no store)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.instructions import instructions
from core.markup import neutralise_tokens, strip_markup
from core.schema import Chunk
from core.settings import ROOT, Settings
from core.text import detect_language
from ingest.chunk import chunk_document
from ingest.clean import Block, clean, joined
from ingest.loaders import load


@dataclass
class Document:
    doc_id: str
    title: str
    text: str  # cleaned
    blocks: list[Block]
    chunks: list[Chunk]


def doc_id_for(path: Path) -> str:
    """Stable id: the path relative to the repository when inside it."""
    path = path.resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def path_for(doc_id: str) -> Path:
    """The file a document id names (the inverse of :func:`doc_id_for`)."""
    path = Path(doc_id)
    return (path if path.is_absolute() else ROOT / path).resolve()


def process(path: Path, settings: Settings, doc_id: str | None = None) -> Document:
    """``path`` loaded, cleaned and chunked; ``doc_id``: the id to give it
    (default: its own path's), for a file read under a temporary name."""
    raw = load(path, max_bytes=settings.ingest.max_file_bytes)
    # Documents are data: markup that would fetch or run, and a chat model's
    # control tokens, become plain words before anything else reads them.
    blocks = clean(strip_markup(neutralise_tokens(raw.text)), raw.has_pages)
    text = joined(blocks)
    title = next((b.text for b in blocks if b.kind == "title"), path.stem)
    doc_id = doc_id or doc_id_for(path)
    cfg = settings.ingest
    chunks = chunk_document(blocks, text, doc_id, title, cfg.chunk_size, cfg.chunk_overlap, cfg.chunk_min)
    language = detect_language(text)
    # Sentences that instruct an assistant are recorded; answers never read them.
    for chunk in chunks:
        chunk.language = language
        chunk.instructions = len(instructions(chunk.text, settings.review.instruction_weak_needed))
    return Document(doc_id, title, text, blocks, chunks)
