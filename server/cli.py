"""The `tadrib` command: serve, seed the demo, check and publish question sets, manage access."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from forms.errors import FormErrors
from forms.loaders import load_path
from server.auth.passwords import hash_password, password_problem
from server.db import forms as forms_db
from server.db import users as users_db
from server.db.database import Database
from server.settings import SettingError, Settings

T = TypeVar("T")

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file (default: $TADRIB_DB or data/tadrib.db).",
)


def _settings(db_path: Path | None) -> Settings:
    try:
        return Settings.from_env(db_path)
    except SettingError as exc:
        raise click.UsageError(str(exc)) from exc


def _run(db_path: Path | None, work: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        db = Database(_settings(db_path).db_path)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(main())


@click.group()
def main() -> None:
    """Tadrib: offline pre/post knowledge tests and training evaluations."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@db_option
def serve(host: str, port: int, db_path: Path | None) -> None:
    """Serve the API, the participant app and the console."""
    import uvicorn

    from server.app import create_app

    settings = _settings(db_path)
    if not settings.public_url and not _loopback(host):
        click.echo(
            f"warning: serving on {host} without TADRIB_PUBLIC_URL: join links and QR codes "
            "take the address from each request; set TADRIB_PUBLIC_URL to the address phones "
            "open, e.g. https://tadrib.example.org.",
            err=True,
        )
    # Forwarded headers are read by the app, from TADRIB_TRUSTED_PROXIES only.
    uvicorn.run(
        create_app(settings), host=host, port=port, log_level="warning", proxy_headers=False
    )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@main.command()
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="Base URL.")
@db_option
def demo(url: str, db_path: Path | None) -> None:
    """Seed the demo programme (idempotent) and print the join links and the admin login."""
    from server.demo.seed import seed_demo

    info = _run(db_path, seed_demo)
    click.echo("Demo programme ready (simulated participants are marked as such).")
    for training, code in info.join_codes.items():
        click.echo(f"  join {training}: {url}/t/{code}")
    click.echo(f"  console: {url}/console  login: {info.admin_username} / {info.admin_password}")


@main.group()
def forms() -> None:
    """Check and publish question sets (YAML, JSON or XLSForm .xlsx)."""


def _load_all(files: tuple[Path, ...]) -> list[Any]:
    loaded, failed = [], False
    for path in files:
        try:
            loaded.append(load_path(path))
        except FormErrors as exc:
            failed = True
            for error in exc.errors:
                click.echo(f"{error.where}: {error.message}", err=True)
    if failed:
        raise SystemExit(1)
    return loaded


@forms.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@db_option
def forms_check(files: tuple[Path, ...], db_path: Path | None) -> None:
    """Check question sets; print every error with its place (the database is not touched)."""
    for qs in _load_all(files):
        click.echo(f"ok: {qs.id} version {qs.version} ({qs.kind}, {len(qs.questions)} questions)")


@forms.command("publish")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@db_option
def forms_publish(files: tuple[Path, ...], db_path: Path | None) -> None:
    """Publish question sets; all are checked before any is published."""
    sets = _load_all(files)

    async def work(db: Database) -> int:
        status = 0
        for qs in sets:
            result = await forms_db.publish(db, qs, "cli")
            if result.outcome == "conflict":
                status = 1
                click.echo(
                    f"{qs.id} version {qs.version}: already published with other content; "
                    "give the new content a new version.",
                    err=True,
                )
            else:
                word = "published" if result.outcome == "created" else "unchanged"
                click.echo(f"{word}: {qs.id} version {qs.version} {result.hash}")
        return status

    raise SystemExit(_run(db_path, work))


@main.group()
def users() -> None:
    """Staff users of the console."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "trainer"]), required=True)
@click.option("--password", default=None, help="Default: asked, or made up and printed.")
@db_option
def users_add(name: str, role: str, password: str | None, db_path: Path | None) -> None:
    """Add a user (or change its role and password)."""
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = secrets.token_urlsafe(12)
            click.echo(f"password: {password}")
    assert password is not None
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    hashed = hash_password(password)
    created = _run(db_path, lambda db: users_db.upsert(db, name, role, hashed, "cli"))
    click.echo(f"{'added' if created else 'updated'}: {name} ({role})")


@main.group()
def token() -> None:
    """Bearer tokens for scripts."""


@token.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "trainer"]), required=True)
@db_option
def token_create(name: str, role: str, db_path: Path | None) -> None:
    """Make a token for user NAME (created without a password when new); prints it last."""

    async def work(db: Database) -> str:
        user = await users_db.get(db, name)
        if user is None:
            await users_db.upsert(db, name, role, None, "cli")
        elif user["role"] != role:
            raise click.UsageError(
                f"User '{name}' is a {user['role']}; use --role {user['role']} or another name."
            )
        return await users_db.create_token(db, name, "cli", "cli")

    secret = _run(db_path, work)
    click.echo(f"token for {name} ({role}); keep it secret, it is shown once:")
    click.echo(secret)


@main.command()
@click.argument("training")
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "xlsx", "json"]), default="html")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option(
    "--lang", type=click.Choice(["en", "fr", "ar"]), default="en", show_default=True,
    help="Language of the report's texts (csv/xlsx headings stay English for scripts).",
)  # fmt: skip
@db_option
def report(training: str, fmt: str, out: Path, lang: str, db_path: Path | None) -> None:
    """Write a training's report to a file (csv: a directory with one file per table)."""
    from server.reports.output import write_report

    try:
        _run(db_path, lambda db: write_report(db, training, fmt, out, lang))
    except LookupError as exc:
        raise click.UsageError(f"{exc.args[0] if exc.args else exc} See 'tadrib --help'.") from exc
    click.echo(f"wrote {out}")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", default=14, show_default=True, type=int, help="Newest backups to keep.")
@db_option
def backup(folder: Path, keep: int, db_path: Path | None) -> None:
    """Write a dated, checked copy of the database into FOLDER, while the server keeps running;
    then keep only the newest KEEP backups there."""
    from server.backups import BackupError, make_backup

    try:
        written = make_backup(_settings(db_path).db_path, folder, keep)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {written} ({os.path.getsize(written)} bytes)")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def restore(file: Path, db_path: Path | None) -> None:
    """Check a backup (integrity, schema version) and put it in place of the database; the
    server must be stopped. The replaced file is kept beside it."""
    from server.backups import BackupError
    from server.backups import restore as restore_backup

    db = _settings(db_path).db_path
    try:
        kept = restore_backup(file, db)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {file} to {db}")
    if kept is not None:
        click.echo(f"the file it replaced is kept as {kept}")


if __name__ == "__main__":
    main()
