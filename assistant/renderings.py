"""Whole passages in a reader's language, on demand: an English reader who
opens a citation of a Chinese passage reads it in English (and a Chinese
reader an English passage in Chinese), translated by the configured model
and kept per passage, so a passage opened twice is translated once."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from core.language import profile
from core.text import detect_language, sentences

# (text, target language) -> the text in that language, or "" on failure.
Translate = Callable[[str, str], str]


def pieces(text: str, limit: int) -> list[str]:
    """``text`` in runs of whole sentences of at most ``limit`` characters
    (one longer sentence stays whole), so that each translation fits the
    model's answer length."""
    gap = " " if profile(detect_language(text)).spaced else ""
    out: list[str] = []
    for sentence in sentences(text) or [text]:
        if out and len(out[-1]) + len(gap) + len(sentence) <= limit:
            out[-1] += gap + sentence
        else:
            out.append(sentence)
    return out


class PassageRenderings:
    """``render(text, lang)``: the passage in ``lang``, or "" when it is
    already in ``lang``, there is no model (``translate`` None) or the model
    failed (a failure is not kept: the next request tries again)."""

    def __init__(self, translate: Translate | None, size: int = 256, piece_chars: int = 300) -> None:
        self.translate = translate
        self.size = size
        self.piece_chars = piece_chars
        self._kept: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()
        self.made = 0  # translations asked of the model (cache misses)

    @property
    def available(self) -> bool:
        return self.translate is not None

    def render(self, text: str, lang: str) -> str:
        text = text.strip()
        if not text or self.translate is None or detect_language(text) == lang:
            return ""
        key = (hashlib.sha1(text.encode("utf-8")).hexdigest(), lang)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        parts = [self.translate(p, lang).strip() for p in pieces(text, self.piece_chars)]
        self.made += 1
        if not all(parts):
            return ""
        joined = (" " if profile(lang).spaced else "").join(parts)
        with self._lock:
            self._kept[key] = joined
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return joined
