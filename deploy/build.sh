#!/usr/bin/env bash
# Builds the static mercato binary that the Dockerfile packages, the systemd unit runs, and CI
# tests: no cgo (the SQLite driver is pure Go), reproducible paths, the version from git.
# Usage: deploy/build.sh [OUTPUT]   (default: ./mercato)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-mercato}"
version="${MERCATO_VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.buildVersion=${version}" -o "$out" ./cmd/mercato
echo "built $out (${version}, static)"
