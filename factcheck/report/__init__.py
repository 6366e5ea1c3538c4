"""Renderers: a `Report` in, text (or a rich renderable, for the terminal) out. No printing."""

from factcheck.report.json_report import render_json
from factcheck.report.markdown import render_markdown
from factcheck.report.terminal import render_terminal

__all__ = ["render_json", "render_markdown", "render_terminal"]
