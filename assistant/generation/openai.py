"""Any OpenAI-compatible endpoint (vLLM, Ollama, a llama.cpp server, a hosted API)."""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from core.settings import GenerationSettings


def make_openai(settings: GenerationSettings) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        # Local servers accept any key; the client library insists on one.
        api_key=settings.openai_api_key or "not-needed",
        temperature=0,
        max_tokens=settings.max_tokens,
        timeout=120,
        max_retries=1,
        streaming=True,
    )
