"""The documents tab: what is indexed, add or update a file, remove one,
re-ingest the folder. Every change runs through the
:class:`~assistant.web.library.Librarian` (one ingest at a time; the chat
keeps answering), and a bad file shows the loader's reason here, with the
index left as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from assistant import messages as say
from assistant.web.library import Librarian, LibraryError
from assistant.web.render import safe_markdown


def rows(librarian: Librarian) -> list[list[Any]]:
    try:
        return [[d.get(k, "") for k in say.DOCS_TABLE] for d in librarian.documents()]
    except LibraryError:
        return []


def refreshed(librarian: Librarian) -> tuple[Any, Any]:
    """The table and the chat's document filter, from the index as it is now."""
    table = rows(librarian)
    names = [r[0] for r in table]
    return gr.update(value=table), gr.update(choices=names)


def documents_tab(librarian: Librarian, doc_filter: gr.Dropdown) -> gr.Dataframe:
    table = gr.Dataframe([], headers=say.DOCS_TABLE, interactive=False, wrap=True,
                         elem_id="documents-table",
                         column_widths=["170px", "90px", "80px", "90px", "210px", "230px", "360px"])
    with gr.Row():
        upload = gr.File(label=say.UPLOAD_LABEL, file_types=[".txt", ".md", ".pdf", ".docx"],
                         type="filepath", elem_id="upload")
        with gr.Column():
            ingest = gr.Button(say.UPLOAD, variant="primary", elem_id="ingest")
            remove_name = gr.Dropdown([], label=say.REMOVE_LABEL, elem_id="remove-name")
            remove = gr.Button(say.REMOVE, variant="stop", elem_id="remove")
            reingest = gr.Button(say.REINGEST, elem_id="reingest")
    result = gr.Markdown(elem_id="library-result")

    def after(message: str) -> tuple[Any, ...]:
        table_update, names = refreshed(librarian)
        return message, table_update, names, names

    def add(path: str | None, progress: gr.Progress = gr.Progress(track_tqdm=True)  # noqa: B008  (how Gradio injects it)
            ) -> tuple[Any, ...]:
        # The file box is emptied after each attempt, ready for the next file.
        if not path:
            return *after(say.LIB_ERROR.format(message="choose a file first / 请先选择文件")), None
        progress(0, desc="ingesting")
        name = Path(path).name
        try:
            change = librarian.add(name, Path(path).read_bytes(), progress=True)
        except LibraryError as exc:
            return *after(safe_markdown(say.LIB_ERROR.format(message=exc))), None
        return *after(safe_markdown(say.INGESTED.format(**change.as_dict()))), None

    def drop(name: str | None) -> tuple[Any, ...]:
        if not name:
            return after(say.LIB_ERROR.format(message="choose a document first / 请先选择文档"))
        try:
            change = librarian.remove(name)
        except LibraryError as exc:
            return after(safe_markdown(say.LIB_ERROR.format(message=exc)))
        return after(safe_markdown(say.REMOVED.format(**change.as_dict())))

    def again(progress: gr.Progress = gr.Progress(track_tqdm=True)  # noqa: B008  (how Gradio injects it)
            ) -> tuple[Any, ...]:
        progress(0, desc="ingesting")
        try:
            report = librarian.reingest(progress=True)
        except LibraryError as exc:
            return after(safe_markdown(say.LIB_ERROR.format(message=exc)))
        text = say.REINGESTED.format(**report.as_dict())
        if report.errors:
            text += "\n\n" + "\n".join(f"- {e}" for e in report.errors)
        return after(safe_markdown(text))

    outputs = [result, table, remove_name, doc_filter]
    opts = {"concurrency_id": "library", "concurrency_limit": 1, "api_visibility": "private"}
    ingest.click(add, upload, [*outputs, upload], **opts)
    remove.click(drop, remove_name, outputs, **opts)
    reingest.click(again, None, outputs, **opts)
    return table
