"""Eval sets: JSON Lines, validated before anything runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class DatasetError(ValueError):
    pass


@dataclass
class Question:
    id: str
    lang: str
    question: str
    expected: list[list[str]]
    sources: list[str]
    answerable: bool
    history: list[dict[str, str]] = field(default_factory=list)
    kind: str = ""
    split: str = ""  # "dev" (tune on it) or "test" (report only)
    premise: str = ""  # the kind of false premise, for a question to refuse
    correction: list[list[str]] = field(default_factory=list)  # what a correcting refusal says
    doc: str = ""  # the document the question is about


def _check(cond: bool, path: Path, line: int, msg: str) -> None:
    if not cond:
        raise DatasetError(f"{path}:{line}: {msg}")


def load(path: Path, split: str | None = None) -> list[Question]:
    """The questions of ``path`` (only those of ``split`` when given)."""
    questions = _load(path)
    if split:
        questions = [q for q in questions if q.split == split]
        if not questions:
            raise DatasetError(f"{path}: no questions in split {split!r}")
    return questions


def _load(path: Path) -> list[Question]:
    if not path.exists():
        raise DatasetError(f"{path}: file not found")
    questions: list[Question] = []
    ids: set[str] = set()
    for line_no, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{line_no}: not valid JSON ({exc.msg})") from exc
        _check(isinstance(obj, dict), path, line_no, "each line must be a JSON object")
        for key in ("id", "lang", "question"):
            _check(isinstance(obj.get(key), str) and obj[key].strip() != "", path, line_no,
                   f"field '{key}' must be a non-empty string")
        _check(obj["lang"] in ("zh", "en"), path, line_no, "field 'lang' must be 'zh' or 'en'")
        _check(obj["id"] not in ids, path, line_no, f"field 'id': duplicate id {obj['id']!r}")
        ids.add(obj["id"])
        answerable = obj.get("answerable", True)
        _check(isinstance(answerable, bool), path, line_no, "field 'answerable' must be true/false")
        expected = obj.get("expected", [])
        _check(isinstance(expected, list) and all(
            isinstance(g, list) and g and all(isinstance(a, str) and a for a in g) for g in expected),
            path, line_no, "field 'expected' must be a list of non-empty lists of strings")
        sources = obj.get("sources", [])
        _check(isinstance(sources, list) and all(isinstance(s, str) and s for s in sources),
               path, line_no, "field 'sources' must be a list of strings")
        if answerable:
            _check(bool(sources), path, line_no, "field 'sources' is required when answerable")
        history = obj.get("history", [])
        _check(isinstance(history, list) and all(
            isinstance(t, dict) and t.get("role") in ("user", "assistant")
            and isinstance(t.get("content"), str) for t in history),
            path, line_no, "field 'history' must be a list of {role: user|assistant, content}")
        _check(obj.get("split", "dev") in ("dev", "test"), path, line_no,
               "field 'split' must be 'dev' or 'test'")
        questions.append(Question(obj["id"], obj["lang"], obj["question"], expected, sources,
                                  answerable, history, str(obj.get("kind", "")),
                                  str(obj.get("split", "")), str(obj.get("premise", "")),
                                  list(obj.get("correction", [])), str(obj.get("doc", ""))))
    if not questions:
        raise DatasetError(f"{path}: no questions")
    return questions
