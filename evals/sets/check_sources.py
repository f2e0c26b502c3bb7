#!/usr/bin/env python3
"""Validate evals/sets/bilingual.jsonl against data/docs/bonn-shanghai.txt.

Checks
  * every line is a JSON object with the expected keys and types;
  * ids are unique and look like "zh-01" / "en-01" (prefix == lang);
  * answerable questions have 1-4 expected groups and 1-3 sources;
    unanswerable ones (out_of_scope / false_premise) have [] for both;
  * follow-up questions carry a history (user/assistant turns, ending
    with an assistant turn);
  * every source string (6-25 characters once whitespace is removed)
    occurs in the document after normalisation on both sides:
      NFKC -> lowercase -> remove all whitespace, and in the document also
      remove page headers (专题论坛|47, themeforum) and footnote markers [n];
  * (strict) a source must also not span a page header, a footnote marker
    or a section heading: those are replaced by a separator before matching;
  * warning only: for Chinese answerable questions, an expected group none
    of whose alternatives occurs in the normalised document.

Exit status 1 on any failure.  Stdlib only.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent  # /work/main
DEFAULT_SET = HERE / "bilingual.jsonl"
DEFAULT_DOC = ROOT / "data" / "docs" / "bonn-shanghai.txt"

KINDS = {
    "fact", "number", "list", "why", "comparison", "recommendation",
    "paraphrase", "out_of_scope", "false_premise", "followup", "near_premise",
}
UNANSWERABLE_KINDS = {"out_of_scope", "false_premise"}
REQUIRED = {"id", "lang", "kind", "question", "expected", "sources", "answerable"}
# split: "dev" (tune on it) or "test" (report only); premise: the kind of false
# premise; correction / correction_sources: what a correcting refusal should say
# and the passage that states it; doc: the document the question is about.
OPTIONAL = {"history", "split", "premise", "correction", "correction_sources", "doc"}
SPLITS = {"dev", "test"}
ID_RE = re.compile(r"^(zh|en)-\d{2,}$")
WS_RE = re.compile(r"\s+")
HEADER_RE = re.compile(r"专题论坛\|\d+")
FOOTNOTE_RE = re.compile(r"\[\d+\]")
SEP = "\x00"
# Section headings, matched on NFKC-normalised, stripped lines.
HEADING_LINE_RES = [
    re.compile(r"^[一二三四五六七八九十]+、"),        # 一、...
    re.compile(r"^\([一二三四五六七八九十]+\)"),      # (一)... (NFKC of （一）)
    re.compile(r"^\d+\.\D"),                          # 1.优越的办公设施
]
SRC_MIN, SRC_MAX = 6, 25
CJK_RE = re.compile(r"[\u3400-\u9fff]")


def norm(text: str) -> str:
    """NFKC, lowercase, drop all whitespace (applied to answers/sources)."""
    return WS_RE.sub("", unicodedata.normalize("NFKC", text).lower())


def norm_doc(text: str) -> str:
    """norm() plus removal of page headers and footnote markers."""
    t = norm(text)
    t = HEADER_RE.sub("", t)
    t = t.replace("themeforum", "")
    t = FOOTNOTE_RE.sub("", t)
    return t


def strict_doc(text: str) -> str:
    """Like norm_doc, but headers, footnote markers and heading lines become a
    separator, so a source spanning one of them cannot match."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"专题论坛\s*\|\s*\d+", SEP, t)
    t = re.sub(r"theme\s*forum", SEP, t)
    t = FOOTNOTE_RE.sub(SEP, t)
    lines = []
    for line in t.splitlines():
        s = line.strip()
        if any(r.match(s) for r in HEADING_LINE_RES):
            lines.append(SEP)
        else:
            lines.append(line)
    return WS_RE.sub("", "\n".join(lines))


def is_str_list(x) -> bool:
    return isinstance(x, list) and all(isinstance(i, str) for i in x)


def validate(item: dict, where: str) -> list[str]:
    errs: list[str] = []
    keys = set(item)
    missing = REQUIRED - keys
    extra = keys - REQUIRED - OPTIONAL
    if missing:
        errs.append(f"{where}: missing keys {sorted(missing)}")
    if extra:
        errs.append(f"{where}: unknown keys {sorted(extra)}")
    if missing:
        return errs

    qid, lang, kind = item["id"], item["lang"], item["kind"]
    if not isinstance(qid, str) or not ID_RE.match(qid):
        errs.append(f"{where}: bad id {qid!r}")
    if lang not in ("zh", "en"):
        errs.append(f"{where}: bad lang {lang!r}")
    elif isinstance(qid, str) and not qid.startswith(lang + "-"):
        errs.append(f"{where}: id prefix does not match lang {lang!r}")
    if kind not in KINDS:
        errs.append(f"{where}: bad kind {kind!r}")
    q = item["question"]
    if not isinstance(q, str) or not q.strip():
        errs.append(f"{where}: question must be a non-empty string")
    elif lang == "en" and CJK_RE.search(q):
        errs.append(f"{where}: English question contains CJK characters")
    elif lang == "zh" and not CJK_RE.search(q):
        errs.append(f"{where}: Chinese question has no CJK characters")
    ans = item["answerable"]
    if not isinstance(ans, bool):
        errs.append(f"{where}: answerable must be a bool")

    exp = item["expected"]
    if not (isinstance(exp, list) and all(
            isinstance(g, list) and g and all(isinstance(a, str) and norm(a) for a in g)
            for g in exp)):
        errs.append(f"{where}: expected must be a list of non-empty lists of non-empty strings")
    srcs = item["sources"]
    if not is_str_list(srcs):
        errs.append(f"{where}: sources must be a list of strings")

    if isinstance(ans, bool) and isinstance(exp, list) and isinstance(srcs, list):
        if ans:
            if not 1 <= len(exp) <= 4:
                errs.append(f"{where}: answerable question needs 1-4 expected groups, has {len(exp)}")
            if not 1 <= len(srcs) <= 3:
                errs.append(f"{where}: answerable question needs 1-3 sources, has {len(srcs)}")
            if kind in UNANSWERABLE_KINDS:
                errs.append(f"{where}: kind {kind} but answerable is true")
        else:
            if exp or srcs:
                errs.append(f"{where}: unanswerable question must have expected [] and sources []")
            if kind not in UNANSWERABLE_KINDS:
                errs.append(f"{where}: answerable false but kind is {kind}")

    if "history" in item:
        h = item["history"]
        ok = isinstance(h, list) and h and all(
            isinstance(t, dict) and set(t) == {"role", "content"}
            and t["role"] in ("user", "assistant")
            and isinstance(t["content"], str) and t["content"].strip()
            for t in h)
        if not ok:
            errs.append(f"{where}: history must be a non-empty list of {{role, content}} turns")
        else:
            roles = [t["role"] for t in h]
            if roles[0] != "user" or roles[-1] != "assistant" or any(
                    a == b for a, b in zip(roles, roles[1:], strict=False)):
                errs.append(f"{where}: history must alternate user/assistant, "
                            f"start with user and end with assistant")
    if "split" in item and item["split"] not in SPLITS:
        errs.append(f"{where}: split must be one of {sorted(SPLITS)}")
    if "correction_sources" in item and not is_str_list(item["correction_sources"]):
        errs.append(f"{where}: correction_sources must be a list of strings")
    if "correction" in item and not (isinstance(item["correction"], list) and all(
            isinstance(g, list) and g and all(isinstance(a, str) and a for a in g)
            for g in item["correction"])):
        errs.append(f"{where}: correction must be a list of non-empty lists of strings")
    if kind == "followup" and not item.get("history"):
        errs.append(f"{where}: followup question without history")
    return errs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    ap.add_argument("--doc", type=Path, action="append",
                    help="document the sources must occur in (repeatable; default the bundled paper)")
    args = ap.parse_args()

    doc_raw = "\n\n".join(d.read_text(encoding="utf-8") for d in (args.doc or [DEFAULT_DOC]))
    doc = norm_doc(doc_raw)
    doc_strict = strict_doc(doc_raw)

    failures: list[str] = []
    warnings: list[str] = []
    items: list[dict] = []
    for lineno, line in enumerate(args.set.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            failures.append(f"line {lineno}: empty line")
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            failures.append(f"line {lineno}: invalid JSON: {e}")
            continue
        if not isinstance(item, dict):
            failures.append(f"line {lineno}: not a JSON object")
            continue
        where = f"line {lineno} ({item.get('id', '?')})"
        errs = validate(item, where)
        failures.extend(errs)
        if not errs:
            items.append(item)

    ids = collections.Counter(i["id"] for i in items)
    for qid, n in ids.items():
        if n > 1:
            failures.append(f"{qid}: duplicate id ({n} times)")
    questions = collections.Counter(norm(i["question"]) for i in items)
    for i in items:
        if questions[norm(i["question"])] > 1 and not i.get("history"):
            warnings.append(f"{i['id']}: duplicate question text")

    n_sources = 0
    for item in items:
        qid = item["id"]
        for src in item["sources"] + item.get("correction_sources", []):
            n_sources += 1
            s = norm(src)
            if not SRC_MIN <= len(s) <= SRC_MAX:
                failures.append(f"{qid}: source length {len(s)} outside {SRC_MIN}-{SRC_MAX}: {src!r}")
            if s not in doc:
                failures.append(f"{qid}: source not found in document: {src!r}")
            elif s not in doc_strict:
                failures.append(f"{qid}: source spans a page header, footnote marker "
                                f"or section heading: {src!r}")
        if item["answerable"] and item["lang"] == "zh":
            for gi, group in enumerate(item["expected"]):
                if not any(norm(a) in doc for a in group):
                    warnings.append(f"{qid}: expected group {gi} {group} has no alternative "
                                    f"in the document")
        if item["lang"] == "en":
            for group in item["expected"]:
                for a in group:
                    if CJK_RE.search(a):
                        warnings.append(f"{qid}: English question has CJK alternative {a!r}")

    for w in warnings:
        print(f"WARNING {w}")
    for f in failures:
        print(f"FAIL    {f}")

    by_lang = collections.Counter(i["lang"] for i in items)
    by_kind = collections.Counter(i["kind"] for i in items)
    by_ans = collections.Counter(i["answerable"] for i in items)
    by_lang_kind = collections.Counter((i["lang"], i["kind"]) for i in items)
    with_hist = collections.Counter(i["lang"] for i in items if i.get("history"))
    print()
    print(f"questions: {len(items)}   sources checked: {n_sources}")
    print("per lang:       " + ", ".join(f"{k}={v}" for k, v in sorted(by_lang.items())))
    print("per answerable: " + ", ".join(f"{k}={v}" for k, v in sorted(by_ans.items())))
    print("with history:   " + ", ".join(f"{k}={v}" for k, v in sorted(with_hist.items())))
    print(f"{'kind':<16}{'zh':>5}{'en':>5}{'all':>6}")
    for k in sorted(KINDS):
        print(f"{k:<16}{by_lang_kind[('zh', k)]:>5}{by_lang_kind[('en', k)]:>5}{by_kind[k]:>6}")
    print(f"warnings: {len(warnings)}   failures: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
