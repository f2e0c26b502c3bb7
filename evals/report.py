"""Reports: JSON, CSV and Markdown tables (worst questions first), a PNG chart,
and a side-by-side comparison of two runs."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from evals.metrics import LOWER_IS_BETTER

KEYS = ["hit_at_1", "hit_at_3", "hit_at_k", "mrr", "answer_recall", "refusal_accuracy",
        "false_refusal_rate", "language_match", "cited_hit", "context_chars_p50",
        "latency_p50_s", "latency_p95_s", "first_token_p50_s"]
COLUMNS = ["id", "lang", "kind", "gold_rank", "facts", "refused", "refusal_ok", "answer_lang",
           "latency_s", "question", "answer"]


def _badness(row: dict[str, Any]) -> tuple:
    rank = row["gold_rank"] if row["gold_rank"] is not None else (99 if row["answerable"] else 0)
    facts = row["facts"] if row["facts"] is not None else 1.0
    return (row["refusal_ok"], facts, -rank, row["answer_lang"] == row["lang"])


def worst_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=_badness)


def write(result: dict[str, Any], out: Path, title: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "csv": out / "questions.csv",
             "md": out / "report.md", "png": out / "metrics.png"}
    paths["json"].write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    rows = worst_first(result["rows"])
    with paths["csv"].open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    paths["md"].write_text(markdown(result, title), encoding="utf-8")
    chart(result, paths["png"], title)
    return paths


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) or v == 0 else f"{v:.0f}"
    return "" if v is None else str(v)


def _table(groups: dict[str, dict[str, Any]]) -> str:
    names = list(groups)
    lines = ["| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for key in ["n", "n_answerable", *KEYS]:
        lines.append(f"| {key} | " + " | ".join(_fmt(groups[g].get(key)) for g in names) + " |")
    return "\n".join(lines)


def markdown(result: dict[str, Any], title: str) -> str:
    meta = result.get("meta", {})
    parts = [f"# {title}", ""]
    if meta:
        parts += ["Run: " + ", ".join(f"{k}={v}" for k, v in meta.items()), ""]
    parts += ["## Overall and per language", "",
              _table({"overall": result["overall"], **result["by_lang"]}), "",
              "## Per kind of question", "", _table(result["by_kind"]), ""]
    if result.get("systems"):
        parts += ["## Baselines and ablations (same questions, same embedder)", "",
                  _table(result["systems"]), ""]
    parts += ["## Questions, worst first", "",
              "| id | lang | kind | gold rank | facts | refused | ok | answer lang | s | question | answer |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in worst_first(result["rows"]):
        ans = (r["answer"] or "").replace("|", "\\|").replace("\n", " ")
        q = r["question"].replace("|", "\\|")
        ok = "-" if r["refusal_ok"] is None else "✓" if r["refusal_ok"] else "✗"
        parts.append(f"| {r['id']} | {r['lang']} | {r['kind']} | {_fmt(r['gold_rank'])} | "
                     f"{_fmt(r['facts'])} | {r['refused']} | {ok} | "
                     f"{r['answer_lang']} | {r['latency_s']:.2f} | {q} | {ans[:160]} |")
    return "\n".join(parts) + "\n"


def chart(result: dict[str, Any], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["hit_at_1", "hit_at_3", "mrr", "answer_recall", "refusal_accuracy",
            "false_refusal_rate", "language_match", "cited_hit"]
    groups = {"overall": result["overall"], **result["by_lang"]}
    fig, ax = plt.subplots(figsize=(10, 4.2))
    width = 0.8 / len(groups)
    for i, (name, agg) in enumerate(groups.items()):
        xs = [j + i * width for j in range(len(keys))]
        ax.bar(xs, [agg.get(k, 0) or 0 for k in keys], width, label=name)
    ax.set_xticks([j + width * (len(groups) - 1) / 2 for j in range(len(keys))])
    ax.set_xticklabels(keys, rotation=25, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare(before: dict[str, Any], after: dict[str, Any], tolerance: float = 0.0) -> str:
    """Markdown: two runs side by side, regressions marked."""
    lines = ["| group | metric | before | after | change |", "|---|---|---|---|---|"]
    groups = {"overall": ("overall", None)} | {f"lang {g}": ("by_lang", g) for g in after["by_lang"]}
    for label, (section, key) in groups.items():
        a = before[section] if key is None else before.get(section, {}).get(key, {})
        b = after[section] if key is None else after[section][key]
        for metric in KEYS:
            if metric not in a or metric not in b:
                continue
            delta = (b[metric] or 0) - (a[metric] or 0)
            worse = delta > tolerance if metric in LOWER_IS_BETTER else delta < -tolerance
            mark = " ⚠ worse" if worse and abs(delta) > 1e-9 else ""
            lines.append(f"| {label} | {metric} | {_fmt(a[metric])} | {_fmt(b[metric])} | "
                         f"{delta:+.3f}{mark} |")
    before_rows = {r["id"]: r for r in before.get("rows", [])}
    regressions = [r["id"] for r in after.get("rows", []) if r["id"] in before_rows
                   and _badness(r) < _badness(before_rows[r["id"]])]
    if regressions:
        lines += ["", "Questions that got worse: " + ", ".join(regressions)]
    changed = [(r["id"], [k for k in ("answer", "refused", "gold_rank")
                          if r.get(k) != before_rows[r["id"]].get(k)])
               for r in after.get("rows", []) if r["id"] in before_rows]
    changed = [(qid, keys) for qid, keys in changed if keys]
    lines += ["", f"Questions whose answer, refusal or gold rank changed: {len(changed)} of "
                  f"{len(after.get('rows', []))}"]
    lines += [f"- {qid}: {', '.join(keys)}" for qid, keys in changed]
    return "\n".join(lines) + "\n"
