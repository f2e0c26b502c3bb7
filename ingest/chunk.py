"""Clean blocks -> section-aware chunks with metadata.

Chunks never cross a section boundary and break only at sentence ends
(LangChain's recursive splitter with Chinese and Latin sentence separators;
a comma is the fallback only for a single sentence longer than a chunk).
"""

from __future__ import annotations

import bisect
import hashlib
import re

from langchain_text_splitters import RecursiveCharacterTextSplitter

from core.schema import SECTION_SEPARATOR, Chunk, Sentence
from core.text import HAN, han_count, sentences
from ingest.clean import Block

__all__ = ["SECTION_SEPARATOR", "Chunk", "Sentence", "chunk_document", "chunk_sentences",
           "with_sentences"]
# Zero-width split points after sentence-ending punctuation (closing quotes
# stay with their sentence), then clause punctuation as a last resort.
_SENTENCE_SEPARATORS = [
    r"\n\n",
    r"\n",
    r"(?<=[。！？；][”’」』）)])(?![”’」』）)])",
    r"(?<=[。！？；])(?![”’」』）)。！？；])",
    rf"(?<=[.!?;])\s+(?=[A-Z{HAN}])",
    r"(?<=[，、：,:])",
    r"\s+",  # last resorts, only for a clause longer than a chunk
    "",
]
_FRONT_LABELS = {
    "zh": {"title": "标题", "abstract": "摘要", "keywords": "关键词", "paragraph": "引言",
           "caption": "引言"},
    "en": {"title": "Title", "abstract": "Abstract", "keywords": "Keywords",
           "paragraph": "Introduction", "caption": "Introduction"},
}


def chunk_sentences(chunk: Chunk, minimum: int = 6) -> list[Sentence]:
    """The chunk's sentences worth a vector of their own (not fragments)."""
    out = [s for s in sentences(chunk.text) if len(s) >= minimum] or [chunk.text]
    return [Sentence(f"{chunk.id}:s{i}", text, chunk) for i, text in enumerate(out)]


def with_sentences(chunks: list[Chunk]) -> list[Chunk | Sentence]:
    """Everything the store holds for ``chunks``: each chunk, then its sentences."""
    return [*chunks, *(s for c in chunks for s in chunk_sentences(c))]


def splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=_SENTENCE_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",  # joins pieces with "" so chunks are exact substrings
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        strip_whitespace=True,
    )


def sections(blocks: list[Block]) -> list[tuple[str, list[Block]]]:
    """Group body blocks under their heading path, in document order."""
    lang = "zh" if sum(han_count(b.text) for b in blocks) > 50 else "en"
    labels = _FRONT_LABELS[lang]
    stack: list[tuple[int, str]] = []
    groups: list[tuple[str, list[Block]]] = []
    seen_heading = False
    for block in blocks:
        if block.kind == "heading":
            seen_heading = True
            stack = [(lvl, t) for lvl, t in stack if lvl < block.level]
            stack.append((block.level, block.text))
            continue
        if seen_heading:
            path = SECTION_SEPARATOR.join(t for _, t in stack)
        else:
            path = labels.get(block.kind, labels["paragraph"])
        if groups and groups[-1][0] == path:
            groups[-1][1].append(block)
        else:
            groups.append((path, [block]))
    return groups


def chunk_document(
    blocks: list[Block],
    cleaned: str,
    doc_id: str,
    doc_title: str,
    chunk_size: int,
    chunk_overlap: int,
    chunk_min: int = 0,
) -> list[Chunk]:
    split = splitter(chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for path, group in sections(blocks):
        start, end = group[0].start, group[-1].end
        body = cleaned[start:end]
        starts = [b.start for b in group]  # in document order, as clean() gives them
        cursor = 0
        spans: list[tuple[int, int]] = []
        for piece in split.split_text(body):
            # Offsets: find the piece from the last chunk's start (chunks overlap).
            at = body.find(piece, cursor)
            if at < 0:
                at = body.find(piece)
            cursor = at + 1
            spans.append((at, at + len(piece)))
        for at, stop in _merge_short(spans, chunk_min, chunk_size):
            piece = body[at:stop]
            abs_start = start + at
            # The page of the last block starting at or before the chunk (a
            # search, not a scan of the section per chunk: that was quadratic).
            before = bisect.bisect_right(starts, abs_start) - 1
            page = group[before].page if before >= 0 else group[0].page
            digest = _content_id(doc_id, path, piece)
            # Identical text twice in one section still needs two ids.
            seen[digest] = seen.get(digest, 0) + 1
            cid = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
            chunks.append(Chunk(cid, piece, doc_id, doc_title, path, len(chunks), abs_start,
                                abs_start + len(piece), page))
    return chunks


def _merge_short(spans: list[tuple[int, int]], minimum: int, limit: int) -> list[tuple[int, int]]:
    """Fold a piece shorter than ``minimum`` into its neighbour in the same
    section (the splitter has no lower bound): a lone trailing sentence or a
    caption ranks well on a few shared words yet rarely holds an answer.

    Left to right in one pass: a piece that joins the piece after it is looked
    at again (it may still be short); one that joins the piece before is not."""
    done: list[tuple[int, int]] = []  # looked at (the last may still take a short piece)
    current, n = (spans[0] if spans else None), len(spans)
    j = 1  # spans[j:] are not looked at yet
    while current is not None and len(done) + 1 + n - j > 1:
        a, b = current
        before = (done[-1][0], b) if done else None
        after = (a, spans[j][1]) if j < n else None
        options = [s for s in (before, after) if s and s[1] - s[0] <= limit] if b - a < minimum else []
        merged = min(options, key=lambda s: s[1] - s[0]) if options else None
        if merged is not None and merged != before:
            current, j = merged, j + 1  # took the next piece in: look at it again
            continue
        if merged is not None:
            done[-1] = merged
        else:
            done.append(current)
        current, j = (spans[j], j + 1) if j < n else (None, j)
    return done + ([current] if current is not None else []) + spans[j:]


# Bump when what gets embedded changes, so old vectors are replaced on re-ingest.
EMBED_RECIPE = "passage-text-v3"


def _content_id(doc_id: str, section: str, text: str) -> str:
    payload = "\x1f".join((EMBED_RECIPE, doc_id, section, re.sub(r"\s+", " ", text)))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
