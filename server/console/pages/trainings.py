"""Trainings: the dashboard, create and edit, detail, the join page, the live monitor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect
from markupsafe import Markup

from server.auth.access import visible_training
from server.auth.guards import admin_guard, current, staff_guard
from server.checks import Problem, training_problems
from server.console import i18n
from server.console.qr import qr_svg
from server.console.queries import submission_counts
from server.console.render import html, language
from server.db import forms as forms_db
from server.db import institutions as inst_db
from server.db import monitor as monitor_db
from server.db import trainings as trainings_db
from server.db import users as users_db
from server.db.database import Database
from server.links import join_url
from server.phases import completed, set_now
from server.schemas import FormRef, Training, TrainingIn
from sync.windows import window_state
from sync.wire import PHASES as WIRE_PHASES
from sync.wire import PhaseWindow

#: The two edges of a phase window, as named in the form (`opens_at_pre`, `closes_at_post`...).
EDGES = ("opens_at", "closes_at")

PHASES = (
    ("pre_test", "test"),
    ("post_test", "test"),
    ("evaluation", "evaluation"),
    ("followup_test", "test"),
)


async def _names(db: Database) -> dict[str, dict[str, str]]:
    return {row["key"]: row["name"] for row in await inst_db.list_all(db)}


@get("/", guards=[staff_guard])
async def dashboard(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    who = current(request)
    found = await trainings_db.list_visible(db, None if who.is_admin else who.username)
    counts = await submission_counts(db, [t.id for t in found])
    return html(request, "dashboard.html", {"trainings": found, "counts": counts})


# Create and edit -------------------------------------------------------------------------------


def _values_of(t: Training | None) -> dict[str, Any]:
    """The form's fields for an existing training (or the defaults of a new one)."""
    if t is None:
        return {
            "id": "", "title": {}, "country": "", "location": "", "starts_on": "", "ends_on": "",
            "institutions": [], "trainers": [], "pre_test": "", "post_test": "",
            "evaluation": "", "followup_test": "", "parent": "", "show_score": False,
            "joining_open": True, **{f"{edge}_{p}": "" for p in WIRE_PHASES for edge in EDGES},
        }  # fmt: skip
    refs = {field: getattr(t, field) for field, _ in PHASES}
    return {
        "id": t.id,
        "title": {"en": t.title} if isinstance(t.title, str) else dict(t.title),
        "country": t.country,
        "location": t.location,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
        "institutions": list(t.institutions),
        "trainers": list(t.trainers),
        **{field: f"{ref.form}@{ref.version}" if ref else "" for field, ref in refs.items()},
        "parent": t.parent or "",
        "show_score": t.show_score,
        "joining_open": t.joining_open,
        **{
            f"{edge}_{p}": getattr((t.windows or {}).get(p), edge, None) or ""
            for p in WIRE_PHASES
            for edge in EDGES
        },
    }


def _values_from(form: FormMultiDict, training_id: str | None) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    return {
        "id": training_id if training_id is not None else text("id"),
        "title": {code: text(f"title_{code}") for code in i18n.LANGUAGES if text(f"title_{code}")},
        "country": text("country").upper(),
        "location": text("location"),
        "starts_on": text("starts_on"),
        "ends_on": text("ends_on"),
        "institutions": [v for v in form.getall("institutions", []) if isinstance(v, str)],
        "trainers": [v for v in form.getall("trainers", []) if isinstance(v, str)],
        **{field: text(field) for field, _ in PHASES},
        "parent": text("parent"),
        "show_score": text("show_score") == "1",
        "joining_open": text("joining_open") == "1",
        **{f"{edge}_{p}": text(f"{edge}_{p}") for p in WIRE_PHASES for edge in EDGES},
    }


def _ref(value: str) -> FormRef | None:
    form_id, at, version = value.partition("@")
    return FormRef(form_id, version) if at and form_id and version else None


def _windows(values: dict[str, Any], creating: bool) -> dict[str, PhaseWindow] | None:
    """The windows typed in the form; a new training with none typed gets the defaults."""
    typed = {p: PhaseWindow(values[f"opens_at_{p}"] or None, values[f"closes_at_{p}"] or None)
             for p in WIRE_PHASES}  # fmt: skip
    if creating and not any(w.opens_at or w.closes_at for w in typed.values()):
        return None
    return {p: w for p, w in typed.items() if w.opens_at or w.closes_at}


def _training_in(values: dict[str, Any], creating: bool) -> TrainingIn:
    return TrainingIn(
        id=values["id"],
        title=values["title"],
        country=values["country"],
        location=values["location"],
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
        institutions=values["institutions"],
        pre_test=_ref(values["pre_test"]),
        post_test=_ref(values["post_test"]),
        evaluation=_ref(values["evaluation"]),
        followup_test=_ref(values["followup_test"]),
        windows=_windows(values, creating),
        parent=values["parent"] or None,
        trainers=values["trainers"],
        show_score=values["show_score"],
        joining_open=values["joining_open"],
    )


def problem_text(lang: str, problem: Problem) -> str:
    """A training problem in the page's language; a question-set field is named as the form
    labels it."""
    values = dict(problem.params)
    if "field" in values:
        values["field"] = i18n.translate(lang, values["field"])
    return i18n.translate(lang, f"problem_{problem.key}", **values)


async def _form_page(
    request: Request[Any, Any, Any],
    db: Database,
    values: dict[str, Any],
    *,
    creating: bool,
    problems: list[Problem] | None = None,
) -> Response[str]:
    published = await forms_db.list_all(db)
    options: dict[str, list[dict[str, Any]]] = {}
    for field, kind in PHASES:
        options[field] = [
            {**f, "value": f"{f['id']}@{f['version']}"}
            for f in published
            if f["kind"] == kind
            and (not f["retired"] or values[field] == f"{f['id']}@{f['version']}")
        ]
    lang = language(request)
    said = [(p.field, problem_text(lang, p)) for p in problems or []]
    by_field: dict[str, list[str]] = {}
    for field, text in said:
        by_field.setdefault(field, []).append(text)
    parents = [t for t in await trainings_db.list_visible(db, None) if t.id != values["id"]]
    return html(
        request,
        "training_form.html",
        {
            "creating": creating,
            "v": values,
            "problems": [text for _, text in said],
            "by_field": by_field,
            "institutions": await inst_db.list_all(db),
            "users": await users_db.list_all(db),
            "options": options,
            "parents": parents,
            "phases": [field for field, _ in PHASES],
            "wire_phases": WIRE_PHASES,
        },
        status_code=422 if problems else 200,
    )


async def _save(
    request: Request[Any, Any, Any], db: Database, training_id: str | None
) -> Response[Any]:
    """Saves the submitted form as a new training (`training_id` None) or over that one; the
    form again with its problems, if any."""
    creating = training_id is None
    values = _values_from(await request.form(), training_id)
    data = _training_in(values, creating)
    problems = await training_problems(db, data, creating=creating)
    if problems:
        return await _form_page(request, db, values, creating=creating, problems=problems)
    if creating:
        await trainings_db.create(db, completed(data, None), current(request).username)
    else:
        stored = await trainings_db.windows(db, data.id)
        await trainings_db.update(db, completed(data, stored), current(request).username)
    return Redirect(f"/console/trainings/{data.id}", status_code=303)


@get("/trainings/new", guards=[admin_guard])
async def new_training(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    return await _form_page(request, db, _values_of(None), creating=True)


@post("/trainings/new", guards=[admin_guard], status_code=303)
async def create_training(
    request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[Any]:
    return await _save(request, db, None)


@get("/trainings/{training_id:str}/edit", guards=[admin_guard])
async def edit_training(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    found = await visible_training(db, current(request), training_id)
    return await _form_page(request, db, _values_of(found), creating=False)


@post("/trainings/{training_id:str}/edit", guards=[admin_guard], status_code=303)
async def update_training(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[Any]:
    await visible_training(db, current(request), training_id)
    return await _save(request, db, training_id)


# Detail, join page, monitor, joining ------------------------------------------------------------


@get("/trainings/{training_id:str}", guards=[staff_guard])
async def training_detail(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    found = await visible_training(db, current(request), training_id)
    now = datetime.now(UTC)
    windows = found.windows or {}
    forms = {}
    for field, _ in PHASES:
        ref = getattr(found, field)
        if ref is not None:
            qs = await forms_db.get(db, ref.form, ref.version)
            forms[field] = {"ref": ref, "title": qs.title if qs else {}}
    counts = (await submission_counts(db, [found.id]))[found.id]
    return html(
        request,
        "training.html",
        {
            "tr": found,
            "forms": forms,
            "counts": counts,
            "names": await _names(db),
            "join_url": join_url(request, found.join_code),
            "phases": [field for field, _ in PHASES],
            "windows": [
                (p, windows.get(p) or PhaseWindow(), window_state(windows.get(p), now))
                for p in WIRE_PHASES
                if p != "followup" or found.followup_test is not None
            ],
        },
    )


@get("/trainings/{training_id:str}/join", guards=[staff_guard])
async def join_page(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    found = await visible_training(db, current(request), training_id)
    url = join_url(request, found.join_code)
    title = i18n.translate(language(request), "qr_title")
    return html(
        request,
        "join.html",
        {"tr": found, "join_url": url, "qr": Markup(qr_svg(url, title))},
    )


@get("/trainings/{training_id:str}/monitor", guards=[staff_guard])
async def monitor_page(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Response[str]:
    found = await visible_training(db, current(request), training_id)
    names = await _names(db)
    lang = language(request)
    table: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for row in await monitor_db.counts(db, training_id):
        table.setdefault(row["institution"], {})[row["phase"]] = row["n"]
        totals[row["phase"]] = totals.get(row["phase"], 0) + row["n"]
    return html(
        request,
        "monitor.html",
        {
            "tr": found,
            "table": sorted(table.items()),
            "totals": totals,
            "recent": await monitor_db.list_for_training(db, training_id, limit=10),
            "devices": await monitor_db.devices_with_pending(db, training_id),
            "inst_names": {key: i18n.pick(name, lang) for key, name in names.items()},
        },
    )


@post("/trainings/{training_id:str}/joining", guards=[staff_guard], status_code=303)
async def set_joining(
    training_id: FromPath[str], request: Request[Any, Any, Any], db: NamedDependency[Database]
) -> Redirect:
    """Close or reopen joining; the trainers of the training may do it from the room."""
    who = current(request)
    await visible_training(db, who, training_id)
    form = await request.form()
    await trainings_db.set_joining(db, training_id, form.get("open") == "1", who.username)
    return Redirect(f"/console/trainings/{training_id}", status_code=303)


@post("/trainings/{training_id:str}/phases/{phase:str}", guards=[staff_guard], status_code=303)
async def set_phase(
    training_id: FromPath[str],
    phase: FromPath[str],
    request: Request[Any, Any, Any],
    db: NamedDependency[Database],
) -> Redirect:
    """Open or close a phase now; the trainers of the training may do it from the room."""
    who = current(request)
    found = await visible_training(db, who, training_id)
    if phase not in WIRE_PHASES:
        raise NotFoundException(f"'{phase}' is not a phase; use {', '.join(WIRE_PHASES)}.")
    form = await request.form()
    await set_now(db, found, phase, form.get("open") == "1", who.username)
    return Redirect(f"/console/trainings/{training_id}", status_code=303)


TRAINING_PAGES = [
    dashboard,
    new_training,
    create_training,
    edit_training,
    update_training,
    training_detail,
    join_page,
    monitor_page,
    set_joining,
    set_phase,
]
