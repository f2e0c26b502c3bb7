"""Load, short form (the full one with the local model is `make reliability`):
16 concurrent streamed chats against `python -m assistant serve` on loopback
all complete, and /health stays responsive meanwhile."""

from __future__ import annotations

import pytest

from evals.load import run

pytestmark = pytest.mark.slow


def test_sixteen_concurrent_chats_all_complete_and_health_stays_responsive(
        tmp_path_factory: pytest.TempPathFactory, make_index, start_server) -> None:
    settings = make_index(tmp_path_factory.mktemp("load"))
    url = start_server(["--generator", "extractive", "--store", str(settings.index.store_dir)])
    report = run(url, 16)
    assert report["errors"] == 0, report["error_messages"]
    assert report["health_errors"] == 0 and report["health_requests"] > 0
    assert report["health_s"]["p95"] < 1.0, report["health_s"]
