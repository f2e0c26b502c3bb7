"""The documents a user manages from the page or over HTTP: add (or update)
one uploaded file, remove one document, re-ingest the documents folder.

An upload is checked before it touches anything: a safe file name, a
supported type, a size limit, and a trial load (a file that cannot be read
is refused with the loader's reason, and the index and the folder stay as
they were). It is then stored in the documents folder under its safe name
and ingested incrementally. An upload whose name an indexed document
already has is that document's new version: the older copy's passages go.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from core.paths import public
from core.settings import Settings
from index import store as store_mod
from index.embedders import embedder_id, make_embedder
from ingest.documents import doc_id_for, path_for, process
from ingest.loaders import SUPPORTED, LoadError
from ingest.pipeline import Report, ingest

REMOVED = ".removed"
_UNSAFE = re.compile(r"[^\w.\-() ]+", re.UNICODE)


class LibraryError(ValueError):
    """A request the library refuses, with the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Change:
    """What one add or remove did: the ingest summary and the document's id."""

    id: str
    report: Report

    def as_dict(self) -> dict[str, object]:
        data = self.report.as_dict()
        data.pop("store", None)  # a server location is not the client's business
        return {**data, "id": self.id}


def safe_name(filename: str) -> str:
    """A file name that is only a name: no folders, no control or shell
    characters, no leading dot; the type must be one the loaders read."""
    name = unicodedata.normalize("NFC", Path(str(filename).replace("\\", "/")).name)
    stem, suffix = os.path.splitext(name)
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:120]
    if suffix.lower() not in SUPPORTED:
        raise LibraryError(f"{name or '(no name)'}: unsupported file type {suffix or '(none)'!r}; "
                           f"supported: {', '.join(SUPPORTED)}", 415)
    if not stem:
        raise LibraryError(f"{filename!r} is not a usable file name")
    return stem + suffix.lower()


def add(filename: str, data: bytes, settings: Settings,
        embedder: Embeddings | None = None, progress: bool = False) -> Change:
    """Store ``data`` as the document ``filename`` and ingest it (``progress``:
    a progress bar while embedding)."""
    name = safe_name(filename)
    if len(data) > settings.ingest.max_file_bytes:  # before anything is written
        raise LibraryError(f"{name} is {len(data) / 1e6:.1f} MB; the limit is "
                           f"{settings.ingest.max_file_mb:g} MB (setting max_file_mb)", 413)
    store_mod.check_writable(settings)  # a full or read-only store: the documents folder is not touched either
    folder = settings.ingest.docs_dir
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    new_id = doc_id_for(target)
    # Trial load from a temporary file beside the target (processed once, under
    # the target's id), then an atomic rename: a bad upload never replaces a
    # good document.
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=target.suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        try:
            doc = process(Path(tmp), settings, doc_id=new_id)
        except LoadError as exc:
            raise LibraryError(f"{name}: {exc.reason}", 422) from exc
        if not doc.chunks:
            raise LibraryError(f"{name}: no text to index", 422)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    embedder = embedder or make_embedder(settings)
    store = _store(settings, embedder)
    older = [d["id"] for d in store.documents() if d["name"] == name and d["id"] != new_id]
    report = ingest([target], settings, progress=progress, embedder=embedder, prepared=[doc])
    if report.errors:  # loaded above, so only a store failure gets here
        raise LibraryError("; ".join(public(e) for e in report.errors), 500)
    report.removed += store.delete_documents(older)
    return Change(name, report)


def remove(name: str, settings: Settings, embedder: Embeddings | None = None) -> Change:
    """Remove the document named ``name`` from the index. Its file, when it is
    in the documents folder, moves to the folder's ``.removed/`` (which ingest
    skips), so that a re-ingest does not bring it back and nothing is lost."""
    embedder = embedder or make_embedder(settings)
    store = _store(settings, embedder)
    matches = [d for d in store.documents() if name in (d["name"], d["id"])]
    if not matches:
        raise LibraryError(f"no indexed document is named {name!r}", 404)
    report = Report(embedder=embedder_id(embedder))
    report.removed = store.delete_documents([d["id"] for d in matches])
    folder = settings.ingest.docs_dir.resolve()
    for d in matches:
        path = path_for(d["id"])
        if path.parent == folder and path.is_file():
            (folder / REMOVED).mkdir(exist_ok=True)
            os.replace(path, folder / REMOVED / path.name)
    return Change(matches[0]["name"], report)


def reingest(settings: Settings, embedder: Embeddings | None = None, progress: bool = False) -> Report:
    """Re-ingest the documents folder (incremental: only changed files are
    embedded); the errors name files, not server folders."""
    report = ingest([settings.ingest.docs_dir], settings, progress=progress, embedder=embedder)
    report.errors = [public(e) for e in report.errors]
    return report


def _store(settings: Settings, embedder: Embeddings) -> store_mod.Store:
    return store_mod.open_store(settings, embedder_id(embedder))


