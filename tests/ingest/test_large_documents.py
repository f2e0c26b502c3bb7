"""Large documents: the text evals/chunk_scaling.py times (every shape it
builds) is chunked as any document is, and cleaning and chunking read the
text a bounded number of times per character, so their time grows with the
text, not with its square. No timings here: the script measures speed."""

from __future__ import annotations

import pytest

import ingest.clean
from core.settings import Settings
from evals.chunk_scaling import CASES, build
from ingest.chunk import chunk_document, sections
from ingest.clean import Block, clean, joined

SIZE, OVERLAP, MINIMUM = 350, 70, 120


@pytest.fixture(scope="module", params=CASES)
def generated(request) -> tuple[list[Block], str, list]:
    blocks = clean(build(request.param, 0.15))
    text = joined(blocks)
    return blocks, text, chunk_document(blocks, text, "big.txt", "big", SIZE, OVERLAP, MINIMUM)


def test_the_defaults_are_the_sizes_checked_here():
    cfg = Settings.from_env(environ={}).ingest
    assert (cfg.chunk_size, cfg.chunk_overlap, cfg.chunk_min) == (SIZE, OVERLAP, MINIMUM)


def test_every_chunk_of_a_generated_document_is_its_exact_slice_of_the_text(generated):
    _, text, chunks = generated
    assert len(chunks) > 100
    assert all(text[c.start:c.end] == c.text for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)


def test_no_chunk_of_a_generated_document_is_longer_than_chunk_size(generated):
    assert max(len(c.text) for c in generated[2]) <= SIZE


def test_a_generated_document_loses_no_body_text(generated):
    # Only the space between two sentences may fall between two chunks.
    blocks, text, chunks = generated
    covered = bytearray(len(text))
    for c in chunks:
        covered[c.start:c.end] = b"\x01" * (c.end - c.start)
    lost = [text[i - 10:i + 10] for b in blocks if b.kind != "heading"
            for i in range(b.start, b.end) if not covered[i] and not text[i].isspace()]
    assert lost == []


def test_each_chunk_of_a_generated_document_lies_in_its_own_section(generated):
    blocks, _, chunks = generated
    spans: dict[str, list[tuple[int, int]]] = {}
    for path, group in sections(blocks):
        spans.setdefault(path, []).append((group[0].start, group[-1].end))
    assert all(any(s <= c.start and c.end <= e for s, e in spans[c.section]) for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)


class CountingBlock(Block):
    """A block that counts how often its offsets are read."""

    reads = 0

    def __getattribute__(self, name: str):
        if name in ("start", "end"):
            CountingBlock.reads += 1
        return super().__getattribute__(name)


def test_chunking_one_long_section_reads_each_block_a_bounded_number_of_times():
    # 3,000 paragraphs under no heading: one section of about 330 chunks.
    # Finding each chunk's page by scanning the section's blocks read them
    # some 10^6 times.
    text, blocks, offset = [], [], 0
    for n in range(3000):
        para = f"波恩第{n}次接待国际组织的代表团，会议讨论了城市合作。"
        blocks.append(CountingBlock("paragraph", para, page=1 + n // 100, start=offset, end=offset + len(para)))
        text.append(para)
        offset += len(para) + 2
    CountingBlock.reads = 0
    chunks = chunk_document(blocks, "\n\n".join(text), "d", "t", SIZE, OVERLAP, MINIMUM)
    assert len(chunks) > 300
    assert CountingBlock.reads <= 2 * len(blocks)
    # ...and the pages are still those of the blocks the chunks start in.
    for c in chunks:
        assert c.page == max((b for b in blocks if b.start <= c.start), key=lambda b: b.start).page


def test_reflowing_a_paragraph_that_never_ends_reads_each_character_a_bounded_number_of_times(monkeypatch):
    # Text cut at a fixed width: no line is short, so it is all one paragraph.
    raw = build("unbroken", 0.1)
    read = {"chars": 0}

    def counted(function):
        def call(*args):
            read["chars"] += sum(len(a) for a in args)
            return function(*args)
        return call

    for name in ("join_lines", "_is_latin_line"):
        monkeypatch.setattr(ingest.clean, name, counted(getattr(ingest.clean, name)))
    blocks = clean(raw)
    assert len(blocks) == 1 and len(blocks[0].text) > 90_000
    # Joining each line to the paragraph so far read it all: ~10^8 characters.
    assert read["chars"] <= 4 * len(raw)
