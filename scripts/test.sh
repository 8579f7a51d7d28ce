#!/usr/bin/env bash
# Set up and run the whole test suite: on SQLite always, and on PostgreSQL when one answers on
# 127.0.0.1:5432 (a fresh database is created for the run and dropped after). The two runs share nothing
# (each its own database, data directories and ports), so they run side by side: the PostgreSQL run's
# output is kept in a file (named at the start, to follow) and shown when the SQLite run is done, or when the
# command is stopped. Fails when either fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
py=.venv/bin/python
status=0

pg_host=${PGHOST_FOR_TESTS:-127.0.0.1}
pg_pid=
pg_log=
db=
admin_url="postgresql+psycopg://${PGUSER_FOR_TESTS:-postgres}@$pg_host:5432/${PGDATABASE_FOR_TESTS:-test}"
sql() { $py -c "import sqlalchemy as sa, sys; e=sa.create_engine(sys.argv[1], isolation_level='AUTOCOMMIT'); e.connect().execute(sa.text(sys.argv[2]))" "$admin_url" "$1"; }
cleanup() {
  if [ -n "$pg_pid" ]; then  # stopped before the PostgreSQL run was shown: show what it had said
    kill -- "$pg_pid" 2>/dev/null || true
    echo "== test suite on PostgreSQL ($db), stopped; its output so far:"
    cat "$pg_log" 2>/dev/null || true
  fi
  [ -n "$db" ] && sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  [ -n "$pg_log" ] && rm -f "$pg_log" || true
}
trap cleanup EXIT

if $py - "$pg_host" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], 5432), timeout=2).close()
except OSError:
    sys.exit(1)
PY
then
  db="govflow_test_$(date +%s)_$$"
  sql "CREATE DATABASE $db"
  pg_log=$(mktemp)
  echo "== test suite on PostgreSQL ($db), alongside: its output follows the SQLite run's (tail -f $pg_log)"
  GOVFLOW_TEST_DATABASE_URL="postgresql+psycopg://${PGUSER_FOR_TESTS:-postgres}@$pg_host:5432/$db" \
    $py -m pytest "$@" > "$pg_log" 2>&1 &
  pg_pid=$!
else
  echo "== PostgreSQL not reachable on $pg_host:5432: SQLite only"
fi

echo "== test suite on SQLite"
GOVFLOW_TEST_DATABASE_URL= $py -m pytest "$@" || status=$?

if [ -n "$pg_pid" ]; then
  pg_status=0
  wait "$pg_pid" || pg_status=$?
  pg_pid=
  echo "== test suite on PostgreSQL ($db)"
  cat "$pg_log"
  [ "$pg_status" = 0 ] || status=$pg_status
fi
exit $status
