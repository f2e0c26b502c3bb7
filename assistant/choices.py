"""What a reader may choose for their own chat: the generator, its model and
how many passages it reads. Each choice is an :class:`Assistant` built from
the server's one (same index, retriever and documents), made once and shared
by every reader who picks it; nothing here changes the server's settings.

A local model named by a reader must be a ``.gguf`` file in the folder of the
configured one: a page cannot make the server open any other file.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.chain import Assistant
from assistant.generation import GeneratorError, make_chat_model
from core.settings import GENERATORS, Settings


@dataclass(frozen=True)
class Choice:
    generator: str = ""  # "": the configured one
    model: str = ""  # the openai model name, or a GGUF file name beside the configured model
    top_k: int = 0  # 0: the configured number

    def overrides(self, settings: Settings) -> dict[str, Any]:
        """The settings this choice changes; ValueError for a choice that cannot be made."""
        gen = self.generator or settings.generation.generator
        if gen not in GENERATORS:
            raise ValueError(f"generator must be one of {', '.join(GENERATORS)}, not {gen!r}")
        if self.top_k < 0:
            raise ValueError("top-k must be at least 1")
        out: dict[str, Any] = {"generator": gen, "top_k": self.top_k or None}
        model = self.model.strip()
        if model and gen == "openai":
            out["openai_model"] = model
        elif model and gen == "local":
            out["model_path"] = local_model(settings, model)
        return out


def local_models(settings: Settings) -> list[str]:
    """The GGUF files a reader may pick: those beside the configured model."""
    folder = settings.generation.model_path.parent
    return sorted(p.name for p in folder.glob("*.gguf")) if folder.is_dir() else []


def local_model(settings: Settings, name: str) -> Path:
    if name not in local_models(settings):
        raise ValueError(f"no local model {name!r}; available: {', '.join(local_models(settings)) or 'none'}")
    return settings.generation.model_path.parent / name


class Variants:
    """The assistants readers' choices make, kept for ``base``'s lifetime
    (a new index or reload gives a new base and so new variants)."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._base: Assistant | None = None
        self._made: OrderedDict[tuple[Any, ...], Assistant] = OrderedDict()

    def get(self, base: Assistant, choice: Choice) -> Assistant:
        changes = choice.overrides(base.settings)
        settings = base.settings.replace(**changes)
        if settings == base.settings:
            return base
        key = (settings.generation, settings.retrieval.top_k)
        with self._lock:  # one model load per choice, however many readers ask at once
            if self._base is not base:
                self._base, self._made = base, OrderedDict()
            if key in self._made:
                self._made.move_to_end(key)
                return self._made[key]
            made = self._build(base, settings)
            self._made[key] = made
            while len(self._made) > self.keep:
                self._made.popitem(last=False)
            return made

    @staticmethod
    def _build(base: Assistant, settings: Settings) -> Assistant:
        notice = ""
        if settings.generation == base.settings.generation:
            chat_model, notice = base.chat_model, base.load_notice
        else:
            try:
                chat_model = make_chat_model(settings.generation)
            except (GeneratorError, ImportError, OSError) as exc:  # as at start-up: extractive, with why
                chat_model, notice = None, f"{exc}"
        made = Assistant(settings, base.retriever, chat_model, notice, base.corpus, base.profile)
        if chat_model is base.chat_model:
            made.renderings = base.renderings  # same model, same translations
        return made
