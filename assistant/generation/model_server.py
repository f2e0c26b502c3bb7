"""The local model as its own OpenAI-compatible server (llama.cpp's, from the
pinned llama-cpp-python), so that several web workers and other clients
share one model, and a model crash does not take the page down.

``python -m assistant model-server`` runs it in the foreground;
``python -m assistant serve --model-server`` starts it as a child process,
points the ``openai`` generator at it and restarts it when it dies (while it
is down, answers quote the document, with a notice).
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

from core.settings import Settings

log = logging.getLogger("assistant.model_server")
ALIAS = "local-model"


def command(settings: Settings, host: str, port: int) -> list[str]:
    g = settings.generation
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(g.model_path),
            "--model_alias", ALIAS, "--n_ctx", str(g.n_ctx), "--n_threads", str(g.n_threads),
            "--host", host, "--port", str(port)]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, before exec: the kernel ends it when the web process
    ends, however it ends (a SIGKILL leaves no chance to stop it otherwise)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def client_settings(settings: Settings, url: str) -> Settings:
    """``settings`` with the ``openai`` generator pointed at the model server."""
    return settings.replace(generator="openai", openai_base_url=url, openai_model=ALIAS)


def ready(url: str, timeout: float = 2.0) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    try:
        with opener.open(f"{url}/models", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


class Supervisor:
    """Runs the model server as a child process and restarts it when it exits."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1", port: int = 0,
                 restart_after: float = 2.0) -> None:
        self.settings = settings
        self.host, self.port = host, port or free_port(host)
        self.url = f"http://{host}:{self.port}/v1"
        self.restart_after = restart_after
        self.restarts = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()

    def start(self) -> Supervisor:
        self._spawn()
        threading.Thread(target=self._watch, name="model-server-supervisor", daemon=True).start()
        return self

    def _spawn(self) -> None:
        log.info("starting the model server at %s", self.url)
        self.proc = subprocess.Popen(command(self.settings, self.host, self.port),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent if sys.platform == "linux" else None)

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            if self.proc is not None and self.proc.poll() is not None:
                log.warning("the model server exited (%s); restarting it", self.proc.returncode)
                if self._stop.wait(self.restart_after):
                    return
                self.restarts += 1
                self._spawn()

    def status(self) -> dict[str, Any]:
        alive = self.proc is not None and self.proc.poll() is None
        return {"url": self.url, "running": alive, "restarts": self.restarts,
                "pid": self.proc.pid if self.proc else None}

    def wait_ready(self, timeout: float = 120.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready(self.url):
                return True
            time.sleep(0.5)
        return False

    def stop(self) -> None:
        self._stop.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
