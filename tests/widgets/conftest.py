"""The widgets drawn alone: each in a tiny Textual app, handed a view model made by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget


class OneWidget(App[None]):
    """An app showing one widget, in a bordered panel as the dashboard draws its panels (``panel``) or
    bare, as the header and the banner are drawn."""

    CSS = ".panel { border: round $panel-lighten-2; }"

    def __init__(self, widget: Widget, *, panel: bool = True) -> None:
        super().__init__()
        self.widget = widget
        self.widget.set_class(panel, "panel")

    def compose(self) -> ComposeResult:
        yield self.widget


@pytest.fixture
def alone() -> Callable[..., OneWidget]:
    """``alone(widget)`` or ``alone(widget, panel=False)``: the app to run the widget in with ``run_test``."""
    return OneWidget
