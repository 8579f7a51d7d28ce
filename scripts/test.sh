#!/usr/bin/env bash
# Set up and run the whole test suite: on SQLite always, and again on PostgreSQL when one answers on
# 127.0.0.1:5432 (a fresh database is created for the run and dropped after).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
py=.venv/bin/python
status=0

echo "== test suite on SQLite"
GOVFLOW_TEST_DATABASE_URL= $py -m pytest "$@" || status=$?

pg_host=${PGHOST_FOR_TESTS:-127.0.0.1}
if $py - "$pg_host" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], 5432), timeout=2).close()
except OSError:
    sys.exit(1)
PY
then
  db="govflow_test_$(date +%s)_$$"
  admin_url="postgresql+psycopg://${PGUSER_FOR_TESTS:-postgres}@$pg_host:5432/${PGDATABASE_FOR_TESTS:-test}"
  $py -c "import sqlalchemy as sa, sys; e=sa.create_engine(sys.argv[1], isolation_level='AUTOCOMMIT'); e.connect().execute(sa.text('CREATE DATABASE $db'))" "$admin_url"
  echo "== test suite on PostgreSQL ($db)"
  GOVFLOW_TEST_DATABASE_URL="postgresql+psycopg://${PGUSER_FOR_TESTS:-postgres}@$pg_host:5432/$db" \
    $py -m pytest "$@" || status=$?
  $py -c "import sqlalchemy as sa, sys; e=sa.create_engine(sys.argv[1], isolation_level='AUTOCOMMIT'); e.connect().execute(sa.text('DROP DATABASE IF EXISTS $db WITH (FORCE)'))" "$admin_url" || true
else
  echo "== PostgreSQL not reachable on $pg_host:5432: SQLite only"
fi
exit $status
