"""``GET /v1/documents``, ``POST /v1/documents`` (multipart field ``file``:
add or update one document, answered with the ingest summary) and
``DELETE /v1/documents/{id}``. Documents are named by their file name;
no response names a server path."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assistant.web.library import Librarian, LibraryError
from assistant.web.openai_api import error

log = logging.getLogger("assistant.web")
_FORM_OVERHEAD = 64 * 1024  # multipart headers and boundaries around the file


def router(librarian: Librarian, max_file_bytes: int) -> APIRouter:
    api = APIRouter()

    @api.get("/v1/documents")
    def documents() -> JSONResponse:
        """The indexed documents: id (its name), title, language, chunks,
        sections, ingested_at, embedder, and the passages with instructions to
        an assistant (which answers leave out)."""
        try:
            return JSONResponse({"object": "list", "data": librarian.documents()})
        except LibraryError as exc:
            return error(exc.status, str(exc))

    @api.post("/v1/documents")
    async def upload(request: Request) -> JSONResponse:
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith("multipart/form-data"):
            return error(415, "send the document as multipart/form-data with the field 'file'")
        try:
            form = await request.form(max_files=1, max_fields=8,
                                      max_part_size=max_file_bytes + _FORM_OVERHEAD)
        except Exception as exc:  # noqa: BLE001  (starlette's MultiPartException and parse errors)
            return error(400, f"the upload could not be read: {exc}")
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile) or not file.filename:
                return error(400, "the multipart field 'file' (a file with its name) is missing")
            data = await file.read()
            change = await run_in_threadpool(librarian.add, file.filename, data)
        except LibraryError as exc:
            return error(exc.status, str(exc))
        finally:
            await form.close()
        log.info("document %s added: %s", change.id, change.as_dict())
        return JSONResponse(change.as_dict())

    @api.delete("/v1/documents/{name:path}")
    async def delete(name: str) -> JSONResponse:
        try:
            change = await run_in_threadpool(librarian.remove, name)
        except LibraryError as exc:
            return error(exc.status, str(exc))
        log.info("document %s removed: %s", change.id, change.as_dict())
        return JSONResponse(change.as_dict())

    return api
