"""Baselines and ablations, built in temporary stores with the same embedder:

- ``langchain-plain``: the plain LangChain recipe: RecursiveCharacterTextSplitter
  on the raw text (350/50), langchain-chroma, dense retrieval only;
- ``dense`` / ``bm25`` / ``hybrid``: our cleaned, section-aware chunks with one
  retriever or both;
- ``hybrid-raw``: our splitter and hybrid retrieval on the uncleaned text.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.chain import Assistant
from assistant.retrieval import Corpus, Glossary, HybridRetriever, NoKnowledge
from core.schema import Passage
from core.settings import Settings
from index import store as store_mod
from index.embedders import embedder_id, make_embedder
from ingest.chunk import chunk_document, with_sentences
from ingest.clean import Block
from ingest.documents import doc_id_for
from ingest.loaders import discover, load
from ingest.pipeline import write_chunks


class PlainLangChainRetriever:
    """Dense top-k from langchain-chroma over recursive-splitter chunks."""

    def __init__(self, docs_dir: Path, embedder: Any, workdir: Path, chunk_size: int = 350,
                 chunk_overlap: int = 50) -> None:
        from langchain_chroma import Chroma

        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        docs: list[Document] = []
        for path in discover([docs_dir]):
            raw = load(path).text
            for i, piece in enumerate(splitter.split_text(raw)):
                meta = {"doc_id": doc_id_for(path), "doc": path.name, "i": i}
                docs.append(Document(page_content=piece, metadata=meta))
        self.embedder = embedder
        # No learned name pairs, term statistics, name check or outlines: the plain recipe.
        self.corpus = NoKnowledge(Glossary())
        self.store = None
        self.db = Chroma(collection_name="plain", embedding_function=embedder,
                         persist_directory=str(workdir / "plain"),
                         collection_metadata={"hnsw:space": "cosine"})
        self.db.add_documents(docs)

    def search(self, query: str, k: int = 3, documents: list[str] | None = None) -> list[Passage]:
        # The plain recipe knows its documents by file name only.
        where = {"doc": {"$in": list(documents)}} if documents else None
        out = []
        for doc, dist in self.db.similarity_search_with_score(query, k=k, filter=where):
            p = Passage(str(doc.metadata.get("i")), doc.page_content, doc.metadata["doc_id"], "",
                        "", None, 0, 0)
            p.dense = p.score = 1.0 - float(dist)
            out.append(p)
        return out


def _raw_store(settings: Settings, embedder: Any, workdir: Path) -> Any:
    """Our splitter and hybrid retrieval, but on uncleaned text."""
    s = settings.replace(store_dir=workdir / "raw", chroma_host="", chroma_port=0)
    store = store_mod.open_store(s, embedder_id(embedder))
    cfg = settings.ingest
    for path in discover([cfg.docs_dir]):
        raw = load(path).text
        block = Block("paragraph", raw, 0, None, 0, len(raw))
        chunks = chunk_document([block], raw, doc_id_for(path), path.stem, cfg.chunk_size,
                                cfg.chunk_overlap, cfg.chunk_min)
        write_chunks(store, embedder, with_sentences(chunks))
    store.bump_revision()
    return store


def build_systems(main: Assistant, settings: Settings) -> tuple[dict[str, Assistant], Any]:
    """Return {name: Assistant (extractive)} and the temp dir keeping their stores alive."""
    tmp = tempfile.TemporaryDirectory(prefix="eval-baselines-")
    workdir = Path(tmp.name)
    ext = settings.replace(generator="extractive")
    embedder = make_embedder(settings)
    ours = main.retriever
    systems: dict[str, Assistant] = {}
    plain = PlainLangChainRetriever(settings.ingest.docs_dir, embedder, workdir)
    systems["langchain-plain"] = Assistant(ext, plain, None)
    for mode in ("dense", "bm25", "hybrid"):
        r = HybridRetriever.from_settings(settings, ours.store, embedder, ours.glossary, mode=mode)
        systems[mode] = Assistant(ext, r, None)
    raw = _raw_store(settings, embedder, workdir)
    r = HybridRetriever.from_settings(settings, raw, embedder, ours.glossary,
                                      Corpus(raw, ours.glossary, outline_share=settings.retrieval.outline_share))
    systems["hybrid-raw"] = Assistant(ext, r, None)
    return systems, tmp
