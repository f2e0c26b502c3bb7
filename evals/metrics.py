"""Matching rules and metrics, exactly as in shared/docs/contracts.md."""

from __future__ import annotations

import re
import statistics
import unicodedata
from typing import Any

from evals.dataset import Question

# Metrics where a smaller number is better (the report and the gate both read this).
LOWER_IS_BETTER = frozenset({"false_refusal_rate", "latency_p50_s", "latency_p95_s",
                             "first_token_p50_s", "context_chars_p50"})


def norm(text: str) -> str:
    """NFKC, lower case, all whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())


def contains(haystack: str, needle: str) -> bool:
    return norm(needle) in norm(haystack)


def gold_rank(q: Question, ranked_texts: list[str]) -> int | None:
    """1-based rank of the first passage containing any source string."""
    for i, text in enumerate(ranked_texts, start=1):
        if any(contains(text, s) for s in q.sources):
            return i
    return None


def facts_met(q: Question, answer: str) -> float:
    if not q.expected:
        return 1.0
    return sum(any(contains(answer, alt) for alt in group) for group in q.expected) / len(q.expected)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    i = min(len(s) - 1, max(0, round(pct / 100 * (len(s) - 1))))
    return s[i]


def aggregate(rows: list[dict[str, Any]], k: int) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    ranks = [r["gold_rank"] for r in answerable]
    lat = [r["latency_s"] for r in rows]
    # A search-only run has no answers: their metrics are None, not 0.
    answered = [r for r in rows if r["refused"] is not None]
    answered_ok = [r for r in answered if r["answerable"]]
    answered_not = [r for r in answered if not r["answerable"]]

    def mean(xs: list[float]) -> float | None:
        # None, not 0, when a metric does not apply (no answerable questions, say).
        return round(sum(xs) / len(xs), 4) if xs else None

    return {
        "n": len(rows),
        "n_answerable": len(answerable),
        "hit_at_1": mean([1.0 if r == 1 else 0.0 for r in ranks]),
        "hit_at_3": mean([1.0 if r is not None and r <= 3 else 0.0 for r in ranks]),
        "hit_at_k": mean([1.0 if r is not None and r <= k else 0.0 for r in ranks]),
        "k": k,
        "mrr": mean([1.0 / r if r is not None and r <= 10 else 0.0 for r in ranks]),
        "context_chars_p50": statistics.median([r["context_chars"] for r in rows]) if rows else 0,
        "answer_recall": mean([r["facts"] for r in answered_ok]),
        "refusal_accuracy": mean([1.0 if r["refused"] else 0.0 for r in answered_not]),
        "false_refusal_rate": mean([1.0 if r["refused"] else 0.0 for r in answered_ok]),
        "language_match": mean([1.0 if r["answer_lang"] == r["lang"] else 0.0 for r in answered]),
        "cited_hit": mean([1.0 if r["cited_hit"] else 0.0 for r in answered_ok]),
        "latency_p50_s": round(percentile(lat, 50), 3),
        "latency_p95_s": round(percentile(lat, 95), 3),
        "first_token_p50_s": round(percentile([r["first_token_s"] for r in rows], 50), 3),
    }
