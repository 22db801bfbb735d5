#!/usr/bin/env bash
# Install (or remove) FlexML Studio's desktop integration for the current user: the .desktop
# file, the AppStream metainfo, the hicolor icons and the MIME type of *.flexproj files, so the
# app shows in the menu and opens FlexML projects and .xml files.
#
#   packaging/linux/install.sh                 # Exec=flexml-studio, found on PATH
#   packaging/linux/install.sh --exec DIR/flexml-studio   # e.g. the PyInstaller bundle
#   packaging/linux/install.sh --uninstall
#
# Files go under --prefix (default: ${XDG_DATA_HOME:-~/.local/share}); the desktop and MIME
# databases are refreshed when update-desktop-database / update-mime-database are present.
set -euo pipefail

APP_ID=io.github.flexmlstudio.FlexMLStudio
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ICONS="$ROOT/resources/icons"
PREFIX="${XDG_DATA_HOME:-$HOME/.local/share}"
EXEC=""
UNINSTALL=0

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#*=}"; shift ;;
    --exec) EXEC="$2"; shift 2 ;;
    --exec=*) EXEC="${1#*=}"; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

SIZES="16 24 32 48 64 128 256 512"
desktop="$PREFIX/applications/$APP_ID.desktop"
metainfo="$PREFIX/metainfo/$APP_ID.metainfo.xml"
mime="$PREFIX/mime/packages/$APP_ID.xml"
scalable="$PREFIX/icons/hicolor/scalable/apps/$APP_ID.svg"

refresh() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$PREFIX/applications" || true
  fi
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$PREFIX/mime" >/dev/null 2>&1 || echo "install.sh: update-mime-database failed" >&2
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$PREFIX/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$PREFIX/icons/hicolor" || true
  fi
}

if [ "$UNINSTALL" = 1 ]; then
  rm -f "$desktop" "$metainfo" "$mime" "$scalable"
  for size in $SIZES; do
    rm -f "$PREFIX/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
  done
  mkdir -p "$PREFIX/applications" "$PREFIX/mime/packages"
  refresh
  echo "Removed FlexML Studio's desktop integration from $PREFIX"
  exit 0
fi

if [ -n "$EXEC" ]; then
  case "$EXEC" in
    /*) ;;
    *) EXEC="$(cd "$(dirname "$EXEC")" && pwd)/$(basename "$EXEC")" ;;
  esac
  [ -x "$EXEC" ] || { echo "install.sh: $EXEC is not an executable" >&2; exit 2; }
elif ! command -v flexml-studio >/dev/null 2>&1; then
  echo "install.sh: note: flexml-studio is not on PATH; the menu entry appears once it is" \
    "(or run again with --exec PATH)" >&2
fi

install -d "$PREFIX/applications" "$PREFIX/metainfo" "$PREFIX/mime/packages" \
  "$(dirname "$scalable")"
if [ -n "$EXEC" ]; then
  # Desktop-entry quoting: the path in double quotes, with " ` $ and \ escaped for the quoted
  # argument and then every \ doubled again for the string value (so \ becomes \\\\).
  quoted="$(printf '%s' "$EXEC" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g')"
  plain="$(printf '%s' "$EXEC" | sed -e 's/\\/\\\\/g')"
  while IFS= read -r line; do
    case "$line" in
      Exec=flexml-studio*) printf 'Exec="%s"%s\n' "$quoted" "${line#Exec=flexml-studio}" ;;
      TryExec=*) printf 'TryExec=%s\n' "$plain" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <"$HERE/$APP_ID.desktop" >"$desktop"
  chmod 644 "$desktop"
else
  install -m 644 "$HERE/$APP_ID.desktop" "$desktop"
fi
install -m 644 "$HERE/$APP_ID.metainfo.xml" "$metainfo"
install -m 644 "$HERE/$APP_ID.mime.xml" "$mime"
install -m 644 "$ICONS/flexml-studio.svg" "$scalable"
for size in $SIZES; do
  install -D -m 644 "$ICONS/app/flexml-studio-$size.png" \
    "$PREFIX/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
refresh
echo "Installed FlexML Studio's desktop integration into $PREFIX"
