#!/usr/bin/env bash
# Set up and run govflow on the embedded SQLite database with the service-item library deployed.
#   GOVFLOW_DATA_DIR (default ./var), DATABASE_URL, HOST (127.0.0.1), PORT (8000), WORKERS (2)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GOVFLOW_DATA_DIR=${GOVFLOW_DATA_DIR:-$PWD/var}
mkdir -p "$GOVFLOW_DATA_DIR"
gf=.venv/bin/govflow
$gf db upgrade
$gf deploy --name "service-item library" bpmn/ forms/
tokens="$GOVFLOW_DATA_DIR/demo-tokens.txt"
if ! $gf user list | grep -q '^admin\b'; then
  umask 077
  {
    echo "admin $($gf user add admin --role admin)"
    echo "analyst $($gf user add analyst --role analyst)"
    echo "window $($gf user add window --group window --role clerk)"
    echo "review $($gf user add review --group review --role clerk)"
    echo "chief $($gf user add chief --group chief --role clerk)"
    echo "certificate $($gf user add certificate --group certificate --role clerk)"
    echo "supervisor $($gf user add supervisor --role supervisor)"
    echo "integrator $($gf user add integrator --role integrator)"
  } > "$tokens"
  echo "demo users created; their API tokens are in $tokens"
fi
exec $gf serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --workers "${WORKERS:-2}"
