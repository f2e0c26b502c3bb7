"""llama.cpp in-process, as a LangChain chat model.

langchain-community has a llama.cpp chat model but the package is being
sunset, so this thin wrapper stays here. For English answers, tokens that
contain Chinese characters can be banned (logit bias): the small model
otherwise drifts into Chinese when the passages are Chinese.
"""

from __future__ import annotations

import atexit
import re
import threading
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.config import Settings
from assistant.generators import GeneratorError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


class LlamaCppChat(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 320
    temperature: float = 0.0
    ban_cjk: bool = False  # set per call with .bind(ban_cjk=True)
    repeat_penalty: float = 1.1  # the small model otherwise loops on lists

    _llm: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _cjk_bias: dict[int, float] | None = PrivateAttr(default=None)

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

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]

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
        # One llama.cpp context serves one request at a time.
        with self._lock:
            params = self._call_kwargs({**kwargs, "stop": stop})
            for part in self._llm.create_chat_completion(self._messages(messages), stream=True,
                                                         **params):
                delta = part["choices"][0]["delta"].get("content")
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
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
def _load(path: str, n_ctx: int, n_threads: int, max_tokens: int) -> LlamaCppChat:
    return LlamaCppChat(model_path=path, n_ctx=n_ctx, n_threads=n_threads, max_tokens=max_tokens)


def load_local(settings: Settings) -> LlamaCppChat:
    return _load(str(settings.model_path), settings.n_ctx, settings.n_threads, settings.max_tokens)
