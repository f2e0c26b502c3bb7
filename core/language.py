"""Language profiles: what differs between Chinese and English, as data
(``data/lang/<code>.toml``), so that code has no ``if lang == …`` branches
for word lists."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LANG_DIR = Path(__file__).resolve().parent.parent / "data" / "lang"


@dataclass(frozen=True)
class Lexicon:
    """A named list of words or phrases, matched as whole words (``spaced``
    languages) or as substrings (Chinese)."""

    words: tuple[str, ...]
    spaced: bool
    inflect: bool = False  # also match "starts", "started", "starting" for "start"

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.words, self.spaced, self.inflect)

    def found(self, text: str) -> list[str]:
        """The entries that occur in ``text`` (lower-cased), longest first."""
        if not self.words:
            return []
        return self.pattern.findall(text.lower())

    def __bool__(self) -> bool:
        return bool(self.words)


@cache
def _pattern(words: tuple[str, ...], spaced: bool, inflect: bool = False) -> re.Pattern[str]:
    def one(word: str) -> str:
        w = re.escape(word.lower())
        # Words of a spaced script match whole; so do Latin entries of a Chinese list ("ai").
        if spaced or re.fullmatch(r"[a-z0-9][a-z0-9 .\-]*", word.lower()):
            if inflect and spaced and word.isalpha():
                w = (re.escape(word[:-1].lower()) + "(?:e|es|ed|ing)" if word.endswith("e")
                     else w + "(?:s|es|ed|ing|" + re.escape(word[-1]) + "ed|" + re.escape(word[-1]) + "ing)?")
            return rf"(?<![\w'’-]){w}(?![\w'’-])"
        return w

    return re.compile("|".join(one(w) for w in sorted(words, key=len, reverse=True)))


@dataclass(frozen=True)
class Profile:
    code: str
    spaced: bool  # words are separated by spaces
    sections: dict[str, dict[str, object]]

    def lexicon(self, section: str, name: str) -> Lexicon:
        """The list ``name`` of ``section``; inflected forms match too when the
        section's ``inflect`` list names it."""
        table = self.sections.get(section, {})
        raw = table.get(name, [])
        inflect = name in table.get("inflect", [])  # type: ignore[operator]
        return Lexicon(tuple(str(w) for w in raw if str(w).strip()), self.spaced,  # type: ignore[union-attr]
                       inflect)


# Languages written without spaces between words.
_UNSPACED = {"zh", "ja"}


@cache
def profile(code: str, lang_dir: Path = LANG_DIR) -> Profile:
    """The profile of language ``code``; an unknown language gets an empty one."""
    path = lang_dir / f"{code}.toml"
    sections = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return Profile(code, code not in _UNSPACED, sections)


def profiles(lang_dir: Path = LANG_DIR) -> list[Profile]:
    """Every language that has a profile."""
    return [profile(p.stem, lang_dir) for p in sorted(lang_dir.glob("*.toml"))]
