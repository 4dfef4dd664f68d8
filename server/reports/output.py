"""Loading, building and rendering a report in one call: what the routes and the CLI use."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from server.reports import tables as tbl
from server.reports.build import build_report
from server.reports.inputs import ReportInput
from server.reports.programme import programme_report, summarise
from server.reports.queries import Forms, Reader, load_input
from server.reports.render_csv import render_csv
from server.reports.render_html import render_html
from server.reports.render_xlsx import render_xlsx
from server.reports.text import label

FORMATS = ("html", "csv", "xlsx", "json")


class NoSuchTraining(LookupError):
    """The training asked for does not exist."""


async def report_for(
    db: Reader, training_id: str, *, lang: str = "en", answers: bool = False
) -> tuple[dict[str, Any], ReportInput]:
    """The report of a training and its input; raises NoSuchTraining."""
    inp = await load_input(db, training_id, answers=answers, lang=lang)
    if inp is None:
        raise NoSuchTraining(f"No training '{training_id}'.")
    return build_report(inp, lang=lang), inp


async def programme_for(
    db: Reader,
    training_ids: list[str],
    *,
    lang: str = "en",
    parents: dict[str, str | None] | None = None,
    titles: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The programme view over the given trainings (those the caller may see).

    `parents` maps every training the caller may see to its parent, so that generations stay
    right when filters leave some trainings out.
    """
    summaries = []
    names: dict[str, str] = {}
    forms = Forms(db)
    for tid in training_ids:
        inp = await load_input(db, tid, item_points=False, lang=lang, forms=forms)
        if inp is None:
            continue
        names.update({i.key: label(i.name, lang) or i.key for i in inp.institutions})
        summary = summarise(inp)
        if titles and tid in titles:
            summary.title = titles[tid]
        summaries.append(summary)
    report = programme_report(summaries, names, parents=parents, titles=titles)
    report["generated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return report


def csv_zip(report: dict[str, Any], inp: ReportInput, prefix: str) -> bytes:
    """Every table as `<prefix>-<table>.csv` inside one zip archive."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for t in tbl.all_tables(report, inp):
            zf.writestr(f"{prefix}-{t.name}.csv", render_csv(t))
    return buf.getvalue()


async def write_report(db: Reader, training_id: str, fmt: str, out: Path, lang: str = "en") -> None:
    """Write the report of `training_id` for `tadrib report`, its texts in `lang`.

    html, xlsx and json write the file `out`. csv writes one file per table: into the
    directory `out` (created if needed) as `<training>-<table>.csv`, or, when `out` ends in
    `.zip`, into that zip archive.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format '{fmt}'; use one of {', '.join(FORMATS)}.")
    report, inp = await report_for(db, training_id, lang=lang, answers=fmt in ("csv", "xlsx"))
    if fmt == "csv":
        if out.suffix.lower() == ".zip":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(csv_zip(report, inp, training_id))
            return
        out.mkdir(parents=True, exist_ok=True)
        for t in tbl.all_tables(report, inp):
            (out / f"{training_id}-{t.name}.csv").write_bytes(render_csv(t))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        out.write_bytes(msgspec.json.encode(report))
    elif fmt == "xlsx":
        out.write_bytes(render_xlsx(report, tbl.all_tables(report, inp)))
    else:
        out.write_text(render_html(report, lang=lang), encoding="utf-8")
