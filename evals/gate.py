"""The CI gate: retrieval metrics must stay above a floor and within a
tolerance of the committed baseline (evals/baseline.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.metrics import LOWER_IS_BETTER

GATED = ["hit_at_1", "hit_at_3", "mrr", "refusal_accuracy", "cited_hit"]


def check(overall: dict[str, Any], baseline_path: Path) -> list[str]:
    """Return the list of failures (empty: the gate passes)."""
    spec = json.loads(baseline_path.read_text(encoding="utf-8"))
    tolerance = float(spec.get("tolerance", 0.02))
    failures = []
    for metric, floor in spec.get("floors", {}).items():
        value = overall.get(metric)
        if value is None:
            failures.append(f"{metric}: missing from the run")
            continue
        bad = value > floor if metric in LOWER_IS_BETTER else value < floor
        if bad:
            failures.append(f"{metric} = {value:.3f} is past its floor {floor:.3f}")
    for metric, base in spec.get("baseline", {}).items():
        value = overall.get(metric)
        if value is None:
            continue
        drop = (value - base) if metric in LOWER_IS_BETTER else (base - value)
        if drop > tolerance:
            failures.append(f"{metric} = {value:.3f} dropped {drop:.3f} from the baseline "
                            f"{base:.3f} (tolerance {tolerance:.3f})")
    return failures
