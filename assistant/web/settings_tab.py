"""The settings tab: what a reader may choose for their own chat (generator,
its model, passages read), then every server setting with its value and what
it does, read-only (they come from environment variables and flags; secrets
show as ***)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from assistant import messages as say
from assistant.choices import Choice, local_models
from core.settings import ENV_PREFIX, GENERATORS, Settings

MAX_TOP_K = 10


@dataclass
class Controls:
    """The reader's choices; made before the tabs (the chat reads them) and
    shown in the settings tab."""
    generator: gr.Dropdown
    model: gr.Textbox
    top_k: gr.Slider

    @property
    def inputs(self) -> list[gr.components.Component]:
        return [self.generator, self.model, self.top_k]


def controls(settings: Settings) -> Controls:
    g = settings.generation
    models = ", ".join(local_models(settings)) or "-"
    return Controls(
        gr.Dropdown(list(GENERATORS), value=g.generator, label=say.CHOICE_GENERATOR, render=False,
                    elem_id="choice-generator"),
        gr.Textbox("", label=say.CHOICE_MODEL, render=False, elem_id="choice-model",
                   placeholder=say.CHOICE_MODEL_HINT.format(local=models, openai=g.openai_model)),
        gr.Slider(1, max(MAX_TOP_K, settings.retrieval.top_k), value=settings.retrieval.top_k, step=1,
                  label=say.CHOICE_TOP_K, render=False, elem_id="choice-top-k"))


def choice(generator: str | None, model: str | None, top_k: float | None) -> Choice:
    return Choice(generator or "", (model or "").strip(), int(top_k or 0))


def settings_rows(settings: Settings) -> list[list[str]]:
    return [[str(d["section"]), ENV_PREFIX + str(d["name"]).upper(), str(d["value"]),
             "env" if d["from_env"] else "default", str(d["doc"])] for d in settings.describe()]


def settings_tab(settings: Settings, chosen: Controls) -> None:
    gr.Markdown(say.CHOICES_NOTE)
    with gr.Row():
        for c in chosen.inputs:
            c.render()
    gr.Markdown(say.SETTINGS_NOTE)
    gr.Dataframe(settings_rows(settings), headers=["section", "variable", "value", "set by", "what it does"],
                 interactive=False, wrap=True, elem_id="settings-table")
