"""deploy/install.sh, step by step, as far as a machine without systemd allows: every file lands
under a temporary root, a second run changes nothing and keeps what the admin edited, and the
console login is printed once."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from server.auth.passwords import verify_password
from tests.live import ROOT

INSTALL = ROOT / "deploy" / "install.sh"
#: The steps a machine without systemd, apt or network can run (install_packages and
#: install_app need the distribution's and Python's package indexes).
STEPS = [
    "check_system", "create_user", "stop_and_back_up", "copy_source", "write_settings",
    "install_units", "configure_caddy", "create_admin", "start_services", "check_health",
    "print_summary",
]  # fmt: skip


def run_steps(root: Path, *steps: str, **env: str) -> subprocess.CompletedProcess[str]:
    settings = {
        **os.environ,
        "TADRIB_INSTALL_ROOT": str(root),
        "TADRIB_USER": subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip(),
        "TADRIB_VENV": str(ROOT / ".venv"),
        "TADRIB_DOMAIN": "tadrib.test",
        **env,
    }
    script = f'source "{INSTALL}"; ' + "; ".join(steps)
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=settings, timeout=120
    )


def files(root: Path) -> dict[str, bytes]:
    """The files the steps wrote (the database, its backups and the copied source aside)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part in str(p) for part in ("/backups/", "/src/", "tadrib.db"))
    }


def test_install_steps_twice_change_nothing_and_print_the_login_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc" / "caddy").mkdir(parents=True)
    (root / "etc" / "caddy" / "Caddyfile").write_text(":80 {\n\trespond hello\n}\n")

    first = run_steps(root, *STEPS)
    assert first.returncode == 0, first.stderr
    login = next(line for line in first.stdout.splitlines() if "login:" in line)
    password = login.split(" / ")[1].strip()
    db = root / "var" / "lib" / "tadrib" / "tadrib.db"
    stored = sqlite3.connect(db).execute("SELECT password_hash FROM users").fetchone()[0]
    assert verify_password(stored, password)

    env = (root / "etc" / "tadrib" / "tadrib.env").read_text()
    assert "TADRIB_PUBLIC_URL=https://tadrib.test\n" in env
    assert "TADRIB_TRUSTED_PROXIES=127.0.0.1,::1\n" in env
    assert (
        "TADRIB_DOMAIN=tadrib.test\nTADRIB_TLS=auto\n"
        in (root / "etc" / "tadrib" / "caddy.env").read_text()
    )
    caddy = root / "etc" / "caddy"
    assert (caddy / "Caddyfile").read_bytes() == (ROOT / "deploy" / "Caddyfile").read_bytes()
    assert "respond hello" in (caddy / "Caddyfile.before-tadrib").read_text()
    assert (root / "opt" / "tadrib" / "src" / "pwa" / "index.html").is_file()
    assert not (root / "opt" / "tadrib" / "src" / ".venv").exists()
    assert "No systemd here" in first.stdout

    with open(root / "etc" / "tadrib" / "tadrib.env", "a") as edited:
        edited.write("TADRIB_SYNC_RATE=90\n")
    before = files(root)
    second = run_steps(root, *STEPS)
    assert second.returncode == 0, second.stderr
    assert "An admin account exists" in second.stdout and password not in second.stdout
    assert "login:     unchanged" in second.stdout
    assert files(root) == before  # the admin's edit stays; nothing else moved
    # Before installing again, the database was backed up by the version that wrote it.
    assert len(list((root / "var" / "lib" / "tadrib" / "backups").glob("tadrib-*.db"))) == 1


def test_the_units_as_installed_are_valid(tmp_path: Path) -> None:
    assert shutil.which("systemd-analyze"), "`make test` installs Debian's systemd for it"
    root = tmp_path / "root"
    done = run_steps(root, "create_user", "write_settings", "install_units")
    assert done.returncode == 0, done.stderr
    units = root / "etc" / "systemd" / "system"
    service = (units / "tadrib.service").read_text()
    assert "@" not in service.replace("@system-service", "")  # every blank filled in
    assert f"ExecStart={ROOT}/.venv/bin/tadrib serve --host 127.0.0.1 --port 8000" in service
    check = subprocess.run(
        ["systemd-analyze", "verify", "--man=no",
         *(str(units / n) for n in ("tadrib.service", "tadrib-backup.service",
                                    "tadrib-backup.timer"))],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0 and check.stderr == "", check.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TADRIB_DOMAIN": ""}, "set TADRIB_DOMAIN to the name phones will open"),
        ({"TADRIB_DOMAIN": "https://tadrib.test/"}, "must be a host name"),
        ({"TADRIB_TLS": "self-signed"}, "TADRIB_TLS takes auto or internal"),
    ],
)
def test_install_refuses_settings_it_cannot_use(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    done = run_steps(tmp_path, "check_system", "write_settings", **env)
    assert done.returncode == 1 and message in done.stderr
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize("tls", ["auto", "internal"])
def test_the_caddyfile_serves_the_domain_on_the_standard_ports(tls: str) -> None:
    assert shutil.which("caddy"), "`make test` installs Debian's caddy"
    env = {"PATH": os.environ["PATH"], "HOME": "/nonexistent", "TADRIB_DOMAIN": "tadrib.example.org",
           "TADRIB_TLS": tls}  # fmt: skip
    adapted = subprocess.run(
        ["caddy", "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )  # fmt: skip
    config = json.loads(adapted.stdout)
    http = config["apps"]["http"]
    assert (http["http_port"], http["https_port"]) == (80, 443)
    [server] = http["servers"].values()
    assert server["listen"] == [":443"]
    assert server["routes"][0]["match"] == [{"host": ["tadrib.example.org"]}]
    issuers = config["apps"].get("tls", {}).get("automation", {}).get("policies", [{}])[0]
    # auto: Caddy's default issuers (public ACME); internal: its own authority.
    assert (issuers.get("issuers") == [{"module": "internal"}]) == (tls == "internal")
    assert "127.0.0.1:8000" in adapted.stdout
