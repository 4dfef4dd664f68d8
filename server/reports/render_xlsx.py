"""XLSX: a sheet per table with frozen headers, number formats and native Excel charts."""

from __future__ import annotations

import io
import math
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from server.reports.strings import METHODS
from server.reports.tables import Table
from server.reports.text import label

FORMATS = {"int": "0", "pct": "0.0", "ratio": "0.00", "p": "0.0000", "num": "0.00"}
SHEET_TITLES = {
    "participants": "Participants",
    "institutions": "Institutions",
    "items": "Questions",
    "evaluation": "Evaluation",
    "comments": "Comments",
    "responses": "Responses",
    "sexes": "Sex",
    "topics": "Topics",
    "test_stats": "Test statistics",
    "heatmap": "Heat map",
    "likert": "Evaluation scales",
    "flags": "Checks",
}


def _write_table(wb: Workbook, ws: Worksheet, table: Table, styles: dict[str, Any]) -> None:
    for j, col in enumerate(table.columns):
        ws.write_string(0, j, col.heading, styles["head"])
        width = max(len(col.heading), 8) if col.kind != "text" else 14
        ws.set_column(j, j, min(width + 2, 48), styles.get(col.kind))
    for i, row in enumerate(table.rows, start=1):
        for j, (col, value) in enumerate(zip(table.columns, row, strict=True)):
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_string(i, j, "yes" if value else "no")
            elif isinstance(value, int | float):
                if math.isfinite(value):
                    ws.write_number(i, j, value, styles.get(col.kind))
            else:
                # write_string, never write(): a comment starting with '=' stays text.
                ws.write_string(i, j, str(value))
    ws.freeze_panes(1, 0)
    if table.rows:
        ws.autofilter(0, 0, len(table.rows), len(table.columns) - 1)


def _col(table: Table, key: str) -> int:
    return next(i for i, c in enumerate(table.columns) if c.key == key)


def _bar_chart(
    wb: Workbook, sheet: str, table: Table, cat: str, series: list[tuple[str, str]], title: str
) -> Any:
    chart = wb.add_chart({"type": "bar"})
    n = len(table.rows)
    c = _col(table, cat)
    for key, name in series:
        j = _col(table, key)
        chart.add_series(
            {
                "name": name,
                "categories": [sheet, 1, c, n, c],
                "values": [sheet, 1, j, n, j],
            }
        )
    chart.set_title({"name": title})
    chart.set_x_axis({"min": 0, "max": 100, "name": "%"})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 640, "height": max(260, 40 + 36 * n)})
    return chart


def _training_overview(report: dict[str, Any]) -> list[tuple[str, str]]:
    t = report["training"]
    lines: list[tuple[str, str]] = [
        ("Training", label(t["title"])),
        ("Place", f"{t['location']}, {t['country']}"),
        ("Dates", f"{t['starts_on']} to {t['ends_on']}"),
        ("Generated", report["generated_at"]),
    ]
    if report.get("simulated"):
        lines.append(("Note", "Contains simulated data."))
    lines += [(k.replace("_", " ").capitalize(), str(v)) for k, v in report["flow"].items()]
    return lines


#: Tables of pooled groups, charted as pre and post means per group (category column first).
GROUP_CHARTS = {"institutions": "name", "countries": "name", "periods": "name",
                "generations": "generation"}  # fmt: skip


def render_xlsx(
    report: dict[str, Any],
    tables: list[Table],
    *,
    overview: list[tuple[str, str]] | None = None,
    methods: list[str] | None = None,
) -> bytes:
    """The workbook: an overview sheet, then one sheet per table, with charts where they help.

    `overview` and `methods` default to those of a training report.
    """
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    styles: dict[str, Any] = {k: wb.add_format({"num_format": v}) for k, v in FORMATS.items()}
    styles["head"] = wb.add_format({"bold": True, "bg_color": "#E8EEF4", "text_wrap": True})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    about = wb.add_worksheet("Overview")
    about.set_column(0, 0, 28)
    about.set_column(1, 1, 90)
    lines = overview if overview is not None else _training_overview(report)
    for i, (k, v) in enumerate(lines):
        about.write_string(i, 0, k, bold)
        about.write_string(i, 1, v)
    row = len(lines) + 1
    about.write_string(row, 0, "Methods", bold)
    for i, text in enumerate(METHODS if methods is None else methods):
        about.write_string(row + i, 1, text, wrap)

    for table in tables:
        sheet = SHEET_TITLES.get(table.name, table.title)[:31]
        ws = wb.add_worksheet(sheet)
        _write_table(wb, ws, table, styles)
        n = len(table.rows)
        anchor = f"{xlsxwriter.utility.xl_col_to_name(len(table.columns) + 1)}2"
        if not n:
            continue
        if table.name in GROUP_CHARTS:
            chart = _bar_chart(
                wb, sheet, table, GROUP_CHARTS[table.name],
                [("pre_mean", "Pre mean (%)"), ("post_mean", "Post mean (%)")],
                "Mean score before and after, matched participants",
            )  # fmt: skip
            ws.insert_chart(anchor, chart)
        elif table.name == "items":
            chart = _bar_chart(
                wb, sheet, table, "id",
                [("pre_correct_pct", "Correct pre (%)"), ("post_correct_pct", "Correct post (%)")],
                "Percent correct per question",
            )  # fmt: skip
            ws.insert_chart(anchor, chart)
        elif table.name == "likert":
            chart = wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
            c = _col(table, "label")
            for col in table.columns:
                if col.key.startswith("level_"):
                    j = _col(table, col.key)
                    chart.add_series(
                        {
                            "name": [sheet, 0, j],
                            "categories": [sheet, 1, c, n, c],
                            "values": [sheet, 1, j, n, j],
                        }
                    )
            chart.set_title({"name": "Evaluation answers"})
            chart.set_y_axis({"reverse": True})
            chart.set_size({"width": 720, "height": max(260, 40 + 36 * n)})
            ws.insert_chart(anchor, chart)
    wb.close()
    return buf.getvalue()
