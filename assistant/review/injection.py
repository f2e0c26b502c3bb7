"""An answer that obeys an instruction is withheld.

Instruction sentences are left out of the passages the model reads (see
:mod:`core.instructions`), but a small model can still be steered by what
is left, or by the question. Whatever steered it, the answer shows it:
a link the question did not give, markup, words that are themselves an
instruction, or a repeat of an instruction found in a passage.
"""

from __future__ import annotations

import re

from core.instruction_features import QUOTED, features
from core.instructions import instructions, split_sentences
from core.markup import has_markup, urls

# Output formats a question-answering reply never needs: a code block, a JSON object.
_FORMATTED = re.compile(r"```|~~~|^\s*\{\s*\"", re.MULTILINE)


def _units(text: str) -> set[str]:
    import re

    low = text.lower()
    cjk = re.findall(r"[\u3400-\u9fff]{2,}", low)
    return {run[i:i + 2] for run in cjk for i in range(len(run) - 1)} | set(re.findall(r"[a-z0-9]{3,}", low))


def repeats(answer: str, sentence: str, share: float = 0.5) -> bool:
    """Most of ``sentence``'s words (Chinese character pairs, Latin words) are in ``answer``."""
    units = _units(sentence)
    return len(units) >= 4 and len(units & _units(answer)) >= share * len(units)


def _payload_echo(answer: str, question: str, known: list[str]) -> str:
    """A quoted string of the question ("以“X”开头", "begin with 'X'") that the
    answer repeats and no passage contains: the answer obeyed a format demand."""
    passages = " ".join(known).lower()
    for a, b in split_sentences(question):
        sentence = question[a:b]
        if "payload_demand" not in features(sentence)[1]:
            continue  # a quoted term the question asks about, not a string to write
        for m in QUOTED.finditer(sentence):
            quoted = next((g for g in m.groups() if g), "").strip()
            if len(quoted) >= 4 and quoted.lower() in answer.lower() and quoted.lower() not in passages:
                return quoted
    return ""


def leaks(answer: str, secret: str, known: list[str], least: int = 8) -> bool:
    """``answer`` repeats at least ``least`` words of ``secret`` (the
    assistant's own instructions) that no ``known`` text (passages, question) has."""
    have = set().union(*(_units(k) for k in known)) if known else set()
    return len((_units(answer) & _units(secret)) - have) >= least


def injection_problem(answer: str, question: str, removed: list[str], weak_needed: int = 2,
                      secret: str = "", known: list[str] | None = None) -> str:
    """Why ``answer`` looks steered by an instruction, or "". ``removed``: the
    instruction sentences left out of the passages it was drafted from;
    ``secret``: the assistant's instructions, which an answer never repeats
    beyond what the ``known`` texts (the passages and question) also say."""
    new_links = urls(answer) - urls(question)
    if new_links:
        return f"a link the question did not give: {', '.join(sorted(new_links))}"
    if has_markup(answer):
        return "markup (an image, a link or HTML) in the answer"
    if _FORMATTED.search(answer):
        return "the answer is formatted as code or data"
    payload = _payload_echo(answer, question, known or [])
    if payload:
        return f"the answer writes what the question told it to write: {payload[:60]}"
    said = instructions(answer, weak_needed)
    if said:
        return f"the answer gives instructions: {said[0][:80]}"
    for sentence in removed:
        if repeats(answer, sentence):
            return f"the answer repeats an instruction from a document: {sentence[:80]}"
    if secret and leaks(answer, secret, [question, *(known or [])]):
        return "the answer repeats the assistant's own instructions"
    return ""
