"""Follow-up questions -> standalone questions, before retrieval.

Deterministic on purpose: the small local model takes seconds and sometimes
changes a question's meaning when asked to rewrite it. A follow-up names its
subject with a pronoun (它, 该组织, it, they) or not at all; we put back the
most recent organisation or place named in the conversation.
"""

from __future__ import annotations

import re

from assistant.retrieval.glossary import Glossary, trim_name
from core.text import HAN

_ZH_PRONOUN = re.compile(r"(该组织|该机构|这个组织|这个机构|那个组织|它们|他们|它的|其|它|该市|这座城市|那里)")
# 他/她 name a person (他们/她们 are groups, handled above).
_ZH_PERSON = re.compile(r"[他她](?!们)")
_EN_PERSON = re.compile(r"\b(he|she|him|his)\b", re.IGNORECASE)
_EN_PRONOUN = re.compile(r"\b(it|its|they|their|them|(?:this|that|the) (?:organi[sz]ation|office|agency)|"
                         r"this city|that city|there)\b", re.IGNORECASE)
_ZH_ORG = re.compile(rf"[{HAN}]{{2,20}}?(?:组织|机构|秘书处|理事会|公约|办事处|署|联盟)(?:亚太办事处|秘书处)?")
_ZH_QUESTION_WORD = re.compile(r"[哪谁这那该此其]|什么|多少|如何|怎样|吸引")  # no names: 哪个机构, 这个组织
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z][A-Z\-]{2,11}(?![A-Za-z])")
_EN_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)\b")
_NOT_NAMES = {"What", "Which", "Who", "Why", "How", "When", "Where", "Did", "Does", "Do", "Is",
              "Are", "Was", "Were", "The", "And", "In", "It", "They", "Its", "Can", "Could",
              "Should", "Tell", "Please", "According", "A", "An", "Of", "Then", "So", "Because",
              "But", "However", "Yes", "No", "This", "That", "These", "Those", "There", "About"}


def _ranked(text: str, lang: str, places: tuple[str, ...] = ()) -> list[tuple[int, int, str]]:
    """(priority, -position, name) for the names in ``text``: acronyms, then
    organisations, then ``places``; later mentions first within a priority."""
    found: list[tuple[int, int, str]] = []  # (priority, -position, name)
    # Acronyms first: "WHO" is rarer in the text than the words of its
    # Chinese name, so it finds the passage better in either language.
    acronym_prio, org_prio = 0, 1
    for m in _ACRONYM.finditer(text):
        found.append((acronym_prio, -m.start(), m.group(0)))
    if lang == "zh":
        for m in _ZH_ORG.finditer(text):
            name = trim_name(m.group(0))  # "想把联合国开发计划署" -> "联合国开发计划署"
            if not _ZH_QUESTION_WORD.search(name):
                found.append((org_prio, -m.start(), name))
        for place in places:
            i = text.rfind(place)
            if i >= 0:
                found.append((2, -i, place))
    else:
        for m in _EN_NAME.finditer(text):
            name = m.group(0)
            words = [w for w in name.split() if w not in _NOT_NAMES]
            if words:
                found.append((1 if len(words) > 1 else 2, -m.start(), " ".join(words)))
    found.sort()
    return found


def is_follow_up(question: str, lang: str, places: tuple[str, ...] = ()) -> bool:
    pronoun = (_ZH_PRONOUN.search(question) or _ZH_PERSON.search(question) if lang == "zh"
               else _EN_PRONOUN.search(question) or _EN_PERSON.search(question))
    return bool(pronoun) or not _ranked(question, lang, places)


def _person(question: str, history: list[dict[str, str]], lang: str,
            glossary: Glossary | None) -> str | None:
    """``question`` with 他/她 (he/she) replaced by the person the latest
    exchange names, if the documents know that person; else None."""
    pattern = _ZH_PERSON if lang == "zh" else _EN_PERSON
    m = pattern.search(question)
    if not m or glossary is None:
        return None
    for exchange in _exchanges(history):
        for text in exchange:  # the user's turn first
            people = glossary.people_in(text)
            if people:
                name = people[0] + ("'s" if m.group(0).lower() == "his" else "")
                return question[: m.start()] + name + question[m.end():]
    return None


def _exchanges(history: list[dict[str, str]]) -> list[list[str]]:
    """[user text, assistant text] pairs, latest first."""
    pairs: list[list[str]] = []
    for turn in history:
        text = str(turn.get("content", ""))
        if turn.get("role") == "user" or not pairs:
            pairs.append([text])
        else:
            pairs[-1].append(text)
    return list(reversed(pairs))


def condense(question: str, history: list[dict[str, str]] | None, lang: str,
             glossary: Glossary | None = None, places: tuple[str, ...] = ()) -> str:
    """Rewrite ``question`` as a standalone question in the same language."""
    if not history or not is_follow_up(question, lang, places):
        return question
    about_person = _person(question, history, lang, glossary)
    if about_person:
        return about_person
    subject = None
    # The latest exchange (question and answer) names the subject, the most
    # specific name first: "the WHO office" in the answer beats a city
    # in the question. Earlier exchanges are the fallback.
    for exchange in _exchanges(history):
        ranked = sorted((prio, turn, pos, name)
                        for turn, text in enumerate(exchange)
                        for prio, pos, name in _ranked(text, lang, places) if name not in question)
        if ranked:
            subject = ranked[0][3]
            break
    if subject is None:
        return question
    if lang == "zh":
        m = _ZH_PRONOUN.search(question)
        if m:
            repl = subject + ("的" if m.group(0) == "它的" else "")
            return question[: m.start()] + repl + question[m.end():]
        return f"关于{subject}，{question}"
    m = _EN_PRONOUN.search(question)
    if m:
        word = m.group(0).lower()
        repl = subject + ("'s" if word in ("its", "their") else "")
        if word == "there":
            repl = f"in {subject}"
        return question[: m.start()] + repl + question[m.end():]
    return f"{question.rstrip('?')} (about {subject})?"
