#!/usr/bin/env bash
# Starts Debian's PgBouncer in transaction mode in front of the local PostgreSQL, on 127.0.0.1:6439 (not the
# packaged service's 6432, so it is surely ours), for the suite's smoke part run through it
# (SWN_TEST_PGBOUNCER_URL); `stop` ends it. Every database is passed through.
set -euo pipefail
dir="${PGBOUNCER_DIR:-/tmp/swn-pgbouncer}"
if [ "${1:-start}" = stop ]; then
  [ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
  exit 0
fi
command -v pgbouncer >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
if ! command -v pgbouncer >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
fi
mkdir -p "$dir"
# One left by an earlier run that did not stop it.
[ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null && sleep 0.5 || true
rm -f "$dir/pgbouncer.pid"
cat > "$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = 6439
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 1000
# Every test has its own database, so its own pool: few server connections each, let go soon, and at most
# 60 in all (PostgreSQL allows 100, and the suite's own admin connections go straight to it).
default_pool_size = 8
max_user_connections = 60
server_idle_timeout = 5
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
echo '"postgres" ""' > "$dir/userlist.txt"
chown -R postgres "$dir" 2>/dev/null || true
# PgBouncer will not run as root: it switches to the postgres user when started by root.
if [ "$(id -u)" = 0 ]; then
  pgbouncer -d -u postgres "$dir/pgbouncer.ini"
else
  pgbouncer -d "$dir/pgbouncer.ini"
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 6439 && break; sleep 0.2; done
pg_isready -h 127.0.0.1 -p 6439
