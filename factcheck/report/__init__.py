"""Renderers: a `Report` in, text (or a rich renderable, for the terminal) out. No printing."""

from factcheck.report.github import render_github
from factcheck.report.json_report import render_json
from factcheck.report.markdown import render_markdown
from factcheck.report.sarif import render_sarif
from factcheck.report.terminal import render_terminal

__all__ = ["render_github", "render_json", "render_markdown", "render_sarif", "render_terminal"]
