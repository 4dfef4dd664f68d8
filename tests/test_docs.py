"""The docs stay honest: every CLI command and setting is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click

from server.cli import main
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def commands(group: click.Group, prefix: str = "") -> list[str]:
    found: list[str] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix}{name} ")
        else:
            found.append(f"{prefix}{name}")
    return found


def test_readme_starts_with_the_two_commands() -> None:
    head = "\n".join(README.splitlines()[:8])
    assert "make run" in head and "make test" in head


def test_every_cli_command_is_documented() -> None:
    for command in commands(main):
        assert f"tadrib {command}" in README, command


def test_every_setting_is_documented() -> None:
    source = (ROOT / "server" / "settings.py").read_text()
    variables = set(re.findall(r'"(TADRIB_[A-Z_]+)"', source))
    assert len(variables) == len(Settings.__struct_fields__)
    for name in variables:
        assert f"`{name}`" in README, name


def test_protocol_doc_names_every_status() -> None:
    protocol = (ROOT / "sync" / "PROTOCOL.md").read_text()
    for status in ("accepted", "duplicate", "conflict", "rejected", "400", "413", "429", "503"):
        assert f"`{status}`" in protocol, status
