#!/usr/bin/env bash
# The full reliability run (`make reliability`): the fault and load tests,
# then 16 and 32 concurrent chats against the web server with the local model.
# Writes evals/reports/reliability/load-{16,32}-local.json.
set -euo pipefail
cd "$(dirname "$0")/.."
out=evals/reports/reliability
mkdir -p "$out"
.venv/bin/python -m pytest -q tests/reliability
.venv/bin/python -m pytest -q -m full   # the long runs `make test` leaves out (the dev injection corpus)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/python -m assistant serve --port "$port" --generator local > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/health" > /dev/null && break
  sleep 1
done
for n in 16 32; do
  .venv/bin/python -m evals.load --url "http://127.0.0.1:$port" --clients "$n" --json | tail -1 > "$out/load-$n-local.json"
  cat "$out/load-$n-local.json"; echo
done
