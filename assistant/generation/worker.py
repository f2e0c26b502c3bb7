"""One model, many requesters: a worker thread that runs one generation at a
time, taken in order from a queue.

The model's context is never held by a caller. A requester reads its
tokens from its own queue; the worker stops generating for it as soon as
it goes away (the reading generator is closed, its cancel event is set, or
its tokens lie unread for ``stall_seconds``), so an abandoned stream (a
closed tab, a client timeout) frees the model at once, and nothing waits
for the garbage collector. Requests that wait say where they are in line.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

log = logging.getLogger("assistant.worker")

_DONE = object()


class WorkerError(RuntimeError):
    """The generation failed or timed out; the message says which."""


class Cancelled(WorkerError):
    pass


# A job's work: given a function that says whether to stop, yield text pieces.
Produce = Callable[[Callable[[], bool]], Iterator[str]]


@dataclass
class Job:
    produce: Produce
    cancel: threading.Event
    out: queue.Queue = field(default_factory=queue.Queue)
    last_read: float = field(default_factory=time.monotonic)
    started: bool = False


@dataclass
class Waiting:
    """Yielded instead of text while a job waits: its place in line (1 = next)."""

    position: int


class ModelWorker:
    def __init__(self, name: str = "model", stall_seconds: float = 10.0,
                 poll_seconds: float = 0.5) -> None:
        self.stall_seconds = stall_seconds
        self.poll_seconds = poll_seconds
        self._jobs: deque[Job] = deque()
        self._cond = threading.Condition()
        self._running: Job | None = None
        self.stats = {"completed": 0, "cancelled": 0, "failed": 0}
        self._thread = threading.Thread(target=self._loop, name=f"{name}-worker", daemon=True)
        self._thread.start()

    # -- the requester's side ----------------------------------------------------
    def stream(self, produce: Produce, cancel: threading.Event | None = None,
               timeout: float = 600.0, report_wait: bool = False) -> Iterator[str | Waiting]:
        """Text pieces of ``produce`` as the worker makes them. With
        ``report_wait``, :class:`Waiting` items say the place in line while
        the job waits. Raises :class:`WorkerError` on failure or timeout."""
        job = Job(produce, cancel or threading.Event())
        with self._cond:
            self._jobs.append(job)
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        last_place = -1
        try:
            while True:
                job.last_read = time.monotonic()
                if job.cancel.is_set():
                    raise Cancelled("the request was cancelled")
                if time.monotonic() > deadline:
                    raise WorkerError(f"no answer from the model within {timeout:.0f} s")
                try:
                    item = job.out.get(timeout=self.poll_seconds)
                except queue.Empty:
                    place = self.position(job)
                    if report_wait and place > 0 and place != last_place:
                        last_place = place
                        yield Waiting(place)
                    continue
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            # Finished, failed or abandoned: in every case the worker stops for it.
            job.cancel.set()

    def position(self, job: Job) -> int:
        """1 for the next job to run, 0 once it runs (or is gone)."""
        with self._cond:
            try:
                return self._jobs.index(job) + 1
            except ValueError:
                return 0

    def status(self) -> dict[str, int]:
        with self._cond:
            return {"queued": sum(not j.cancel.is_set() for j in self._jobs),
                    "running": int(self._running is not None), **self.stats}

    # -- the worker's side ------------------------------------------------------
    def _next(self) -> Job:
        with self._cond:
            while True:
                while self._jobs and self._jobs[0].cancel.is_set():
                    self._jobs.popleft()
                    self.stats["cancelled"] += 1
                if self._jobs:
                    job = self._jobs.popleft()
                    self._running = job
                    return job
                self._cond.wait(timeout=self.poll_seconds)

    def _abandoned(self, job: Job) -> bool:
        unread = job.out.qsize() > 0 and time.monotonic() - job.last_read > self.stall_seconds
        return job.cancel.is_set() or unread

    def _loop(self) -> None:
        while True:
            job = self._next()
            job.last_read = time.monotonic()
            end: object = _DONE
            try:
                for piece in job.produce(lambda j=job: self._abandoned(j)):
                    if self._abandoned(job):
                        break
                    job.out.put(piece)
                if self._abandoned(job):
                    job.cancel.set()
                    self.stats["cancelled"] += 1
                else:
                    self.stats["completed"] += 1
            except Exception as exc:  # noqa: BLE001  (handed to the requester)
                self.stats["failed"] += 1
                log.warning("generation failed: %s", exc)
                end = WorkerError(f"the model failed: {exc}")
            finally:
                # Free the model before the requester hears the end, so that a
                # status read after a finished answer never shows it running.
                with self._cond:
                    self._running = None
                    self._cond.notify_all()
                job.out.put(end)
