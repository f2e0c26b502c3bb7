"""The one place components are assembled from settings: embedder, store,
corpus, retriever, generator -> an :class:`~assistant.chain.Assistant`.

A test or a user swaps a component by building the Assistant with another
one (any object with ``search(query, k)``, ``embedder`` and ``store``)."""

from __future__ import annotations

from assistant.chain import Assistant
from assistant.generation import GeneratorError, make_chat_model
from assistant.retrieval import Corpus, Glossary, HybridRetriever
from core import profile
from core.settings import Settings
from index.embedders import embedder_id, make_embedder
from index.store import open_store


def build_assistant(settings: Settings) -> Assistant:
    """The assistant ``settings`` describe; a generator that cannot load
    leaves the extractive one answering, with the reason as a notice."""
    embedder = make_embedder(settings)
    store = open_store(settings, embedder_id(embedder), create=False)
    r = settings.retrieval
    corpus = Corpus(store, Glossary.load(r.glossary_path), outline_share=r.outline_share)
    retriever = HybridRetriever.from_settings(settings, store, embedder, corpus.glossary, corpus)
    notice = ""
    try:
        chat_model = make_chat_model(settings.generation)
    except (GeneratorError, ImportError, OSError) as exc:
        chat_model, notice = None, f"{exc}"
    return Assistant(settings, retriever, chat_model, notice, corpus, profile.load(r.profile_path))
