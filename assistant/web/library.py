"""Document management for the page and the API: one ingest at a time, with
the running assistant's own embedder and settings; answers go on meanwhile
(new passages are added before old ones are deleted, and the search picks
up the index's new revision on its next question)."""

from __future__ import annotations

import threading
from typing import Any

from assistant.web.health import Holder
from index.store import OUTAGES, StorageError
from ingest import library
from ingest.library import Change, LibraryError
from ingest.pipeline import Report

__all__ = ["Change", "Librarian", "LibraryError"]


class Librarian:
    def __init__(self, holder: Holder, wait_seconds: float = 600.0) -> None:
        self.holder = holder
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()

    def _bot(self) -> Any:
        bot = self.holder.assistant
        if bot is None:
            raise LibraryError(f"the assistant is not ready: {self.holder.reason}", 503)
        return bot

    def _run(self, job: Any, *args: Any, **kwargs: Any) -> Any:
        bot = self._bot()
        if not self._lock.acquire(timeout=self.wait_seconds):
            raise LibraryError("another ingest is still running; try again when it has finished", 503)
        try:
            return job(*args, bot.settings, bot.retriever.embedder, **kwargs)
        except StorageError as exc:  # a full or read-only disk: the client's request cannot be stored
            raise LibraryError(str(exc), 507) from exc
        except OUTAGES as exc:
            raise LibraryError(f"the index cannot be written now: {exc}", 503) from exc
        except OSError as exc:  # a full disk, a read-only folder
            raise LibraryError(f"the document cannot be stored: {exc.strerror or exc}", 507) from exc
        finally:
            self._lock.release()

    def documents(self) -> list[dict[str, Any]]:
        bot = self._bot()
        try:
            docs = bot.retriever.store.documents()
        except OUTAGES as exc:
            raise LibraryError(f"the index cannot be read now: {exc}", 503) from exc
        for d in docs:
            d["id"] = d["name"]  # documents are named by their name, never a server path
        return docs

    def add(self, filename: str, data: bytes, progress: bool = False) -> Change:
        return self._run(library.add, filename, data, progress=progress)

    def remove(self, name: str) -> Change:
        return self._run(library.remove, name)

    def reingest(self, progress: bool = False) -> Report:
        return self._run(library.reingest, progress=progress)
