#!/usr/bin/env bash
# Rebuild survey/static/leaflet/ from the npm package leaflet, outside the repository.
#
#   scripts/refresh_leaflet.sh            # the version pinned below (reproduces the committed files)
#   scripts/refresh_leaflet.sh 1.9.5      # another 1.9 release
#
# What it does: fetches the package tarball with `npm pack` into a temporary folder, checks its declared
# licence, and copies the built script (with its source map), its style sheet and the images the style
# sheet names, then writes VERSION and LICENCE (the package's own LICENSE file).
set -euo pipefail

LEAFLET_VERSION="${1:-1.9.4}"

repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/survey/static/leaflet"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT

cd "$build"
npm pack --silent "leaflet@$LEAFLET_VERSION" >/dev/null
tar -xzf "leaflet-$LEAFLET_VERSION.tgz"
pkg="$build/package"

licence="$(node -p "require('$pkg/package.json').license")"
if [ "$licence" != "BSD-2-Clause" ]; then
  echo "leaflet $LEAFLET_VERSION declares licence '$licence', not BSD-2-Clause: stopping" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/images"
cp "$pkg/dist/leaflet.js" "$pkg/dist/leaflet.js.map" "$pkg/dist/leaflet.css" "$out/"
cp "$pkg/dist/images/"*.png "$out/images/"
echo "$LEAFLET_VERSION" >"$out/VERSION"
{
  echo "Leaflet $LEAFLET_VERSION (npm package leaflet, https://github.com/Leaflet/Leaflet), copied by scripts/refresh_leaflet.sh."
  echo
  cat "$pkg/LICENSE"
} >"$out/LICENCE"
echo "survey/static/leaflet: leaflet $LEAFLET_VERSION"
