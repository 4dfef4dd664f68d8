"""The printable HTML report (A4, inline SVG charts), rendered with autoescaping Jinja."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import jinja2

from server.reports import charts
from server.reports.strings import METHODS, SEXES
from server.reports.text import label

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def fmt_pct(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def fmt_p(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return "<\u00a00.001" if value < 0.001 else f"{value:.3f}"


def fmt_num(value: float | None, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def fmt_ci(ci: list[float | None] | None) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "–"
    return f"[{ci[0]:.1f},\u00a0{ci[1]:.1f}]"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # comments and question texts are participant/author input
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update({"pct": fmt_pct, "p": fmt_p, "num": fmt_num, "ci": fmt_ci})
    env.globals.update({"label": label, "sexes": SEXES})
    return env


_env: jinja2.Environment | None = None


def render_html(
    report: dict[str, Any], *, console_url: str | None = None, api_url: str | None = None
) -> str:
    """The whole report as one self-contained HTML document (links only when served)."""
    global _env
    if _env is None:
        _env = _environment()
    groups = [report["overall"], *report["institutions"]]
    return _env.get_template("report.html").render(
        r=report,
        title=label(report["training"]["title"]),
        methods=METHODS,
        console_url=console_url,
        api_url=api_url,
        dumbbells=charts.dumbbells(groups),
        bars=charts.question_bars(report["items"]),
        likert=charts.likert_bars(report["evaluation"]),
        heat=charts.heatmap(report["heatmap"]),
        heat_colour=charts.heat_colour,
    )
