"""Who may reach the server: with sign-in configured the page and every /v1
route need it (basic auth or a bearer key), /health stays open but names no
documents; posts from another site's page are refused either way."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant import web
from assistant.web.access import users
from core.settings import Settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # No index is needed: the rules hold before the assistant is loaded.
    tmp = tmp_path_factory.mktemp("access")
    return Settings.from_env(environ={}).replace(store_dir=tmp / "chroma", generator="extractive",
                                                 auth="ana:s3cret,ben:pa:ss", api_keys="key-123")


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(web.build_app(None, settings)) as c:
        yield c


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"authorization": f"Basic {token}"}


ROUTES = [("get", "/"), ("get", "/v1/models"), ("get", "/v1/documents"),
          ("post", "/v1/chat/completions"), ("post", "/v1/documents"),
          ("delete", "/v1/documents/x.txt"), ("get", "/api/openapi.json"), ("get", "/gradio_api/info")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_nothing_answers_without_sign_in(client: TestClient, method: str, path: str) -> None:
    r = getattr(client, method)(path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize("headers", [basic("ana", "wrong"), basic("eve", "s3cret"),
                                     {"authorization": "Bearer nope"},
                                     {"authorization": "Basic !!notbase64"}])
def test_wrong_credentials_are_refused(client: TestClient, headers: dict[str, str]) -> None:
    assert client.get("/v1/models", headers=headers).status_code == 401


@pytest.mark.parametrize("headers", [basic("ana", "s3cret"), basic("ben", "pa:ss"),
                                     {"authorization": "Bearer key-123"}])
def test_a_user_or_a_key_gets_in(client: TestClient, headers: dict[str, str]) -> None:
    assert client.get("/v1/models", headers=headers).status_code == 200
    assert client.get("/", headers=headers).status_code == 200


def test_health_stays_open_for_probes_and_names_no_documents(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 503  # nothing loaded here
    assert set(r.json()) <= {"status", "reason", "generator"}


def test_a_post_from_another_sites_page_is_refused_even_signed_in(client: TestClient) -> None:
    headers = {**basic("ana", "s3cret"), "origin": "https://evil.example"}
    r = client.post("/v1/chat/completions", json={"messages": []}, headers=headers)
    assert r.status_code == 403 and "cross-site" in r.json()["error"]["message"]
    r = client.post("/v1/documents", files={"file": ("a.txt", b"x")},
                    headers={**basic("ana", "s3cret"), "sec-fetch-site": "cross-site"})
    assert r.status_code == 403


def test_a_post_from_the_servers_own_page_passes_the_origin_rule(client: TestClient) -> None:
    headers = {**basic("ana", "s3cret"), "origin": "http://testserver"}
    r = client.post("/v1/chat/completions", json={"messages": []}, headers=headers)
    assert r.status_code == 400  # past the gate: the (empty) request itself is what is wrong


def test_users_come_from_a_list_or_a_file(tmp_path: Path) -> None:
    f = tmp_path / "users"
    f.write_text("# team\nana:one\n\nben:two:three\n", encoding="utf-8")
    assert users(str(f)) == {"ana": "one", "ben": "two:three"}
    assert users("ana:one, ben:two") == {"ana": "one", "ben": "two"}
    assert users("") == {}
    with pytest.raises(ValueError, match="user:password"):
        users("ana")


def test_without_sign_in_configured_the_page_is_open_but_cross_site_posts_are_not(tmp_path: Path) -> None:
    s = Settings.from_env(environ={}).replace(store_dir=tmp_path / "c", generator="extractive")
    with TestClient(web.build_app(None, s)) as c:
        assert c.get("/v1/models").status_code == 200
        r = c.post("/v1/chat/completions", json={"messages": []}, headers={"origin": "null"})
        assert r.status_code == 403
