"""Read-only SQL the console needs beyond the table families' own modules."""

from __future__ import annotations

from server.db.database import Database


async def submission_counts(db: Database, training_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per training: submissions per phase, and `participants` (distinct codes)."""
    counts: dict[str, dict[str, int]] = {
        tid: {"pre": 0, "post": 0, "evaluation": 0, "participants": 0} for tid in training_ids
    }
    if not training_ids:
        return counts
    marks = ",".join("?" * len(training_ids))
    for row in await db.fetch_all(
        f"SELECT training_id, phase, COUNT(*) AS n FROM submissions"
        f" WHERE training_id IN ({marks}) GROUP BY training_id, phase",
        training_ids,
    ):
        counts[row["training_id"]][row["phase"]] = row["n"]
    for row in await db.fetch_all(
        f"SELECT training_id, COUNT(*) AS n FROM participants"
        f" WHERE training_id IN ({marks}) GROUP BY training_id",
        training_ids,
    ):
        counts[row["training_id"]]["participants"] = row["n"]
    return counts
