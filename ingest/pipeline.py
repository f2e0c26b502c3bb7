"""Documents -> Chroma, incrementally.

Chunk ids are hashes of (document, section, text), so the store itself is the
manifest: a chunk whose id is present needs no new vector, a stored id that
no current chunk has is stale. New vectors are added before stale ones are
deleted, which makes every step idempotent: a run killed at any point is
finished correctly by the next run (no duplicates, nothing stale left).
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from core.schema import KIND_KEY, SENTENCE, Chunk, Sentence
from core.settings import Settings
from index import store as store_mod
from index.embedders import embedder_id, make_embedder
from ingest.chunk import with_sentences
from ingest.documents import Document, doc_id_for, path_for, process
from ingest.loaders import LoadError, discover


@dataclass
class Report:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0
    instructions: int = 0  # passages with sentences that instruct an assistant
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    store: str = ""
    embedder: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def ingest(paths: list[Path] | None, settings: Settings, rebuild: bool = False,
           progress: bool | None = None, embedder: Embeddings | None = None,
           prepared: list[Document] | None = None) -> Report:
    """Bring the index in line with the files under ``paths`` (default: the
    documents folder). ``embedder``: one already loaded (the web app's);
    ``prepared``: documents of those files already processed (not read again)."""
    started = time.perf_counter()
    roots = [p.resolve() for p in (paths or [settings.ingest.docs_dir])]
    report = Report()
    for root in roots:
        if not root.exists():
            report.errors.append(f"{root}: file or folder not found")

    # 1. Load and chunk every file; a bad file is reported and skipped.
    docs = {}
    ready = {d.doc_id: d for d in prepared or []}
    failed: set[str] = set()
    store_dir = settings.index.store_dir.resolve()
    for path in discover([r for r in roots if r.exists()]):
        if store_dir in path.resolve().parents:
            continue  # the index itself may live inside a documents folder
        try:
            doc = ready.get(doc_id_for(path)) or process(path, settings)
        except LoadError as exc:
            report.errors.append(f"{exc.path}: {exc.reason}")
            failed.add(doc_id_for(path))
            continue
        docs[doc.doc_id] = doc
    report.documents = len(docs)
    report.chunks = sum(len(d.chunks) for d in docs.values())
    report.instructions = sum(c.instructions > 0 for d in docs.values() for c in d.chunks)

    # 2. Compare with the store.
    embedder = embedder or make_embedder(settings)
    report.embedder = embedder_id(embedder)
    if rebuild:
        store_mod.check_writable(settings)
        store_mod.drop(settings)
    store = store_mod.open_store(settings, report.embedder)
    report.store = store.location
    stored = store.all(include_documents=False, kind=None)
    stored_meta = dict(zip(stored["ids"], stored["metadatas"], strict=True))

    # Passages and their sentences are records of the same store; the report
    # counts passages (chunks), as the contract says.
    chunks: dict[str, Chunk] = {c.id: c for d in docs.values() for c in d.chunks}
    wanted: dict[str, Chunk | Sentence] = {r.id: r for r in with_sentences(list(chunks.values()))}
    to_add = [r for rid, r in wanted.items() if rid not in stored_meta]
    to_update = [r for rid, r in wanted.items()
                 if rid in stored_meta and stored_meta[rid] != r.to_metadata()]

    def in_scope(doc_id: str) -> bool:
        # Only documents under the given roots can count as deleted; a file
        # that failed to load keeps its old chunks (nothing is lost).
        if doc_id in failed:
            return False
        # A root that is gone (a typo, an unmounted folder) deletes nothing.
        p = path_for(doc_id)
        return any((p == r or r in p.parents) and r.exists() for r in roots)

    stale = [cid for cid, meta in stored_meta.items()
             if cid not in wanted and (str(meta.get("doc_id")) in docs or in_scope(str(meta.get("doc_id"))))]

    # 3. Add new vectors first, then fix metadata, then delete stale ones.
    if to_add or to_update or stale:
        store_mod.check_writable(settings)
    show = sys.stderr.isatty() if progress is None else progress
    try:
        write_chunks(store, embedder, to_add, show, settings.index.embed_batch)
        if to_update:
            store.collection.update(ids=[c.id for c in to_update],
                                    metadatas=[c.to_metadata() for c in to_update])
        for i in range(0, len(stale), 500):
            store.collection.delete(ids=stale[i:i + 500])
    except store_mod.WRITE_ERRORS as exc:  # a full disk mid-way: Chroma names neither it nor the way out
        raise store_mod.failed_write(settings, "writing", exc) from exc

    def passages(records: list[Chunk | Sentence]) -> int:
        return sum(isinstance(r, Chunk) for r in records)

    report.added, report.updated = passages(to_add), passages(to_update)
    report.embedded = report.added
    report.unchanged = len(chunks) - report.added - report.updated
    report.removed = sum(stored_meta[rid].get(KIND_KEY) != SENTENCE for rid in stale)
    changed = {str(r.to_metadata()["doc_id"]) for r in [*to_add, *to_update]}
    changed |= {str(stored_meta[rid].get("doc_id")) for rid in stale}
    known = store.ingest_times()
    fresh = {d for d in docs if d not in known}
    if to_add or to_update or stale or rebuild or fresh:
        try:
            store.bump_revision(ingested=sorted((changed | fresh) & set(docs)))
        except store_mod.WRITE_ERRORS as exc:
            raise store_mod.failed_write(settings, "writing", exc) from exc
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def write_chunks(store: store_mod.Store, embedder: Embeddings, chunks: list[Chunk | Sentence],
                 progress: bool = False, batch_size: int = 16) -> int:
    """Embed ``chunks`` (passages and sentences) and upsert them in batches;
    returns how many records were embedded."""
    with tqdm(total=len(chunks), desc="embedding", unit="vector",
              disable=not progress or not chunks) as bar:
        for i in range(0, len(chunks), batch_size):
            batch = chunks[i:i + batch_size]
            store.collection.upsert(
                ids=[c.id for c in batch],
                embeddings=embedder.embed_documents([c.embed_text for c in batch]),
                documents=[c.text for c in batch],
                metadatas=[c.to_metadata() for c in batch],
            )
            bar.update(len(batch))
    return len(chunks)
