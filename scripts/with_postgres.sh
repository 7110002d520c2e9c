#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temp directory, start it on a free
# port (as the `postgres` user when running as root, since PostgreSQL refuses root), export
# WANGGE_DATABASE_URL, run the command, then stop the cluster and remove it.
# Without PostgreSQL installed it says so and exits 0, unless REQUIRE_POSTGRES=1.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but initdb was not found; apt-get install postgresql" >&2
    exit 1
  fi
  echo "skipped: no PostgreSQL (apt-get install postgresql to run the suite on it too)"
  exit 0
fi
dir=$(mktemp -d /tmp/wangge-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" = "0" ]; then
  chown postgres:postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U wangge --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
export WANGGE_DATABASE_URL="postgres://wangge@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port"
"$@"
