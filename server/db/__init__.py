"""Storage: one SQLite file, written by one thread (`writer`); migrations by `user_version`."""

from server.db.database import Database
from server.db.writer import StorageUnavailable

__all__ = ["Database", "StorageUnavailable"]
