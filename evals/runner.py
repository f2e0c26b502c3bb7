"""Run an eval set through the assistant and score every question."""

from __future__ import annotations

import sys
import time
from typing import Any

from tqdm import tqdm

from assistant.chain import Assistant, QuestionError
from core.text import detect_language
from evals.dataset import Question
from evals.metrics import aggregate, contains, facts_met, gold_rank

RANK_DEPTH = 10  # MRR looks at the first 10 ranked passages


def run_question(bot: Assistant, q: Question) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        answer = bot.ask(q.question, q.history)
    except QuestionError as exc:
        return _row(q, answer_text=f"error: {exc}", refused=True, ranked=[], cited=[],
                    context_chars=0, latency=time.perf_counter() - started, first_token=0.0)
    latency = time.perf_counter() - started
    ranked = [p.text for p in answer.ranked]
    row = _row(q, answer.answer, answer.refused, ranked, [c.text for c in answer.citations],
               sum(len(p.text) for p in answer.retrieved), latency,
               answer.timings.get("first_token", latency), answer.standalone_question)
    row["chain_s"] = round(answer.timings["total"], 4)
    row["notice"] = answer.notice
    row["withheld"] = answer.withheld
    return row


def search_question(bot: Assistant, q: Question) -> dict[str, Any]:
    """Only the search: the chain run up to its sources event and stopped
    before the model answers; ranking metrics, the answer's metrics None."""
    started = time.perf_counter()
    events = bot.stream(q.question, q.history)
    try:
        found = next(e for e in events if e["type"] == "sources")
    except QuestionError:
        found = {"passages": []}
    finally:
        events.close()
    latency = time.perf_counter() - started
    row = _row(q, "", False, [p.text for p in found.get("ranked", [])], [],
               sum(len(p.text) for p in found["passages"]), latency, latency, found.get("standalone", ""))
    row.update(facts=None, refused=None, refusal_ok=None, answer_lang=None, cited_hit=None, answer=None)
    row["chain_s"] = round(latency, 4)
    return row


def _row(q: Question, answer_text: str, refused: bool, ranked: list[str], cited: list[str],
         context_chars: int, latency: float, first_token: float,
         standalone: str = "") -> dict[str, Any]:
    answer_lang = detect_language(answer_text)
    return {
        "id": q.id, "lang": q.lang, "kind": q.kind or ("answerable" if q.answerable else "out_of_scope"),
        "question": q.question, "standalone": standalone, "answerable": q.answerable,
        "gold_rank": gold_rank(q, ranked) if q.answerable else None,
        "facts": round(facts_met(q, answer_text), 3) if q.answerable else None,
        "refused": refused, "refusal_ok": refused == (not q.answerable),
        "answer_lang": "en" if answer_lang == "other" else answer_lang,
        "cited_hit": any(contains(c, s) for c in cited for s in q.sources) if q.answerable else None,
        "context_chars": context_chars, "latency_s": round(latency, 3),
        "first_token_s": round(first_token, 3), "answer": answer_text,
    }


def run(bot: Assistant, questions: list[Question], k: int, progress: bool | None = None,
        label: str = "eval", search_only: bool = False) -> dict[str, Any]:
    show = sys.stderr.isatty() if progress is None else progress
    bot.search.rank_depth = RANK_DEPTH  # ranking metrics need more than the generator's top-k
    started = time.perf_counter()
    one = search_question if search_only else run_question
    rows = [one(bot, q) for q in tqdm(questions, desc=label, unit="q", disable=not show)]
    result = summarise(rows, k)
    runner_s = time.perf_counter() - started
    chain_s = sum(r.get("chain_s", 0.0) for r in rows)
    result["overhead"] = {"runner_s": round(runner_s, 3), "chain_s": round(chain_s, 3),
                          "overhead_pct": round(100 * (runner_s - chain_s) / max(chain_s, 1e-9), 2)}
    return result


def summarise(rows: list[dict[str, Any]], k: int) -> dict[str, Any]:
    by_lang = {lang: aggregate([r for r in rows if r["lang"] == lang], k)
               for lang in sorted({r["lang"] for r in rows})}
    by_kind = {kind: aggregate([r for r in rows if r["kind"] == kind], k)
               for kind in sorted({r["kind"] for r in rows})}
    return {"overall": aggregate(rows, k), "by_lang": by_lang, "by_kind": by_kind, "rows": rows}
