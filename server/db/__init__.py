"""Storage: one SQLite file, one writer connection, migrations by `PRAGMA user_version`."""

from server.db.database import Database, StorageUnavailable

__all__ = ["Database", "StorageUnavailable"]
