"""The settings tab: every setting with its value and what it does, read-only
(they come from environment variables and flags; secrets show as ***)."""

from __future__ import annotations

import gradio as gr

from assistant import messages as say
from core.settings import ENV_PREFIX, Settings


def settings_rows(settings: Settings) -> list[list[str]]:
    return [[str(d["section"]), ENV_PREFIX + str(d["name"]).upper(), str(d["value"]),
             "env" if d["from_env"] else "default", str(d["doc"])] for d in settings.describe()]


def settings_tab(settings: Settings) -> None:
    gr.Markdown(say.SETTINGS_NOTE)
    gr.Dataframe(settings_rows(settings), headers=["section", "variable", "value", "set by", "what it does"],
                 interactive=False, wrap=True, elem_id="settings-table")
