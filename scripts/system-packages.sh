#!/usr/bin/env bash
# Debian packages the project needs beyond Python: Chromium for the browser tests, a CJK font so
# its screenshots show Chinese rather than empty boxes, a serif CJK TrueType font (AR PL UMing) that the
# documents' PDFs embed (engine/document_pdf.py) and the HanaMin faces (fonts-hanazono) those PDFs embed for
# rare characters UMing lacks (CJK Extension A, and Extension B and beyond), Node.js and npm for the page assets.
# Idempotent: does nothing (and touches no network) when everything is present.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
{ command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; } || missing+=(fonts-wqy-microhei)
[ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || missing+=(fonts-arphic-uming)
[ -f /usr/share/fonts/truetype/hanazono/HanaMinB.ttf ] || missing+=(fonts-hanazono)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "system-packages: missing ${missing[*]}; install them as root (apt-get install -y ${missing[*]})" >&2
    exit 0  # not fatal: browser tests then skip with a reason, and the asset build says what is missing
  fi
  echo "system-packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
