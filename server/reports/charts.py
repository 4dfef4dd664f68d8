"""Geometry of the report's inline SVG charts, as plain numbers and strings.

The templates draw these shapes; every label passes through Jinja's autoescaping there, so no
text from a participant or a question set is ever written into markup here.
"""

from __future__ import annotations

from typing import Any

#: Colours: before, after, and a five-step diverging scale for Likert levels.
PRE = "#9aa5b1"
POST = "#1f6fb2"
DIVERGING = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]

LABEL_W = 210
PLOT_W = 420
ROW_H = 26


def _x(value: float) -> float:
    return round(LABEL_W + PLOT_W * max(0.0, min(100.0, value)) / 100.0, 1)


def axis() -> list[dict[str, Any]]:
    return [{"x": _x(v), "label": f"{v}%"} for v in (0, 25, 50, 75, 100)]


def dumbbells(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """Pre and post means per group, joined by a line; groups without matches are listed empty."""
    rows = []
    for i, g in enumerate(groups):
        y = 30 + i * ROW_H
        pre, post = g.get("pre_mean"), g.get("post_mean")
        row: dict[str, Any] = {"y": y, "label": f"{g['name']} (n={g['n_matched']})"}
        if pre is not None and post is not None:
            row.update({"x1": _x(pre), "x2": _x(post), "pre": pre, "post": post})
        rows.append(row)
    return {
        "width": LABEL_W + PLOT_W + 30,
        "height": 50 + len(groups) * ROW_H,
        "rows": rows,
        "axis": axis(),
        "left": LABEL_W,
        "pre_colour": PRE,
        "post_colour": POST,
    }


def question_bars(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Two thin bars per question: % correct before and after."""
    rows = []
    for i, item in enumerate(items):
        y = 30 + i * ROW_H
        row: dict[str, Any] = {"y": y, "label": item["id"], "title": item.get("label", "")}
        for key, src in (("pre", "pre_correct_pct"), ("post", "post_correct_pct")):
            v = item.get(src)
            row[key] = None if v is None else {"w": round(_x(v) - LABEL_W, 1), "v": v}
        rows.append(row)
    return {
        "width": LABEL_W + PLOT_W + 60,
        "height": 50 + len(items) * ROW_H,
        "rows": rows,
        "axis": axis(),
        "left": LABEL_W,
        "pre_colour": PRE,
        "post_colour": POST,
    }


def _level_colours(n: int) -> list[str]:
    if n == 5:
        return DIVERGING
    if n <= 1:
        return [DIVERGING[2]] * n
    # spread over the five-colour scale
    return [DIVERGING[round(i * 4 / (n - 1))] for i in range(n)]


def likert_bars(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Diverging stacked bars centred on the scale's middle (disagree left, agree right)."""
    likert = [e for e in entries if e["type"] == "likert" and e.get("n")]
    half = PLOT_W / 2
    centre = LABEL_W + half
    rows = []
    legend: list[dict[str, Any]] = []
    for i, e in enumerate(likert):
        levels = e["levels"]
        k = len(levels)
        colours = _level_colours(k)
        shares = [(lv["pct"] or 0.0) / 100.0 for lv in levels]
        mid = (k - 1) / 2
        # left extent: everything below the middle plus half of a middle level
        left = sum(s for j, s in enumerate(shares) if j < mid) + (
            shares[int(mid)] / 2 if k % 2 else 0.0
        )
        x = centre - left * half
        segs = []
        for j, s in enumerate(shares):
            w = s * half
            if w > 0:
                segs.append({"x": round(x, 1), "w": round(w, 1), "colour": colours[j],
                             "pct": round(100 * s), "label": levels[j]["label"]})  # fmt: skip
            x += w
        rows.append({"y": 30 + i * ROW_H, "label": e["label"], "n": e["n"], "segments": segs})
        if not legend:
            legend = [{"colour": colours[j], "label": lv["label"]} for j, lv in enumerate(levels)]
    return {
        "width": LABEL_W + PLOT_W + 30,
        "height": 50 + len(likert) * ROW_H,
        "rows": rows,
        "centre": centre,
        "legend": legend,
        "legend_step": round((PLOT_W + 30) / max(1, len(legend)), 1),
        "legend_chars": max(3, int((PLOT_W + 30) / max(1, len(legend)) / 6.2) - 2),
        "left": LABEL_W,
    }


def heat_colour(value: float | None) -> str:
    """Red where few answer right (training still needed), through yellow, to green."""
    if value is None:
        return "#f0f0f0"
    v = max(0.0, min(100.0, value)) / 100.0
    if v < 0.5:
        r, g = 215, int(48 + (200 - 48) * v * 2)
    else:
        r, g = int(215 - (215 - 26) * (v - 0.5) * 2), int(200 - (200 - 150) * (v - 0.5) * 2)
    return f"#{r:02x}{g:02x}{60:02x}"


def heatmap(heat: dict[str, Any]) -> dict[str, Any]:
    cell_w, cell_h, left, top = 86, 22, 80, 70
    cols = heat["columns"]
    cells = []
    for i, row in enumerate(heat["rows"]):
        for j, v in enumerate(row["values"]):
            cells.append({"x": left + j * cell_w, "y": top + i * cell_h, "fill": heat_colour(v),
                          "text": "–" if v is None else f"{v:.0f}"})  # fmt: skip
    return {
        "width": left + cell_w * max(1, len(cols)) + 10,
        "height": top + cell_h * len(heat["rows"]) + 10,
        "cell_w": cell_w,
        "cell_h": cell_h,
        "left": left,
        "top": top,
        "columns": [
            {"x": left + j * cell_w + cell_w / 2, "label": c["name"], "n": c["n"]}
            for j, c in enumerate(cols)
        ],
        "rows": [
            {"y": top + i * cell_h + cell_h / 2, "label": r["id"]}
            for i, r in enumerate(heat["rows"])
        ],
        "cells": cells,
    }
