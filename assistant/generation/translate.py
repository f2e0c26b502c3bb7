"""The model's side jobs: rendering a question in the documents' other
language for the search, and putting a quoted passage into the asker's."""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.generation.prompts import translate_for_search, translate_into_chinese, translate_quote


def writing_in(model: BaseChatModel | None, lang: str) -> dict[str, bool]:
    """Call options for text in ``lang``: the local model writes English
    with Chinese tokens banned (it drifts into the passages' language)."""
    english = lang == "en" and model is not None and model._llm_type == "llama-cpp"
    return {"ban_cjk": True} if english else {}


def for_search(model: BaseChatModel, system: str, question: str, lang: str = "zh") -> str:
    """``question`` rendered in ``lang``, or "" (search still works without it)."""
    messages = translate_for_search(system, lang).format_messages(question=question)
    try:
        return str(model.invoke(messages, max_tokens=80, **writing_in(model, lang)).content).strip()
    except Exception:  # noqa: BLE001
        return ""


def into_english(model: BaseChatModel, system: str, text: str) -> str:
    """``text`` in English, or "" when the model fails."""
    messages = translate_quote(system).format_messages(text=text)
    try:
        return str(model.invoke(messages, **writing_in(model, "en")).content).strip()
    except Exception:  # noqa: BLE001  (then there is nothing to show)
        return ""


def into(model: BaseChatModel, system: str, text: str, lang: str) -> str:
    """``text`` in ``lang`` ("en" or "zh"), or "" when the model fails."""
    if lang == "en":
        return into_english(model, system, text)
    messages = translate_into_chinese(system).format_messages(text=text)
    try:
        return str(model.invoke(messages).content).strip()
    except Exception:  # noqa: BLE001
        return ""
