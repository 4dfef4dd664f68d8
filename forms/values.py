"""What an answer to an unscored XLSForm type may be: a date, a time, a calculation, an OK."""

from __future__ import annotations

import datetime
import re

#: The question types checked here; `forms.scoring` checks the scored and older ones.
TYPES = frozenset({"date", "time", "datetime", "calculate", "acknowledge"})
MAX_VALUE_LENGTH = 5000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")


def problem(qtype: str, value: object) -> str | None:
    """Why `value` cannot answer a question of `qtype`, or None when it can."""
    if qtype == "date":
        if not (isinstance(value, str) and _DATE.fullmatch(value) and _is_date(value)):
            return "needs a date written YYYY-MM-DD"
    elif qtype == "time":
        found = _TIME.fullmatch(value) if isinstance(value, str) else None
        if found is None or int(found[1]) > 23 or int(found[2]) > 59 or int(found[3] or 0) > 59:
            return "needs a time written HH:MM or HH:MM:SS"
    elif qtype == "datetime":
        if not (isinstance(value, str) and "T" in value and _is_datetime(value)):
            return "needs a date and time written YYYY-MM-DDTHH:MM:SS"
    elif qtype == "calculate":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return "needs the calculated text or number"
        if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            return f"the value has {len(value):,} characters; the limit is {MAX_VALUE_LENGTH:,}"
    elif qtype == "acknowledge" and value not in ("OK", True):
        return 'needs "OK" (acknowledged) or nothing'
    return None


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_datetime(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
