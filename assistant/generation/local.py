"""llama.cpp in-process, as a LangChain chat model.

langchain-community has a llama.cpp chat model but the package is being
sunset, so this thin wrapper stays here. For English answers, tokens that
contain Chinese characters can be banned (logit bias): the small model
otherwise drifts into Chinese when the passages are Chinese.

The model runs in its own worker thread (:mod:`assistant.generation.worker`):
a caller that stops reading never holds it. llama.cpp parses special tokens
in the formatted prompt, so every message is passed through
:func:`core.markup.neutralise_tokens` with this model's own control tokens:
a document or a question cannot open a system turn.
"""

from __future__ import annotations

import atexit
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.generation import GeneratorError
from assistant.generation.worker import ModelWorker, Waiting
from core.markup import neutralise_tokens
from core.settings import GenerationSettings
from core.text import CJK_PUNCT, HAN

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_CJK = re.compile(f"[{HAN}{CJK_PUNCT}]")


@dataclass(frozen=True)
class ModelWork:
    prompt_tokens: int
    generated_tokens: int
    prompt_s: float
    generated_s: float

    def __sub__(self, other: ModelWork) -> ModelWork:
        return ModelWork(self.prompt_tokens - other.prompt_tokens,
                         self.generated_tokens - other.generated_tokens,
                         self.prompt_s - other.prompt_s, self.generated_s - other.generated_s)

    @property
    def seconds(self) -> float:
        return self.prompt_s + self.generated_s


class LlamaCppChat(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 320
    temperature: float = 0.0
    ban_cjk: bool = False  # set per call with .bind(ban_cjk=True)
    repeat_penalty: float = 1.1  # the small model otherwise loops on lists
    stall_seconds: float = 10.0  # unread tokens for this long: the requester is gone
    queue_timeout: float = 600.0  # a request waits and runs at most this long

    _llm: Any = PrivateAttr(default=None)
    _worker: ModelWorker | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _cjk_bias: dict[int, float] | None = PrivateAttr(default=None)
    _specials: tuple[str, ...] | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        path = Path(self.model_path)
        if not path.is_file():
            raise GeneratorError(f"model file not found: {path} (run `make setup` to assemble it)")
        from llama_cpp import Llama

        try:
            self._llm = Llama(model_path=str(path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                              verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise GeneratorError(f"cannot load model {path}: {exc}") from exc
        # Free the model before interpreter shutdown tears down llama.cpp's
        # bindings (otherwise its destructor prints a TypeError at exit).
        atexit.register(self._llm.close)
        self.special_tokens()  # once, at load (~1.5 s over Qwen's 151k-token vocabulary)
        self._worker = ModelWorker("llama", self.stall_seconds)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        specials = self.special_tokens()
        return [{"role": _ROLES.get(m.type, "user"),
                 "content": neutralise_tokens(str(m.content), specials)} for m in messages]

    def special_tokens(self) -> tuple[str, ...]:
        """This model's control tokens as text (``<|im_start|>``, ``<|endoftext|>``…):
        the pieces that detokenize to nothing unless special tokens are shown."""
        if self._specials is None:
            with self._lock:
                llm, found = self._llm, []
                for tid in range(llm.n_vocab()):
                    shown = llm.detokenize([tid], special=True)
                    if shown and not llm.detokenize([tid], special=False):
                        found.append(shown.decode("utf-8", errors="ignore"))
                self._specials = tuple(t for t in found if t.strip())
        return self._specials

    def work(self) -> ModelWork:
        """What llama.cpp has computed since load: the tokens it evaluated
        (prompt tokens not in its cache) and generated, and the time each
        took. The difference of two readings is the model's own time for the
        calls between them, the floor nothing outside the model can beat."""
        from llama_cpp import llama_perf_context

        d = llama_perf_context(self._llm._ctx.ctx)
        return ModelWork(int(d.n_p_eval), int(d.n_eval), d.t_p_eval_ms / 1000, d.t_eval_ms / 1000)

    @property
    def worker(self) -> ModelWorker:
        assert self._worker is not None
        return self._worker

    def _bias(self, ban_cjk: bool) -> dict[int, float] | None:
        if not ban_cjk:
            return None
        if self._cjk_bias is None:
            ids = cjk_token_ids(self._llm.n_vocab(), lambda tid: self._llm.detokenize([tid]))
            self._cjk_bias = dict.fromkeys(ids, -100.0)
        return self._cjk_bias

    def _call_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "logit_bias": self._bias(kwargs.get("ban_cjk", self.ban_cjk)),
            "stop": kwargs.get("stop"),
            "repeat_penalty": self.repeat_penalty,
        }

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        """Tokens from the worker. ``cancel`` (a threading.Event) stops the
        generation when set; with ``report_wait``, empty chunks whose
        ``response_metadata`` has ``queue_position`` say where the request
        waits."""
        params = self._call_kwargs({**kwargs, "stop": stop})
        prompt = self._messages(messages)

        def produce(stopped: Callable[[], bool]) -> Iterator[str]:
            parts = self._llm.create_chat_completion(prompt, stream=True, **params)
            try:
                for part in parts:
                    delta = part["choices"][0]["delta"].get("content")
                    if delta:
                        yield delta
                    if stopped():
                        break
            finally:
                parts.close()

        for piece in self.worker.stream(produce, kwargs.get("cancel"), self.queue_timeout,
                                        report_wait=bool(kwargs.get("report_wait"))):
            if isinstance(piece, Waiting):
                yield ChatGenerationChunk(message=AIMessageChunk(
                    content="", response_metadata={"queue_position": piece.position}))
                continue
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


def cjk_token_ids(vocab_size: int, token_bytes: Callable[[int], bytes]) -> list[int]:
    """Tokens that write Chinese: whole characters, and the byte-level pieces
    that start one. Qwen's tokenizer spells " 年" as b" \xe5\xb9" + b"\xb4";
    banning only the tokens that decode to a character let "2011 年 … 约 1,200
    多" through. Lead bytes 0xE3-0xE9 start every character in U+3000-U+9FFF
    (CJK punctuation and ideographs); the continuation bytes after them are
    shared with other scripts and stay allowed."""
    banned = []
    for tid in range(vocab_size):
        raw = token_bytes(tid)
        if _CJK.search(raw.decode("utf-8", errors="ignore")) or any(0xE3 <= b <= 0xE9 for b in raw):
            banned.append(tid)
    return banned


@cache
def _load(path: str, n_ctx: int, n_threads: int, max_tokens: int, stall_seconds: float,
          queue_timeout: float) -> LlamaCppChat:
    return LlamaCppChat(model_path=path, n_ctx=n_ctx, n_threads=n_threads, max_tokens=max_tokens,
                        stall_seconds=stall_seconds, queue_timeout=queue_timeout)


def load_local(settings: GenerationSettings) -> LlamaCppChat:
    return _load(str(settings.model_path), settings.n_ctx, settings.n_threads, settings.max_tokens,
                 settings.stall_seconds, settings.queue_timeout)
