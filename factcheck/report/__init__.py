"""Renderers: a `Report` in, text (or a rich renderable, for the terminal) out. No printing.

One module per format (`terminal`, `markdown`, `json_report`, `github`, `sarif`); nothing is
imported here, so a run loads only the renderer it writes with.
"""
