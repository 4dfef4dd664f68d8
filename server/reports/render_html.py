"""The printable HTML report (A4, inline SVG charts), rendered with autoescaping Jinja."""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from server.reports import charts
from server.reports.strings import RTL, UI, check_reason, methods, sex_name, translate, word
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


def ltr(value: object) -> str:
    """Text isolated left to right (dates, codes, intervals), so Arabic pages keep its order."""
    return f"\u2066{value}\u2069"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # comments and question texts are participant/author input
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update({"pct": fmt_pct, "p": fmt_p, "num": fmt_num, "ci": fmt_ci, "ltr": ltr})
    env.globals.update({"label": label})
    return env


_env: jinja2.Environment | None = None


def _template(name: str) -> jinja2.Template:
    global _env
    if _env is None:
        _env = _environment()
    return _env.get_template(name)


def _language(lang: str) -> dict[str, Any]:
    """What every page needs to speak `lang`: `t`, the direction, and group names."""
    t = partial(translate, lang)

    def group_name(g: dict[str, Any], kind: str = "") -> str:
        if g.get("key") == "overall":
            return t("overall") if kind != "programme" else t("all_trainings")
        if kind == "sex":
            return sex_name(str(g.get("key")), lang)
        if kind == "generation":
            return t("generation_n", n=g.get("generation", g.get("key")))
        return str(g.get("name") or g.get("key") or "")

    def shared_reasons(duplicate: dict[str, Any]) -> str:
        said = [check_reason(lang, d["kind"], d["params"]) for d in duplicate["details"]]
        return t("reason_sep").join(said)

    return {
        "t": t,
        "shared_reasons": shared_reasons,
        "timing_flag": partial(word, "flag", lang=lang),
        "lang": lang if lang in ("fr", "ar") else "en",
        "dir": "rtl" if lang in RTL else "ltr",
        "group_name": group_name,
        "strings": UI,
    }


def _named(groups: list[dict[str, Any]], name: Any, kind: str = "") -> list[dict[str, Any]]:
    return [{**g, "name": name(g, kind)} for g in groups]


def render_html(
    report: dict[str, Any],
    *,
    console_url: str | None = None,
    api_url: str | None = None,
    lang: str = "en",
) -> str:
    """The whole report as one self-contained HTML document (links only when served)."""
    words = _language(lang)
    name = words["group_name"]
    groups = _named([report["overall"], *report["institutions"]], name)
    sexes = _named(report["sexes"], name, "sex")
    refs = [report["training"].get(k) or {} for k in ("pre_test", "post_test")]
    answered = [[v.get("version") for v in ref.get("versions_answered") or []] for ref in refs]
    mixed = any(a not in ([], [ref.get("version")]) for a, ref in zip(answered, refs, strict=True))
    # How many were asked each question, shown where it is not simply everyone who took the test.
    takers = {phase: report["test_stats"][phase]["n"] for phase in ("pre", "post")}
    uneven = any(q[f"{p}_n"] not in (0, n) for q in report["items"] for p, n in takers.items())
    return _template("report.html").render(
        item_n=mixed or uneven,
        r=report,
        title=label(report["training"]["title"], lang),
        methods=methods(lang),
        console_url=console_url,
        api_url=api_url,
        groups=groups,
        sexes=sexes,
        dumbbells=charts.dumbbells(groups),
        bars=charts.question_bars(report["items"]),
        likert=charts.likert_bars(report["evaluation"]),
        heat=charts.heatmap(report["heatmap"]),
        heat_colour=charts.heat_colour,
        **words,
    )


def render_programme(
    report: dict[str, Any],
    *,
    lang: str = "en",
    console_url: str | None = None,
    api_url: str | None = None,
    query: str = "",
) -> str:
    """The programme view across trainings as one printable HTML page."""
    words = _language(lang)
    name = words["group_name"]
    sections = [
        ("countries", "by_country", _named(report["countries"], name)),
        ("institutions", "institutions_all", _named(report["institutions"], name)),
        ("periods", "by_period", _named(report["periods"], name)),
        ("sexes", "by_sex", _named(report["sexes"], name, "sex")),
    ]
    cascades = []
    for c in report["cascades"]:
        gens = _named(c["generations"], name, "generation")
        cascades.append({**c, "generations": gens, "chart": charts.dumbbells(gens)})
    return _template("programme.html").render(
        r=report,
        overall={**report["overall"], "name": name(report["overall"], "programme")},
        sections=[
            (key, heading, groups, charts.dumbbells(groups)) for key, heading, groups in sections
        ],
        cascades=cascades,
        methods=methods(lang),
        inst_names={g["key"]: g["name"] for g in report["institutions"]},
        console_url=console_url,
        api_url=api_url,
        query=query,
        **words,
    )
