#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Builds Pktgen-DPDK 23.03.0, unmodified, against Debian's installed DPDK
# 22.11, for the client tests (test/clients/pktgen.sh, doc/clients.rst).
# Pktgen is a real client to test the drivers against, not part of the
# project: its source is unpacked and built in a cache outside git
# ($XEN_DPDK_CACHE, default /var/cache/xen-dpdk), never copied into the tree.
#
# Idempotent: installs the build dependencies from Debian only when missing,
# and unpacks and builds only when the binary is missing (or the tarball
# changed); a second run just prints the path.
#
# Usage: devtools/build-pktgen.sh [--tarball PATH]
# Prints the path of the pktgen binary on its last line (stdout). Exit 1 when
# something fails, with the reason on stderr.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XEN_DPDK_CACHE:-/var/cache/xen-dpdk}
version=23.03.0
tarball=${PKTGEN_TARBALL:-$top/../shared/third_party/pktgen-dpdk-$version.tar.xz}

log() { printf 'build-pktgen: %s\n' "$*" >&2; }
die() { printf 'build-pktgen: error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--tarball) tarball=${2-}; shift ;;
	-h|--help) sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1" ;;
	esac
	shift
done

dir=$cache/pktgen-$version
bin=$dir/build/app/pktgen
src=$dir/pktgen-dpdk-$version

if [ ! -f "$tarball" ]; then
	# a build already in the cache is still good without its tarball
	if [ -x "$bin" ] && [ -s "$dir/.tarball-sha256" ]; then
		log "no tarball at $tarball: using the build in $dir"
		echo "$bin"
		exit 0
	fi
	die "no tarball at $tarball (set PKTGEN_TARBALL or --tarball)"
fi
sum=$(sha256sum "$tarball" | cut -d' ' -f1)

# Fast path: built from this very tarball, nothing to do.
if [ -x "$bin" ] && [ "$(cat "$dir/.tarball-sha256" 2>/dev/null)" = "$sum" ]; then
	echo "$bin"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, $cache)"

# Build dependencies, from pktgen's meson.build: libdpdk (pkg-config), and
# libpcap and libnuma for its lib/ and app/. Lua is an option that is off by
# default (enable_lua=false) and not needed: pktgen runs plain command files
# (.pkt) given with -f without it.
pkgs=(libdpdk-dev libpcap-dev libnuma-dev meson ninja-build pkg-config gcc xz-utils)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	# apt-get update only when the package lists are empty (a fresh image)
	# or an install from the current lists fails.
	if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
		log "apt-get update"
		apt-get update -q >/dev/null || die "apt-get update failed"
	fi
	log "installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null 2>&1; then
		log "apt-get update (install failed with the current lists)"
		apt-get update -q >/dev/null || die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
	fi
fi

# One build at a time (two test runs may ask at once); the second finds
# the first's result.
mkdir -p "$cache"
exec 9>"$cache/.pktgen-$version.lock"
flock -w 600 9 || die "another build-pktgen.sh holds $cache/.pktgen-$version.lock"
if [ -x "$bin" ] && [ "$(cat "$dir/.tarball-sha256" 2>/dev/null)" = "$sum" ]; then
	echo "$bin"
	exit 0
fi

# Start from a clean tree: the stamp below is written only after a complete
# build, so an interrupted one is simply redone, never trusted.
rm -rf "$dir"
mkdir -p "$dir"
log "unpacking $tarball into $dir"
tar -xJf "$tarball" -C "$dir" || die "cannot unpack $tarball"
[ -f "$src/meson.build" ] || die "$tarball does not hold pktgen-dpdk-$version/"
log "configuring (meson, against libdpdk $(pkg-config --modversion libdpdk))"
meson setup "$dir/build" "$src" -Denable_lua=false >"$dir/meson.log" 2>&1 ||
	{ tail -n 30 "$dir/meson.log" >&2; die "meson setup failed (log: $dir/meson.log)"; }
log "building (ninja, log: $dir/ninja.log)"
ninja -C "$dir/build" >"$dir/ninja.log" 2>&1 ||
	{ tail -n 40 "$dir/ninja.log" >&2; die "ninja failed (log: $dir/ninja.log)"; }
[ -x "$bin" ] || die "the build produced no $bin"
echo "$sum" > "$dir/.tarball-sha256"
log "built $bin"
echo "$bin"
