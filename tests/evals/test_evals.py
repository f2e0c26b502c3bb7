"""The evaluation runner: set validation, matching rules, reports, and the CI gate."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.build import build_assistant
from assistant.chain import Assistant
from core.settings import ROOT, Settings
from evals import dataset, gate, report, runner
from evals.metrics import contains, facts_met, gold_rank
from ingest.pipeline import ingest

SET = ROOT / "evals" / "sets" / "bilingual.jsonl"
BASELINE = ROOT / "evals" / "baseline.json"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings.from_env(environ={}).replace(
        store_dir=tmp_path_factory.mktemp("store"), generator="extractive")
    ingest(None, settings, progress=False)
    return build_assistant(settings)


@pytest.fixture(scope="module")
def questions() -> list[dataset.Question]:
    return dataset.load(SET)


def test_bundled_set_is_bilingual_and_covers_the_required_kinds(questions) -> None:
    assert len(questions) >= 80
    zh = sum(q.lang == "zh" for q in questions)
    assert abs(zh - (len(questions) - zh)) <= len(questions) * 0.1
    assert sum(not q.answerable for q in questions) >= 12
    assert sum(bool(q.history) for q in questions) >= 10
    assert sum(q.kind == "paraphrase" for q in questions) >= 10


def test_every_source_string_occurs_in_the_cleaned_document() -> None:
    res = subprocess.run([sys.executable, str(ROOT / "evals/sets/check_sources.py")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize(("line", "message"), [
    ('{"id": "a", "lang": "fr", "question": "q", "sources": ["x"]}', "line 1.*'lang'"),
    ('{"id": "a", "lang": "zh", "question": "", "sources": ["x"]}', "line 1.*'question'"),
    ('{"id": "a", "lang": "zh", "question": "q"}', "line 1.*'sources'"),
    ('{"id": "a", "lang": "zh", "question": "q", "sources": ["x"], "expected": "x"}',
     "line 1.*'expected'"),
    ("{not json", "line 1.*not valid JSON"),
])
def test_malformed_lines_are_rejected_with_line_and_field(tmp_path, line, message) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(dataset.DatasetError, match=message.replace("line 1", "bad.jsonl:1")):
        dataset.load(path)


def test_a_broken_file_does_not_start_a_run(tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "lang": "zh", "question": "q", "sources": ["x"]}\n{oops\n')
    res = subprocess.run([sys.executable, "-m", "evals", "run", str(path), "--generator",
                          "extractive"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2 and "bad.jsonl:2" in res.stderr


def test_matching_is_nfkc_case_and_whitespace_insensitive() -> None:
    assert contains("ＵＮＦＣＣＣ 有 500 多人", "unfccc有500多人")
    q = dataset.Question("x", "en", "q", [["Rio", "Río"], ["Geneva"]], ["里约、日内瓦"], True)
    assert facts_met(q, "rio and GENEVA") == 1.0
    assert facts_met(q, "Rio only") == 0.5
    assert gold_rank(q, ["无关", "竞争的有：里约、 日内瓦"]) == 2


def test_reports_are_written_worst_first_and_compare_marks_regressions(bot, questions, tmp_path):
    result = runner.run(bot, questions[:12], k=5, progress=False)
    paths = report.write(result, tmp_path, "test")
    assert all(p.exists() and p.stat().st_size > 0 for p in paths.values())
    md = paths["md"].read_text(encoding="utf-8")
    assert "## Questions, worst first" in md and "hit_at_1" in md
    worse = json.loads(json.dumps(result))
    worse["overall"]["hit_at_1"] = result["overall"]["hit_at_1"] - 0.5
    assert "⚠ worse" in report.compare(result, worse)


def test_a_search_only_run_ranks_as_the_full_run_and_reports_no_answer_metrics(bot, questions, tmp_path):
    some = [q for q in questions if q.answerable][:15] + [q for q in questions if not q.answerable][:5]
    full = runner.run(bot, some, k=5, progress=False)
    searched = runner.run(bot, some, k=5, progress=False, search_only=True)
    assert [r["gold_rank"] for r in searched["rows"]] == [r["gold_rank"] for r in full["rows"]]
    for key in ("hit_at_1", "hit_at_3", "mrr"):
        assert searched["overall"][key] == full["overall"][key]
    for key in ("answer_recall", "refusal_accuracy", "false_refusal_rate", "language_match", "cited_hit"):
        assert searched["overall"][key] is None and full["overall"][key] is not None
    assert all(r["answer"] is None for r in searched["rows"])
    assert "## Questions, worst first" in report.markdown(searched, "search only")


def test_bundled_set_passes_the_ci_gate_with_the_extractive_generator(bot, questions) -> None:
    result = runner.run(bot, questions, k=5, progress=False)
    failures = gate.check(result["overall"], BASELINE)
    assert failures == [], failures


def test_a_deliberately_broken_retrieval_fails_the_gate(bot, questions) -> None:
    broken = Assistant(bot.settings, bot.retriever.model_copy(
        update={"mode": "bm25", "expand": False}), None)
    result = runner.run(broken, questions, k=5, progress=False)
    failures = gate.check(result["overall"], BASELINE)
    assert any(f.startswith("hit_at_1") for f in failures), failures
