"""A training's phases as sent: their windows checked, normalised and completed with the defaults,
and the follow-up test named (the post-test's set unless another is given)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec

from server.db import trainings as trainings_db
from server.db.database import Database
from server.schemas import Training, TrainingIn
from sync import windows as phase_windows
from sync.wire import PHASES, PhaseWindow

#: (field, problem key, values) as `server.routes.trainings.Problem` takes them.
Found = tuple[str, str, dict[str, str]]


def window_problems(data: TrainingIn) -> list[Found]:
    """What is wrong with the windows sent, each saying how to fix it."""
    problems: list[Found] = []
    for phase, window in (data.windows or {}).items():
        if phase not in PHASES:
            allowed = ", ".join(PHASES)
            problems.append(("windows", "unknown_phase", {"phase": phase, "allowed": allowed}))
            continue
        wrong = phase_windows.window_problem(window)
        if wrong is not None:
            problems.append(("windows", "bad_window", {"phase": phase, "problem": wrong}))
    wants_followup = data.followup_test is not None or "followup" in (data.windows or {})
    if wants_followup and data.followup_test is None and data.post_test is None:
        problems.append(("followup_test", "followup_without_test", {}))
    return problems


def completed(data: TrainingIn, stored: dict[str, PhaseWindow] | None) -> TrainingIn:
    """The training with every window it needs: those sent (normalised), else those `stored`
    (when replacing a training), else the defaults; and its follow-up test named."""
    given = data.windows if data.windows is not None else stored
    followup_test = data.followup_test
    if followup_test is None and given is not None and "followup" in given:
        followup_test = data.post_test
    try:
        date.fromisoformat(data.ends_on)
    except ValueError:
        return data  # the dates are refused on their own
    defaults = phase_windows.defaults(data.ends_on, followup=followup_test is not None)
    windows: dict[str, PhaseWindow]
    if given is None:
        windows = dict(defaults)
    else:
        windows = {phase: phase_windows.normalised(w) for phase, w in given.items()}
        if followup_test is not None and "followup" not in windows:
            windows["followup"] = defaults["followup"]
    if followup_test is None:
        windows.pop("followup", None)
    return msgspec.structs.replace(data, followup_test=followup_test, windows=dict(windows))


async def set_now(db: Database, training: Training, phase: str, open_: bool, actor: str) -> None:
    """The trainer's "open now" or "close now" of one phase of `training` (a phase of PHASES)."""
    window = (training.windows or {}).get(phase) or PhaseWindow()
    now = datetime.now(UTC)
    changed = (
        phase_windows.opened_now(window, now) if open_ else phase_windows.closed_now(window, now)
    )
    await trainings_db.set_window(db, training.id, phase, changed, actor)
