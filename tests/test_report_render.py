"""Renderers: CSV injection is neutralised, XLSX has sheets and charts, HTML escapes comments."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from server.reports import tables as tbl
from server.reports.build import build_report
from server.reports.inputs import Response
from server.reports.render_csv import cell, render_csv
from server.reports.render_html import render_html
from server.reports.render_xlsx import render_xlsx
from server.reports.sample import sample_input


@pytest.mark.parametrize(
    ("value", "shown"),
    [("=1+2", "'=1+2"), ("+33 6", "'+33 6"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("ألف", "ألف"), (-2.5, "-2.5"),
     (None, ""), (True, "yes"), (3, "3"), (float("nan"), ""), (1e-12, "1e-12")],
)  # fmt: skip
def test_csv_cells(value: object, shown: str) -> None:
    assert cell(value) == shown


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _report_with_comment(text: str) -> tuple[dict[str, object], object]:
    inp = sample_input(10, 5)
    inp.responses.append(
        Response(
            submission_id="x", code="ZZ1", institution="police", sex="male", phase="evaluation",
            completed_at="2019-01-11T18:00:00Z", answers={"c1": text},
        )
    )  # fmt: skip
    return build_report(inp), inp


def test_every_table_renders_as_csv_with_bom_and_header() -> None:
    report, inp = _report_with_comment("=cmd|' /C calc'!A0")
    for table in tbl.all_tables(report, inp):  # type: ignore[arg-type]
        body = render_csv(table)
        assert body.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0] == [c.heading for c in table.columns]
        assert len(rows) == len(table.rows) + 1
        risky = [c for row in rows for c in row if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert all(_is_number(c) for c in risky), (table.name, risky)


def test_xlsx_has_a_sheet_per_table_frozen_headers_and_native_charts() -> None:
    report, inp = _report_with_comment('=HYPERLINK("x")')
    tables = tbl.all_tables(report, inp)  # type: ignore[arg-type]
    body = render_xlsx(report, tables)
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert len(wb.sheetnames) == len(tables) + 1
    questions = wb["Questions"]
    assert questions.freeze_panes == "A2"
    assert questions["A1"].value == "Question"
    assert isinstance(questions["E2"].value, int | float)  # numbers stay numbers
    comments = wb["Comments"]
    assert [c.value for c in comments[comments.max_row]][-1] == '=HYPERLINK("x")'
    assert comments.cell(comments.max_row, 4).data_type == "s"
    charts = [n for n in zipfile.ZipFile(io.BytesIO(body)).namelist() if "charts/chart" in n]
    assert len(charts) == 3  # institutions, questions, evaluation scales


def test_html_escapes_comments_and_question_texts() -> None:
    report, _ = _report_with_comment('<script>alert("x")</script> & <b>bold</b>')
    page = render_html(report)  # type: ignore[arg-type]
    assert "<script>" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_html_of_an_empty_training_renders() -> None:
    inp = sample_input(0, 5)
    page = render_html(build_report(inp))
    assert "Summary" in page and "NaN" not in page and "nan" not in page
