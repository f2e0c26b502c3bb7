"""The corpus profile (``data/profile.toml``): what the page and the prompt
say about the documents, their example questions, and names the code would
otherwise have to know. Data the user edits; a missing file or key gives
neutral defaults."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Profile:
    subject_zh: str = "文档"
    subject_en: str = "these documents"
    title: str = "文档助手 · Document assistant"
    description: str = "# 文档助手 · Document assistant\n用中文或英文提问 · Ask in Chinese or English."
    examples: tuple[str, ...] = ()
    places_zh: tuple[str, ...] = field(default_factory=tuple)


@cache
def load(path: Path) -> Profile:
    if not path.is_file():
        return Profile()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    prompt, page, names = data.get("prompt", {}), data.get("page", {}), data.get("names", {})
    base = Profile()
    return Profile(
        subject_zh=prompt.get("subject_zh", base.subject_zh),
        subject_en=prompt.get("subject_en", base.subject_en),
        title=page.get("title", base.title),
        description=page.get("description", base.description),
        examples=tuple(page.get("examples", ())),
        places_zh=tuple(names.get("places_zh", ())),
    )
