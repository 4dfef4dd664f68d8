"""Storage: one SQLite file, written by one thread (`Database.write`); migrations by
`user_version`."""

from server.db.database import Database, StorageUnavailable

__all__ = ["Database", "StorageUnavailable"]
