#!/bin/sh
# vendor-web.sh refreshes the consoles' vendored front-end files from the npm registry and
# checks them against the hashes recorded below (internal/web/static/vendor/SHA256SUMS and
# internal/web/testdata/vendor/SHA256SUMS). Run it from the repository root:
#
#   scripts/vendor-web.sh          # fetch the pinned versions, verify the recorded hashes
#   scripts/vendor-web.sh -update  # fetch, then record the new hashes (after changing a version)
#
# Nothing here runs at build time: the files are committed and embedded (no CDN, no build step).
# The version is part of each file name, so a file can be served as immutable.
set -eu

HTMX=2.0.11
UPLOT=1.6.32
AXE=4.14.1

root=$(cd "$(dirname "$0")/.." && pwd)
static=$root/internal/web/static/vendor
testdata=$root/internal/web/testdata/vendor
update=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch PKG@VER FILE-IN-PACKAGE DEST: npm pack, extract one file.
fetch() {
	(cd "$work" && rm -rf package && npm pack --silent "$1" >/dev/null && tar xzf ./*.tgz && rm -f ./*.tgz)
	cp "$work/package/$2" "$3"
}

mkdir -p "$static" "$testdata"
fetch "htmx.org@$HTMX" dist/htmx.min.js "$static/htmx-$HTMX.min.js"
cp "$work/package/LICENSE" "$static/htmx.LICENSE"
fetch "uplot@$UPLOT" dist/uPlot.iife.min.js "$static/uplot-$UPLOT.min.js"
cp "$work/package/dist/uPlot.min.css" "$static/uplot-$UPLOT.min.css"
cp "$work/package/LICENSE" "$static/uplot.LICENSE"
fetch "axe-core@$AXE" axe.min.js "$testdata/axe-$AXE.min.js"
cp "$work/package/LICENSE" "$testdata/axe.LICENSE"

for dir in "$static" "$testdata"; do
	(
		cd "$dir"
		if [ "$update" = "-update" ] || [ ! -f SHA256SUMS ]; then
			ls | grep -v "^SHA256SUMS$" | xargs sha256sum >SHA256SUMS
			echo "recorded $dir/SHA256SUMS"
		else
			sha256sum -c --quiet SHA256SUMS
			echo "verified $dir"
		fi
	)
done
