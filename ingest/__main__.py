"""python -m ingest [PATH ...] [--store DIR] [--rebuild] [--json]"""

from __future__ import annotations

import core.offline  # noqa: F401  (must precede heavy imports)

import argparse
import json
import sys
from pathlib import Path

from core.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default data/docs/)")
    parser.add_argument("--store", type=Path, help="Chroma folder (default data/chroma)")
    parser.add_argument("--rebuild", action="store_true", help="drop the index and start over")
    parser.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    parser.add_argument("--list", action="store_true", help="list the indexed documents and stop")
    parser.add_argument("--embedder", choices=["e5", "st"], help="embedding model")
    parser.add_argument("--embedder-path", help="local sentence-transformers folder (with --embedder st)")
    args = parser.parse_args(argv)

    from index.embedders import EmbedderError
    from index.store import WRITE_ERRORS, StoreError, failed_write
    from ingest.pipeline import ingest

    try:
        settings = Settings.from_env().replace(
            store_dir=args.store, embedder=args.embedder, embedder_path=args.embedder_path
        )
        if args.list:
            try:
                return _list(settings, args.json)
            except WRITE_ERRORS as exc:  # Chroma writes as it reads: a full disk fails a listing too
                raise failed_write(settings, "reading", exc) from exc
        report = ingest(args.paths or None, settings, rebuild=args.rebuild)
    except (StoreError, EmbedderError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.json:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 2
    for line in report.errors:
        print(f"error: {line}", file=sys.stderr)
    summary = (f"{report.documents} documents, {report.chunks} chunks: {report.added} added, "
               f"{report.updated} updated, {report.unchanged} unchanged, {report.removed} removed; "
               f"{report.embedded} embedded in {report.seconds:.2f} s -> {report.store}")
    print(summary, file=sys.stderr if args.json else sys.stdout)
    if report.instructions:
        print(f"note: {report.instructions} passages contain sentences that read as instructions to "
              "an assistant; answers leave those sentences out", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 1 if report.errors else 0


def _list(settings: Settings, as_json: bool) -> int:
    from index.embedders import embedder_id, make_embedder
    from index.store import open_store

    docs = open_store(settings, embedder_id(make_embedder(settings)), create=False).documents()
    for d in docs:
        flagged = f", {d['instructions']} with instructions to an assistant" if d["instructions"] else ""
        print(f"{d['name']}  [{d['language'] or '?'}]  {d['chunks']} chunks, {d['sections']} sections"
              f"{flagged}  — {d['title']}", file=sys.stderr if as_json else sys.stdout)
    if as_json:
        print(json.dumps({"documents": docs}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
