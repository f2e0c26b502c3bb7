"""Retrieved passages: dense (Chroma, e5; each passage's own vector and its
best sentence's) + BM25 (jieba tokens), fused by reciprocal rank. English
questions also search with the Chinese terms the glossary pairs with their
words, so BM25 can help across languages. Two neighbouring chunks that both
rank near the top are returned as one continuous passage.

The BM25 index is rebuilt from the store whenever the store's revision
changes (every ingest that changes something bumps it), so it always holds
exactly what Chroma holds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr
from rank_bm25 import BM25Okapi

from assistant.config import Settings
from assistant.glossary import Glossary
from assistant.outline import Section, best_section, outline
from assistant.text import detect_language, proper_names, tokens
from ingest.store import KIND_KEY, PASSAGE, SENTENCE, Store, StoreError


@dataclass
class Passage:
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

    @property
    def part_ids(self) -> list[str]:
        return self.parts or [self.id]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "doc": self.doc_id, "section": self.section, "text": self.text,
                "score": round(self.score, 5), "dense": round(self.dense, 4),
                "bm25": round(self.bm25, 3), "page": self.page, "start": self.start,
                "end": self.end}

    def to_document(self) -> Document:
        return Document(page_content=self.text, id=self.id, metadata=self.to_json())


@runtime_checkable
class PassageSource(Protocol):
    """What the answer chain asks of a retriever: passages for a query, and
    the corpus knowledge its query rewriting and grounding checks use. A
    source without some of that knowledge (the plain LangChain baseline)
    answers with nothing: no outline, no salient terms, no unknown names,
    and then the chain skips those steps."""

    embedder: Embeddings
    glossary: Glossary
    store: Store | None

    @property
    def search_glossary(self) -> Glossary: ...

    def search(self, query: str, k: int) -> list[Passage]: ...

    def salient_terms(self, query: str, max_share: float = 0.3) -> set[str]: ...

    def unknown_names(self, text: str) -> set[str]: ...

    def outline_for(self, query: str) -> Passage | None: ...


def _passage(pid: str, text: str, meta: dict[str, Any]) -> Passage:
    page = int(meta.get("page", -1))
    return Passage(pid, text, str(meta.get("doc_id", "")), str(meta.get("doc_title", "")),
                   str(meta.get("section", "")), None if page < 0 else page,
                   int(meta.get("start", 0)), int(meta.get("end", 0)))


class HybridRetriever(BaseRetriever):
    """``mode``: "hybrid" (default), "dense" or "bm25" (the last two for ablations)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    embedder: Embeddings
    glossary: Glossary = Field(default_factory=Glossary)
    k: int = 3
    candidates: int = 20
    rrf_k: int = 10
    bm25_weight: float = 1.5
    mode: str = "hybrid"
    expand: bool = True
    merge_window: int = 3
    merge_chars: int = 700
    dense_min_chars: int = 40

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _revision: str | None = PrivateAttr(default=None)
    _bm25: BM25Okapi | None = PrivateAttr(default=None)
    _passages: list[Passage] = PrivateAttr(default_factory=list)
    _by_id: dict[str, Passage] = PrivateAttr(default_factory=dict)
    _corpus_text: str = PrivateAttr(default="")
    _sentence_count: int = PrivateAttr(default=0)
    _df: dict[str, int] = PrivateAttr(default_factory=dict)
    _search_glossary: Glossary | None = PrivateAttr(default=None)
    _outline: list[Section] = PrivateAttr(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings, store: Store, embedder: Embeddings,
                      glossary: Glossary, **overrides: Any) -> HybridRetriever:
        """The retriever as ``settings`` tune it (one place, so a new setting
        reaches the assistant and every baseline alike)."""
        tuned: dict[str, Any] = {
            "k": settings.top_k, "candidates": settings.candidates, "rrf_k": settings.rrf_k,
            "bm25_weight": settings.bm25_weight, "merge_window": settings.merge_window,
            "merge_chars": settings.merge_chars, "dense_min_chars": settings.dense_min_chars}
        return cls(store=store, embedder=embedder, glossary=glossary, **(tuned | overrides))

    def _refresh(self) -> None:
        revision = self.store.fingerprint()
        if revision == self._revision:
            return
        with self._lock:
            data = self.store.all()
            passages = [_passage(i, d, m) for i, d, m in
                        zip(data["ids"], data["documents"], data["metadatas"], strict=True)]
            if not passages and self.store.count() > 0:
                raise StoreError(
                    f"the index at {self.store.location} was built by an older version of the "
                    "assistant (its records have no kind): run `python -m ingest` to update it")
            corpus = [tokens(f"{p.section}\n{p.text}") for p in passages]
            # Search also uses the name pairs the documents spell out, e.g.
            # 世界卫生组织（WHO）; kept apart from the configured glossary, which
            # the extractive generator uses as it is.
            learned = self.glossary.copy()
            for p in passages:
                learned.learn(p.text)
            self._search_glossary = learned
            self._passages = passages
            self._outline = outline((p.doc_id, p.doc_title, p.section)
                                    for p in sorted(passages, key=lambda p: (p.doc_id, p.start)))
            self._by_id = {p.id: p for p in passages}
            self._corpus_text = "\n".join(p.text for p in passages).lower()
            # Every other record is a sentence of one of these passages.
            self._sentence_count = self.store.count() - len(passages)
            df: dict[str, int] = {}
            for doc in corpus:
                for t in set(doc):
                    df[t] = df.get(t, 0) + 1
            self._df = df
            self._bm25 = BM25Okapi(corpus) if passages else None
            self._revision = revision

    def search(self, query: str, k: int | None = None) -> list[Passage]:
        k = k or self.k
        self._refresh()
        if not self._passages:
            return []
        expanded = self._expanded(query)  # one expansion for all three rankings
        fused: dict[str, Passage] = {}
        weights: dict[str, float] = {}
        q_tokens = tokens(expanded)
        lexical = self._lexical(q_tokens) if self.mode in ("hybrid", "bm25") else []
        # A fragment (a keywords line, a figure caption) joins the vector
        # rankings only when keyword search ranks it first: when asked for.
        asked_for = lexical[0][0].id if lexical else None
        if self.mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(expanded)
            for rank, p in enumerate(self._dense(vector, asked_for), start=1):
                fused.setdefault(p.id, p).ranks["dense"] = rank
                fused[p.id].dense = p.dense
            for rank, (p, score) in enumerate(self._sentences(vector, asked_for), start=1):
                fused.setdefault(p.id, p).ranks["sentence"] = rank
                fused[p.id].dense = max(fused[p.id].dense, score)
            weights["dense"] = weights["sentence"] = 1.0
        if self.mode in ("hybrid", "bm25"):
            # Down-weight BM25 when few query words exist in the corpus at all
            # (typical for English questions the glossary does not cover).
            coverage = sum(t in self._df for t in q_tokens) / max(1, len(q_tokens))
            weights["bm25"] = self.bm25_weight * coverage if self.mode == "hybrid" else 1.0
            for rank, (p, score) in enumerate(lexical, start=1):
                fused.setdefault(p.id, p).ranks["bm25"] = rank
                fused[p.id].bm25 = score
        for p in fused.values():
            p.score = sum(weights[name] / (self.rrf_k + r) for name, r in p.ranks.items())
        ranked = sorted(fused.values(), key=lambda p: p.score, reverse=True)
        return merge_neighbours(ranked, self.merge_window, self.merge_chars)[:k]

    @property
    def search_glossary(self) -> Glossary:
        """The configured glossary plus what the indexed documents spell out."""
        self._refresh()
        return self._search_glossary or self.glossary

    def salient_terms(self, query: str, max_share: float = 0.3) -> set[str]:
        """Query words (glossary-expanded) that occur in the corpus but in at
        most ``max_share`` of the passages: the words that make it specific."""
        self._refresh()
        limit = max_share * max(1, len(self._passages))
        return {t for t in tokens(self._expanded(query)) if 0 < self._df.get(t, 0) <= limit}

    def outline_for(self, query: str) -> Passage | None:
        """The outline of the section the query names by its heading's rarer
        words (硬件优势), as a passage: see :mod:`assistant.outline`."""
        self._refresh()
        limit = 0.5 * len(self._passages)

        def rare(w: str) -> bool:
            return 0 < self._df.get(w, 0) <= limit

        # The glossary's expansions are loose ("benefits" -> 收获): a heading
        # matched through them must share at least two rare words.
        section = (best_section(query, self._outline, tokens, rare)
                   or best_section(self._expanded(query), self._outline, tokens, rare, min_words=2))
        if section is None:
            return None
        return Passage(f"outline:{section.doc_id}:{section.path}", section.text(), section.doc_id,
                       section.doc_title, section.path, None, 0, 0)

    def unknown_names(self, text: str) -> set[str]:
        """Names of people and organisations in ``text`` that no passage contains."""
        self._refresh()
        return {n for n in proper_names(text) if n.lower() not in self._corpus_text}

    def _expanded(self, query: str) -> str:
        if not self.expand:
            return query
        glossary = self._search_glossary or self.glossary
        if detect_language(query) == "zh":
            # A Chinese question may still name an organisation by its acronym
            # (a follow-up rewritten to "关于UNDP，…"), which the text may spell
            # only in Chinese.
            return query + " " + " ".join(glossary.expand_acronyms(query))
        return query + " " + " ".join(glossary.expand(query))

    def _dense(self, vector: list[float], asked_for: str | None = None) -> list[Passage]:
        # The vector is of the glossary-expanded query: e5 matches an English
        # question to Chinese passages far better when the glossary's Chinese
        # terms ride along (eval hit@1, English: 0.39 -> 0.56).
        n = min(self.candidates, len(self._passages))
        res = self.store.collection.query(query_embeddings=[vector], n_results=n,
                                          where={KIND_KEY: PASSAGE},
                                          include=["documents", "metadatas", "distances"])
        out = []
        for pid, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                        res["distances"][0], strict=True):
            p = _passage(pid, doc, meta)
            if not self._vector_ranked(p, asked_for):
                continue
            p.dense = 1.0 - float(dist)
            out.append(p)
        return out

    def _sentences(self, vector: list[float], asked_for: str | None = None
                   ) -> list[tuple[Passage, float]]:
        """Passages ranked by their best-matching sentence."""
        n = min(4 * self.candidates, self._sentence_count)
        if n == 0:
            return []
        res = self.store.collection.query(query_embeddings=[vector], n_results=n,
                                          where={KIND_KEY: SENTENCE}, include=["metadatas", "distances"])
        best: dict[str, float] = {}
        for meta, dist in zip(res["metadatas"][0], res["distances"][0], strict=True):
            pid = str(meta.get("chunk_id", ""))
            if pid not in self._by_id or not self._vector_ranked(self._by_id[pid], asked_for):
                continue
            if pid not in best:  # results come best first
                best[pid] = 1.0 - float(dist)
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)[: self.candidates]
        return [(_copy(self._by_id[pid]), score) for pid, score in ranked]

    def _vector_ranked(self, p: Passage, asked_for: str | None = None) -> bool:
        """Fragments such as the keywords line (关键词：国际组织；城市发展；…)
        or a figure caption state nothing, yet their vectors, all keywords,
        outranked real passages for many questions. They take part in the
        vector rankings only when BM25 ranks them first ("这篇文章的关键词是
        什么？"). Eval: hit@1 +0.017, MRR +0.012 with a 40-character cut;
        60 cut real passages and lost 0.025."""
        return len(p.text) >= self.dense_min_chars or p.id == asked_for

    def _lexical(self, q_tokens: list[str]) -> list[tuple[Passage, float]]:
        if self._bm25 is None or not q_tokens:
            return []
        scores = self._bm25.get_scores(q_tokens)
        order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
        picked = [i for i in order[: self.candidates] if scores[i] > 0]
        return [(_copy(self._passages[i]), float(scores[i])) for i in picked]

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [p.to_document() for p in self.search(query)]


def adjacent(a: Passage, b: Passage) -> bool:
    """Overlapping or touching pieces of one section of one document."""
    return (a.doc_id == b.doc_id and a.section == b.section
            and b.start <= a.end and a.start <= b.end)


def _union(a: Passage, b: Passage) -> Passage:
    first, second = (a, b) if a.start <= b.start else (b, a)
    text = first.text
    if second.end > first.end:
        text += second.text[max(0, first.end - second.start):]
    merged = Passage(a.id, text, a.doc_id, a.doc_title, a.section, first.page,
                     first.start, max(first.end, second.end), a.score, max(a.dense, b.dense),
                     max(a.bm25, b.bm25), dict(a.ranks))
    merged.parts = [pid for p in (first, second) for pid in p.part_ids]
    return merged


def merge_neighbours(ranked: list[Passage], window: int = 3, max_chars: int = 700) -> list[Passage]:
    """Join a passage with a neighbour of it that also ranks in the top ``window``.

    An answer often straddles a chunk boundary (the end of one chunk names the
    subject, the next gives the facts); two top-ranked neighbours are then
    one passage in the text, and are read and cited as one (eval hit@1 +0.03).
    """
    top = ranked[:window]
    out: list[Passage] = []
    used: set[str] = set()
    for p in ranked:
        if p.id in used:
            continue
        used.add(p.id)
        for q in top:
            if q.id not in used and adjacent(p, q):
                joined = _union(p, q)
                if len(joined.text) <= max_chars:
                    p = joined
                    used.add(q.id)
        out.append(p)
    return out


def _copy(p: Passage) -> Passage:
    return Passage(p.id, p.text, p.doc_id, p.doc_title, p.section, p.page, p.start, p.end)
