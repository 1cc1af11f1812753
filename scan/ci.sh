#!/usr/bin/env bash
# CI for the mercato-scan module: install the programs the tests drive
# (clamd, qemu-img, mkfs.ext4, sfdisk, mkpasswd, openssl) when missing, then
# vet and test with MERCATO_SCAN_REQUIRE_TOOLS=1 so no test can pass by
# skipping. `scan/ci.sh install` only installs (the repository's .ci/run does
# that, then runs ./test with MERCATO_SCAN_REQUIRE_TOOLS=1). Runs as root on Debian.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"

need=()
command -v clamd >/dev/null || need+=(clamav-daemon clamav)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v sfdisk >/dev/null || need+=(fdisk)
command -v mkpasswd >/dev/null || need+=(whois)
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then
	echo "ci.sh: installing ${need[*]}"
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ "${1:-}" = install ] && exit 0

export MERCATO_SCAN_REQUIRE_TOOLS=1
go vet ./...
go test ./...
