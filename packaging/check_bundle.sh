#!/usr/bin/env bash
# Smoke-check the PyInstaller bundle (`make bundle` runs it after building):
#   flexml-studio --version, validate and simulate on templates, --screenshot offscreen,
#   the headless commands load no Qt library, and the self-test (every lazily imported
#   module is in the bundle: Qt speech and sound, lxml, aiohttp, keyring, phone data).
#
#   packaging/check_bundle.sh [DIR]      (default dist/flexml-studio)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$ROOT/dist/flexml-studio}"
[ -x "$DIR/flexml-studio" ] || { echo "check_bundle.sh: no bundle at $DIR (make bundle)" >&2; exit 2; }
DIR="$(cd "$DIR" && pwd)"
APP="$DIR/flexml-studio"
fail() { echo "check_bundle.sh: FAILED: $*" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/flexml-bundle-check.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
cd "$WORK"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
export XDG_CACHE_HOME="$WORK/home/.cache" PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring
unset PYTHONPATH PYTHONHOME

echo "bundle: $DIR ($(du -sm "$DIR" | cut -f1) MB)"
"$APP" --version
"$APP" validate "$ROOT/resources/templates/ivr-menu.flexproj" || fail "validate exited $?"
"$APP" simulate "$ROOT/resources/templates/hello-world.flexproj" >"$WORK/simulate.txt" ||
  fail "simulate exited $?"
grep -q "call ended: completed" "$WORK/simulate.txt" || fail "simulate: $(cat "$WORK/simulate.txt")"
echo "simulate: $(tail -1 "$WORK/simulate.txt" | sed 's/^ *//')"
# The headless commands never load Qt: the dynamic loader names every library it opens.
for args in "--version" "validate $ROOT/resources/templates/blank.flexproj" \
  "simulate $ROOT/resources/templates/blank.flexproj"; do
  # shellcheck disable=SC2086
  if LD_DEBUG=libs "$APP" $args 2>&1 >/dev/null | grep -q 'calling init: .*libQt6'; then
    fail "'flexml-studio $args' loaded Qt"
  fi
done
echo "headless commands: no Qt library loaded"
QT_QPA_PLATFORM=offscreen "$APP" --screenshot "$WORK/out.png" 2>/dev/null || fail "--screenshot exited $?"
size="$(wc -c <"$WORK/out.png")"
if [ "$(head -c 4 "$WORK/out.png" | tail -c 3)" != "PNG" ] || [ "$size" -le 20000 ]; then
  fail "--screenshot wrote no real PNG ($size bytes)"
fi
echo "screenshot: $size bytes"
FLEXML_STUDIO_SELF_TEST=1 QT_QPA_PLATFORM=offscreen "$APP" 2>/dev/null || fail "self-test"
echo "check_bundle.sh: the bundle runs"
