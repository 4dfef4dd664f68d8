"""Tadrib's server: settings, storage, auth, routes, pages, reports and the CLI."""

__version__ = "0.1.0"
