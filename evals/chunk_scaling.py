"""python -m evals.chunk_scaling [--sizes 2,4,8,16] [--repeat 3] [--cases ...] [--json]
                                [--dump DIR] [--file PATH ...]

Does ingest's clean + chunk path take time in proportion to the text?
Builds documents of N MB (UTF-8 bytes, 1 MB = 10**6, as max_file_mb) from the bundled
paper's sections, shuffled, with English paragraphs among them, and times
the path ``ingest.documents.process`` runs on a loaded text (markup and
control tokens neutralised, ``clean``, ``joined``, ``chunk_document``), per
stage. Cases:

- ``wrapped``: PDF-like hard-wrapped lines, numbered headings (many sections);
- ``no-headings``: the same without a single heading (one front-matter section);
- ``markdown``: one paragraph per line under ``#`` headings;
- ``unbroken``: English cut at a fixed width (as ``fold`` does), so no line
  is short and no paragraph ever ends: one block of N MB.

Prints the median seconds of ``--repeat`` runs per size and seconds per MB
(flat when the path is linear); ``--json`` prints a JSON object as the last
line. ``--dump DIR`` also writes every chunk (id, text, section, start, end,
page, index) as JSON lines, one file per case and size and per ``--file``
(run through ``process``), so two versions of the code can be compared with
``diff -r``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import statistics
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import core.offline  # noqa: F401  (must precede heavy imports)
from core.markup import neutralise_tokens, strip_markup
from core.settings import ROOT, Settings
from ingest.chunk import chunk_document
from ingest.clean import clean, joined
from ingest.headings import TERMINAL, heading_level

SOURCE = ROOT / "data" / "docs" / "bonn-shanghai.txt"
MB = 1_000_000
CASES = ("wrapped", "no-headings", "markdown", "unbroken")
SEED = 20240611
# English paragraphs (written for this benchmark), so the Latin paths of the
# cleaner and the splitter run too.
ENGLISH = [
    "Bonn was the seat of government of West Germany from 1949 until reunification. When parliament "
    "decided to move to Berlin, a federal law of 1994 gave the city a new role as a centre for "
    "international cooperation, with free offices for the organisations it could attract.",
    "The secretariat of the climate convention moved to Bonn in 1996. It began with a few dozen staff; "
    "today it employs several hundred people, and the conferences it organises bring thousands of "
    "delegates to the city every year.",
    "Cities compete for international organisations with buildings, tax rules and schools, but also "
    "with patience: an organisation chooses a host for decades, and it asks whether its staff will "
    "want to live there. Bonn learned this when the development programme stayed in New York.",
    "ICLEI is an association of local governments working on sustainability. Its world secretariat "
    "is in Bonn, and it keeps regional offices in Asia, Africa and the Americas; a city that hosts "
    "such an office joins a network of peers that share methods and data.",
    "Shanghai could follow a similar path. A newer organisation, one whose mission fits the city's own "
    "plans, is more likely to move than an established agency; and a city gains most from "
    "organisations made of cities. Persistence, foresight and creativity are what Bonn's officials "
    "name when asked what worked.",
    "The campus on the Rhine now holds more than twenty United Nations offices. Around it, companies "
    "such as Deutsche Telekom and DHL have their headquarters, and the meetings, fairs and business "
    "that follow bring the city more than the organisations' own budgets do.",
]


def _level(line: str) -> int:
    """The heading level of a line, also of one with a figure caption glued on."""
    return heading_level(re.sub(r"(?<=\S)(?:图|表)\s*\d+\s.*$", "", line))


def _segments(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """The paper's front matter, and its body cut at every heading."""
    first = next(i for i, ln in enumerate(lines) if _level(ln) == 1)
    body: list[list[str]] = []
    for ln in lines[first:]:
        if _level(ln) or not body:
            body.append([ln])
        else:
            body[-1].append(ln)
    return lines[:first], body


def _paragraphs(lines: list[str]) -> list[str]:
    """Hard-wrapped lines -> paragraphs: a short line with a sentence end closes one."""
    out: list[str] = []
    para, longest = "", 0
    for ln in lines:
        para, longest = para + ln, max(longest, len(ln))
        if ln.endswith(TERMINAL) and len(ln) < longest - 2:
            out.append(para)
            para, longest = "", 0
    return out + ([para] if para else [])


def build(case: str, mb: float, seed: int = SEED) -> str:
    """A document of at least ``mb`` MB in the shape of ``case``."""
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; cases: {', '.join(CASES)}")
    rng = random.Random(seed)
    target = int(mb * MB)
    if case == "unbroken":
        english = " ".join(ENGLISH[rng.randrange(len(ENGLISH))] for _ in range(target // 250 + 1))
        return "\n".join(english[i:i + 60] for i in range(0, target, 60)) + "\n"
    lines = [ln.strip() for ln in SOURCE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    front, body = _segments(lines)
    parts: list[str] = []
    size, copy = 0, 0

    def emit(text: str) -> None:
        nonlocal size
        parts.append(text)
        size += len(text.encode("utf-8")) + 2

    if case == "markdown":
        emit("# 城市发展的新路径：波恩与上海")
        for para in _paragraphs(front):
            emit(para)
    else:
        for ln in front:
            emit(ln)
    while size < target:
        copy += 1
        order = list(range(len(body)))
        rng.shuffle(order)
        for n, k in enumerate(order):
            head, *rest = body[k]
            level = _level(head)
            if case == "markdown":
                emit("#" * (level + 1) + f" {head}（{copy}）")
                for para in _paragraphs(rest):
                    emit(para)
            else:
                if case == "wrapped":
                    emit(f"{head}（{copy}）")
                for ln in rest:
                    emit(ln)
            if n % 3 == 0:
                english = ENGLISH[rng.randrange(len(ENGLISH))]
                if case == "markdown":
                    emit(english)
                else:
                    for ln in textwrap.wrap(english, 72):
                        emit(ln)
            if size >= target:
                break
    return "\n\n".join(parts) + "\n"


def run(text: str, settings: Settings) -> tuple[dict[str, float], list[Any]]:
    """Seconds per stage of ingest's path on ``text``, and the chunks."""
    cfg = settings.ingest
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    safe = strip_markup(neutralise_tokens(text))
    t1 = time.perf_counter()
    blocks = clean(safe, False)
    cleaned = joined(blocks)
    t2 = time.perf_counter()
    chunks = chunk_document(blocks, cleaned, "generated.txt", "generated", cfg.chunk_size,
                            cfg.chunk_overlap, cfg.chunk_min)
    t3 = time.perf_counter()
    seconds.update(markup=t1 - t0, clean=t2 - t1, chunk=t3 - t2, total=t3 - t0)
    return seconds, chunks


def record(chunk: Any) -> dict[str, Any]:
    return {k: getattr(chunk, k) for k in ("id", "index", "section", "start", "end", "page", "text")}


def dump(path: Path, chunks: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for c in chunks:
            out.write(json.dumps(record(c), ensure_ascii=False) + "\n")


def measure(cases: list[str], sizes: list[float], repeat: int, settings: Settings,
            dump_dir: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        results[case] = []
        for mb in sizes:
            text = build(case, mb)
            actual = len(text.encode("utf-8")) / MB
            runs = []
            chunks: list[Any] = []
            for _ in range(repeat):
                gc.collect()
                seconds, chunks = run(text, settings)
                runs.append(seconds)
            stages = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
            row = {"mb": round(actual, 2), "seconds": stages["total"],
                   "s_per_mb": round(stages["total"] / actual, 3), "stages": stages,
                   "runs": [round(r["total"], 3) for r in runs], "chunks": len(chunks)}
            results[case].append(row)
            print(f"{case:<12} {actual:6.2f} MB  {row['seconds']:8.2f} s  {row['s_per_mb']:6.3f} s/MB  "
                  f"(markup {stages['markup']:.2f}, clean {stages['clean']:.2f}, chunk {stages['chunk']:.2f}; "
                  f"{len(chunks)} chunks)", file=sys.stderr, flush=True)
            if dump_dir is not None:
                dump(dump_dir / f"{case}-{mb:g}mb.jsonl", chunks)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.chunk_scaling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2,4,8,16", help="document sizes in MB, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (the median is reported)")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument("--dump", type=Path, help="write every chunk as JSON lines into this folder")
    parser.add_argument("--file", type=Path, action="append", default=[],
                        help="with --dump: also dump the chunks `process` makes of this file")
    parser.add_argument("--json", action="store_true", help="print a JSON object as the last line")
    args = parser.parse_args(argv)
    try:
        sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
        cases = [c.strip() for c in args.cases.split(",") if c.strip()]
        for c in cases:
            if c not in CASES:
                raise ValueError(f"unknown case {c!r}; cases: {', '.join(CASES)}")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    if args.dump is not None:
        from ingest.documents import process

        for path in args.file:
            dump(args.dump / f"{path.name}.jsonl", process(path, settings).chunks)
    results = measure(cases, sizes, max(1, args.repeat), settings, args.dump)
    print(f"\n{'case':<12} " + " ".join(f"{s:>7g} MB" for s in sizes) + "   s/MB largest / smallest")
    for case, rows in results.items():
        ratio = rows[-1]["s_per_mb"] / rows[0]["s_per_mb"] if rows[0]["s_per_mb"] else float("nan")
        print(f"{case:<12} " + " ".join(f"{r['seconds']:8.2f} s" for r in rows) + f"   {ratio:.2f}")
        print(f"{'  s/MB':<12} " + " ".join(f"{r['s_per_mb']:10.3f}" for r in rows))
    if args.json:
        print(json.dumps({"sizes_mb": sizes, "repeat": args.repeat, "cases": results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
