"""Read-only SQL that loads one training's report inputs (the only I/O of the computation)."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any, Protocol

import msgspec

from forms.canonical import from_json
from forms.model import QuestionSet
from server.reports.inputs import Institution, ReportInput, Response, TrainingInfo
from server.reports.text import label


class Reader(Protocol):
    """What the report needs of `server.db.database.Database`: reads on a read connection."""

    async def fetch_all(self, sql: str, params: Sequence[Any] = ...) -> list[Any]: ...

    async def fetch_one(self, sql: str, params: Sequence[Any] = ...) -> Any | None: ...


TRAINING_SQL = """
SELECT id, title, country, location, starts_on, ends_on, parent,
       pre_form, pre_version, post_form, post_version, eval_form, eval_version, simulated
FROM trainings WHERE id = ?
"""

FORM_SQL = "SELECT content FROM forms WHERE id = ? AND version = ?"

INSTITUTIONS_SQL = """
SELECT i.key, i.name
FROM training_institutions AS ti JOIN institutions AS i ON i.key = ti.institution
WHERE ti.training_id = ?
ORDER BY ti.rowid
"""

# Test answers are only needed for the `responses` table; item points carry the scores, and
# only a training's own report needs them (the programme view reads tens of thousands of rows).
SUBMISSIONS_SQL = """
SELECT s.id, p.code, s.institution, s.sex, s.phase, s.completed_at, s.received_at, s.lang,
       s.device, s.form_id, s.form_version, s.percent, CASE WHEN ? THEN s.item_points END,
       CASE WHEN s.phase = 'evaluation' OR ? THEN s.answers END,
       s.flags, s.simulated, CASE WHEN ? THEN s.choice_order END
FROM submissions AS s JOIN participants AS p ON p.id = s.participant_id
WHERE s.training_id = ?
"""

_answers = msgspec.json.Decoder(dict[str, Any])
_flags = msgspec.json.Decoder(tuple[str, ...])
_orders = msgspec.json.Decoder(dict[str, list[str]]).decode
_any = msgspec.json.Decoder()


def decode_form(content: str | bytes) -> QuestionSet:
    """A stored question set (answer keys included) back to the typed model."""
    return from_json(content.encode() if isinstance(content, str) else content)


class Forms:
    """Question sets by id and version, each read and decoded once: the programme view loads
    thousands of trainings that share a handful of tests, and a training's pre- and post-test
    are often the same one. Reports only read the question sets they are given."""

    def __init__(self, db: Reader) -> None:
        self.db = db
        self._decoded: dict[tuple[str, str], QuestionSet | None] = {}

    async def get(self, form_id: str | None, version: str | None) -> QuestionSet | None:
        """The question set, or None when there is none (not given, or no longer stored)."""
        if not form_id or not version:
            return None
        key = (form_id, version)
        if key not in self._decoded:
            row = await self.db.fetch_one(FORM_SQL, key)
            self._decoded[key] = decode_form(row[0]) if row is not None else None
        return self._decoded[key]


def _title(raw: str, lang: str = "en") -> str:
    try:
        value = _any.decode(raw)
    except msgspec.DecodeError:
        return raw
    return label(value, lang) if isinstance(value, dict | str) else raw


def responses_from_rows(rows: Sequence[Sequence[Any]]) -> list[Response]:
    """Submission rows (in SUBMISSIONS_SQL's column order) to Responses, decoding JSON in bulk."""
    return _responses(rows)


# fmt: off
def _responses(rows: Sequence[Sequence[Any]]) -> list[Response]:
    answers, flags = _answers.decode, _flags.decode
    # The first twelve columns are Response's first twelve fields, in order.
    return [
        Response(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
            r[12] or "",
            answers(r[13]) if r[13] else {},
            flags(r[14]) if r[14] and r[14] != "[]" else (),
            bool(r[15]),
            choice_order=_orders(r[16]) if r[16] else {},
        )
        for r in rows
    ]
# fmt: on


async def load_input(
    db: Reader,
    training_id: str,
    *,
    answers: bool = False,
    item_points: bool = True,
    lang: str = "en",
    forms: Forms | None = None,
) -> ReportInput | None:
    """Everything the report of `training_id` needs, or None when there is no such training.

    Test answers are loaded only when `answers` is true (for the `responses` table), item
    points only when `item_points` is (the programme view needs none); the training's title is
    picked in `lang`. Pass one `forms` to the loads of many trainings to decode each test once.
    """
    return await _load(db, training_id, answers, item_points, lang, forms or Forms(db))


async def _load(
    db: Reader, training_id: str, answers: bool, item_points: bool, lang: str, forms: Forms
) -> ReportInput | None:
    t = await db.fetch_one(TRAINING_SQL, (training_id,))
    if t is None:
        return None
    institutions = [
        Institution(key=r[0], name=_any.decode(r[1]) if r[1] else {})
        for r in await db.fetch_all(INSTITUTIONS_SQL, (training_id,))
    ]
    wanted = 1 if answers else 0
    rows = await db.fetch_all(SUBMISSIONS_SQL, (int(item_points), wanted, wanted, training_id))
    current = {(t[7], t[8]), (t[9], t[10]), (t[11], t[12])}
    # Submissions made offline on an older version are scored with that version's questions.
    taken = set(map(itemgetter(9, 10), rows)) - current
    others = []
    for form_id, version in sorted(taken):
        form = await forms.get(form_id, version)
        if form is not None:
            others.append(form)
    return ReportInput(
        training=TrainingInfo(
            id=t[0],
            title=_title(t[1], lang),
            country=t[2] or "",
            location=t[3] or "",
            starts_on=t[4] or "",
            ends_on=t[5] or "",
            parent=t[6],
            simulated=bool(t[13]),
        ),
        institutions=institutions,
        responses=responses_from_rows(rows),
        pre_form=await forms.get(t[7], t[8]),
        post_form=await forms.get(t[9], t[10]),
        eval_form=await forms.get(t[11], t[12]),
        other_forms=others,
    )
