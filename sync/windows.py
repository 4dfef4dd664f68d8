"""Phase windows: reading their edges, the defaults that fit a training's dates, and whether a
completion fell inside them and inside the training's dates. Pure: plain values in and out.

An edge is a day (`2019-01-11`) or an instant with its offset (`2019-01-11T08:00:00Z`). A day
opens at its start and closes at its end on the calendar of whoever reads it: the phone uses its
own; the server, which does not know the room's offset, compares days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sync.limits import TIMING_GRACE_DAYS
from sync.wire import PhaseWindow

#: When a follow-up opens and closes, in days after the training's last day, unless set.
FOLLOWUP_OPENS_AFTER_DAYS = 30
FOLLOWUP_CLOSES_AFTER_DAYS = 90


class BadEdge(ValueError):
    """An edge that is neither a day nor an instant with an offset; the message says how to fix."""


def normalise_edge(value: str | None) -> str | None:
    """The edge as stored: a day as `YYYY-MM-DD`, an instant in UTC as `YYYY-MM-DDTHH:MM:SSZ`."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise BadEdge(f"'{text}' is not a day; write it like 2019-01-11.") from exc
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadEdge(
            f"'{text}' is not a day or a time; write 2019-01-11 or 2019-01-11T08:00:00+01:00."
        ) from exc
    if moment.tzinfo is None:
        raise BadEdge(
            f"'{text}' has no offset, so phones in another zone would read it differently; "
            "add one, e.g. 2019-01-11T08:00:00+01:00 (or Z for UTC)."
        )
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_problem(window: PhaseWindow) -> str | None:
    """What is wrong with a window (each edge readable, closing after opening), or None."""
    try:
        opens, closes = normalise_edge(window.opens_at), normalise_edge(window.closes_at)
    except BadEdge as exc:
        return str(exc)
    if opens is None or closes is None:
        return None
    both_instants = len(opens) > 10 and len(closes) > 10
    if _day(closes) < _day(opens) or (both_instants and closes <= opens):
        return f"it closes ({closes}) before it opens ({opens})."
    return None


def normalised(window: PhaseWindow) -> PhaseWindow:
    """The window with its edges as stored; call `window_problem` first."""
    return PhaseWindow(normalise_edge(window.opens_at), normalise_edge(window.closes_at))


def _day(edge: str) -> date:
    return date.fromisoformat(edge[:10])


def defaults(ends_on: str, followup: bool) -> dict[str, PhaseWindow]:
    """Windows for a training given none: the pre-test open from the start, the post-test and
    the evaluation from the last day, and a follow-up (when there is one) from 30 to 90 days
    after the last day."""
    last = date.fromisoformat(ends_on)
    found: dict[str, PhaseWindow] = {
        "pre": PhaseWindow(),
        "post": PhaseWindow(opens_at=last.isoformat()),
        "evaluation": PhaseWindow(opens_at=last.isoformat()),
    }
    if followup:
        found["followup"] = PhaseWindow(
            opens_at=(last + timedelta(days=FOLLOWUP_OPENS_AFTER_DAYS)).isoformat(),
            closes_at=(last + timedelta(days=FOLLOWUP_CLOSES_AFTER_DAYS)).isoformat(),
        )
    return found


def timing_flags(
    completed_at: str, starts_on: str, ends_on: str, window: PhaseWindow | None
) -> list[str]:
    """Flags for when a submission was completed (it is stored all the same): `early` or `late`
    outside the training's dates, give or take `TIMING_GRACE_DAYS` (`bad-time` when a date
    cannot be read), and `before-open` or `after-close` outside its phase's window.

    The training's dates are compared with the phone's own calendar day; a window's day edge
    is compared by day in UTC: the server does not know the room's offset, so the benefit of
    the doubt goes to the phone."""
    try:
        done = datetime.fromisoformat(completed_at)
    except ValueError:
        return ["bad-time"]
    try:
        starts, ends = date.fromisoformat(starts_on), date.fromisoformat(ends_on)
    except ValueError:
        flags = ["bad-time"]
    else:
        grace = timedelta(days=TIMING_GRACE_DAYS)
        day = done.date()
        flags = ["early"] if day < starts - grace else ["late"] if day > ends + grace else []
    if done.tzinfo is None:
        done = done.replace(tzinfo=UTC)
    if window is not None and window.opens_at is not None and _before(done, window.opens_at):
        flags.append("before-open")
    elif window is not None and window.closes_at is not None and _after(done, window.closes_at):
        flags.append("after-close")
    return flags


def _before(done: datetime, edge: str) -> bool:
    if len(edge) == 10:
        return done.astimezone(UTC).date() < date.fromisoformat(edge)
    return done < datetime.fromisoformat(edge)


def _after(done: datetime, edge: str) -> bool:
    if len(edge) == 10:
        return done.astimezone(UTC).date() > date.fromisoformat(edge)
    return done > datetime.fromisoformat(edge)


def opened_now(window: PhaseWindow, now: datetime) -> PhaseWindow:
    """The window after "open now": open from `now`, and no longer closed if it had closed."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    closes = window.closes_at
    if closes is not None and _after(now, closes):
        closes = None
    return PhaseWindow(opens_at=stamp, closes_at=closes)


def closed_now(window: PhaseWindow, now: datetime) -> PhaseWindow:
    """The window after "close now": closed from `now`; when it opened stays as it was."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    opens = window.opens_at
    if opens is not None and _before(now, opens):
        opens = stamp  # never opened: it opens and closes at the same moment
    return PhaseWindow(opens_at=opens, closes_at=stamp)


def window_state(window: PhaseWindow | None, now: datetime) -> str:
    """`not_yet`, `open` or `closed` at `now` (days read on the UTC calendar)."""
    if window is None:
        return "open"
    if window.opens_at is not None and _before(now, window.opens_at):
        return "not_yet"
    if window.closes_at is not None and _after(now, window.closes_at):
        return "closed"
    return "open"
