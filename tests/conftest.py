"""Shared fixtures. Offline variables are set before anything heavy is imported."""

from __future__ import annotations

import assistant.offline  # noqa: F401  (first: sets HF_HUB_OFFLINE etc.)

import shutil
from pathlib import Path

import pytest

from assistant.config import ROOT, Settings

BUNDLED = ROOT / "data" / "docs" / "bonn-shanghai.txt"


@pytest.fixture(scope="session")
def bundled_text() -> str:
    return BUNDLED.read_text(encoding="utf-8")


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled document folder."""
    d = tmp_path / "docs"
    d.mkdir()
    shutil.copy(BUNDLED, d / BUNDLED.name)
    return d


@pytest.fixture
def settings(tmp_path: Path, docs_dir: Path) -> Settings:
    """Settings pointing at a fresh store and the private docs folder."""
    return Settings.from_env(environ={}).replace(
        docs_dir=docs_dir, store_dir=tmp_path / "chroma", generator="extractive"
    )


def free_port() -> int:
    """A free TCP port on loopback, for servers the tests start."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc) -> None:  # noqa: ANN001  (a subprocess.Popen)
    """Terminate a server process the tests started, killing it if it hangs."""
    import subprocess

    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def indexed_settings(tmp: Path, **overrides: object) -> Settings:
    """Settings over a private copy of the bundled document, already ingested."""
    from ingest.pipeline import ingest

    docs = tmp / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copy(BUNDLED, docs / BUNDLED.name)
    s = Settings.from_env(environ={}).replace(
        docs_dir=docs, store_dir=tmp / "chroma", generator="extractive").replace(**overrides)
    report = ingest(None, s, progress=False)
    assert report.chunks > 0 and not report.errors
    return s


@pytest.fixture(scope="module")
def start_server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Start ``python -m assistant serve`` with extra arguments on a free
    loopback port; wait until /health is 200; stop it after the module.
    Returns a function ``(args, env) -> base URL``."""
    import json
    import os
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    procs: list[tuple[subprocess.Popen, object]] = []

    def health(url: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    def start(args: list[str], env: dict[str, str] | None = None, timeout: float = 180) -> str:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = tmp_path_factory.mktemp("server") / "server.log"
        log = log_path.open("w")
        base = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port),
             *args], cwd=ROOT, env={**base, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        procs.append((proc, log))
        deadline = time.monotonic() + timeout
        status, body = 0, {}
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited ({proc.returncode}):\n{log_path.read_text()}")
            try:
                status, body = health(url)
                if status == 200:
                    return url
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"/health never became ready: {status} {body}")
            time.sleep(0.5)

    yield start
    for proc, log in procs:
        stop(proc)
        log.close()  # type: ignore[attr-defined]
