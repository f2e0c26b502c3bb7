"""Shared fixtures. Offline variables are set before anything heavy is imported."""

from __future__ import annotations

import core.offline  # noqa: F401  (first: sets HF_HUB_OFFLINE etc.)

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.settings import ROOT, Settings

BUNDLED = ROOT / "data" / "docs" / "bonn-shanghai.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _indexed(tmp: Path, **overrides: object) -> Settings:
    from ingest.pipeline import ingest

    docs = tmp / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copy(BUNDLED, docs / BUNDLED.name)
    s = Settings.from_env(environ={}).replace(
        docs_dir=docs, store_dir=tmp / "chroma", generator="extractive").replace(**overrides)
    report = ingest(None, s, progress=False)
    assert report.chunks > 0 and not report.errors
    return s


@pytest.fixture(scope="session")
def bundled() -> Path:
    """The bundled document."""
    return BUNDLED


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
        docs_dir=docs_dir, store_dir=tmp_path / "chroma", generator="extractive")


@pytest.fixture(scope="session")
def make_index() -> Callable[..., Settings]:
    """``make_index(folder, **settings)``: settings over a private copy of the
    bundled document in ``folder``, already ingested (extractive generator)."""
    return _indexed


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A free TCP port on loopback, for servers the tests start."""
    return _free_port


@pytest.fixture(scope="module")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Start ``python -m assistant serve`` with extra arguments on a free
    loopback port; wait until /health is 200; stop it after the module.
    Gives a function ``(args, env) -> base URL``."""
    procs: list[tuple[subprocess.Popen, object]] = []

    def health(url: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    def start(args: list[str], env: dict[str, str] | None = None, timeout: float = 180) -> str:
        port = _free_port()
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
        _stop(proc)
        log.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def stop_process() -> Callable[[subprocess.Popen], None]:
    """Terminate a server process a test started, killing it if it hangs."""
    return _stop
