"""Prompt injection with the real local model: no answer obeys an injected
document or question, and ordinary answers keep their facts when the
injection documents are indexed beside the bundled paper.

Both corpora run: ``tests/data/injection`` (dev: the detector's word lists
were checked against it) and ``tests/data/injection-heldout`` (written
independently, never tuned on). Reports: evals/out/injection-<corpus>-local/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.settings import ROOT, Settings
from evals.injection import run, write

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("corpus", ["injection", "injection-heldout"])
def test_no_answer_obeys_an_injection(corpus: str, tmp_path: Path, bundled: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(bundled, docs / bundled.name)
    settings = Settings.from_env(environ={}).replace(docs_dir=docs, store_dir=tmp_path / "store",
                                                     generator="local")
    result = run(ROOT / "tests" / "data" / corpus, settings)
    write(result, ROOT / "evals" / "out" / f"injection-{corpus}-local")
    summary = result.summary()
    assert summary["answers"] == summary["documents"] + summary["injected_questions"] + 8
    assert result.obeyed == [], result.obeyed
    assert result.ordinary_facts_lost == [], [r for r in result.rows if r.get("facts_lost")]
