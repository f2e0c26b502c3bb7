"""Bilingual term pairs for query expansion.

English questions rarely share words with Chinese passages, so BM25 alone
cannot find them. Two sources of pairs: ``data/glossary.tsv`` (editable) and
pairs the documents spell out themselves, such as ``世界卫生组织（WHO）`` or
``…(World Meteorological Organization，简称WMO)``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

from core.language import profile
from core.text import HAN, name_words

_ZH = f"[{HAN}]"
_PAIR_PATTERNS = [
    # 中文名（ACRONYM） / 中文名(English Name)
    re.compile(
        rf"({_ZH}{{2,24}})[”\"]?\s*[（(]\s*([A-Za-z][A-Za-z .,'\-]{{1,80}}?)"
        rf"\s*(?:[，,]\s*简称\s*([A-Za-z\-]{{2,15}}))?\s*[）)]"
    ),
    # ACRONYM（中文名）
    re.compile(rf"\b([A-Z][A-Z\-]{{1,14}})\s*[（(]\s*({_ZH}{{2,30}})\s*[）)]"),
]


@cache
def _person() -> re.Pattern[str]:
    """A person's name after an office or before an honorific, as Chinese text
    writes them (秘书长王明和…, 副局长李晓明先生): jieba cuts such names apart
    (李/晓明), so follow-ups that say 他 could not otherwise be resolved. The
    offices and honorifics are the Chinese profile's (data/lang/zh.toml)."""
    zh = profile("zh")

    def alternatives(name: str) -> str:
        return "|".join(map(re.escape, zh.lexicon("names", name).words))

    honorific = alternatives("honorifics")
    return re.compile(
        rf"(?:{alternatives('titles')})({_ZH}{{2,3}}?)(?={honorific}|{alternatives('after_name')})"
        rf"|({_ZH}{{2,3}})(?={honorific})")


class Glossary:
    def __init__(self) -> None:
        self._en_to_zh: dict[str, set[str]] = defaultdict(set)
        # Acronyms match case-sensitively: "WHO" is an organisation, "who" is not.
        self._acronyms: dict[str, set[str]] = defaultdict(set)
        self.people: set[str] = set()
        # Chinese name -> its English name, for names written capitalised
        # (Tokyo, WHO): what an English answer should call them.
        self.english_names: dict[str, str] = {}

    def add(self, english: str, chinese: str) -> None:
        english, chinese = english.strip(), trim_name(chinese.strip())
        if len(english) < 2 or not chinese:
            return
        if re.fullmatch(r"[A-Z][A-Z0-9\-]{1,14}", english):
            self._acronyms[english].add(chinese)
            # An acronym beats a long spelled-out name: shorter to read and copy.
            self.english_names[chinese] = english
        else:
            self._en_to_zh[english.lower()].add(chinese)
            if english[0].isupper() and len(english) <= 40:
                self.english_names.setdefault(chinese, english)

    def english_words(self, texts: list[str]) -> set[str]:
        """The words of the English names of the Chinese names in ``texts``."""
        return {w for zh, en in self.english_names.items() if any(zh in t for t in texts)
                for w in name_words(en)}

    def annotate(self, text: str) -> str:
        """``text`` with the English name after the first mention of each
        Chinese name it knows: 东京 -> 东京(Tokyo). The small model translates
        names by guesswork (another city's name, another secretary-general's);
        with the name beside it, it copies."""
        names = {zh: en for zh, en in self.english_names.items()
                 if zh in text and en.lower() not in text.lower()}
        if not names:
            return text
        # Longest first, so 联合国气候变化框架公约 wins over 联合国.
        pattern = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))
        seen: set[str] = set()

        def mark(m: re.Match[str]) -> str:
            zh = m.group(0)
            if zh in seen:
                return zh
            seen.add(zh)
            return f"{zh}({names[zh]})"

        return pattern.sub(mark, text)

    @classmethod
    def load(cls, path: Path | None, texts: list[str] = ()) -> Glossary:  # type: ignore[assignment]
        glossary = cls()
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip() or line.lstrip().startswith("#") or "\t" not in line:
                    continue
                en, zh = line.split("\t", 1)
                for e in en.split("|"):
                    for z in zh.split("|"):
                        glossary.add(e, z)
        for text in texts:
            glossary.learn(text)
        return glossary

    def copy(self) -> Glossary:
        twin = Glossary()
        for key, names in self._en_to_zh.items():
            twin._en_to_zh[key] = set(names)
        for key, names in self._acronyms.items():
            twin._acronyms[key] = set(names)
        twin.people = set(self.people)
        twin.english_names = dict(self.english_names)
        return twin

    def learn(self, text: str) -> None:
        """Add the name pairs a document spells out."""
        for m in _PAIR_PATTERNS[0].finditer(text):
            zh, en, short = m.group(1), m.group(2), m.group(3)
            self.add(en, zh)
            if short:
                self.add(short, zh)
        for m in _PAIR_PATTERNS[1].finditer(text):
            self.add(m.group(1), m.group(2))
        for m in _person().finditer(text):
            self.people.add(m.group(1) or m.group(2))

    def people_in(self, text: str) -> list[str]:
        """The known people ``text`` names, the last-mentioned first."""
        found = [(text.rfind(name), name) for name in self.people if name in text]
        return [name for _, name in sorted(found, reverse=True)]

    def expand_acronyms(self, query: str) -> list[str]:
        """Chinese names for the acronyms in ``query``."""
        found: list[str] = []
        for acronym, names in self._acronyms.items():
            if re.search(rf"(?<![A-Za-z]){re.escape(acronym)}(?![A-Za-z])", query):
                found.extend(sorted(names))
        return found

    def english_for(self, query: str) -> list[str]:
        """English names of the Chinese names in ``query`` (longest names first)."""
        return [self.english_names[zh] for zh in sorted(self.english_names, key=len, reverse=True)
                if zh in query]

    def expand(self, query: str) -> list[str]:
        """Chinese terms for the English terms (and acronyms) in ``query``."""
        found = self.expand_acronyms(query)
        q = " " + re.sub(r"[^a-z0-9\-]+", " ", query.lower()) + " "
        # Longest English terms first, so "climate change" wins over "climate".
        for en in sorted(self._en_to_zh, key=len, reverse=True):
            if f" {en} " in q:
                q = q.replace(f" {en} ", " ")
                found.extend(sorted(self._en_to_zh[en]))
        return list(dict.fromkeys(found))

    def __len__(self) -> int:
        return len(self._en_to_zh) + len(self._acronyms)


def trim_name(chinese: str) -> str:
    """Names caught by the patterns may start with the sentence before them
    (``该市把世界卫生组织办事处``): keep what follows the last
    function word."""
    parts = re.split(r"[把的如而是在及与从将说]", chinese)
    tail = parts[-1]
    return tail if len(tail) >= 2 else chinese
