"""Joining: the stamp that proves a phone joined while joining was open, and the rule for codes
a training has not seen while it is closed. Pure: the secret comes from the caller.

The stamp is an HMAC of the training under the server's secret. It carries no time: a phone
that fetched its bundle while joining was open may send weeks later, offline all along.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_PREFIX = "j1."


def stamp(secret: bytes, training_id: str, join_code: str) -> str:
    """The stamp a bundle gives while joining is open."""
    message = f"joined:{training_id}:{join_code}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return _PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


#: Why a submission was refused, in the three languages of the app, for trainer and participant.
JOINING_CLOSED = (
    "Joining training '{id}' is closed and this participant code has not taken part before; "
    "ask the trainer to reopen joining, then send again. / "
    "Les inscriptions à la formation '{id}' sont fermées et ce code de participant n'y a jamais "
    "participé ; demandez au formateur de les rouvrir, puis envoyez à nouveau. / "
    "الانضمام إلى التدريب '{id}' مغلق ولم يشارك رمز المشارك هذا من قبل؛ اطلب من المدرب إعادة "
    "فتح الانضمام، ثم أعد الإرسال."
)


def refusal(training_id: str, may_join: bool, code_seen: bool) -> str | None:
    """Why a submission cannot be taken for joining, or None when it can.

    A code the training has seen is always taken; a new one only from a phone that may join
    (joining is open, or its bundle's stamp proves it joined while open). The submission's own
    times play no part: a phone's clock proves nothing.
    """
    if may_join or code_seen:
        return None
    return JOINING_CLOSED.format(id=training_id)


def matches(expected: str, given: str | None) -> bool:
    """Whether `given` is the `expected` stamp (as `stamp` made it), compared in constant time."""
    return bool(expected and given) and hmac.compare_digest(
        expected.encode(), (given or "").encode()
    )
