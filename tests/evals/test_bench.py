"""The benchmark runs end to end and prints the contract's keys for ours and
the plain LangChain baseline (numbers are reported, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.settings import ROOT

KEYS = {"ingest_cold_s", "reingest_noop_s", "retrieve_p50_ms", "retrieve_p95_ms", "answer_p50_s",
        "answer_p95_s", "first_token_p50_s", "peak_rss_mb"}


@pytest.mark.slow
def test_bench_prints_ours_and_the_baseline_side_by_side() -> None:
    res = subprocess.run([sys.executable, "-m", "evals", "bench", "--generator", "extractive",
                          "--repeat", "1", "--json"], capture_output=True, text=True, cwd=ROOT,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert KEYS <= set(out) and KEYS <= set(out["baseline"])
    assert out["reingest_noop_embedded"] == 0
    # Every figure's ratio to the plain recipe, measured in the same run.
    assert {"answer_p50_s", "retrieve_p50_ms", "ingest_cold_s", "peak_rss_mb"} <= set(out["ratios"])
    assert out["ratios"]["ingest_cold_s"] == round(out["ingest_cold_s"] / out["baseline"]["ingest_cold_s"], 3)


def test_the_floor_is_the_models_own_time_and_the_rest_is_what_the_answer_took_beyond_it() -> None:
    from assistant.generation.local import ModelWork
    from evals.bench import floor

    spent = {"zh": [ModelWork(100, 10, 1.0, 0.5), ModelWork(300, 20, 3.0, 1.0)],
             "en": [ModelWork(200, 40, 2.0, 2.0)]}
    totals = {"zh": [2.0, 4.5], "en": [4.5]}
    out = floor(spent, totals)
    assert out["floor_p50_s"] == 4.0  # 1.5, 4.0, 4.0
    assert out["beyond_floor_p50_s"] == 0.5  # 0.5, 0.5, 0.5
    assert out["prompt_tokens_per_s"] == 100.0 and out["generated_tokens_per_s"] == round(70 / 3.5, 1)
    assert out["floor_zh_p50_s"] == 2.75 and out["prompt_tokens_en_p50"] == 200
