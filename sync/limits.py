"""Limits of the sync protocol, shared by the server and its clients' documentation."""

from __future__ import annotations

#: Largest request body accepted by `POST /api/v1/sync` (413 above it).
MAX_BODY_BYTES = 1024 * 1024
#: Most submissions in one batch (400 above it); phones send at most 50.
MAX_SUBMISSIONS = 500
#: Longest free-text answer, in characters.
MAX_TEXT = 5000
#: Longest identifier (submission id, device id), in characters.
MAX_ID = 64
#: The most unsent records a device is reported to hold (SQLite integers stop at 2**63 - 1).
MAX_PENDING = 1_000_000
#: A completed_at this far outside the training's dates is flagged early or late (days).
TIMING_GRACE_DAYS = 1
#: Most submissions stored per phase of a training under one participant code: room for an
#: honest second try, too few to rebuild an answer key from scores (only the first shows one).
MAX_PER_CODE = 5
#: Most submissions stored per phase of a training from one device: a tablet passed around a
#: whole room carries each person's work; a script posing as one device stops there.
MAX_PER_DEVICE = 200
