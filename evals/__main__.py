"""python -m evals run SET.jsonl [--generator NAME] [--k 5] [--store DIR] [--out DIR] [--json]
                              [--baselines] [--gate evals/baseline.json] [--search-only]
python -m evals compare BEFORE/report.json AFTER/report.json [--out FILE]
python -m evals bench [--generator NAME] [--docs FILE ...] [--out DIR] [--json]
python -m evals injection CORPUS [--generator NAME] [--out DIR] [--json]"""

from __future__ import annotations

import core.offline  # noqa: F401  (must precede heavy imports)

import argparse
import json
import sys
import time
from pathlib import Path

from core.settings import GENERATORS, Settings


def _run(args: argparse.Namespace) -> int:
    from assistant.build import build_assistant
    from evals import dataset, report, runner

    try:
        questions = dataset.load(args.set, args.split)
    except dataset.DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env().replace(store_dir=args.store, generator=args.generator,
                                           top_k=args.top_k)
    bot = build_assistant(settings)
    if bot.load_notice and settings.generation.generator != "extractive":
        print(f"error: generator {settings.generation.generator!r} unavailable: {bot.load_notice}",
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = runner.run(bot, questions, args.k, label=f"eval ({bot.generator})", search_only=args.search_only)
    result["meta"] = {"set": str(args.set), "split": args.split or "all", "generator": bot.generator, "k": args.k,
                      "top_k": settings.retrieval.top_k, "questions": len(questions),
                      "search_only": args.search_only,
                      "seconds": round(time.perf_counter() - started, 1),
                      "runner_overhead_pct": result["overhead"]["overhead_pct"]}
    if args.baselines:
        from evals.baselines import build_systems

        systems, keep = build_systems(bot, settings)
        result["systems"] = {"ours": result["overall"]}
        for name, system in systems.items():
            result["systems"][name] = runner.run(system, questions, args.k, label=name)["overall"]
        keep.cleanup()
    out = args.out or Path("evals/out") / f"{args.set.stem}{'-' + args.split if args.split else ''}-{bot.generator}"
    paths = report.write(result, out, f"Eval: {args.set.name} ({bot.generator})")
    overall = result["overall"]
    print(report._table({"overall": overall, **result["by_lang"]}), file=sys.stderr)
    print(f"reports: {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    failures: list[str] = []
    if args.gate:
        from evals.gate import check

        failures = check(overall, args.gate)
        for f in failures:
            print(f"GATE FAILED: {f}", file=sys.stderr)
        if not failures:
            print(f"gate passed ({args.gate})", file=sys.stderr)
    if args.json:
        print(json.dumps({**overall, "by_lang": result["by_lang"], "overhead": result["overhead"],
                          "gate_failures": failures, "out": str(out)}, ensure_ascii=False))
    return 1 if failures else 0


def _compare(args: argparse.Namespace) -> int:
    from evals.report import compare

    before = json.loads(args.before.read_text(encoding="utf-8"))
    after = json.loads(args.after.read_text(encoding="utf-8"))
    text = compare(before, after, args.tolerance)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


def _injection(args: argparse.Namespace) -> int:
    from evals.injection import run, write

    settings = Settings.from_env().replace(generator=args.generator)
    result = run(args.corpus, settings, args.port)
    default = Path("evals/out") / f"injection-{args.corpus.name}-{settings.generation.generator}"
    path = write(result, args.out or default)
    for key, value in result.summary().items():
        print(f"{key:30} {value}", file=sys.stderr)
    print(f"report: {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.summary(), ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a question set and write reports")
    run.add_argument("set", type=Path)
    run.add_argument("--generator", choices=GENERATORS)
    run.add_argument("--split", choices=["dev", "test"], help="only the questions of this split")
    run.add_argument("--k", type=int, default=5, help="depth for hit_at_k (default 5)")
    run.add_argument("--top-k", type=int, help="passages handed to the generator (default 3)")
    run.add_argument("--store", type=Path)
    run.add_argument("--out", type=Path)
    run.add_argument("--json", action="store_true")
    run.add_argument("--baselines", action="store_true",
                     help="also run the plain LangChain recipe and retrieval ablations")
    run.add_argument("--gate", type=Path, help="baseline file with floors; exit 1 when missed")
    run.add_argument("--search-only", action="store_true",
                     help="rank passages (with the generator's question renderings) but write no "
                     "answers: the ranking metrics only, quickly")
    cmp_ = sub.add_parser("compare", help="two runs side by side; regressions marked")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    cmp_.add_argument("--tolerance", type=float, default=0.0)
    cmp_.add_argument("--out", type=Path)
    bench = sub.add_parser("bench", help="speed and memory benchmark")
    bench.add_argument("--generator", choices=GENERATORS)
    bench.add_argument("--out", type=Path)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--repeat", type=int, default=5)
    bench.add_argument("--docs", type=Path, nargs="+", help="files to index instead of data/docs/ "
                       "(e.g. the paper and both Geneva articles)")
    inj = sub.add_parser("injection", help="prompt-injection corpus: clean vs injected index")
    inj.add_argument("corpus", type=Path)
    inj.add_argument("--generator", choices=GENERATORS)
    inj.add_argument("--port", type=int, default=9, help="port written into the corpus' beacon URLs")
    inj.add_argument("--out", type=Path)
    inj.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "injection":
        return _injection(args)
    if args.command == "run":
        return _run(args)
    if args.command == "compare":
        return _compare(args)
    from evals.bench import main as bench_main

    return bench_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
