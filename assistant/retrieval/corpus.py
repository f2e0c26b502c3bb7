"""What the indexed documents know, worked out once per index revision:
their passages, BM25 statistics, the name pairs they spell out, their
section outlines. Retrieval ranks with it; the review asks it which words of
a question are specific and which names no document mentions.

It is rebuilt from the store whenever the store's revision changes (every
ingest that changes something bumps it), so it always holds exactly what
Chroma holds.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from rank_bm25 import BM25Okapi

from assistant.retrieval.glossary import Glossary
from assistant.retrieval.outline import Section, best_section, outline
from core.schema import Passage, passage_from_record
from core.text import detect_language, proper_names, tokens
from index.store import Store, StoreError


@runtime_checkable
class Knowledge(Protocol):
    """What the chain asks of the corpus. A corpus without some of it (the
    plain LangChain baseline) answers with nothing, and the chain skips
    those steps."""

    glossary: Glossary

    @property
    def search_glossary(self) -> Glossary: ...

    def salient_terms(self, query: str, max_share: float = 0.3) -> set[str]: ...

    def unknown_names(self, text: str) -> set[str]: ...

    def outline_for(self, query: str) -> Passage | None: ...

    def expanded(self, query: str) -> str: ...

    @property
    def languages(self) -> set[str]: ...

    def document_ids(self, names: list[str]) -> list[str]: ...


class NoKnowledge:
    """The knowledge of a corpus the chain knows nothing about."""

    def __init__(self, glossary: Glossary | None = None) -> None:
        self.glossary = glossary or Glossary()

    @property
    def search_glossary(self) -> Glossary:
        return self.glossary

    def salient_terms(self, query: str, max_share: float = 0.3) -> set[str]:
        return set()

    def unknown_names(self, text: str) -> set[str]:
        return set()

    def outline_for(self, query: str) -> Passage | None:
        return None

    def expanded(self, query: str) -> str:
        return query

    @property
    def languages(self) -> set[str]:
        return set()

    def document_ids(self, names: list[str]) -> list[str]:
        return list(names)


class Corpus:
    """The indexed passages and their statistics, cached per store revision."""

    def __init__(self, store: Store, glossary: Glossary | None = None, expand: bool = True,
                 outline_share: float = 0.5) -> None:
        self.store = store
        self.glossary = glossary or Glossary()
        self.expand = expand
        self.outline_share = outline_share
        self._lock = threading.Lock()
        self._revision: str | None = None
        self.bm25: BM25Okapi | None = None
        self.passages: list[Passage] = []
        self.by_id: dict[str, Passage] = {}
        self.df: dict[str, int] = {}
        self.sentence_count = 0
        self._text = ""
        self._search_glossary: Glossary | None = None
        self._outline: list[Section] = []
        self._languages: set[str] = set()
        self._doc_names: dict[str, str] = {}  # a document's id, file name or title (casefolded) -> id

    def refresh(self) -> None:
        revision = self.store.fingerprint()
        if revision == self._revision:
            return
        with self._lock:
            data = self.store.all()
            passages = [passage_from_record(i, d, m) for i, d, m in
                        zip(data["ids"], data["documents"], data["metadatas"], strict=True)]
            if not passages and self.store.count() > 0:
                raise StoreError(
                    f"the index at {self.store.location} was built by an older version of the "
                    "assistant (its records have no kind): run `python -m ingest` to update it")
            bags = [tokens(f"{p.section}\n{p.text}") for p in passages]
            # Search also uses the name pairs the documents spell out, e.g.
            # 世界卫生组织（WHO）; kept apart from the configured glossary, which
            # the extractive generator uses as it is.
            learned = self.glossary.copy()
            for p in passages:
                learned.learn(p.text)
            df: dict[str, int] = {}
            for bag in bags:
                for t in set(bag):
                    df[t] = df.get(t, 0) + 1
            self._search_glossary = learned
            self.passages = passages
            self.by_id = {p.id: p for p in passages}
            self._outline = outline((p.doc_id, p.doc_title, p.section)
                                    for p in sorted(passages, key=lambda p: (p.doc_id, p.start)))
            self._text = "\n".join(p.text for p in passages).lower()
            # Every other record is a sentence of one of these passages.
            self.sentence_count = self.store.count() - len(passages)
            self.df = df
            self._languages = {p.language for p in passages if p.language}
            self._doc_names = {}
            for p in passages:
                for key in (p.doc_id, p.doc, p.doc_title):
                    if key:
                        self._doc_names.setdefault(key.casefold(), p.doc_id)
            self.bm25 = BM25Okapi(bags) if passages else None
            self._revision = revision

    @property
    def text(self) -> str:
        """Every passage's text, lower-cased, joined."""
        self.refresh()
        return self._text

    @property
    def passage_texts(self) -> list[str]:
        self.refresh()
        return [p.text for p in self.passages]

    @property
    def search_glossary(self) -> Glossary:
        """The configured glossary plus what the indexed documents spell out."""
        self.refresh()
        return self._search_glossary or self.glossary

    @property
    def languages(self) -> set[str]:
        """The languages the indexed documents are written in."""
        self.refresh()
        return set(self._languages)

    def document_ids(self, names: list[str]) -> list[str]:
        """The ids of the documents ``names`` name (a file name, an id or a
        title each); ValueError for a name no indexed document has."""
        self.refresh()
        known = self._doc_names
        missing = [n for n in names if n.casefold() not in known]
        if missing:
            indexed = sorted({p.doc for p in self.passages})
            raise ValueError(f"no indexed document named {', '.join(map(repr, missing))}; "
                             f"indexed: {', '.join(indexed)}")
        return list(dict.fromkeys(known[n.casefold()] for n in names))

    def expanded(self, query: str) -> str:
        """The query with the glossary's terms for its words: English words
        get their Chinese terms; a Chinese question's acronyms (a follow-up
        rewritten to "关于UNDP，…") get the Chinese names the text may use."""
        if not self.expand:
            return query
        glossary = self._search_glossary or self.glossary
        if detect_language(query) == "zh":
            added = glossary.expand_acronyms(query)
            if "en" in self._languages:
                # English passages spell the names the question writes in Chinese.
                added += glossary.english_for(query)
            return query + " " + " ".join(dict.fromkeys(added))
        return query + " " + " ".join(glossary.expand(query))

    def salient_terms(self, query: str, max_share: float = 0.3) -> set[str]:
        """Query words (glossary-expanded) that occur in the corpus but in at
        most ``max_share`` of the passages: the words that make it specific."""
        self.refresh()
        limit = max_share * max(1, len(self.passages))
        return {t for t in tokens(self.expanded(query)) if 0 < self.df.get(t, 0) <= limit}

    def unknown_names(self, text: str) -> set[str]:
        """Names of people and organisations in ``text`` that no passage contains."""
        self.refresh()
        return {n for n in proper_names(text) if n.lower() not in self._text}

    def outline_for(self, query: str) -> Passage | None:
        """The outline of the section the query names by its heading's rarer
        words (硬件优势), as a passage: see :mod:`assistant.retrieval.outline`."""
        self.refresh()
        limit = self.outline_share * len(self.passages)

        def rare(w: str) -> bool:
            return 0 < self.df.get(w, 0) <= limit

        # The glossary's expansions are loose ("benefits" -> 收获): a heading
        # matched through them must share at least two rare words.
        section = (best_section(query, self._outline, tokens, rare)
                   or best_section(self.expanded(query), self._outline, tokens, rare, min_words=2))
        if section is None:
            return None
        return Passage(f"outline:{section.doc_id}:{section.path}", section.text(), section.doc_id,
                       section.doc_title, section.path, None, 0, 0)
