"""Bad input, fuzzed (hypothesis): any bytes in any supported file type are
a document or a LoadError naming the file, never another exception; any
request body to the chat API is an answer or a 4xx with a message, never a
500 or a stack trace; the index is never touched by what fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import web
from assistant.build import build_assistant
from core.settings import Settings
from ingest.clean import clean
from ingest.loaders import SUPPORTED, LoadError, load

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUPPORTED))
def test_any_bytes_load_as_text_or_fail_with_the_reason(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    try:
        raw = load(path)
    except LoadError as exc:
        assert exc.reason and exc.path == path
        return
    clean(raw.text, raw.has_pages)  # whatever loaded, the cleaner takes


@FUZZ
@given(st.text(max_size=3000))
def test_the_cleaner_takes_any_text(text: str) -> None:
    blocks = clean(text, False)
    assert all(b.text.strip() for b in blocks)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                max_size=4), max_leaves=12)
MESSAGE = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system", "tool", 3]),
                                 "content": JSON})
BODY = st.one_of(JSON, st.fixed_dictionaries(
    {"messages": st.lists(MESSAGE, max_size=3)},
    optional={"stream": JSON, "model": JSON, "documents": JSON, "max_tokens": JSON}))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, make_index) -> Iterator[TestClient]:
    s: Settings = make_index(tmp_path_factory.mktemp("fuzz"))
    with TestClient(web.build_app(build_assistant(s), s)) as c:
        yield c


@FUZZ
@given(body=BODY)
def test_any_request_body_is_an_answer_or_a_clear_4xx(client: TestClient, body: object) -> None:
    r = client.post("/v1/chat/completions", content=json.dumps(body), headers={"content-type": "application/json"})
    assert r.status_code in (200, 400, 413, 422), r.text
    if r.status_code != 200:
        message = r.json()["error"]["message"]
        assert message and "Traceback" not in message


@FUZZ
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_a_body_are_a_clear_4xx(client: TestClient, raw: bytes) -> None:
    r = client.post("/v1/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (200, 400, 413), r.text
