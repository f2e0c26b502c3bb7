"""The model worker: one generation at a time, and no requester can hold it."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from assistant.generation import worker as worker_module
from assistant.generation.worker import Cancelled, ModelWorker, Waiting, WorkerError


def slow_words(n: int = 50, delay: float = 0.02, log: list[str] | None = None):
    def produce(stopped: Callable[[], bool]) -> Iterator[str]:
        for i in range(n):
            if stopped():
                return
            time.sleep(delay)
            if log is not None:
                log.append(f"w{i}")
            yield f"w{i} "
    return produce


def test_answers_in_order() -> None:
    worker = ModelWorker(stall_seconds=5)
    assert "".join(worker.stream(slow_words(5, 0.0))) == "w0 w1 w2 w3 w4 "
    assert worker.status()["completed"] == 1


class _SlowHandOver(queue.Queue):
    """A job's queue whose writer is descheduled right after each item (as a
    loaded machine does): whatever the worker does after handing over the
    end happens after the reader has moved on."""

    def put(self, item: object, block: bool = True, timeout: float | None = None) -> None:
        super().put(item, block, timeout)
        time.sleep(0.05)


def test_a_finished_answer_has_freed_the_model_when_its_reader_hears_the_end(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A status read right after an answer (or a failure) never shows it running."""
    monkeypatch.setattr(worker_module.Job, "__init__", _job_with(_SlowHandOver))
    worker = ModelWorker(stall_seconds=5)

    def broken(stopped: Callable[[], bool]) -> Iterator[str]:
        yield "w "
        raise RuntimeError("boom")

    assert "".join(worker.stream(slow_words(2, 0.0))) == "w0 w1 "
    assert worker.status()["running"] == 0
    with pytest.raises(WorkerError):
        list(worker.stream(broken))
    assert worker.status()["running"] == 0


def _job_with(out: type[queue.Queue]) -> Callable[..., None]:
    plain = worker_module.Job.__init__

    def init(self: worker_module.Job, *args: object, **kwargs: object) -> None:
        plain(self, *args, **kwargs)
        self.out = out()
    return init


def test_a_closed_stream_frees_the_model_at_once() -> None:
    worker = ModelWorker(stall_seconds=30, poll_seconds=0.05)
    made: list[str] = []
    stream = worker.stream(slow_words(1000, 0.01, made))
    next(stream)
    stream.close()  # the client went away
    time.sleep(0.3)
    produced = len(made)
    time.sleep(0.3)
    assert len(made) == produced < 100  # it stopped, long before the 1000 words
    started = time.monotonic()
    assert "".join(worker.stream(slow_words(3, 0.0))) == "w0 w1 w2 "
    assert time.monotonic() - started < 1.0


def test_an_abandoned_stream_frees_the_model_after_the_stall_time() -> None:
    """A requester that neither reads nor closes (a suspended generator)."""
    worker = ModelWorker(stall_seconds=0.3, poll_seconds=0.05)
    made: list[str] = []
    stream = worker.stream(slow_words(1000, 0.01, made))
    next(stream)  # then never read again, never closed
    started = time.monotonic()
    assert "".join(worker.stream(slow_words(2, 0.0))) == "w0 w1 "
    assert time.monotonic() - started < 2.0
    assert len(made) < 200
    del stream


def test_a_cancelled_request_never_runs() -> None:
    worker = ModelWorker(stall_seconds=5, poll_seconds=0.05)
    ran: list[str] = []
    first = worker.stream(slow_words(20, 0.02))
    next(first)
    cancel = threading.Event()
    result: list[object] = []

    def queued() -> None:
        try:
            result.extend(worker.stream(slow_words(5, 0.0, ran), cancel=cancel))
        except Cancelled as exc:
            result.append(exc)

    t = threading.Thread(target=queued)
    t.start()
    time.sleep(0.1)
    cancel.set()
    t.join(timeout=2)
    list(first)
    time.sleep(0.1)
    assert ran == [] and isinstance(result[-1], Cancelled)


def test_a_waiting_request_learns_its_place() -> None:
    worker = ModelWorker(stall_seconds=5, poll_seconds=0.05)
    busy = worker.stream(slow_words(30, 0.02))
    next(busy)
    items = list(worker.stream(slow_words(2, 0.0), report_wait=True))
    assert Waiting(1) in items
    assert [i for i in items if isinstance(i, str)] == ["w0 ", "w1 "]
    list(busy)


def test_a_failure_reaches_the_requester_and_the_worker_goes_on() -> None:
    worker = ModelWorker(stall_seconds=5)

    def broken(stopped: Callable[[], bool]) -> Iterator[str]:
        yield "a"
        raise RuntimeError("model crashed")

    with pytest.raises(WorkerError, match="model crashed"):
        list(worker.stream(broken))
    assert "".join(worker.stream(slow_words(1, 0.0))) == "w0 "


def test_a_request_that_waits_too_long_times_out() -> None:
    worker = ModelWorker(stall_seconds=5, poll_seconds=0.05)
    busy = worker.stream(slow_words(100, 0.02))
    next(busy)
    with pytest.raises(WorkerError, match="within"):
        list(worker.stream(slow_words(1, 0.0), timeout=0.2))
    busy.close()
