"""Clean blocks -> section-aware chunks, specified on the bundled document.

A chunk is an exact slice of the cleaned text, lies inside one section,
breaks at a sentence end, fits the configured size, and has an id that
depends only on (document, section, text).
"""

from __future__ import annotations

import re

import pytest

from core.settings import ROOT, Settings
from ingest.chunk import SECTION_SEPARATOR, Chunk, _merge_short, chunk_document, chunk_sentences, sections
from ingest.clean import Block, clean, joined
from ingest.documents import Document, doc_id_for, process

BUNDLED = ROOT / "data" / "docs" / "bonn-shanghai.txt"
# A sentence end, then optional closing quotes/brackets and footnote markers.
SENTENCE_END = re.compile(r"[。！？；!?;.…][”’」』）)]*(\[\^\d+\])*$")
TITLE = (
    "Common Negotiation and Sharing for Global Governance: New City Development Ways of "
    "Attracting the Participation of International Organizations"
)


@pytest.fixture(scope="module")
def default_settings() -> Settings:
    return Settings.from_env(environ={})


@pytest.fixture(scope="module")
def document(default_settings) -> Document:
    return process(BUNDLED, default_settings)


def chunk_with(document: Document, passage: str) -> Chunk:
    found = [c for c in document.chunks if passage in c.text]
    assert found, f"no chunk contains {passage!r}"
    return found[0]


def chunks_of(raw: str, doc_id: str = "doc.txt", size: int = 280, overlap: int = 60) -> list[Chunk]:
    blocks = clean(raw)
    return chunk_document(blocks, joined(blocks), doc_id, "title", size, overlap)


def last_in_section(chunks: list[Chunk]) -> set[int]:
    return {a.index for a, b in zip(chunks, chunks[1:], strict=False) if a.section != b.section} | {
        chunks[-1].index
    }


# --- chunks are slices of the cleaned text ------------------------------------


def test_every_chunk_is_the_exact_slice_of_the_cleaned_text(document):
    assert document.chunks
    for chunk in document.chunks:
        assert document.text[chunk.start:chunk.end] == chunk.text


def test_chunk_indexes_number_the_chunks_in_document_order(document):
    assert [c.index for c in document.chunks] == list(range(len(document.chunks)))
    assert [c.start for c in document.chunks] == sorted(c.start for c in document.chunks)


def test_no_body_text_is_lost(document):
    covered = [False] * len(document.text)
    for chunk in document.chunks:
        covered[chunk.start:chunk.end] = [True] * (chunk.end - chunk.start)
    for block in document.blocks:
        if block.kind != "heading":
            assert all(covered[block.start:block.end]), block.text[:30]


def test_headings_are_not_chunk_text_but_chunk_sections(document):
    headings = {b.text for b in document.blocks if b.kind == "heading"}
    assert not any(c.text in headings for c in document.chunks)
    assert all(
        c.section.split(SECTION_SEPARATOR)[-1] in headings
        for c in document.chunks
        if SECTION_SEPARATOR in c.section
    )


# --- sections -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passage", "section"),
    [
        ("竞争这个组织的有四个城市",
         "二、波恩吸引国际组织入驻 > （二）波恩吸引国际组织的收获 > 2.审时度势下的一击即中"),
        ("联合国专区（UN Campus）",
         "二、波恩吸引国际组织入驻 > （一）波恩吸引国际组织的硬件优势 > 1.优越的办公设施"),
        ("4000多外交人员",
         "二、波恩吸引国际组织入驻 > （二）波恩吸引国际组织的收获 > 1.迁都后的政治补偿"),
        ("德国电信、DHL等",
         "二、波恩吸引国际组织入驻 > （二）波恩吸引国际组织的收获 > 4.PIC原则下的长期可持续发展"),
        ("目前波恩有150多个国际组织", "二、波恩吸引国际组织入驻"),
        ("General Assembly of the United Nations",
         "三、波恩利用城市国际组织联盟提升国际影响力 > （一）ICLEI（国际地方政府环境行动理事会）"),
        ("图1 全球“国际地方政府环境行动理事会”",
         "三、波恩利用城市国际组织联盟提升国际影响力 > （二）波恩利用ICLEI提升全球影响力"
         " > 4.高端资源整合流通，推进社会发展"),
        ("上海世博会事务协调局副局长周汉民", "四、对于上海的借鉴意义"),
        ("联合国防治荒漠化公约亚太办事处缺少资金",
         "四、对于上海的借鉴意义 > （二）“准”：找到合适的突破口"),
        ("上海可以以此为契机，吸引该组织的入驻。",
         "四、对于上海的借鉴意义 > （三）“城市”：注重吸引国际城市组织"),
        ("城市吸引国际组织入驻这一现象的出现", "一、城市吸引国际组织入驻的已有探索"),
    ],
)
def test_chunk_section_is_the_heading_path_of_its_passage(document, passage, section):
    assert chunk_with(document, passage).section == section


@pytest.mark.parametrize(
    ("passage", "label"),
    [
        ("摘要：城市发展各具特色", "摘要"),
        ("Common Negotiation and Sharing", "标题"),
        ("关键词：国际组织；城市发展", "关键词"),
        ("当前，为促进城市的进一步发展", "引言"),
    ],
)
def test_front_matter_chunks_are_labelled_in_the_document_language(document, passage, label):
    assert chunk_with(document, passage).section == label


def test_front_matter_labels_are_english_for_an_english_document():
    blocks = [
        Block("abstract", "Abstract: Bonn hosts many UN bodies."),
        Block("title", "Cities Attracting International Organizations"),
        Block("keywords", "Keywords: Bonn; UN"),
        Block("paragraph", "Bonn became a UN city after the government moved to Berlin."),
        Block("heading", "1. Background", level=3),
        Block("paragraph", "The UNFCCC secretariat moved to Bonn in 1996."),
    ]
    assert [path for path, _ in sections(blocks)] == [
        "Abstract", "Title", "Keywords", "Introduction", "1. Background"
    ]


def test_section_path_drops_deeper_headings_when_a_shallower_one_starts():
    blocks = [
        Block("heading", "一、甲", level=1),
        Block("heading", "（一）乙", level=2),
        Block("heading", "1.丙", level=3),
        Block("paragraph", "第一段。"),
        Block("heading", "（二）丁", level=2),
        Block("paragraph", "第二段。"),
        Block("heading", "二、戊", level=1),
        Block("paragraph", "第三段。"),
    ]
    assert [(path, [b.text for b in group]) for path, group in sections(blocks)] == [
        ("一、甲 > （一）乙 > 1.丙", ["第一段。"]),
        ("一、甲 > （二）丁", ["第二段。"]),
        ("二、戊", ["第三段。"]),
    ]


def test_chunks_never_cross_a_section_boundary(document):
    spans = {}
    for path, group in sections(document.blocks):
        spans.setdefault(path, []).append((group[0].start, group[-1].end))
    for chunk in document.chunks:
        assert any(s <= chunk.start and chunk.end <= e for s, e in spans[chunk.section])


def test_the_embedded_text_is_the_passage_alone(document):
    # The section path is not prefixed (it lowered e5's hit@1 on the eval set).
    assert all(c.embed_text == c.text for c in document.chunks)


def test_changing_the_embedding_recipe_changes_every_id(bundled_text, monkeypatch):
    import ingest.chunk

    before = {c.id for c in chunks_of(bundled_text)}
    monkeypatch.setattr(ingest.chunk, "EMBED_RECIPE", "some-other-recipe")
    after = {c.id for c in chunks_of(bundled_text)}
    assert before.isdisjoint(after)


# --- sentence boundaries and size ----------------------------------------------


def test_chunks_end_at_sentence_ends_except_the_last_chunk_of_a_section(document):
    last = last_in_section(document.chunks)
    cut = [
        c.text[-15:]
        for c in document.chunks
        if c.index not in last and not SENTENCE_END.search(c.text)
    ]
    assert cut == []


def test_a_chunk_that_follows_another_in_its_section_starts_at_a_sentence_start(document):
    for before, chunk in zip(document.chunks, document.chunks[1:], strict=False):
        if before.section == chunk.section:
            assert SENTENCE_END.search(document.text[:chunk.start].rstrip())


@pytest.mark.parametrize(("size", "overlap"), [(280, 60), (160, 40), (100, 20)])
def test_no_chunk_is_longer_than_chunk_size(default_settings, size, overlap):
    settings = default_settings.replace(chunk_size=size, chunk_overlap=overlap)
    chunks = process(BUNDLED, settings).chunks
    assert max(len(c.text) for c in chunks) <= size


def test_a_short_piece_joins_its_neighbour_when_the_result_fits():
    # (start, end) spans of one section: the 20-character tail joins the
    # piece before it; the merged span still fits the limit.
    assert _merge_short([(0, 200), (180, 200)], 120, 350) == [(0, 200)]
    assert _merge_short([(0, 250), (230, 330)], 120, 350) == [(0, 330)]
    # A short first piece joins the one after it.
    assert _merge_short([(0, 40), (40, 300)], 120, 350) == [(0, 300)]
    # Too long together: both stay.
    assert _merge_short([(0, 340), (320, 400)], 120, 350) == [(0, 340), (320, 400)]
    # A section of one short piece keeps it.
    assert _merge_short([(0, 30)], 120, 350) == [(0, 30)]


def test_no_bundled_chunk_is_a_lone_fragment(document, default_settings):
    # Every chunk shorter than chunk_min is alone in its section or could not
    # join a neighbour without passing chunk_size.
    by_section: dict[str, list[Chunk]] = {}
    for c in document.chunks:
        by_section.setdefault(c.section, []).append(c)
    for chunks in by_section.values():
        for i, c in enumerate(chunks):
            if len(c.text) >= default_settings.ingest.chunk_min or len(chunks) == 1:
                continue
            neighbours = [chunks[j] for j in (i - 1, i + 1) if 0 <= j < len(chunks)]
            assert all(max(n.end, c.end) - min(n.start, c.start) > default_settings.ingest.chunk_size
                       for n in neighbours), c.text


def test_each_chunk_has_its_sentences_as_records_of_their_own(document):
    chunk = chunk_with(document, "竞争这个组织的有四个城市")
    sents = chunk_sentences(chunk)
    assert len(sents) >= 2
    assert all(s.text in chunk.text for s in sents)
    assert any("里约、日内瓦、多伦多和波恩" in s.text for s in sents)
    assert {s.id for s in sents} == {f"{chunk.id}:s{i}" for i in range(len(sents))}
    assert all(s.to_metadata() == {"kind": "sentence", "chunk_id": chunk.id, "doc_id": chunk.doc_id,
                                   "section": chunk.section} for s in sents)
    for c in document.chunks:
        assert chunk_sentences(c), c.text  # every chunk is reachable by the sentence search


def test_smaller_chunk_size_gives_more_chunks(default_settings):
    small = default_settings.replace(chunk_size=140, chunk_overlap=30)
    assert len(process(BUNDLED, small).chunks) > len(process(BUNDLED, default_settings).chunks)


def test_consecutive_chunks_overlap_by_at_most_chunk_overlap(document, default_settings):
    for before, chunk in zip(document.chunks, document.chunks[1:], strict=False):
        if before.section == chunk.section:
            assert max(0, before.end - chunk.start) <= default_settings.ingest.chunk_overlap


def test_long_paragraph_is_split_into_overlapping_chunks(document):
    # "当前全球治理…" section (ICLEI) is far longer than one chunk.
    section = (
        "三、波恩利用城市国际组织联盟提升国际影响力 > （一）ICLEI（国际地方政府环境行动理事会）"
    )
    chunks = [c for c in document.chunks if c.section == section]
    assert len(chunks) >= 4
    assert any(b.start < a.end for a, b in zip(chunks, chunks[1:], strict=False))


def test_a_clause_longer_than_chunk_size_without_commas_is_still_split():
    sentence = (
        "The secretariat of the United Nations Framework Convention on Climate Change moved "
        "from Geneva to Bonn in 1996 after the German government offered free office space "
        "in the former parliament buildings and agreed to pay the relocation costs of the "
        "staff and their families as well as the running costs of the new offices for the "
        "first ten years of operation in the city."
    )
    chunks = chunks_of(f"1. Background\n\n{sentence}\n", size=280, overlap=60)
    assert max(len(c.text) for c in chunks) <= 280


# --- ids ------------------------------------------------------------------------


def test_chunk_ids_are_deterministic(document, default_settings):
    again = process(BUNDLED, default_settings)
    assert [c.id for c in again.chunks] == [c.id for c in document.chunks]


def test_chunk_ids_are_unique_within_a_document(document):
    ids = [c.id for c in document.chunks]
    assert len(ids) == len(set(ids))


def test_editing_a_sentence_changes_only_the_ids_of_chunks_containing_it(bundled_text):
    before = chunks_of(bundled_text)
    after = chunks_of(bundled_text.replace("竞争这个组织的有四个城市", "竞争这个组织的有五个城市"))
    changed = {c.id for c in before} - {c.id for c in after}
    assert changed == {c.id for c in before if "竞争这个组织的有四个城市" in c.text}
    assert len(changed) == 1
    assert len(after) == len(before)


def test_chunk_ids_do_not_depend_on_position(bundled_text):
    # Text inserted in an earlier section shifts offsets but keeps later ids.
    before = chunks_of(bundled_text)
    after = chunks_of(bundled_text.replace("约5万人", "约5.5万人"))
    moved = [c for c in after if c.section.startswith("三、")]
    assert moved and {c.id for c in moved} <= {c.id for c in before}
    assert all(a.start == b.start + 2 for a, b in zip(
        [c for c in after if c.section.startswith("三、")],
        [c for c in before if c.section.startswith("三、")],
        strict=True,
    ))


def test_same_text_in_another_document_gets_other_ids(bundled_text):
    first = {c.id for c in chunks_of(bundled_text, doc_id="a.txt")}
    second = {c.id for c in chunks_of(bundled_text, doc_id="b.txt")}
    assert first.isdisjoint(second)


def test_identical_passages_in_one_section_get_distinct_ids():
    repeated = "这一句重复出现。" * 40
    raw = f"一、重复\n\n波恩是联合国城市。\n\n{repeated}\n\n{repeated}\n"
    chunks = chunks_of(raw, size=100, overlap=0)
    ids = [c.id for c in chunks]
    assert len(set(c.text for c in chunks)) < len(chunks)
    assert len(ids) == len(set(ids))


def test_ids_are_32_hex_characters(document):
    assert all(re.fullmatch(r"[0-9a-f]{32}(-\d+)?", c.id) for c in document.chunks)


# --- metadata -------------------------------------------------------------------


def test_metadata_has_exactly_the_store_keys(document):
    for chunk in document.chunks:
        assert set(chunk.to_metadata()) == {
            "kind", "doc_id", "doc_title", "section", "chunk_index", "start", "end", "page",
            "content_hash", "instructions", "language",
        }


def test_metadata_values_describe_the_chunk(document):
    chunk = chunk_with(document, "竞争这个组织的有四个城市")
    meta = chunk.to_metadata()
    assert meta == {
        "kind": "passage",
        "doc_id": "data/docs/bonn-shanghai.txt",
        "doc_title": TITLE,
        "section": chunk.section,
        "chunk_index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "page": -1,
        "content_hash": chunk.id,
        "instructions": 0,
        "language": "zh",
    }


def test_metadata_values_are_only_str_and_int_for_chroma(document):
    for chunk in document.chunks:
        assert all(type(v) in (str, int) for v in chunk.to_metadata().values())


def test_document_id_is_repository_relative_inside_the_repo_else_absolute(tmp_path):
    assert doc_id_for(BUNDLED) == "data/docs/bonn-shanghai.txt"
    outside = tmp_path / "x.txt"
    assert doc_id_for(outside) == outside.resolve().as_posix()


def test_document_title_is_the_english_title_block(document):
    assert document.title == TITLE
    assert {c.doc_title for c in document.chunks} == {TITLE}


def test_document_without_title_block_is_titled_by_file_name(tmp_path, default_settings):
    path = tmp_path / "波恩笔记.txt"
    path.write_text("一、背景\n\n波恩是联合国城市。\n", encoding="utf-8")
    assert process(path, default_settings).title == "波恩笔记"
