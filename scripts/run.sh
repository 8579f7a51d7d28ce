#!/usr/bin/env bash
# Set up and run govflow on the embedded SQLite database with the service-item library deployed.
#   GOVFLOW_DATA_DIR (default ./var), DATABASE_URL, HOST (127.0.0.1), PORT (8000), WORKERS (2)
# The library (bpmn/, forms/) is deployed on the first start and again only when its files changed since
# the last start that deployed it: a start must not replace what an analyst deployed since with the repo's
# older copy. $GOVFLOW_DATA_DIR/library.sha256 remembers what was deployed (delete it to deploy again).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GOVFLOW_DATA_DIR=${GOVFLOW_DATA_DIR:-$PWD/var}
mkdir -p "$GOVFLOW_DATA_DIR"
gf=.venv/bin/govflow
stamp="$GOVFLOW_DATA_DIR/library.sha256"
# A new SQLite database has no library yet, whatever an old stamp says.
[[ -z "${DATABASE_URL:-}" && ! -e "$GOVFLOW_DATA_DIR/govflow.db" ]] && rm -f "$stamp"
$gf db upgrade
library_hash() {  # every file of bpmn/ and forms/ (names and content), and the database
  { find bpmn forms -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    echo "${DATABASE_URL:-sqlite}"; } | sha256sum | cut -d' ' -f1
}
library=$(library_hash)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$library" ]]; then
  echo "service-item library unchanged since this script last deployed it: not deployed again ($stamp)"
else
  $gf deploy --name "service-item library" bpmn/ forms/
  echo "$library" > "$stamp"
fi
tokens="$GOVFLOW_DATA_DIR/demo-tokens.txt"
# Demo users, one per group of the library, on every start: only missing ones are added, and a new
# user's API token is appended to $tokens (shown once; `govflow user token NAME` makes another).
existing_users=$($gf user list)
umask 077
demo_user() {  # NAME ARGS...
  local name=$1; shift
  grep -q "^$name\b" <<<"$existing_users" && return 0
  echo "$name $($gf user add "$name" "$@")" >> "$tokens"
  echo "demo user $name added; its API token is in $tokens"
}
demo_user admin --role admin
demo_user analyst --role analyst
demo_user supervisor --role supervisor
demo_user integrator --role integrator
demo_user inspector --group supervision --role clerk --role supervisor
for group in window review chief certificate complaints food_review scjg zwfw meeting_chair cgj sthj zjj zrzy \
             construction_permit hygiene_approval hygiene_supervision planning_permit detailed_planning \
             municipal_planning; do
  demo_user "$group" --group "$group" --role clerk
done
# Demo departments owning the library's groups, on every start: only missing ones are added, so what an
# admin changed since (PUT /api/departments/CODE) stays; a clerk then reads only their departments' cases.
existing_departments=$($gf department list)
demo_department() {  # CODE NAME GROUP...
  local code=$1 name=$2; shift 2
  grep -q "^$code"$'\t' <<<"$existing_departments" && return 0
  $gf department add "$code" --name "$name" "${@/#/--group=}" || echo "demo department $code not added" >&2
}
demo_department ZWFW 政务服务中心 window zwfw meeting_chair
demo_department SCJG 市场监督管理局 review chief food_review certificate scjg
demo_department WJW 卫生健康委员会 hygiene_approval hygiene_supervision
demo_department ZJJ 住房和城乡建设局 construction_permit zjj
demo_department ZRZY 自然资源和规划局 zrzy planning_permit detailed_planning municipal_planning
demo_department CGJ 城市管理局 cgj
demo_department STHJ 生态环境局 sthj
exec $gf serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --workers "${WORKERS:-2}"
