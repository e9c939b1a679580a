#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set-up for building the project on Debian 12, as root. Idempotent; the second
# run only checks and returns (a few seconds).
#
#  1. installs the Debian packages the build and tests need (apt), when missing;
#  2. imports DPDK's driver-SDK headers, which Debian's libdpdk-dev lacks, from
#     the Debian source package of exactly the installed libdpdk-dev version,
#     into a cache outside git ($XEN_DPDK_CACHE, default /var/cache/xen-dpdk);
#  3. configures the Meson build directory ($BUILD_DIR, default ./build).
#
# Usage: devtools/setup.sh [extra meson options...]
# Prints the SDK include directory on its last line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XEN_DPDK_CACHE:-/var/cache/xen-dpdk}
build=${BUILD_DIR:-$top/build}

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, hugepages)"

# Packages: build, run, test. xenstore-utils gives the real xenstore-* tools
# the tests drive against xenemu's daemon; tcpdump reads the captures the
# capture test makes (dpdk-dumpcap, xen-traffic --pcap).
pkgs=(libdpdk-dev dpdk-dev dpdk libxen-dev xenstore-utils meson ninja-build
      pkg-config gcc dpkg-dev python3 python3-pyelftools iproute2 procps
      psmisc tcpdump)
pkgs+=(${XEN_DPDK_EXTRA_PKGS:-})

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	log "apt-get update"
	apt-get update -q >/dev/null || die "apt-get update failed"
	apt_updated=1
}
if [ ${#missing[@]} -gt 0 ]; then
	apt_update
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

# DPDK driver-SDK headers, from the source package of the installed version.
ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
sdk=$cache/sdk-$ver
sdk_files=(lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h
	   drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/bus_driver.h
	   lib/eal/include/dev_driver.h)
if [ ! -f "$sdk/.complete" ] || [ ! -f "$sdk/buildtools/coff.py" ]; then
	log "importing DPDK $ver driver-SDK headers into $sdk"
	if ! apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null | grep -q '^Sources$'; then
		log "adding a deb-src entry"
		cat > /etc/apt/sources.list.d/xen-dpdk-deb-src.sources <<-'SRC'
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb-src
		URIs: http://deb.debian.org/debian-security
		Suites: bookworm-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		SRC
		apt_updated=0
	fi
	apt_update
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get source -q "dpdk=$ver" >/dev/null 2>&1) ||
		die "apt-get source dpdk=$ver failed (is a deb-src entry reachable?)"
	src=$(find "$work" -maxdepth 1 -mindepth 1 -type d -name 'dpdk*' | head -n1)
	[ -n "$src" ] || die "apt-get source dpdk=$ver produced no source tree"
	rm -rf "$sdk.tmp" && mkdir -p "$sdk.tmp/include" "$sdk.tmp/buildtools"
	for f in "${sdk_files[@]}"; do
		cp "$src/$f" "$sdk.tmp/include/" || die "missing $f in dpdk $ver source"
	done
	# pmdinfogen embeds the PMD description that dpdk-pmdinfo.py reads.
	cp "$src/buildtools/pmdinfogen.py" "$src/buildtools/coff.py" "$sdk.tmp/buildtools/"
	cp "$src/doc/guides/contributing/coding_style.rst" "$sdk.tmp/" 2>/dev/null || true
	echo "$ver" > "$sdk.tmp/.complete"
	rm -rf "$sdk" && mv "$sdk.tmp" "$sdk"
	rm -rf "$work"
	trap - EXIT
fi

if [ ! -f "$build/build.ninja" ]; then
	log "configuring $build"
	meson setup "$build" "$top" -Ddpdk_sdk="$sdk" "$@" >/dev/null ||
		die "meson setup failed; see $build/meson-logs/meson-log.txt"
else
	meson configure "$build" -Ddpdk_sdk="$sdk" "$@" >/dev/null ||
		die "meson configure failed"
fi
echo "$sdk"
