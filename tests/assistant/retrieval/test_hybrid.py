"""Retrieval over a real Chroma store: what the search reads, and what it
says when the store cannot be read."""

from __future__ import annotations

import pytest

from assistant.retrieval import Corpus, HybridRetriever
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.neighbours import merge_neighbours
from core.schema import Passage
from core.settings import Settings
from index.embedders import embedder_id, make_embedder
from index.store import StoreError, open_store


def test_an_index_from_before_sentence_records_asks_for_a_re_ingest(settings):
    embedder = make_embedder(settings)
    store = open_store(settings, embedder_id(embedder))
    # A record as an older version wrote it: no "kind" in its metadata.
    store.collection.add(ids=["old"], documents=["波恩有150多个国际组织。"],
                         embeddings=[embedder.embed_query("波恩")],
                         metadatas=[{"doc_id": "a.txt", "section": "一"}])
    retriever = HybridRetriever(store=store, embedder=embedder, corpus=Corpus(store, Glossary()))
    with pytest.raises(StoreError, match="python -m ingest"):
        retriever.search("波恩有多少个国际组织？")


def test_an_empty_index_finds_nothing_without_error(settings):
    embedder = make_embedder(settings)
    store = open_store(settings, embedder_id(embedder))
    assert HybridRetriever(store=store, embedder=embedder, corpus=Corpus(store)).search("波恩") == []


def _piece(pid: str, start: int, text: str, section: str = "二、波恩") -> Passage:
    return Passage(pid, text, "doc.txt", "doc", section, None, start, start + len(text))


def test_two_top_ranked_neighbours_are_read_as_one_continuous_passage():
    first = _piece("a", 0, "自1994年以来，波恩在德国联邦政府的支持下发展。")
    second = _piece("b", first.text.index("联邦政府"), "联邦政府的支持下发展。联邦政府还委任了外交特别代表。")
    other = _piece("c", 500, "其他章节的内容。", section="三、上海")
    merged = merge_neighbours([second, other, first], window=3, max_chars=700)
    assert [p.id for p in merged] == ["b", "c"]  # the better-ranked piece keeps its place
    joined = merged[0]
    assert joined.text == "自1994年以来，波恩在德国联邦政府的支持下发展。联邦政府还委任了外交特别代表。"
    assert (joined.start, joined.end) == (0, second.end)
    assert joined.part_ids == ["a", "b"]  # in reading order, for citations and vectors


@pytest.mark.parametrize("why, ranked, window, max_chars", [
    ("other section", [_piece("a", 0, "甲" * 50), _piece("b", 40, "乙" * 50, section="三")], 3, 700),
    ("gap between them", [_piece("a", 0, "甲" * 50), _piece("b", 60, "乙" * 50)], 3, 700),
    ("neighbour ranked too low", [_piece("a", 0, "甲" * 50), _piece("x", 900, "丙" * 9),
                                  _piece("y", 950, "丁" * 9), _piece("b", 40, "乙" * 50)], 3, 700),
    ("too long together", [_piece("a", 0, "甲" * 50), _piece("b", 40, "乙" * 50)], 3, 80),
])
def test_passages_stay_apart_unless_they_are_close_neighbours(why, ranked, window, max_chars):
    merged = merge_neighbours(ranked, window, max_chars)
    assert [p.id for p in merged] == [p.id for p in ranked], why
    assert all(p.part_ids == [p.id] for p in merged)


@pytest.fixture
def bundled_retriever(tmp_path, make_index) -> tuple[HybridRetriever, Settings]:
    """The retriever over a real index of the bundled document, and its settings."""
    s = make_index(tmp_path)
    embedder = make_embedder(s)
    store = open_store(s, embedder_id(embedder), create=False)
    return HybridRetriever.from_settings(s, store, embedder, Glossary.load(s.retrieval.glossary_path)), s


def test_a_boundary_straddling_answer_comes_first_as_one_passage(bundled_retriever):
    retriever, s = bundled_retriever
    # The chunk that names the federal government's support ends mid-sentence;
    # the measures themselves open the next chunk.
    top = retriever.search("为了支持波恩吸引国际组织，德国联邦政府采取了哪些措施？", 3)[0]
    assert "委任了外交特别代表" in top.text and "德国最大的会展中心" in top.text
    assert len(top.part_ids) == 2 and len(top.text) <= s.retrieval.merge_chars


def test_fragments_are_left_to_keyword_search_and_still_found_when_asked_for(bundled_retriever):
    retriever, s = bundled_retriever
    # The keywords line (关键词：国际组织；城市发展；德国波恩；ICLEI；上海) holds every
    # key term, and its vector used to outrank the passage that answers.
    ranked = retriever.search("ICLEI的成员分为哪两类？各自包括哪些主体？", 5)
    assert all(len(p.text) >= s.retrieval.dense_min_chars for p in ranked if p.ranks.get("dense"))
    assert not any(p.text.startswith("关键词：") for p in ranked[:3])
    asked = retriever.search("这篇文章的关键词是什么？", 3)
    assert any(p.text.startswith("关键词：") for p in asked)
