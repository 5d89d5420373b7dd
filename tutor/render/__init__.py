"""Renderers: a `CheckReport` as text, HTML, plots, widgets. They read reports; they never compute gradients."""
