"""The Chroma store: a local PersistentClient or a `chroma run` server.

Vectors are always computed by our own embedder and passed explicitly
(``embedding_function=None``): Chroma's default embedder would try to
download a model. The collection records which embedder built it, so an
index is never queried or extended with vectors from another space.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from chromadb.errors import ChromaError
from chromadb.errors import InternalError as ChromaInternalError

from core.schema import KIND_KEY, PASSAGE
from core.settings import IndexSettings, Settings

EMBEDDER_KEY = "embedder"
REVISION_KEY = "revision"
INGESTED_PREFIX = "ingested:"  # collection metadata: when each document last changed


class StoreError(RuntimeError):
    pass


class EmbedderMismatch(StoreError):
    pass


class StorageError(StoreError):
    """The store's disk cannot take the write: full, or read-only."""


# What a write to the store raises when its disk or database refuses it.
WRITE_ERRORS: tuple[type[BaseException], ...] = (ChromaError, OSError)


# Failures of the index's service (a Chroma server down, a folder gone): a
# caller reports them as "unavailable, try again", not as its own bug.
# httpx errors are what chromadb's HttpClient raises when the server is gone;
# its InternalError, what a local store raises when its disk is full or read-only.
OUTAGES: tuple[type[BaseException], ...] = (StoreError, ConnectionError, TimeoutError, httpx.TransportError,
                                             ChromaInternalError)


def _index(settings: Settings | IndexSettings) -> IndexSettings:
    return settings.index if isinstance(settings, Settings) else settings


def client(settings: Settings | IndexSettings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = _index(settings)
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.uses_server:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises bare ValueError/ConnectionError here
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                f" ({exc}); start it with `chroma run --path DIR --port {settings.chroma_port}`"
            ) from exc
    try:
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb's InternalError for a read-only database, OSError for a folder
        raise failed_write(settings, "opening", exc) from exc


def storage_problem(settings: Settings | IndexSettings, need_mb: float | None = None) -> str:
    """Why the store's folder cannot take writes now ('' when it can): a
    read-only file system, or less than ``need_mb`` (default ``min_free_mb``) free."""
    settings = _index(settings)
    if settings.uses_server:
        return ""
    folder = settings.store_dir.resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    stat = os.statvfs(folder)
    if stat.f_flag & os.ST_RDONLY:
        return f"{folder} is on a read-only file system"
    free_mb = stat.f_bavail * stat.f_frsize / 1e6
    need = settings.min_free_mb if need_mb is None else need_mb
    if free_mb < need:
        return (f"only {free_mb:.1f} MB free on the disk holding {folder}"
                + ("" if need_mb is not None else
                   f" (an ingest needs {need:g} MB: free some space, or set ASSISTANT_MIN_FREE_MB)"))
    return ""


def check_writable(settings: Settings | IndexSettings) -> None:
    """StorageError before an ingest writes anything to a disk that cannot take it."""
    problem = storage_problem(settings)
    if problem:
        raise StorageError(f"the index was not changed: {problem}")


def failed_write(settings: Settings | IndexSettings, doing: str, exc: BaseException) -> StoreError:
    """What a failed write says: why, when the disk is the reason (Chroma's own
    message for a full disk names no disk), and that nothing is lost."""
    problem = storage_problem(settings, need_mb=1.0)
    where = location(_index(settings))
    if not problem:
        return StoreError(f"{doing} the index at {where} failed: {exc}")
    return StorageError(f"{doing} the index at {where} failed: {problem}. Nothing already indexed is lost; "
                        "once the disk can take it, run the command again (an interrupted ingest is "
                        "completed by the next one)")


@dataclass
class Store:
    """One collection, opened for one embedder."""

    collection: Any
    embedder_id: str
    location: str
    client: Any = None

    def reopen(self) -> None:
        """Pick up a collection that was dropped and rebuilt (``ingest --rebuild``)
        while this process kept the old handle."""
        self.collection = self.client.get_collection(name=self.collection.name, embedding_function=None)

    def fingerprint(self) -> str:
        """Changes whenever the indexed content changes (revision and size),
        also when another process or handle changed it: the collection's
        metadata is read afresh (a handle keeps the metadata it was opened with)."""
        if self.client is not None:
            self.reopen()
        return f"{self.revision}:{self.count()}"

    @property
    def revision(self) -> str:
        return str((self.collection.metadata or {}).get(REVISION_KEY, ""))

    def bump_revision(self, ingested: list[str] | None = None) -> None:
        """A new revision; ``ingested``: documents (ids) whose content changed now."""
        meta = dict(self.collection.metadata or {})
        now = time.time()
        meta[REVISION_KEY] = f"{now:.6f}"
        meta.update({INGESTED_PREFIX + d: round(now, 3) for d in ingested or []})
        meta.pop("hnsw:space", None)  # immutable after creation in chromadb 1.x
        self.collection.modify(metadata=meta)

    def ingest_times(self) -> dict[str, float]:
        """When each document's content last changed (seconds since the epoch), by id."""
        meta = self.collection.metadata or {}
        return {k[len(INGESTED_PREFIX):]: float(v) for k, v in meta.items()
                if k.startswith(INGESTED_PREFIX)}

    def delete_documents(self, doc_ids: list[str]) -> int:
        """Delete every record (passages and sentences) of these documents;
        returns how many passages went."""
        if not doc_ids:
            return 0
        where = {"doc_id": {"$in": list(doc_ids)}}
        passages = len(self.collection.get(where={"$and": [where, {KIND_KEY: PASSAGE}]},
                                           include=[])["ids"])
        self.collection.delete(where=where)
        self.bump_revision()
        return passages

    def count(self) -> int:
        return int(self.collection.count())

    def all(self, include_documents: bool = True, kind: str | None = PASSAGE) -> dict[str, Any]:
        """Stored records of one ``kind`` (passages by default; None: every record)."""
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        where = {KIND_KEY: kind} if kind else None
        return self.collection.get(include=include, where=where)

    def documents(self) -> list[dict[str, Any]]:
        """The indexed documents, from their passages' metadata: ``id`` (the
        document's id), ``name`` (its file name, never a server path), title,
        language, chunks, sections, ``ingested_at`` (ISO time its content last
        changed, "" if unknown), the embedder, and ``instructions`` (passages
        holding sentences that instruct an assistant, which answers leave out)."""
        if self.client is not None:
            self.reopen()  # the handle's metadata is as old as the handle
        docs: dict[str, dict[str, Any]] = {}
        times = self.ingest_times()
        for meta in self.all(include_documents=False)["metadatas"] or []:
            meta = meta or {}
            doc_id = str(meta.get("doc_id", ""))
            d = docs.setdefault(doc_id, {"id": doc_id, "name": doc_id.rsplit("/", 1)[-1],
                                         "title": str(meta.get("doc_title", "")),
                                         "language": str(meta.get("language", "")),
                                         "chunks": 0, "sections": set(), "instructions": 0})
            d["chunks"] += 1
            d["sections"].add(str(meta.get("section", "")))
            d["instructions"] += int(int(meta.get("instructions", 0) or 0) > 0)
        return [{**d, "sections": len(d["sections"]), "embedder": self.embedder_id,
                 "ingested_at": _iso(times.get(d["id"]))}
                for d in sorted(docs.values(), key=lambda d: d["name"])]

    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of these records, by id (missing ids are left out)."""
        got = self.collection.get(ids=ids, include=["embeddings"])
        return {i: list(v) for i, v in zip(got["ids"], got["embeddings"], strict=True)}

    def query(self, vector: list[float], n: int, kind: str,
              include: tuple[str, ...] = ("documents", "metadatas", "distances"),
              doc_ids: list[str] | None = None) -> dict[str, Any]:
        """The ``n`` records of ``kind`` nearest to ``vector`` (of these documents only, if given)."""
        where: dict[str, Any] = {KIND_KEY: kind}
        if doc_ids:
            where = {"$and": [where, {"doc_id": {"$in": list(doc_ids)}}]}
        return self.collection.query(query_embeddings=[vector], n_results=n, where=where,
                                     include=list(include))


def _iso(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="seconds")


def location(settings: Settings | IndexSettings) -> str:
    settings = _index(settings)
    if settings.uses_server:
        return f"chroma server {settings.chroma_host}:{settings.chroma_port}"
    return str(settings.store_dir)


def open_store(settings: Settings | IndexSettings, embedder_id: str, create: bool = True) -> Store:
    """Open (or create) the collection and check it was built by ``embedder_id``."""
    settings = _index(settings)
    where = location(settings)
    db = client(settings)
    if settings.collection not in _names(db):
        if not create:
            raise StoreError(f"no index at {where}: run `python -m ingest` first")
        collection = db.create_collection(
            name=settings.collection,
            embedding_function=None,
            metadata={EMBEDDER_KEY: embedder_id, "hnsw:space": "cosine"},
        )
        return Store(collection, embedder_id, where, db)
    collection = db.get_collection(name=settings.collection, embedding_function=None)
    built_with = (collection.metadata or {}).get(EMBEDDER_KEY)
    if built_with and built_with != embedder_id:
        raise EmbedderMismatch(
            f"the index at {where} was built with embedder {built_with!r}, but the configured "
            f"embedder is {embedder_id!r}. Vectors from different models cannot be mixed: "
            "rebuild it with `python -m ingest --rebuild` (same embedder settings), or use "
            "another --store folder."
        )
    return Store(collection, embedder_id, where, db)


def drop(settings: Settings | IndexSettings) -> None:
    settings = _index(settings)
    db = client(settings)
    if settings.collection in _names(db):
        db.delete_collection(settings.collection)


def _names(db: Any) -> set[str]:
    return {c.name if hasattr(c, "name") else str(c) for c in db.list_collections()}
