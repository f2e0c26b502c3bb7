"""Retrieval over a real Chroma store: what the search reads, and what it
says when the store cannot be read."""

from __future__ import annotations

import pytest

from assistant.glossary import Glossary
from assistant.retrieval import HybridRetriever
from ingest.embed import embedder_id, make_embedder
from ingest.store import StoreError, open_store


def test_an_index_from_before_sentence_records_asks_for_a_re_ingest(settings):
    embedder = make_embedder(settings)
    store = open_store(settings, embedder_id(embedder))
    # A record as an older version wrote it: no "kind" in its metadata.
    store.collection.add(ids=["old"], documents=["波恩有150多个国际组织。"],
                         embeddings=[embedder.embed_query("波恩")],
                         metadatas=[{"doc_id": "a.txt", "section": "一"}])
    retriever = HybridRetriever(store=store, embedder=embedder, glossary=Glossary())
    with pytest.raises(StoreError, match="python -m ingest"):
        retriever.search("波恩有多少个国际组织？")


def test_an_empty_index_finds_nothing_without_error(settings):
    embedder = make_embedder(settings)
    store = open_store(settings, embedder_id(embedder))
    assert HybridRetriever(store=store, embedder=embedder).search("波恩") == []
