"""Speed and memory benchmark: ours and the plain LangChain recipe, measured
side by side in one run, each in a fresh subprocess (so peak memory is its own).

Prints medians; the machines are shared and noisy, so compare the ratios.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.settings import ROOT, Settings
from evals.metrics import percentile

if TYPE_CHECKING:
    from assistant.generation.local import ModelWork

# The questions timed (both languages): data, beside the eval sets.
SAMPLE_PATH = ROOT / "evals" / "sets" / "bench.jsonl"


def sample() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"zh": [], "en": []}
    for line in SAMPLE_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            out.setdefault(q["lang"], []).append(q["question"])
    return out


def _ms(xs: list[float]) -> float:
    return round(statistics.median(xs) * 1000, 2)


def measure(system: str, generator: str, repeat: int, docs: list[str] | None = None) -> dict[str, Any]:
    """Runs inside the subprocess. ``docs``: files to index instead of the documents folder."""
    from assistant.build import build_assistant
    from assistant.chain import Assistant

    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{system}-"))
    settings = Settings.from_env().replace(store_dir=tmp / "store", generator=generator)
    if docs:
        (tmp / "docs").mkdir()
        for f in docs:
            shutil.copy(f, tmp / "docs" / Path(f).name)
        settings = settings.replace(docs_dir=tmp / "docs")
    out: dict[str, Any] = {"system": system}
    try:
        cold, noop = [], []
        if system == "ours":
            from ingest.pipeline import ingest

            for i in range(repeat):
                t = time.perf_counter()
                rep = ingest(None, settings, rebuild=i > 0, progress=False)
                cold.append(time.perf_counter() - t)
            for _ in range(repeat):
                t = time.perf_counter()
                rep = ingest(None, settings, progress=False)
                noop.append(time.perf_counter() - t)
            out["reingest_noop_embedded"] = rep.embedded
            bot = build_assistant(settings)
        else:
            from evals.baselines import PlainLangChainRetriever
            from index.embedders import make_embedder

            embedder = make_embedder(settings)
            for i in range(repeat):
                t = time.perf_counter()
                plain = PlainLangChainRetriever(settings.ingest.docs_dir, embedder, tmp / f"p{i}")
                cold.append(time.perf_counter() - t)
            # The plain recipe has no incremental mode: re-ingest = build again.
            noop = cold
            from assistant.generation import make_chat_model

            bot = Assistant(settings, plain, make_chat_model(settings.generation))
        out["ingest_cold_s"] = round(statistics.median(cold), 3)
        out["reingest_noop_s"] = round(statistics.median(noop), 3)
        questions_by_lang = sample()
        questions = questions_by_lang["zh"] + questions_by_lang["en"]
        bot.retriever.search(questions[0], 3)  # warm-up (jieba, BM25 index)
        times = []
        for _ in range(max(3, repeat)):
            for q in questions:
                t = time.perf_counter()
                bot.retriever.search(q, 3)
                times.append(time.perf_counter() - t)
        out["retrieve_p50_ms"] = _ms(times)
        out["retrieve_p95_ms"] = round(percentile(times, 95) * 1000, 2)
        bot.ask(questions[0])  # warm-up (model load, prompt cache)
        per_lang: dict[str, list[float]] = {"zh": [], "en": []}
        first: dict[str, list[float]] = {"zh": [], "en": []}
        work = getattr(bot.chat_model, "work", None)  # the local model's own counters
        spent: dict[str, list[ModelWork]] = {"zh": [], "en": []}
        for lang, qs in questions_by_lang.items():
            for q in qs:
                before = work() if work else None
                a = bot.ask(q)
                if work:
                    spent[lang].append(work() - before)
                per_lang[lang].append(a.timings["total"])
                first[lang].append(a.timings["first_token"])
        if work:
            out.update(floor(spent, per_lang))
        answers = per_lang["zh"] + per_lang["en"]
        out["answer_p50_s"] = round(statistics.median(answers), 3)
        out["answer_p95_s"] = round(percentile(answers, 95), 3)
        out["first_token_p50_s"] = round(statistics.median(first["zh"] + first["en"]), 3)
        for lang in ("zh", "en"):
            out[f"answer_{lang}_p50_s"] = round(statistics.median(per_lang[lang]), 3)
            out[f"first_token_{lang}_p50_s"] = round(statistics.median(first[lang]), 3)
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def floor(spent: dict[str, list[ModelWork]], totals: dict[str, list[float]]) -> dict[str, float]:
    """The model's own time per answer (prompt tokens it evaluated, i.e. not
    in its cache, and tokens it generated, at the rates it ran at in this
    run), and what the answer took beyond it."""
    every = spent["zh"] + spent["en"]
    prompt_s = sum(w.prompt_s for w in every)
    generated_s = sum(w.generated_s for w in every)
    out = {
        "floor_p50_s": round(statistics.median(w.seconds for w in every), 3),
        "beyond_floor_p50_s": round(statistics.median(
            t - w.seconds for t, w in zip(totals["zh"] + totals["en"], every, strict=True)), 3),
        "prompt_tokens_p50": statistics.median(w.prompt_tokens for w in every),
        "generated_tokens_p50": statistics.median(w.generated_tokens for w in every),
        "prompt_tokens_per_s": round(sum(w.prompt_tokens for w in every) / prompt_s, 1) if prompt_s else 0.0,
        "generated_tokens_per_s": round(sum(w.generated_tokens for w in every) / generated_s, 1)
        if generated_s else 0.0,
    }
    for lang in ("zh", "en"):
        if spent[lang]:
            out[f"floor_{lang}_p50_s"] = round(statistics.median(w.seconds for w in spent[lang]), 3)
            out[f"prompt_tokens_{lang}_p50"] = statistics.median(w.prompt_tokens for w in spent[lang])
    return out


def _subprocess(system: str, generator: str, repeat: int, docs: list[str] | None = None) -> dict[str, Any]:
    code = ("import core.offline, json, sys; from evals.bench import measure; "
            f"print(json.dumps(measure({system!r}, {generator!r}, {repeat}, {docs!r})))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if res.returncode != 0:
        raise RuntimeError(f"bench {system} failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(args: Any) -> int:
    generator = args.generator or Settings.from_env().generation.generator
    docs = [str(Path(d).resolve()) for d in args.docs] if getattr(args, "docs", None) else None
    ours = _subprocess("ours", generator, args.repeat, docs)
    baseline = _subprocess("langchain-plain", generator, args.repeat, docs)
    keys = [k for k in ours if k != "system"]
    # Ours over the plain recipe, same run: what the targets are stated in.
    ratios = {k: round(ours[k] / baseline[k], 3) for k in keys
              if isinstance(ours.get(k), int | float) and isinstance(baseline.get(k), int | float)
              and baseline[k]}
    result = {**ours, "generator": generator, "repeat": args.repeat,
              "documents": [Path(d).name for d in docs] if docs else ["data/docs/"],
              "baseline": baseline, "ratios": ratios}
    print(f"{'metric':28} {'ours':>10} {'plain LC':>10} {'ratio':>7}", file=sys.stderr)
    for k in keys:
        print(f"{k:28} {ours.get(k)!s:>10} {baseline.get(k, '')!s:>10} {ratios.get(k, '')!s:>7}",
              file=sys.stderr)
    if "floor_p50_s" in baseline:
        print(f"answer p50 over the plain recipe's model floor: "
              f"ours {ours['answer_p50_s'] / baseline['floor_p50_s']:.2f}, "
              f"plain {baseline['answer_p50_s'] / baseline['floor_p50_s']:.2f}", file=sys.stderr)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(result))
    return 0
