"""Storage: one SQLite file, one writer connection in the server (sync batches are written by
the scribe process's own, `server/scribe.py`), migrations by `PRAGMA user_version`."""

from server.db.database import Database, StorageUnavailable

__all__ = ["Database", "StorageUnavailable"]
