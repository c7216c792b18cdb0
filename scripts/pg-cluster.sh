#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and the load test, run as an unprivileged user.
#
#   pg-cluster.sh start DIR PORT [--durable]   initdb into DIR (if empty), start on 127.0.0.1:PORT, print the
#                                              connection string; without --durable, fsync is off (tests only)
#   pg-cluster.sh stop DIR [--remove]          stop it; with --remove, delete DIR too (here, not in the caller: a test
#                                              process may be ended by its runner while the server stops, and each
#                                              cluster left behind holds up to a gigabyte in /tmp)
#
# Debian's postgresql package provides the binaries (scripts/prereqs.sh installs it without a main cluster).
# initdb refuses to run as root, so as root the cluster belongs to the postgres user the package creates.
set -euo pipefail

bindir=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"; do
  if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir=$candidate; break; fi
done
if [ -z "$bindir" ]; then
  echo "pg-cluster: PostgreSQL's initdb/pg_ctl not found; run scripts/prereqs.sh (Debian package postgresql)" >&2
  exit 1
fi

run_as() {
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    getent passwd "$user" >/dev/null || user=nobody
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

command=${1:?usage: pg-cluster.sh start DIR PORT [--durable] | stop DIR [--remove]}
dir=${2:?the cluster folder}
case "$command" in
  start)
    port=${3:?the port}
    durable=${4:-}
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      user=postgres; getent passwd "$user" >/dev/null || user=nobody
      chown "$user" "$dir"
    fi
    chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      run_as "$bindir/initdb" -D "$dir/data" -U kioskpos --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c shared_buffers=256MB"
    # KIOSKPOS_PG_OPTIONS: more server settings, for a diagnosis (e.g. "-c shared_preload_libraries=pg_stat_statements").
    options="$options ${KIOSKPOS_PG_OPTIONS:-}"
    if [ "$durable" != "--durable" ]; then
      options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    run_as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;Username=kioskpos;Database=postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      run_as "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    fi
    if [ "${3:-}" = "--remove" ]; then
      rm -rf -- "$dir"
    fi
    ;;
  *)
    echo "usage: pg-cluster.sh start DIR PORT [--durable] | stop DIR [--remove]" >&2
    exit 2
    ;;
esac
