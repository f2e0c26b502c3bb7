"""Who may reach the server, and from which page.

- Sign-in (when ``auth`` or ``api_keys`` is set): the page and every route
  but ``/health`` need HTTP basic credentials of a configured user, or
  ``Authorization: Bearer <key>``; anything else is a 401. Basic auth, not a
  login form: the browser asks once and sends it with every request of the
  page (its scripts, its event streams), so nothing of Gradio's needs
  changing.
- Same origin: a request that changes something (any method but GET, HEAD,
  OPTIONS) from a browser must come from this server's own page. Browsers
  send ``Origin`` (or ``Sec-Fetch-Site``) with such requests; a page on
  another site that makes a reader's browser post a question or an upload
  gets a 403. Clients that are not browsers send neither and pass.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from assistant.web.security import ASGIApp, Receive, Scope, Send

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
OPEN_PATHS = {"/health"}  # probes; it says nothing about the documents when sign-in is on
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def entries(setting: str) -> list[str]:
    """A setting that is a comma-separated list, or the path of a file with one
    entry per line (blank lines and ``#`` comments skipped)."""
    setting = setting.strip()
    if not setting:
        return []
    path = Path(setting)
    if "," not in setting and path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
    else:
        lines = setting.split(",")
    return [s.strip() for s in lines if s.strip() and not s.strip().startswith("#")]


def users(setting: str) -> dict[str, str]:
    """``user:password`` entries -> {user: password}; ValueError for a bad entry."""
    found: dict[str, str] = {}
    for entry in entries(setting):
        user, sep, password = entry.partition(":")
        if not sep or not user or not password:
            raise ValueError("ASSISTANT_AUTH entries are user:password (comma-separated, or one "
                             "per line in a file); an entry without both was found")
        found[user] = password
    return found


class Access:
    """Sign-in and the same-origin rule, as ASGI middleware."""

    def __init__(self, app: ASGIApp, logins: dict[str, str], keys: Iterable[str] = (),
                 origins: Iterable[str] = ()) -> None:
        self.app = app
        self.logins = logins
        self.keys = [k for k in keys if k]
        self.origins = {o.rstrip("/").lower() for o in origins if o}

    @property
    def signs_in(self) -> bool:
        return bool(self.logins or self.keys)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if scope.get("method", "GET") not in SAFE_METHODS and not self.same_origin(headers):
            await _refuse(send, 403, "cross-site requests are refused: post from this server's own "
                                     "page, or from a client that is not a browser")
            return
        if self.signs_in and scope.get("path") not in OPEN_PATHS and not self.signed_in(headers):
            await _refuse(send, 401, "sign-in required", challenge=bool(self.logins))
            return
        await self.app(scope, receive, send)

    def same_origin(self, headers: dict[bytes, bytes]) -> bool:
        origin = headers.get(b"origin", b"").decode("latin-1").strip().lower()
        if not origin:
            return headers.get(b"sec-fetch-site", b"") != b"cross-site"
        if origin in self.origins:
            return True
        host = headers.get(b"host", b"").decode("latin-1").strip().lower()
        return origin != "null" and bool(host) and urlsplit(origin).netloc == host

    def signed_in(self, headers: dict[bytes, bytes]) -> bool:
        scheme, _, value = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            return any(hmac.compare_digest(value.encode(), k.encode()) for k in self.keys)
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        expected = self.logins.get(user)
        return expected is not None and hmac.compare_digest(password.encode(), expected.encode())


async def _refuse(send: Send, status: int, message: str, challenge: bool = False) -> None:
    kind = "authentication_error" if status == 401 else "permission_error"
    payload = json.dumps({"error": {"message": message, "type": kind, "param": None,
                                    "code": None}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    if challenge:
        headers.append((b"www-authenticate", b'Basic realm="document assistant", charset="UTF-8"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
