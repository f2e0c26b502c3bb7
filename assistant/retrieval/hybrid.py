"""Retrieved passages: dense (Chroma, e5; each passage's own vector and its
best sentence's) + BM25 (jieba tokens), fused by reciprocal rank. English
questions also search with the Chinese terms the glossary pairs with their
words, so BM25 can help across languages. Two neighbouring chunks that both
rank near the top are returned as one continuous passage.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval.corpus import Corpus
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.neighbours import merge_neighbours
from core.schema import PASSAGE, SENTENCE, Passage, passage_from_record
from core.settings import Settings
from core.text import tokens
from index.store import Store


class HybridRetriever(BaseRetriever):
    """``mode``: "hybrid" (default), "dense" or "bm25" (the last two for ablations).

    >>> retriever = HybridRetriever.from_settings(settings, store, embedder, glossary)  # doctest: +SKIP
    >>> retriever.search("哪些城市竞争过这个秘书处？", 3)[0].section  # doctest: +SKIP
    '二、… > （二）… > 2.…'
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    embedder: Embeddings
    corpus: Corpus
    k: int = 3
    candidates: int = 20
    rrf_k: int = 10
    bm25_weight: float = 1.5
    mode: str = "hybrid"
    merge_window: int = 3
    merge_chars: int = 700
    dense_min_chars: int = 40

    @classmethod
    def from_settings(cls, settings: Settings, store: Store, embedder: Embeddings,
                      glossary: Glossary, corpus: Corpus | None = None, **overrides: Any) -> HybridRetriever:
        """The retriever as ``settings`` tune it (one place, so a new setting
        reaches the assistant and every baseline alike)."""
        r = settings.retrieval
        corpus = corpus or Corpus(store, glossary, outline_share=r.outline_share)
        tuned: dict[str, Any] = {
            "k": r.top_k, "candidates": r.candidates, "rrf_k": r.rrf_k, "bm25_weight": r.bm25_weight,
            "merge_window": r.merge_window, "merge_chars": r.merge_chars,
            "dense_min_chars": r.dense_min_chars}
        return cls(store=store, embedder=embedder, corpus=corpus, **(tuned | overrides))

    @property
    def glossary(self) -> Glossary:
        return self.corpus.glossary

    def search(self, query: str, k: int | None = None, documents: list[str] | None = None) -> list[Passage]:
        """The ``k`` best passages for ``query``; of the named ``documents``
        only, if given (names, ids or titles; an unknown one is a ValueError)."""
        k = k or self.k
        corpus = self.corpus
        corpus.refresh()
        if not corpus.passages:
            return []
        doc_ids = corpus.document_ids(documents) if documents else None
        expanded = corpus.expanded(query)  # one expansion for all three rankings
        fused: dict[str, Passage] = {}
        weights: dict[str, float] = {}
        q_tokens = tokens(expanded)
        lexical = self._lexical(q_tokens, doc_ids) if self.mode in ("hybrid", "bm25") else []
        # A fragment (a keywords line, a figure caption) joins the vector
        # rankings only when keyword search ranks it first: when asked for.
        asked_for = lexical[0][0].id if lexical else None
        if self.mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(expanded)
            for rank, p in enumerate(self._dense(vector, asked_for, doc_ids), start=1):
                fused.setdefault(p.id, p).ranks["dense"] = rank
                fused[p.id].dense = p.dense
            for rank, (p, score) in enumerate(self._sentences(vector, asked_for, doc_ids), start=1):
                fused.setdefault(p.id, p).ranks["sentence"] = rank
                fused[p.id].dense = max(fused[p.id].dense, score)
            weights["dense"] = weights["sentence"] = 1.0
        if self.mode in ("hybrid", "bm25"):
            # Down-weight BM25 when few query words exist in the corpus at all
            # (typical for English questions the glossary does not cover).
            coverage = sum(t in corpus.df for t in q_tokens) / max(1, len(q_tokens))
            weights["bm25"] = self.bm25_weight * coverage if self.mode == "hybrid" else 1.0
            for rank, (p, score) in enumerate(lexical, start=1):
                fused.setdefault(p.id, p).ranks["bm25"] = rank
                fused[p.id].bm25 = score
        for p in fused.values():
            p.score = sum(weights[name] / (self.rrf_k + r) for name, r in p.ranks.items())
        ranked = sorted(fused.values(), key=lambda p: p.score, reverse=True)
        return merge_neighbours(ranked, self.merge_window, self.merge_chars)[:k]

    def _dense(self, vector: list[float], asked_for: str | None = None,
               doc_ids: list[str] | None = None) -> list[Passage]:
        # The vector is of the glossary-expanded query: e5 matches an English
        # question to Chinese passages far better when the glossary's Chinese
        # terms ride along (docs/decisions.md).
        n = min(self.candidates, len(self.corpus.passages))
        res = self.store.query(vector, n, PASSAGE, doc_ids=doc_ids)
        out = []
        for pid, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                        res["distances"][0], strict=True):
            p = passage_from_record(pid, doc, meta)
            if not self._vector_ranked(p, asked_for):
                continue
            p.dense = 1.0 - float(dist)
            out.append(p)
        return out

    def _sentences(self, vector: list[float], asked_for: str | None = None,
                   doc_ids: list[str] | None = None) -> list[tuple[Passage, float]]:
        """Passages ranked by their best-matching sentence."""
        n = min(4 * self.candidates, self.corpus.sentence_count)
        if n == 0:
            return []
        res = self.store.query(vector, n, SENTENCE, include=("metadatas", "distances"), doc_ids=doc_ids)
        by_id = self.corpus.by_id
        best: dict[str, float] = {}
        for meta, dist in zip(res["metadatas"][0], res["distances"][0], strict=True):
            pid = str(meta.get("chunk_id", ""))
            if pid not in by_id or not self._vector_ranked(by_id[pid], asked_for):
                continue
            if pid not in best:  # results come best first
                best[pid] = 1.0 - float(dist)
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)[: self.candidates]
        return [(by_id[pid].copy(), score) for pid, score in ranked]

    def _vector_ranked(self, p: Passage, asked_for: str | None = None) -> bool:
        """Fragments such as the keywords line or a figure caption state
        nothing, yet their vectors, all keywords, outranked real passages for
        many questions. They take part in the vector rankings only when BM25
        ranks them first ("这篇文章的关键词是什么？")."""
        return len(p.text) >= self.dense_min_chars or p.id == asked_for

    def _lexical(self, q_tokens: list[str], doc_ids: list[str] | None = None) -> list[tuple[Passage, float]]:
        bm25 = self.corpus.bm25
        if bm25 is None or not q_tokens:
            return []
        scores = bm25.get_scores(q_tokens)
        if doc_ids:
            allowed = set(doc_ids)
            scores = [s if p.doc_id in allowed else 0.0 for s, p in zip(scores, self.corpus.passages, strict=True)]
        order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
        picked = [i for i in order[: self.candidates] if scores[i] > 0]
        return [(self.corpus.passages[i].copy(), float(scores[i])) for i in picked]

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=p.text, id=p.id, metadata=p.to_json()) for p in self.search(query)]
