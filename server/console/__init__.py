"""The staff console: server-rendered pages for admins and trainers, in three languages."""
