#!/usr/bin/env bash
# The wheel smoke check (CI runs it after `make test`; `make check-dist` here): build the
# sdist and, from it, the wheel; install the wheel (not editable) into a fresh venv in a
# temporary folder; then, from a folder outside the source tree, with a throw-away HOME:
#   flexml-studio --version
#   flexml-studio validate <a template shipped inside the installed package>
#   QT_QPA_PLATFORM=offscreen flexml-studio --screenshot out.png   (a real PNG of the window)
# and check the installed package (not the source tree) is what ran, with its icons.
#
#   packaging/check_wheel.sh [--wheel FILE.whl] [--keep]
# Environment: PYTHON (the interpreter to build with and base the venv on; default
# .venv/bin/python if present, else python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHEEL=""
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wheel) WHEEL="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "check_wheel.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/flexml-wheel-check.XXXXXX")"
cleanup() { if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "check_wheel.sh: FAILED: $*" >&2; exit 1; }

if [ -z "$WHEEL" ]; then
  step "build the sdist, and the wheel from it"
  "$PYTHON" -m pip install --quiet build >"$WORK/pip-build.log" 2>&1 ||
    { tail -20 "$WORK/pip-build.log" >&2; fail "pip install build"; }
  (cd "$ROOT" && "$PYTHON" -m build --outdir "$WORK/dist" >"$WORK/build.log" 2>&1) ||
    { tail -40 "$WORK/build.log" >&2; fail "python -m build"; }
  WHEEL="$(ls "$WORK"/dist/*.whl)"
fi
echo "wheel: $(basename "$WHEEL") ($(du -k "$WHEEL" | cut -f1) KB)"
"$PYTHON" -c "import sys, zipfile; print(*(' ' + n for n in zipfile.ZipFile(sys.argv[1]).namelist()), sep='\n')" \
  "$WHEEL" >"$WORK/wheel.txt"
for member in gui/cli.py gui/resources/__init__.py gui/resources/icons/flexml-studio.svg \
  gui/resources/templates/ivr-menu.flexproj gui/resources/samples/sample.flexproj; do
  grep -q " $member\$" "$WORK/wheel.txt" || fail "the wheel has no $member"
done
for size in 16 24 32 48 64 128 256 512; do
  grep -q " gui/resources/icons/app/flexml-studio-$size.png\$" "$WORK/wheel.txt" ||
    fail "the wheel has no gui/resources/icons/app/flexml-studio-$size.png"
done
if grep -qE '(__pycache__|\.pyc$|^ tests/)' "$WORK/wheel.txt"; then
  fail "the wheel holds byte-code or tests"
fi

step "install it, not editable, into a fresh venv"
"$PYTHON" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
{ "$VPY" -m pip install --upgrade pip && "$VPY" -m pip install "$WHEEL"; } >"$WORK/pip.log" 2>&1 ||
  { tail -40 "$WORK/pip.log" >&2; fail "pip install $(basename "$WHEEL")"; }
"$VPY" -m pip list --format=freeze 2>/dev/null | grep -iE '^(flexml-studio|pyside6[-_a-z]*)==' || true
APP="$WORK/venv/bin/flexml-studio"
[ -x "$APP" ] || fail "the wheel installed no flexml-studio script"

# Outside the source tree, with nothing of it importable and a HOME of its own.
mkdir -p "$WORK/run" "$WORK/home"
cd "$WORK/run"
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
export XDG_CACHE_HOME="$WORK/home/.cache" PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring

step "the installed package is the one that runs"
"$VPY" - "$ROOT" <<'PY'
import sys
from importlib import resources
from pathlib import Path

import gui

root = Path(sys.argv[1]).resolve()
package = Path(gui.__file__).resolve().parent
assert root not in package.parents, f"gui imported from the source tree: {package}"
folder = resources.files("gui.resources")
assert Path(str(folder)).resolve().parent == package, f"gui.resources is {folder}"
print(f"gui {gui.__version__} from {package}")
PY

step "flexml-studio --version"
version="$("$APP" --version)"
echo "$version"
expected="flexml-studio $("$VPY" -c 'import gui; print(gui.__version__)')"
[ "$version" = "$expected" ] || fail "--version printed '$version', not '$expected'"

step "flexml-studio validate <the installed ivr-menu template>"
template="$("$VPY" -c "from importlib import resources
print(resources.files('gui.resources').joinpath('templates/ivr-menu.flexproj'))")"
echo "$template"
"$APP" validate "$template" || fail "validate exited $?"

step "flexml-studio --screenshot out.png (offscreen)"
QT_QPA_PLATFORM=offscreen "$APP" --screenshot out.png || fail "--screenshot exited $?"
"$VPY" - out.png <<'PY'
import struct
import sys
from pathlib import Path

data = Path(sys.argv[1]).read_bytes()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
assert width >= 640 and height >= 400, f"a {width}x{height} window"
assert len(data) > 20_000, f"only {len(data)} bytes: an empty window?"
print(f"out.png: {width}x{height}, {len(data)} bytes")
PY

step "the window's icons come from the installed package"
QT_QPA_PLATFORM=offscreen "$VPY" - <<'PY'
from PySide6.QtWidgets import QApplication

app = QApplication([])
from gui.qt.common.icons import app_icon, icon_files, verb_icon

icon = app_icon()
assert not icon.isNull()
sizes = sorted(size.width() for size in icon.availableSizes())
assert 512 in sizes and 16 in sizes, sizes
assert not verb_icon("Say").isNull()
print(f"app icon sizes {sizes}; {len(icon_files())} SVG icons")
PY

echo
echo "check_wheel.sh: the wheel installs and runs"
