"""Which trainings a staff member may see: admins all, trainers those they are assigned to."""

from __future__ import annotations

from litestar.exceptions import NotFoundException

from server.auth.principal import Principal
from server.db import trainings
from server.db.database import Database
from server.schemas import Training


async def visible_training(db: Database, principal: Principal, training_id: str) -> Training:
    """The training, or 404 both when it does not exist and when it is not the trainer's."""
    found = await trainings.get(db, training_id)
    if found is None or (not principal.is_admin and principal.username not in found.trainers):
        raise NotFoundException(f"No training '{training_id}' that you may see.")
    return found
