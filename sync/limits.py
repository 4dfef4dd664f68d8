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
#: A completed_at this far outside the training's dates is flagged early or late (days).
TIMING_GRACE_DAYS = 1
