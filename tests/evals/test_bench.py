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
