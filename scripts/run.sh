#!/usr/bin/env bash
# Set up and run govflow on the embedded SQLite database with the service-item library deployed.
#   GOVFLOW_DATA_DIR (default ./var), DATABASE_URL, HOST (127.0.0.1), PORT (8000), WORKERS (2)
# The library (bpmn/, forms/) is deployed once per content: a start after analysts deployed their own
# versions must not replace them with the repo's copy; a changed library (a new release) is deployed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GOVFLOW_DATA_DIR=${GOVFLOW_DATA_DIR:-$PWD/var}
mkdir -p "$GOVFLOW_DATA_DIR"
gf=.venv/bin/govflow
$gf db upgrade
$gf deploy --once --name "service-item library" bpmn/ forms/
tokens="$GOVFLOW_DATA_DIR/demo-tokens.txt"
# Demo users, one per group of the library, on every start: only missing ones are added, and a new
# user's API token is appended to $tokens (shown once; `govflow user token NAME` makes another).
existing_users=$($gf user list)
umask 077
demo_user() {  # NAME ARGS...
  local name=$1; shift
  grep -q "^$name\b" <<<"$existing_users" && return 0
  local token
  # Written only once the user exists: a failed add leaves no empty token behind, and says so.
  if token=$($gf user add "$name" "$@") && [ -n "$token" ]; then
    echo "$name $token" >> "$tokens"
    echo "demo user $name added; its API token is in $tokens"
  else
    echo "demo user $name not added (see the error above)" >&2
    return 1
  fi
}
demo_user admin --role admin
demo_user analyst --role analyst
demo_user supervisor --role supervisor
demo_user integrator --role integrator
demo_user inspector --group supervision --role clerk --role supervisor
# The agency head (机关负责人) approving extensions (延长审批) of the cases of the review's and zwfw's departments.
demo_user head --group review --group zwfw --role head
for group in window review chief certificate complaints food_review scjg zwfw meeting_chair cgj sthj zjj zrzy \
             construction_permit hygiene_approval hygiene_supervision planning_permit detailed_planning \
             municipal_planning; do
  demo_user "$group" --group "$group" --role clerk
done
# Demo departments owning the library's groups, on every start: only missing ones are added, so what an
# admin changed since (PUT /api/departments/CODE) stays; a clerk then reads only their departments' cases.
# Each group has the name pages show for it, so that a clerk reads more than its code.
declare -A title=(
  [window]=综合受理窗口 [zwfw]=审批协调科 [meeting_chair]=联合审批会议主持人
  [review]=审查科 [chief]=首席事务代表 [food_review]=食品经营许可科 [certificate]=制证窗口 [scjg]=行政审批科
  [hygiene_approval]=卫生许可科 [hygiene_supervision]=卫生监督科
  [construction_permit]=施工许可科 [zjj]=消防审验科
  [zrzy]=行政审批科 [planning_permit]=规划许可科 [detailed_planning]=详细规划科 [municipal_planning]=市政交通规划科
  [cgj]=市容景观科 [sthj]=环境影响评价科
)
existing_departments=$($gf department list)
demo_department() {  # CODE NAME GROUP...
  local code=$1 name=$2 group groups=(); shift 2
  grep -q "^$code"$'\t' <<<"$existing_departments" && return 0
  for group; do groups+=("--group=$group=${title[$group]-}"); done
  $gf department add "$code" --name "$name" "${groups[@]}" || echo "demo department $code not added" >&2
}
demo_department ZWFW 市政务服务管理局 window zwfw meeting_chair
demo_department SCJG 市市场监督管理局 review chief food_review certificate scjg
demo_department WJW 市卫生健康委员会 hygiene_approval hygiene_supervision
demo_department ZJJ 市住房和城乡建设局 construction_permit zjj
demo_department ZRZY 市自然资源和规划局 zrzy planning_permit detailed_planning municipal_planning
demo_department CGJ 市城市管理局 cgj
demo_department STHJ 市生态环境局 sthj
# 委托受理: a township service centre's window accepts the health commission's public venue licence.
title[township_window]=综合窗口
demo_department XZ-001 某镇便民服务中心 township_window
$gf delegation add --if-missing --principal WJW --agent XZ-001 --item WJW-XK-0005 --basis "委托受理协议（演示）" \
  || echo "demo entrustment not added" >&2
# A database set up before groups had titles: give those that never had one theirs (an admin's own title,
# or a title an admin cleared, stays as it is).
titles=()
for group in "${!title[@]}"; do titles+=("$group=${title[$group]}"); done
$gf department title --only-untitled "${titles[@]}" || echo "demo group titles not set" >&2
demo_user township_window --group township_window --role clerk  # the township window's demo clerk
exec $gf serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --workers "${WORKERS:-2}"
