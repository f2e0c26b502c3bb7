"""The assistant behind the server, and what ``GET /health`` says about it."""

from __future__ import annotations

from typing import Any

from assistant.chain import Assistant
from core.paths import public


class Holder:
    """The assistant the server answers with; ``None`` until it is loaded."""

    def __init__(self, assistant: Assistant | None, reason: str = "", private: bool = False) -> None:
        self.assistant = assistant
        self.private = private  # sign-in is on: /health, open to probes, names no documents
        self.model_server: Any = None  # a model-server supervisor (serve --model-server)
        self.reason = reason or ("" if assistant else "the assistant is not loaded")
        self._documents: tuple[str, int] | None = None  # (store revision, count)

    def ready(self, assistant: Assistant) -> None:
        self.assistant, self.reason = assistant, ""

    def failed(self, reason: str) -> None:
        self.assistant, self.reason = None, reason

    def status(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) for /health."""
        bot = self.assistant
        if bot is None:
            state = "loading" if self.reason.startswith("loading") else "unavailable"
            return 503, {"status": state, "reason": self.reason}
        try:
            store = bot.retriever.store
            chunks = store.count()
            documents = self._count_documents(store.revision, chunks, store)
        except Exception as exc:  # a Chroma server that went away, a broken folder...
            return 503, {"status": "unavailable", "reason": f"the index cannot be read: {exc}"}
        body: dict[str, Any] = {
            "status": "ok",
            "generator": bot.generator,
            "configured_generator": bot.settings.generation.generator,
            "chunks": chunks,
            "documents": documents,
            "store": public(store.location),
            "embedder": store.embedder_id,
        }
        worker = getattr(bot.chat_model, "worker", None)
        if worker is not None:
            body["model_queue"] = worker.status()
        if self.model_server is not None:
            body["model_server"] = self.model_server.status()
        if bot.load_notice and bot.settings.generation.generator != "extractive":
            body["notice"] = bot.load_notice
        if chunks == 0:
            body = {**body, "status": "unavailable",
                    "reason": "the index is empty: run `python -m ingest` first"}
        if self.private:
            body = {k: body[k] for k in ("status", "reason", "generator") if k in body}
        return (503 if chunks == 0 else 200), body

    def _count_documents(self, revision: str, chunks: int, store: Any) -> int:
        key = f"{revision}:{chunks}"
        if self._documents is None or self._documents[0] != key:
            metas = store.all(include_documents=False)["metadatas"] or []
            self._documents = (key, len({str((m or {}).get("doc_id", "")) for m in metas}))
        return self._documents[1]
