"""python -m assistant ask QUESTION [--generator NAME] [--store DIR] [--doc NAME ...] [--json]
python -m assistant serve [--host 127.0.0.1] [--port 7860] [--store DIR] [--model-server]
python -m assistant model-server [--host 127.0.0.1] [--port 8000] [--model GGUF]"""

from __future__ import annotations

import core.offline  # noqa: F401  (must precede heavy imports)

import argparse
import json
import sys
from pathlib import Path

from core.settings import GENERATORS, Settings


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, help="Chroma folder (default data/chroma)")
    p.add_argument("--generator", choices=GENERATORS)
    p.add_argument("--k", type=int, help="passages handed to the generator")
    p.add_argument("--model", type=Path, help="a GGUF file for the local generator")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print a JSON object as the last line")
    ask.add_argument("--history", type=Path, help="JSON file with earlier turns [{role, content}]")
    ask.add_argument("--doc", action="append", metavar="NAME", dest="documents",
                     help="search only this document (its file name, id or title; repeatable)")
    _common(ask)
    serve = sub.add_parser("serve", help="web chat, /health and /v1/chat/completions")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--model-server", action="store_true",
                       help="run the local model as its own server process (restarted if it dies) "
                            "and answer through it")
    _common(serve)
    model = sub.add_parser("model-server", help="the local model as an OpenAI-compatible server")
    model.add_argument("--host", default="127.0.0.1")
    model.add_argument("--port", type=int, default=8000)
    model.add_argument("--model", type=Path, help="a GGUF file (default: the assembled one)")
    args = parser.parse_args(argv)

    from assistant.build import build_assistant
    from assistant.chain import QuestionError
    from assistant.generation import GeneratorError
    from index.embedders import EmbedderError
    from index.store import StoreError

    try:
        settings = Settings.from_env().replace(
            store_dir=getattr(args, "store", None), generator=getattr(args, "generator", None),
            top_k=getattr(args, "k", None), model_path=args.model,
            host=getattr(args, "host", None), port=getattr(args, "port", None))
        if args.command == "model-server":
            import os

            from assistant.generation.model_server import command

            cmd = command(settings, args.host, args.port)
            os.execv(cmd[0], cmd)
        if args.command == "serve":
            from assistant.web import serve as run_server

            supervisor = None
            if args.model_server:
                from assistant.generation.model_server import Supervisor, client_settings

                supervisor = Supervisor(settings).start()
                settings = client_settings(settings, supervisor.url)
            try:
                run_server(settings, supervisor)
            finally:
                if supervisor is not None:
                    supervisor.stop()
            return 0
        history = json.loads(args.history.read_text(encoding="utf-8")) if args.history else None
        bot = build_assistant(settings)
        result = None
        for event in bot.stream(args.question, history, documents=args.documents):
            if event["type"] == "token" and not args.json:
                print(event["text"], end="", flush=True, file=sys.stderr)
            elif event["type"] == "answer":
                result = event["answer"]
    except (QuestionError, GeneratorError, StoreError, EmbedderError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 2
    assert result is not None
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    if not args.json:
        print(file=sys.stderr)
    if result.notice:
        print(f"({result.notice})")
    print(result.display_text())
    for c in result.citations:
        print(f"  [{c.n}] {c.section}: {c.text[:80]}…")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
