"""The features of one sentence that say it speaks to the assistant (see
:mod:`core.instructions`, which scores sentences by them). The word lists
are the language profiles' (``data/lang/*.toml``, section ``instructions``)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from core.language import Lexicon, Profile, profiles
from core.markup import URL, has_markup
from core.text import has_han

_ROLES_ASSISTANT = (r"system|assistant|developer|instruction|instructions|response|ai|"
                    r"系统|助手|指令|开发者|管理员")
_ROLES_USER = r"user|human|用户|提问者"
_MARKER_AT = r"(?:^|\n|(?<=[.?!。？！]))[ \t]*(?:#+[ \t]*|\*\*|【|\[)?"
_ROLE_ASSISTANT = re.compile(
    rf"{_MARKER_AT}(?:{_ROLES_ASSISTANT})[ \t]*(?:\*\*|】|\])?[ \t]*[:：]"
    r"|#{2,}\s*(?:instruction|system|response|new rules?)"
    r"|\[/?(?:inst|sys)\]|<</?sys>>|</?(?:system|assistant|instructions?|tool_call|tool_response)>"
    r"|[<‹][|｜][^<>\s]{1,40}[|｜][>›]"
    r"|【\s*(?:系统|管理员|官方|开发者)[^】]{0,8}】|\[\s*(?:system|admin|developer)[^\]]{0,20}\]",
    re.IGNORECASE)
_ROLE_USER = re.compile(rf"{_MARKER_AT}(?:{_ROLES_USER})[ \t]*(?:\*\*|】|\])?[ \t]*[:：]|</?user>",
                        re.IGNORECASE)
# A marker with nothing after it on its line heads the paragraph below it.
BARE_MARKER = re.compile(rf"^[ \t]*(?:#+[ \t]*|\*\*|【)?(?:{_ROLES_ASSISTANT}|{_ROLES_USER})"
                          r"[ \t]*(?:\*\*|】)?[ \t]*[:：]?[ \t]*(?:\*\*)?[ \t]*$", re.IGNORECASE)
QUOTED = re.compile(r"“([^”\n]{2,120})”|「([^」\n]{2,120})」|‘([^’\n]{2,120})’"
                     r"|\"([^\"\n]{2,120})\"|(?<![A-Za-z])'([^'\n]{2,120})'(?![A-Za-z])")
_CLAUSE_START = re.compile(r"(?:^|[,，:：;；\n]|\bthen\b|然后)[\s\-*•>\"'“‘(（#]*", re.IGNORECASE)
QUESTION_REACH = {"standing_rule", "meta_demand", "payload_demand"}
STRONG = {"role_marker", "user_marker", "markup", "countermand", "role_claim"}
LISTS = ("countermand", "meta", "grounding", "answer", "directive", "standing", "role", "identity",
          "addressee", "second_person", "modal", "imperative", "adverb", "verb_before")


@cache
def _lists() -> tuple[dict[str, Lexicon], ...]:
    def of(p: Profile) -> dict[str, Lexicon]:
        return {name: p.lexicon("instructions", name) for name in LISTS}

    return tuple(of(p) for p in profiles())


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@cache
def _words(text: str) -> frozenset[str]:
    if not has_han(text):
        return frozenset()
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return frozenset(jieba.lcut(text))


def _hits(lex: Lexicon, text: str, words: frozenset[str]) -> list[tuple[int, int]]:
    """Where ``lex``'s entries occur. A one-character entry of an unspaced
    language counts only as a word of its own (请, not the 请 of 申请)."""
    if not lex:
        return []
    return [(m.start(), m.end()) for m in lex.pattern.finditer(text)
            if lex.spaced or len(m.group(0)) > 1 or m.group(0) in words]


def _apart(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    """Some hit of ``a`` and some hit of ``b`` do not overlap (two words, not one)."""
    return any(x[1] <= y[0] or y[1] <= x[0] for x in a for y in b)


def _opens_with(hits: list[tuple[int, int]], adverbs: list[tuple[int, int]], text: str) -> bool:
    """A clause of ``text`` starts with a hit, perhaps after adverbs (just, 只, 直接)."""
    starts = {m.end() for m in _CLAUSE_START.finditer(text)}
    for _ in range(2):
        starts |= {b + len(text[b:]) - len(text[b:].lstrip()) for a, b in adverbs if a in starts}
    return any(a in starts for a, _ in hits)


def features(sentence: str) -> tuple[list[str], list[str]]:
    """(strong, weak) features of one sentence."""
    text = norm(sentence)
    strong: list[str] = []
    weak: list[str] = []
    if _ROLE_ASSISTANT.search(sentence) or _ROLE_ASSISTANT.search(text):
        strong.append("role_marker")
    if _ROLE_USER.search(text):
        strong.append("user_marker")
    if has_markup(sentence):
        strong.append("markup")
    words = _words(text)
    has_url = bool(URL.search(text))
    quoted = [(m.start(), m.end()) for m in QUOTED.finditer(text)]
    for lists in _lists():
        hit = {name: _hits(lists[name], text, words) for name in LISTS}
        # "should answer" is the verb, not the answer.
        hit["answer"] = [h for h in hit["answer"] if not any(b == h[0] - 1 and text[b - 1:b] != "-"
                                                             for _, b in hit["verb_before"])]
        if _apart(hit["countermand"], hit["meta"] + hit["grounding"]):
            strong.append("countermand")
        if (hit["role"] and (hit["second_person"] or hit["addressee"])) or _apart(hit["identity"],
                                                                                   hit["addressee"]):
            strong.append("role_claim")
        if _apart(hit["directive"], hit["answer"]):
            weak.append("answer_demand")
        if _apart(hit["modal"], hit["answer"]):
            weak.append("answer_rule")
        if any(_apart(hit["standing"], hit[k]) for k in
               ("answer", "meta", "second_person", "addressee", "directive")):
            weak.append("standing_rule")
        if any(_apart(hit["addressee"], hit[k]) for k in ("directive", "second_person")):
            weak.append("addressed")
        if _apart(hit["directive"] + hit["countermand"], hit["meta"]):
            weak.append("meta_demand")
        if quoted and _apart(hit["directive"], quoted):
            weak.append("payload_demand")
        if has_url and hit["directive"]:
            weak.append("link_demand")
        if _apart(hit["second_person"], hit["directive"]):
            weak.append("second_person_order")
        if _opens_with(hit["imperative"], hit["adverb"], text):
            weak.append("imperative")
    return sorted(set(strong)), sorted(set(weak))
