#!/usr/bin/env bash
# A throwaway PostgreSQL server for the intake register's tests (tests/external/register.rs):
#   bash .ci/postgres.sh start DIR   # prints the address to put in EHCPACK_TEST_POSTGRES
#   bash .ci/postgres.sh stop DIR
# The server's files live in DIR; it listens on the loopback address only, on $PGPORT (54329
# unless set), and trusts local connections (nothing else can reach it). PostgreSQL refuses to
# run as root, so as root (CI) it runs as the `postgres` user the Debian package makes.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?the server folder}
port=${PGPORT:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  echo "no PostgreSQL server found: apt-get install postgresql" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $action in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U ehcpack --no-sync >/dev/null
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
  echo "postgres://ehcpack@127.0.0.1:$port/postgres"
  ;;
stop)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
*)
  echo "start or stop" >&2
  exit 2
  ;;
esac
