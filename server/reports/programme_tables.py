"""The programme view as flat tables (one per CSV file or XLSX sheet); headings stay English."""

from __future__ import annotations

from typing import Any

from server.reports.tables import GROUP_COLUMNS, Column, Table, _c

#: The programme's tables, in the order the workbook shows them.
PROGRAMME_TABLES = (
    "trainings",
    "countries",
    "institutions",
    "periods",
    "sexes",
    "generations",
    "cascade_institutions",
)

_POOLED = [_c("trainings", "int", "Trainings"), _c("reached", "int", "Reached (registered)")]
_UNPAIRED = ("pre_n", "pre_all_mean", "post_n", "post_all_mean")
POOLED_COLUMNS: list[Column] = (
    GROUP_COLUMNS[:2] + _POOLED + [c for c in GROUP_COLUMNS[2:] if c.key not in _UNPAIRED]
)
TRAINING_COLUMNS: list[Column] = [
    _c("key", heading="Training"), _c("name", heading="Title"), _c("country"),
    _c("starts_on", heading="Starts on"), _c("period"), _c("parent"),
    _c("generation", "int"), _c("cascade", heading="Cascade (top training)"),
    *POOLED_COLUMNS[2:], _c("simulated", "bool"),
]  # fmt: skip


def _rows(columns: list[Column], records: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for r in records:
        ci = r.get("ci95") or [None, None]
        fci = r.get("followup_ci95") or [None, None]
        flat = {**r, "ci95_low": ci[0], "ci95_high": ci[1],
                "followup_ci95_low": fci[0], "followup_ci95_high": fci[1]}  # fmt: skip
        rows.append([flat.get(c.key) for c in columns])
    return rows


def programme_table(name: str, report: dict[str, Any]) -> Table:
    """One table of the programme view by name (see PROGRAMME_TABLES)."""
    if name == "trainings":
        return Table(name, "Trainings", TRAINING_COLUMNS, _rows(TRAINING_COLUMNS, report[name]))
    if name in ("countries", "institutions", "periods", "sexes"):
        groups = [report["overall"], *report[name]] if name == "countries" else report[name]
        return Table(name, name.capitalize(), POOLED_COLUMNS, _rows(POOLED_COLUMNS, groups))
    if name == "generations":
        cols = [_c("cascade", heading="Cascade (top training)"), _c("generation", "int")]
        cols += POOLED_COLUMNS[2:]
        records = [
            {**g, "cascade": c["root"]} for c in report["cascades"] for g in c["generations"]
        ]
        return Table(name, "Cascade generations", cols, _rows(cols, records))
    if name == "cascade_institutions":
        cols = [
            _c("cascade", heading="Cascade (top training)"), _c("generation", "int"),
            _c("institution"), _c("reached", "int", "Reached (registered)"),
        ]  # fmt: skip
        records = [
            {"cascade": c["root"], "generation": g["generation"], "institution": k, "reached": v}
            for c in report["cascades"]
            for g in c["generations"]
            for k, v in g["reached_by_institution"].items()
        ]
        return Table(name, "Cascade reach by institution", cols, _rows(cols, records))
    raise KeyError(name)


def programme_tables(report: dict[str, Any]) -> list[Table]:
    return [programme_table(n, report) for n in PROGRAMME_TABLES]
