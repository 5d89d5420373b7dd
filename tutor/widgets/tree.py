"""Showing, hiding and closing a tree of widgets (the same on ipywidgets 7 and 8)."""
from __future__ import annotations

import ipywidgets as W


def shown(widget: W.DOMWidget, visible: bool) -> None:
    """Show or hide a widget (its layout's display)."""
    widget.layout.display = None if visible else "none"


def close_tree(widget: W.Widget) -> None:
    """Close a widget and every widget inside it (ipywidgets 7 and 8 close only the one asked)."""
    for child in getattr(widget, "children", ()) or ():
        close_tree(child)
    parts = [getattr(widget, name, None) for name in ("layout", "style")]  # widgets of their own
    widget.close()
    for part in parts:
        if isinstance(part, W.Widget):
            part.close()
