#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster for the tests, on 127.0.0.1 and a free port, in a
# temporary directory; prints `export` lines for its URL. Stop it with `scripts/postgres.sh stop DIR`.
# Installs Debian's postgresql when it is missing. initdb refuses to run as root, so the cluster
# runs as the `postgres` user, on a directory that user owns.
set -euo pipefail

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [[ "${1:-}" == "stop" ]]; then
    dir="$2"
    bin="$(find_bin)"
    [[ -n "$bin" && -d "$dir/data" ]] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit 0
fi

bin="$(find_bin)"
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "installing PostgreSQL from Debian" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin="$(find_bin)"
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres

dir="$(mktemp -d /tmp/account-console-pg.XXXXXX)"
chmod 755 "$dir"
chown postgres "$dir"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
"$bin/pg_isready" -h 127.0.0.1 -p "$port" -t 30 >&2
echo "export ACCOUNT_CONSOLE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
echo "export ACCOUNT_CONSOLE_TEST_POSTGRES_DIR=$dir"
