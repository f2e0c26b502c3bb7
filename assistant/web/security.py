"""What every response carries, and what no request may exceed.

- A Content-Security-Policy on every response: only this origin's scripts,
  styles, images and connections. Gradio's page needs a few inline
  ``<script>`` blocks (its config and loader) and inline styles: the
  scripts get a per-response nonce, which no text from a document, a
  question or the model can carry; styles are allowed inline
  (``'unsafe-inline'`` for style-src only), which can colour a page but
  not fetch or run anything under ``default-src 'self'``.
- Request bodies over the configured size get 413 before they are read.

Both are plain ASGI middleware, so streamed responses (SSE) pass untouched.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; media-src 'self'; "
          "object-src 'none'; frame-src 'none'; frame-ancestors 'self'; base-uri 'self'; "
          "form-action 'self'; worker-src 'self' blob:")
_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])")


class SecurityHeaders:
    """CSP (with a nonce on the page's own inline scripts) and companion headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        start: Message | None = None
        body: list[bytes] = []

        def headers(message: Message, length: int | None = None) -> Message:
            kept = [(k, v) for k, v in message.get("headers", [])
                    if k.lower() not in (b"content-security-policy", b"content-length")
                    or (k.lower() == b"content-length" and length is None)]
            kept += [(b"content-security-policy", POLICY.format(nonce=nonce).encode()),
                     (b"x-content-type-options", b"nosniff"),
                     (b"referrer-policy", b"no-referrer"),
                     (b"x-frame-options", b"SAMEORIGIN")]
            if length is not None:
                kept.append((b"content-length", str(length).encode()))
            return {**message, "headers": kept}

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers", [])).get(b"content-type", b"")
                if ctype.startswith(b"text/html"):
                    start = message  # buffered: its scripts get the nonce
                    return
                await send(headers(message))
                return
            if message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', b"".join(body))
                await send(headers(start, len(page)))
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, wrapped)


class BodyLimit:
    """413 for a request whose declared body is larger than ``limit`` bytes,
    or ``uploads`` bytes on the paths that take document files.
    (Bodies without a length are capped where they are read.)"""

    def __init__(self, app: ASGIApp, limit: int, uploads: int = 0,
                 upload_paths: tuple[str, ...] = ("/v1/documents", "/gradio_api/upload")) -> None:
        self.app, self.limit = app, limit
        self.uploads, self.upload_paths = max(uploads, limit), upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = dict(scope.get("headers", [])).get(b"content-length")
            upload = str(scope.get("path", "")).startswith(self.upload_paths)
            limit = self.uploads if upload else self.limit
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await _json(send, 413, f"the request body is {int(declared)} bytes; the limit is "
                                       f"{limit} bytes")
                return
        await self.app(scope, receive, send)


async def _json(send: Send, status: int, message: str) -> None:
    payload = json.dumps({"error": {"message": message, "type": "invalid_request_error",
                                    "param": None, "code": None}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
