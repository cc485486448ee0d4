#!/usr/bin/env bash
# Rebuild survey/static/govuk/ from the npm packages govuk-frontend and sass, outside the repository.
#
#   scripts/refresh_govuk_frontend.sh            # the versions pinned below (reproduces the committed files)
#   scripts/refresh_govuk_frontend.sh 6.7.0      # another govuk-frontend release (then update GOVUK_FRONTEND_VERSION)
#
# What it does: installs the two packages into a temporary folder, compiles scripts/govuk_frontend.scss
# (system font stack, $govuk-include-default-font-face: false, no GOV.UK header, no crest image: GDS
# Transport and the crown are reserved to GOV.UK), copies the package's ES module JavaScript, and writes
# VERSION and LICENCE. No fonts and no images are copied: the compiled CSS references none.
set -euo pipefail

GOVUK_FRONTEND_VERSION="${1:-6.6.0}"
SASS_VERSION="1.108.2"

repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/survey/static/govuk"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT

cd "$build"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" >/dev/null
pkg="$build/node_modules/govuk-frontend"

licence="$(node -p "require('$pkg/package.json').license")"
if [ "$licence" != "MIT" ]; then
  echo "govuk-frontend $GOVUK_FRONTEND_VERSION declares licence '$licence', not MIT: stopping" >&2
  exit 1
fi

npx --no-install sass --load-path="$build/node_modules" --style=compressed --no-source-map \
  "$repo/scripts/govuk_frontend.scss" "$build/govuk-frontend.min.css"
# The footer's "Crown copyright" wrapper rule (a margin only) is dropped: this service has no Crown copyright.
node -e '
  const fs = require("fs");
  const file = process.argv[1];
  const css = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const rule = /\.govuk-footer__crown\{[^}]*\}/g;
  if (!rule.test(css)) { console.error("expected .govuk-footer__crown rule not found"); process.exit(1); }
  fs.writeFileSync(file, css.replace(rule, ""));
' "$build/govuk-frontend.min.css"

for forbidden in "GDS Transport" "@font-face" ".woff" "govuk-crest" "crown" "govuk-logo" "govuk-header__"; do
  if grep -qiF -- "$forbidden" "$build/govuk-frontend.min.css"; then
    echo "compiled CSS still contains '$forbidden': stopping" >&2
    exit 1
  fi
done

rm -rf "$out"
mkdir -p "$out"
cp "$build/govuk-frontend.min.css" "$out/"
cp "$pkg/dist/govuk/govuk-frontend.min.js" "$pkg/dist/govuk/govuk-frontend.min.js.map" "$out/"
echo "$GOVUK_FRONTEND_VERSION" >"$out/VERSION"
# The package declares "license": "MIT" and its README says the codebase is released under the MIT
# License, but ships no licence file; this is the text of the repository's LICENSE.txt.
cat >"$out/LICENCE" <<LICENCE
GOV.UK Frontend $GOVUK_FRONTEND_VERSION (npm package govuk-frontend, https://github.com/alphagov/govuk-frontend)
compiled by scripts/refresh_govuk_frontend.sh with sass $SASS_VERSION.

The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE
echo "survey/static/govuk: govuk-frontend $GOVUK_FRONTEND_VERSION, sass $SASS_VERSION"
