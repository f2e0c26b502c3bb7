"""Answer generators, chosen by configuration.

``local`` and ``openai`` are LangChain chat models (llama.cpp in-process, or any
OpenAI-compatible endpoint); ``extractive`` needs no model at all.
"""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel

from core.settings import GenerationSettings


class GeneratorError(RuntimeError):
    pass


def make_chat_model(settings: GenerationSettings) -> BaseChatModel | None:
    """The chat model for ``settings.generator``; None for ``extractive``."""
    if settings.generator == "extractive":
        return None
    if settings.generator == "openai":
        from assistant.generation.openai import make_openai

        return make_openai(settings)
    from assistant.generation.local import load_local

    return load_local(settings)
