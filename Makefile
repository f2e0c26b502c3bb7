# `make run`: set up and start the web chat on the bundled document.
# `make test`: set up and run every test (fast and slow), lint, and the eval gate.
.PHONY: setup run test test-fast lint eval eval-full bench reliability

setup:
	bash scripts/setup.sh

run: setup
	.venv/bin/python -m assistant serve

test: setup
	.venv/bin/ruff check .
	.venv/bin/python -m pytest -q -m "not full"

test-fast:
	.venv/bin/python -m pytest -q -m "not slow"

lint:
	.venv/bin/ruff check .

eval:
	.venv/bin/python -m evals run evals/sets/bilingual.jsonl --generator extractive --out evals/out/extractive

eval-full:
	.venv/bin/python -m evals run evals/sets/bilingual.jsonl --generator local --out evals/reports/local

bench:
	.venv/bin/python -m evals bench --out evals/out/bench

reliability:
	bash scripts/reliability.sh
