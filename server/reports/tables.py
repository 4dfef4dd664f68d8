"""The report as flat tables (one per CSV file or XLSX sheet), with typed columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import msgspec

from server.reports.inputs import ReportInput
from server.reports.strings import HEADINGS

#: How a column is formatted: text, integer, percent (0-100), ratio, p-value or other number.
Kind = Literal["text", "int", "pct", "ratio", "p", "num", "bool"]

#: The tables every report has had first (participants to responses), then the others.
TABLES = (
    "participants",
    "institutions",
    "items",
    "evaluation",
    "comments",
    "responses",
    "sexes",
    "topics",
    "test_stats",
    "heatmap",
    "likert",
    "flags",
)


class Column(msgspec.Struct, frozen=True):
    key: str
    heading: str
    kind: Kind = "text"


class Table(msgspec.Struct):
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]


def _c(key: str, kind: Kind = "text", heading: str | None = None) -> Column:
    return Column(key, heading or HEADINGS.get(key, key.replace("_", " ").capitalize()), kind)


GROUP_COLUMNS = [
    _c("key"), _c("name"), _c("n_matched", "int"), _c("pre_n", "int"), _c("pre_all_mean", "pct"),
    _c("post_n", "int"), _c("post_all_mean", "pct"), _c("pre_mean", "pct"),
    _c("post_mean", "pct"), _c("mean_change", "pct"), _c("sd_change", "num"),
    _c("ci95_low", "pct"), _c("ci95_high", "pct"), _c("t", "num"), _c("df", "int"),
    _c("p", "p"), _c("wilcoxon_p", "p"), _c("cohen_dz", "ratio"), _c("hake_g", "ratio"),
    _c("g_avg", "ratio"), _c("g_avg_excluded", "int"), _c("pct_improved", "pct"),
    _c("pct_pass_pre", "pct"), _c("pct_pass_post", "pct"),
    _c("n_followup", "int"), _c("followup_mean", "pct"), _c("followup_change", "pct"),
    _c("followup_ci95_low", "pct"), _c("followup_ci95_high", "pct"), _c("followup_p", "p"),
    _c("retention", "ratio"),
]  # fmt: skip


def _group_rows(groups: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for g in groups:
        ci = g.get("ci95") or [None, None]
        fci = g.get("followup_ci95") or [None, None]
        flat = {**g, "ci95_low": ci[0], "ci95_high": ci[1],
                "followup_ci95_low": fci[0], "followup_ci95_high": fci[1]}  # fmt: skip
        rows.append([flat.get(c.key) for c in GROUP_COLUMNS])
    return rows


def _simple(name: str, title: str, columns: list[Column], records: list[dict[str, Any]]) -> Table:
    return Table(name, title, columns, [[r.get(c.key) for c in columns] for r in records])


def participants(report: dict[str, Any]) -> Table:
    cols = [
        _c("code", heading="Participant code"), _c("institution"), _c("sex"),
        _c("pre_percent", "pct", "Pre (%)"), _c("post_percent", "pct", "Post (%)"),
        _c("change", "pct", "Change (points)"), _c("gain", "ratio", "Individual gain g"),
        _c("matched", "bool"), _c("evaluation", "bool", "Evaluation sent"), _c("flags"),
    ]  # fmt: skip
    records = [{**p, "flags": " ".join(p["flags"])} for p in report["participants"]]
    return _simple("participants", "Participants", cols, records)


def institutions(report: dict[str, Any]) -> Table:
    rows = _group_rows([report["overall"], *report["institutions"]])
    return Table("institutions", "Results by institution", GROUP_COLUMNS, rows)


def sexes(report: dict[str, Any]) -> Table:
    return Table("sexes", "Results by sex", GROUP_COLUMNS, _group_rows(report["sexes"]))


def items(report: dict[str, Any]) -> Table:
    cols = [
        _c("id", heading="Question"), _c("topic"), _c("label", heading="Text"),
        _c("source"), _c("max_points", "num"), _c("pre_n", "int", "Asked pre (n)"),
        _c("post_n", "int", "Asked post (n)"), _c("pre_correct_pct", "pct", "Correct pre (%)"),
        _c("post_correct_pct", "pct", "Correct post (%)"), _c("change_pct", "pct", "Change"),
        _c("mcnemar_b", "int", "Wrong to right (b)"), _c("mcnemar_c", "int", "Right to wrong (c)"),
        _c("mcnemar_p", "p", "p (McNemar exact)"), _c("facility", "pct", "Facility index"),
        _c("sd", "pct", "SD"), _c("discrimination", "pct", "Discrimination index"),
        _c("discriminative_efficiency", "pct", "Discriminative efficiency"),
        _c("followup_n", "int", "Asked follow-up (n)"),
        _c("followup_correct_pct", "pct", "Correct follow-up (%)"),
    ]  # fmt: skip
    return _simple("items", "Questions", cols, report["items"])


def evaluation(report: dict[str, Any]) -> Table:
    cols = [
        _c("id", heading="Question"), _c("label", heading="Text"), _c("type"), _c("n", "int"),
        _c("top_two_box_pct", "pct", "Top two (%)"), _c("median", "num"), _c("mean", "num"),
        _c("value", heading="Answer"), _c("value_label", heading="Answer label"),
        _c("count", "int"), _c("pct", "pct", "Share (%)"),
    ]  # fmt: skip
    records: list[dict[str, Any]] = []
    for e in report["evaluation"]:
        levels = e.get("levels") or [{}]
        for level in levels:
            records.append(
                {
                    **e,
                    "value": None if level.get("value") is None else str(level["value"]),
                    "value_label": level.get("label"),
                    "count": level.get("count"),
                    "pct": level.get("pct"),
                }
            )
    return _simple("evaluation", "Evaluation", cols, records)


def likert(report: dict[str, Any]) -> Table:
    """Likert items side by side (percent per level), for the diverging chart."""
    entries = [e for e in report["evaluation"] if e["type"] == "likert" and e.get("levels")]
    width = max((len(e["levels"]) for e in entries), default=0)
    cols = [_c("id", heading="Question"), _c("label", heading="Text"), _c("n", "int")]
    cols += [_c(f"level_{i + 1}", "pct", f"Level {i + 1} (%)") for i in range(width)]
    records = []
    for e in entries:
        rec = {"id": e["id"], "label": e["label"], "n": e["n"]}
        for i, level in enumerate(e["levels"]):
            rec[f"level_{i + 1}"] = level["pct"]
        records.append(rec)
    return _simple("likert", "Evaluation scales", cols, records)


def comments(report: dict[str, Any]) -> Table:
    cols = [
        _c("question"), _c("question_label", heading="Question text"),
        _c("institution_name", heading="Institution"), _c("text", heading="Comment"),
    ]  # fmt: skip
    return _simple("comments", "Comments", cols, report["comments"])


def topics(report: dict[str, Any]) -> Table:
    cols = [
        _c("topic"), _c("questions", "int"), _c("pre_mean", "pct", "Pre mean (%)"),
        _c("post_mean", "pct", "Post mean (%)"),
        _c("mean_change_matched", "pct", "Mean change, matched"),
    ]  # fmt: skip
    return _simple("topics", "Topics", cols, report["topics"])


def test_stats(report: dict[str, Any]) -> Table:
    cols = [
        _c("test"), _c("n", "int"), _c("mean", "pct", "Mean (%)"),
        _c("median", "pct", "Median (%)"),
        _c("sd", "pct", "SD (%)"), _c("skewness", "num"), _c("kurtosis", "num"),
        _c("cic", "pct", "CIC (%)"), _c("error_ratio", "pct", "Error ratio (%)"),
        _c("standard_error", "pct", "Standard error (%)"),
        _c("consistency_n", "int", "CIC participants (n)"),
        _c("consistency_questions", "int", "CIC questions (n)"),
    ]  # fmt: skip
    records = [{"test": phase, **report["test_stats"][phase]} for phase in ("pre", "post")]
    return _simple("test_stats", "Test statistics", cols, records)


def heatmap(report: dict[str, Any]) -> Table:
    heat = report["heatmap"]
    cols = [_c("id", heading="Question"), _c("topic")]
    cols += [
        _c(f"inst_{i}", "pct", f"{c['name']} (n={c['n']})") for i, c in enumerate(heat["columns"])
    ]
    cols.append(_c("all", "pct", "All"))
    records = []
    for r in heat["rows"]:
        rec = {"id": r["id"], "topic": r["topic"], "all": r["all"]}
        rec.update({f"inst_{i}": v for i, v in enumerate(r["values"])})
        records.append(rec)
    return _simple("heatmap", "Post-test % correct by institution", cols, records)


def flags(report: dict[str, Any]) -> Table:
    cols = [_c("kind"), _c("code", heading="Code(s)"), _c("detail")]
    f = report["flags"]
    records: list[dict[str, Any]] = []
    for n in f["near_matches"]:
        records.append(
            {
                "kind": "near match",
                "code": f"{n['pre_code']} / {n['post_code']}",
                "detail": f"pre-only and post-only codes one character apart "
                f"({n['pre_institution']} / {n['post_institution']})",
            }
        )
    for d in f["duplicate_codes"]:
        records.append(
            {"kind": "shared code", "code": d["code"], "detail": "; ".join(d["reasons"])}
        )
    for c in f["institution_changes"]:
        records.append(
            {
                "kind": "institution changed",
                "code": c["code"],
                "detail": f"{c['pre']} -> {c['post']}",
            }
        )
    for r in report["repeats"]:
        records.append(
            {
                "kind": "repeat",
                "code": r["code"],
                "detail": f"{r['phase']} sent again at {r['completed_at']}; the first one counts",
            }
        )
    return _simple("flags", "Checks", cols, records)


def _answer_text(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def responses(report: dict[str, Any], inp: ReportInput) -> Table:
    """Every stored submission with its answers; `counted` says whether it is the one used."""
    repeated = {r["submission_id"] for r in report["repeats"]}
    qids: list[str] = []
    for form in (inp.pre_form, inp.post_form, inp.eval_form):
        for q in form.questions if form else []:
            if q.type != "note" and q.id not in qids:
                qids.append(q.id)
    cols = [
        _c("submission_id", heading="Submission"), _c("code"), _c("phase"), _c("institution"),
        _c("sex"), _c("lang"), _c("form"), _c("version"), _c("completed_at"),
        _c("received_at"), _c("percent", "pct", "Score (%)"), _c("counted", "bool"), _c("flags"),
    ]  # fmt: skip
    cols += [_c(f"answer:{q}", heading=q) for q in qids]
    # The order each phone showed a shuffled question's choices in, beside the answers.
    shuffled = [q for q in qids if any(q in r.choice_order for r in inp.responses)]
    cols += [_c(f"order:{q}", heading=f"{q} (order shown)") for q in shuffled]
    rows = []
    for r in sorted(inp.responses, key=lambda r: (r.code, r.phase, r.completed_at)):
        rows.append(
            [
                r.submission_id, r.code, r.phase, r.institution, r.sex, r.lang, r.form_id,
                r.form_version, r.completed_at, r.received_at, r.percent,
                r.submission_id not in repeated, " ".join(r.flags),
                *(_answer_text(r.answers.get(q)) for q in qids),
                *(" ".join(r.choice_order.get(q, [])) for q in shuffled),
            ]
        )  # fmt: skip
    return Table("responses", "Responses", cols, rows)


BUILDERS: dict[str, Callable[[dict[str, Any]], Table]] = {
    "participants": participants,
    "institutions": institutions,
    "items": items,
    "evaluation": evaluation,
    "comments": comments,
    "sexes": sexes,
    "topics": topics,
    "test_stats": test_stats,
    "heatmap": heatmap,
    "likert": likert,
    "flags": flags,
}


def table(name: str, report: dict[str, Any], inp: ReportInput | None = None) -> Table:
    """One table by name; `responses` also needs the input (answers are not in the report)."""
    if name == "responses":
        if inp is None:
            raise ValueError("the responses table needs the report input")
        return responses(report, inp)
    return BUILDERS[name](report)


def all_tables(report: dict[str, Any], inp: ReportInput | None = None) -> list[Table]:
    """Every table, in TABLES order (without `responses` when there is no input)."""
    return [table(n, report, inp) for n in TABLES if n != "responses" or inp is not None]
