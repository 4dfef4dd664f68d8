#!/usr/bin/env bash
# Set up Tadrib on a fresh Debian 12 or Ubuntu server (with Python 3.11): Caddy with HTTPS in
# front of `tadrib serve` on loopback, run by systemd with its own user, data under
# /var/lib/tadrib, daily backups; prints the console login. Safe to run again (to upgrade too).
#
#   sudo TADRIB_DOMAIN=tadrib.example.org deploy/install.sh
#
# TADRIB_TLS=internal uses Caddy's own local authority instead of public certificates.
# Each step is a function; the tests run them one by one (TADRIB_INSTALL_ROOT puts every file
# under a folder, TADRIB_USER and TADRIB_VENV name the user and environment to use).
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="${TADRIB_INSTALL_ROOT:-}"
SERVICE_USER="${TADRIB_USER:-tadrib}"
APP_DIR="$ROOT/opt/tadrib"
VENV="${TADRIB_VENV:-$APP_DIR/venv}"
DATA_DIR="$ROOT/var/lib/tadrib"
CONF_DIR="$ROOT/etc/tadrib"
UNIT_DIR="$ROOT/etc/systemd/system"
CADDY_DIR="$ROOT/etc/caddy"
PORT="${TADRIB_PORT:-8000}"
PYTHON="${TADRIB_PYTHON:-python3.11}"
ADMIN_LOGIN=""

say() { printf '==> %s\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# Run a command as the service's user, so the files it makes belong to the service.
as_service() {
	if [ "$(id -un)" = "$SERVICE_USER" ]; then "$@"; else runuser -u "$SERVICE_USER" -- "$@"; fi
}

check_system() {
	local domain="${TADRIB_DOMAIN:-}"
	[ -n "$domain" ] || fail "set TADRIB_DOMAIN to the name phones will open, e.g. TADRIB_DOMAIN=tadrib.example.org"
	[[ "$domain" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] \
		|| fail "TADRIB_DOMAIN must be a host name like tadrib.example.org, not '$domain'"
	case "${TADRIB_TLS:-auto}" in auto | internal) ;; *) fail "TADRIB_TLS takes auto or internal, not '${TADRIB_TLS}'" ;; esac
	if [ -z "$ROOT" ]; then
		[ "$(id -u)" = 0 ] || fail "run as root (sudo)"
		grep -Eq '^ID(_LIKE)?=.*(debian|ubuntu)' /etc/os-release || fail "this script is for Debian or Ubuntu"
	fi
}

install_packages() {
	say "Installing Caddy and Python 3.11 from the distribution's packages"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy python3.11 python3.11-venv \
		|| fail "caddy, python3.11 and python3.11-venv could not be installed (on Ubuntu, Python 3.11 comes from the deadsnakes archive)"
}

create_user() {
	if id -u "$SERVICE_USER" >/dev/null 2>&1; then
		say "User $SERVICE_USER exists"
	else
		say "Creating the system user $SERVICE_USER"
		useradd --system --user-group --home-dir /var/lib/tadrib --shell /usr/sbin/nologin "$SERVICE_USER"
	fi
	install -d -m 750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DATA_DIR" "$DATA_DIR/backups"
}

# Before an upgrade: stop the server and back up the database with the version that wrote it.
stop_and_back_up() {
	[ -f "$DATA_DIR/tadrib.db" ] && [ -x "$VENV/bin/tadrib" ] || return 0
	if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
		systemctl stop tadrib.service || true
	fi
	say "Backing up the database before installing"
	as_service "$VENV/bin/tadrib" backup "$DATA_DIR/backups" --keep 14 --db "$DATA_DIR/tadrib.db"
}

# The app serves pwa/ from beside its code, so the whole tree is copied and installed editable.
copy_source() {
	say "Copying Tadrib from $SOURCE to $APP_DIR/src"
	install -d -m 755 "$APP_DIR"
	rm -rf "$APP_DIR/src.new"
	mkdir "$APP_DIR/src.new"
	tar -C "$SOURCE" --exclude=./.venv --exclude=./.git --exclude=./data --exclude=__pycache__ \
		--exclude='./*.egg-info' -cf - . | tar -C "$APP_DIR/src.new" -xf -
	rm -rf "$APP_DIR/src"
	mv "$APP_DIR/src.new" "$APP_DIR/src"
}

install_app() {
	say "Installing Tadrib and its pinned dependencies into $VENV"
	[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
	"$VENV/bin/pip" install --quiet --upgrade pip==25.3
	"$VENV/bin/pip" install --quiet --editable "$APP_DIR/src"
	"$VENV/bin/python" -m compileall -q "$APP_DIR/src" >/dev/null # the service cannot write there
}

write_settings() {
	install -d -m 755 "$CONF_DIR"
	if [ -f "$CONF_DIR/tadrib.env" ]; then
		say "Keeping the settings in $CONF_DIR/tadrib.env"
	else
		say "Writing the settings to $CONF_DIR/tadrib.env"
		cat >"$CONF_DIR/tadrib.env" <<-SETTINGS
			# Tadrib's settings (README, "Settings"); restart after a change: systemctl restart tadrib
			TADRIB_DB=/var/lib/tadrib/tadrib.db
			TADRIB_PUBLIC_URL=https://$TADRIB_DOMAIN
			TADRIB_TRUSTED_PROXIES=127.0.0.1,::1
		SETTINGS
		chmod 640 "$CONF_DIR/tadrib.env"
		chgrp "$SERVICE_USER" "$CONF_DIR/tadrib.env"
	fi
	# Caddy's part is the domain and the kind of certificate: rewritten from this run.
	cat >"$CONF_DIR/caddy.env" <<-CADDY
		TADRIB_DOMAIN=$TADRIB_DOMAIN
		TADRIB_TLS=${TADRIB_TLS:-auto}
		TADRIB_UPSTREAM=127.0.0.1:$PORT
	CADDY
}

install_units() {
	say "Installing the systemd units"
	install -d -m 755 "$UNIT_DIR" "$UNIT_DIR/caddy.service.d"
	local unit
	for unit in tadrib.service tadrib-backup.service tadrib-backup.timer; do
		sed -e "s|@USER@|$SERVICE_USER|g" -e "s|@VENV@|$VENV|g" -e "s|@DATA@|$DATA_DIR|g" \
			-e "s|@CONF@|$CONF_DIR|g" -e "s|@PORT@|$PORT|g" "$SOURCE/deploy/$unit" >"$UNIT_DIR/$unit"
	done
	printf '[Service]\nEnvironmentFile=%s/caddy.env\n' "$CONF_DIR" >"$UNIT_DIR/caddy.service.d/tadrib.conf"
}

configure_caddy() {
	install -d -m 755 "$CADDY_DIR"
	local target="$CADDY_DIR/Caddyfile"
	if [ -f "$target" ] && ! cmp -s "$target" "$SOURCE/deploy/Caddyfile" && [ ! -f "$target.before-tadrib" ]; then
		say "Keeping the previous Caddyfile as $target.before-tadrib"
		cp -p "$target" "$target.before-tadrib"
	fi
	install -m 644 "$SOURCE/deploy/Caddyfile" "$target"
}

create_admin() {
	local db="$DATA_DIR/tadrib.db" output
	if [ -f "$db" ] && "$VENV/bin/python" - "$db" <<-'PY'
		import sqlite3, sys
		conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
		found = conn.execute("SELECT 1 FROM users WHERE role = 'admin' AND password_hash IS NOT NULL")
		sys.exit(0 if found.fetchone() else 1)
	PY
	then
		say "An admin account exists (a new password: sudo -u $SERVICE_USER $VENV/bin/tadrib users add admin --role admin --db $db)"
		return
	fi
	say "Creating the console's admin account"
	output="$(as_service "$VENV/bin/tadrib" users add admin --role admin --db "$db" </dev/null)"
	ADMIN_LOGIN="admin / $(printf '%s\n' "$output" | sed -n 's/^password: //p')"
}

start_services() {
	if [ -n "$ROOT" ] || [ ! -d /run/systemd/system ]; then
		say "No systemd here: the services were not started"
		return
	fi
	say "Starting tadrib, its daily backup and Caddy"
	systemctl daemon-reload
	systemctl enable --now tadrib.service tadrib-backup.timer
	systemctl restart tadrib.service  # an upgrade runs its migrations now
	systemctl enable caddy.service
	systemctl restart caddy.service
}

check_health() {
	local url="https://$TADRIB_DOMAIN/api/v1/health" tries
	[ -z "$ROOT" ] || return 0
	for tries in 1 2 3 4 5 6 7 8 9 10; do
		if curl -fsS "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1; then break; fi
		sleep 1
	done
	curl -fsS "http://127.0.0.1:$PORT/api/v1/health" >/dev/null || fail "tadrib does not answer; see journalctl -u tadrib"
	local insecure=()
	[ "${TADRIB_TLS:-auto}" = auto ] || insecure=(--insecure) # the phones trust the local authority, not curl
	if curl -fsS "${insecure[@]}" --max-time 60 "$url" >/dev/null 2>&1; then
		say "$url answers"
	else
		say "tadrib runs, but $url does not answer yet: check that the name points to this server and ports 80 and 443 are open (journalctl -u caddy)"
	fi
}

print_summary() {
	local authority=""
	if [ "${TADRIB_TLS:-auto}" = internal ]; then
		authority="phones must trust: /var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt"
	fi
	cat <<-SUMMARY

		Tadrib is installed.
		  console:   https://$TADRIB_DOMAIN/console
		  login:     ${ADMIN_LOGIN:-unchanged (the admin account existed already)}
		  health:    https://$TADRIB_DOMAIN/api/v1/health
		  settings:  $CONF_DIR/tadrib.env (then: systemctl restart tadrib)
		  backups:   $DATA_DIR/backups, daily (systemctl list-timers tadrib-backup.timer)
		  $authority
	SUMMARY
}

main() {
	check_system
	install_packages
	create_user
	stop_and_back_up
	copy_source
	install_app
	write_settings
	install_units
	configure_caddy
	create_admin
	start_services
	check_health
	print_summary
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
