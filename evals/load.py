"""Concurrent chats against a running server, with /health probed meanwhile.

    python -m evals.load --url http://127.0.0.1:7860 --clients 16 [--json]

Each client sends one streamed ``/v1/chat/completions`` request (questions
taken in turn from a small bilingual list) and records its latency, whether
it was told its place in the queue (``queue_position`` chunks) and any
error. /health is requested every 0.25 s during the load. Prints errors,
latency p50/p95/max, the share of clients told their place and /health
latency p50/p95/max; ``--json`` prints them as one JSON object last.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

QUESTIONS = [
    "哪些城市与波恩竞争过UNFCCC秘书处？",
    "How many rounds of negotiations did it take for Bonn to win the UNFCCC?",
    "波恩为国际组织提供了哪些硬件优势？",
    "What can Shanghai learn from Bonn?",
]
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy


@dataclass
class Client:
    seconds: float = 0.0
    error: str = ""
    places: list[int] = field(default_factory=list)
    answered: bool = False


def one_chat(url: str, question: str, headers: dict[str, str], timeout: float) -> Client:
    out = Client()
    body = json.dumps({"messages": [{"role": "user", "content": question}], "stream": True}).encode()
    req = urllib.request.Request(url + "/v1/chat/completions", data=body,
                                 headers={"content-type": "application/json", **headers})
    started = time.perf_counter()
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            for raw in r:
                line = raw.decode("utf-8").strip()
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                data = json.loads(line[6:])
                if "error" in data:
                    out.error = str(data["error"].get("message", ""))[:200]
                if "queue_position" in data:
                    out.places.append(int(data["queue_position"]))
                if (data.get("choices") or [{}])[0].get("finish_reason") == "stop":
                    out.answered = True
    except (urllib.error.URLError, OSError, ValueError) as exc:
        out.error = f"{type(exc).__name__}: {exc}"[:200]
    out.seconds = time.perf_counter() - started
    if not out.answered and not out.error:
        out.error = "the stream ended without an answer"
    return out


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p95": round(p95, 3), "max": round(ordered[-1], 3)}


def run(url: str, clients: int, headers: dict[str, str] | None = None,
        timeout: float = 900.0) -> dict[str, Any]:
    headers = headers or {}
    health: list[float] = []
    health_errors: list[str] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            t0 = time.perf_counter()
            try:
                with _OPENER.open(urllib.request.Request(url + "/health", headers=headers), timeout=10) as r:
                    r.read()
            except (urllib.error.URLError, OSError) as exc:
                health_errors.append(str(exc)[:100])
            health.append(time.perf_counter() - t0)
            done.wait(0.25)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda i: one_chat(url, QUESTIONS[i % len(QUESTIONS)], headers, timeout),
                                range(clients)))
    wall = time.perf_counter() - started
    done.set()
    prober.join(timeout=15)
    waited = [r for r in results if r.places]
    return {
        "clients": clients,
        "errors": sum(bool(r.error) for r in results),
        "error_messages": sorted({r.error for r in results if r.error})[:5],
        "latency_s": _quantiles([r.seconds for r in results]),
        "told_place": len(waited),
        "first_places": sorted(r.places[0] for r in waited),
        "health_s": _quantiles(health),
        "health_requests": len(health),
        "health_errors": len(health_errors),
        "wall_s": round(wall, 2),
        "clients_detail": [asdict(r) for r in results],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--bearer", help="an API key, when sign-in is on")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    headers = {"authorization": f"Bearer {args.bearer}"} if args.bearer else {}
    report = run(args.url.rstrip("/"), args.clients, headers)
    summary = {k: v for k, v in report.items() if k != "clients_detail"}
    print(f"{report['clients']} clients: {report['errors']} errors; latency p50 {report['latency_s']['p50']} s, "
          f"p95 {report['latency_s']['p95']} s, max {report['latency_s']['max']} s; told their place "
          f"{report['told_place']}; /health p50 {report['health_s']['p50']} s, p95 "
          f"{report['health_s']['p95']} s, max {report['health_s']['max']} s over "
          f"{report['health_requests']} requests")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
