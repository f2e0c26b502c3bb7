"""One configuration object, in sections: ingest, index, retrieval,
generation, review, server.

Defaults work offline on the bundled document. Every field can be set by an
environment variable ``ASSISTANT_<FIELD>`` (field names are unique across
sections, e.g. ``ASSISTANT_GENERATOR=extractive``, ``ASSISTANT_STORE_DIR``)
and by CLI flags, which call :meth:`Settings.replace` with the same names.
Each field's ``doc`` says what it does; for a tuned number, what it was
measured on (the history is in docs/decisions.md).

>>> s = Settings.from_env(environ={"ASSISTANT_TOP_K": "5"})
>>> s.retrieval.top_k, s.replace(generator="extractive").generation.generator
(5, 'extractive')
"""

from __future__ import annotations

import dataclasses
import os
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ENV_PREFIX = "ASSISTANT_"

# The names components are chosen by (one registry; the CLI, the web page and
# the validation all read it).
GENERATORS = ("local", "openai", "extractive")
EMBEDDERS = ("e5", "st")
SECRET = {"openai_api_key", "auth", "api_keys"}  # shown as *** wherever settings are listed


def _f(default: Any, doc: str, **kw: Any) -> Any:
    if isinstance(default, list | dict):
        return field(default_factory=lambda: default, metadata={"doc": doc}, **kw)
    return field(default=default, metadata={"doc": doc}, **kw)


@dataclass(frozen=True)
class IngestSettings:
    docs_dir: Path = _f(DATA / "docs", "the bundled documents, ingested by default")
    chunk_size: int = _f(350, "longest chunk, characters (eval hit@1: 350 0.75, 280 0.72, 200 0.69)")
    chunk_overlap: int = _f(70, "characters shared by neighbouring chunks")
    chunk_min: int = _f(120, "a piece shorter than this joins a neighbour")
    sentence_min: int = _f(6, "sentences shorter than this get no vector of their own")
    max_file_mb: float = _f(50.0, "largest document file, MB (bigger files are refused with a message)")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)


@dataclass(frozen=True)
class IndexSettings:
    embedder: str = _f("e5", f"embedding model: one of {', '.join(EMBEDDERS)}")
    embedder_path: str = _f("", "local sentence-transformers folder for 'st' (default: packaged MiniLM)")
    embed_threads: int = _f(2, "threads of the e5 embedder")
    embed_batch: int = _f(16, "texts embedded per call at ingest")
    store_dir: Path = _f(DATA / "chroma", "the Chroma folder")
    min_free_mb: float = _f(20.0, "an ingest does not start with less free disk than this under the store, MB "
                                  "(the bundled paper's store is 1.5 MB)")
    collection: str = _f("docs", "the Chroma collection")
    chroma_host: str = _f("", "a `chroma run` server's host (with chroma_port)")
    chroma_port: int = _f(0, "a `chroma run` server's port")

    @property
    def uses_server(self) -> bool:
        return bool(self.chroma_host and self.chroma_port)


@dataclass(frozen=True)
class RetrievalSettings:
    top_k: int = _f(3, "passages handed to the generator")
    context_chars: int = _f(600, "passages after the first are read while the context stays within "
                                 "this (first token +0.45 s per 100 characters, local model)")
    candidates: int = _f(20, "passages each ranking contributes before fusion")
    rrf_k: int = _f(10, "reciprocal-rank fusion constant (grid 5-60 on the eval set: within 0.02 hit@1)")
    bm25_weight: float = _f(1.5, "BM25's fusion weight, times the share of query words the corpus knows")
    merge_window: int = _f(3, "neighbouring chunks both in this top are read as one passage (hit@1 +0.03)")
    merge_chars: int = _f(700, "longest merged passage, characters")
    dense_min_chars: int = _f(40, "shorter passages join the vector rankings only when BM25 ranks them "
                                  "first (hit@1 +0.017; 60 lost 0.025)")
    outline_share: float = _f(0.5, "a heading word in at most this share of passages is specific")
    salient_share: float = _f(0.3, "a query word in at most this share of passages is salient")
    glossary_path: Path = _f(DATA / "glossary.tsv", "optional bilingual term pairs the user edits")
    translate_question: bool = _f(True, "the model renders the question in the documents' other languages "
                                        "for the search")
    profile_path: Path = _f(DATA / "profile.toml", "the corpus profile: page copy, example questions")


@dataclass(frozen=True)
class GenerationSettings:
    generator: str = _f("local", f"answer generator: one of {', '.join(GENERATORS)}")
    model_path: Path = _f(DATA / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                          "GGUF file of the local generator")
    n_ctx: int = _f(2048, "context tokens of the local model (prompts stay under ~900)")
    n_threads: int = _f(2, "threads of the local model")
    max_tokens: int = _f(320, "longest answer, tokens")
    openai_base_url: str = _f("http://127.0.0.1:8000/v1", "the OpenAI-compatible endpoint")
    openai_model: str = _f("local-model", "the model name sent to it")
    openai_api_key: str = _f("", "its key (OPENAI_API_KEY works too)", repr=False)
    stall_seconds: float = _f(10.0, "a request whose tokens lie unread this long was abandoned")
    queue_timeout: float = _f(600.0, "no request waits and runs longer than this, seconds")
    rendering_cache: int = _f(256, "whole-passage translations kept for readers of another language")
    rendering_piece_chars: int = _f(300, "a passage is translated in runs of whole sentences up to this "
                                         "long (~200 tokens of English: within max_tokens)")
    extractive_min_score: float = _f(0.1, "the extractive generator refuses below this sentence match "
                                           "(0.1: 1/22 unanswerable, 9/123 answerable refused; 0.2: 4, 25)")


@dataclass(frozen=True)
class ReviewSettings:
    instruction_weak_needed: int = _f(2, "weak features that make a sentence an instruction "
                                         "(0 flags on the three real documents and the eval questions)")
    novelty_max: float = _f(0.3, "a Chinese answer with this share of new character pairs is invented "
                                 "(grounded answers 0.00-0.18, invented names 0.5)")
    lexical_min: float = _f(0.2, "below this word overlap a sentence is cited by meaning instead")
    premise_check: bool = _f(True, "check what a question takes for granted before the model answers")
    yes_no_check: bool = _f(True, "a yes/no answer that contradicts its evidence sentence is corrected")
    evidence_translations: int = _f(1, "evidence sentences translated for a reader of another language")


@dataclass(frozen=True)
class ServerSettings:
    host: str = _f("127.0.0.1", "address the server binds")
    port: int = _f(7860, "its port")
    max_question_chars: int = _f(2000, "longest question")
    max_body_bytes: int = _f(1_000_000, "largest request body")
    max_messages: int = _f(200, "most messages in one request")
    max_history_chars: int = _f(40_000, "longest conversation history, characters")
    auth: str = _f("", "sign-in for the page and /v1/*: user:password entries, comma-separated, "
                       "or a file with one per line (empty: no sign-in)", repr=False)
    api_keys: str = _f("", "keys accepted as 'Authorization: Bearer KEY': comma-separated or a file",
                       repr=False)
    allowed_origins: str = _f("", "other page origins (scheme://host:port) that may post, comma-separated")
    chat_concurrency: int = _f(16, "web chat turns in flight at once (the model queues them; each "
                                   "waiting turn shows its place)")
    ingest_wait: float = _f(600.0, "an upload waits this long for another ingest to finish, seconds")


SECTIONS: dict[str, type] = {"ingest": IngestSettings, "index": IndexSettings,
                             "retrieval": RetrievalSettings, "generation": GenerationSettings,
                             "review": ReviewSettings, "server": ServerSettings}


@dataclass(frozen=True)
class Settings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    server: ServerSettings = field(default_factory=ServerSettings)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, (_, kind) in FIELDS.items():
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None:
                values[name] = _coerce(kind, raw, name)
        # The OpenAI key is conventionally read from OPENAI_API_KEY too.
        if "openai_api_key" not in values and env.get("OPENAI_API_KEY"):
            values["openai_api_key"] = env["OPENAI_API_KEY"]
        return cls().replace(**values).replace(**overrides)

    def replace(self, **overrides: object) -> Settings:
        """A copy with fields changed by name (``None`` leaves a field as it is)."""
        by_section: dict[str, dict[str, object]] = {}
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in FIELDS:
                raise ValueError(f"unknown setting {name!r}")
            section, kind = FIELDS[name]
            by_section.setdefault(section, {})[name] = Path(str(value)) if kind is Path else value
        sections = {s: dataclasses.replace(getattr(self, s), **v) for s, v in by_section.items()}
        return dataclasses.replace(self, **sections).validated()

    def validated(self) -> Settings:
        if self.index.embedder not in EMBEDDERS:
            raise ValueError(f"embedder must be one of {', '.join(EMBEDDERS)}, not {self.index.embedder!r}")
        if self.generation.generator not in GENERATORS:
            raise ValueError(f"generator must be one of {', '.join(GENERATORS)}, "
                             f"not {self.generation.generator!r}")
        if self.ingest.chunk_overlap >= self.ingest.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        if self.retrieval.top_k < 1:
            raise ValueError("top_k must be at least 1")
        if self.retrieval.context_chars < 1:
            raise ValueError("context_chars must be at least 1")
        return self

    def describe(self) -> list[dict[str, object]]:
        """Every field: section, name, value, doc, and whether the environment set it."""
        out = []
        for name, (section, _) in FIELDS.items():
            f = next(f for f in dataclasses.fields(SECTIONS[section]) if f.name == name)
            value = getattr(getattr(self, section), name)
            out.append({"section": section, "name": name,
                        "value": "***" if name in SECRET and value else str(value),
                        "doc": f.metadata.get("doc", ""),
                        "from_env": ENV_PREFIX + name.upper() in os.environ})
        return out


def _fields() -> dict[str, tuple[str, type]]:
    found: dict[str, tuple[str, type]] = {}
    for section, cls in SECTIONS.items():
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if f.name in found:
                raise TypeError(f"setting {f.name!r} is in two sections")
            kind = hints[f.name]
            found[f.name] = (section, kind if not isinstance(kind, types.UnionType) else str)
    return found


FIELDS = _fields()


def _coerce(kind: type, raw: str, name: str) -> object:
    try:
        if kind is bool:
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes", "on")
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        if kind is Path:
            return Path(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}") from exc
    return raw
