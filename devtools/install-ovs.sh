#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Installs OVS-DPDK (Debian 12's openvswitch-switch-dpdk, OVS 3.1 linked
# against the system's DPDK 22.11) for the client tests, as root. Idempotent:
# a second run only checks and returns.
#
#  1. apt-get update only when the package is missing and apt knows no
#     candidate for it; apt-get install non-interactively;
#  2. makes the DPDK-enabled vswitchd the one /usr/sbin/ovs-vswitchd runs
#     (update-alternatives), as Debian's README.Debian tells users to;
#  3. never leaves a system daemon running: the package's postinst would start
#     ovsdb-server and ovs-vswitchd through invoke-rc.d, so a policy-rc.d that
#     forbids every start is in place for the install (and the previous one,
#     if any, restored after). The tests start private daemons of their own.
#
# Usage: devtools/install-ovs.sh
# Prints the path of ovs-vswitchd-dpdk on its last line. Exit status 2 when the
# package cannot be installed here (not root, no apt, no candidate in the apt
# sources, apt-get failing: the tests skip then), 1 for anything else going
# wrong (the tests fail then); the reason on standard error either way.
set -euo pipefail

pkg=openvswitch-switch-dpdk
vswitchd_dpdk=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
policy=/usr/sbin/policy-rc.d

log() { printf 'install-ovs: %s\n' "$*" >&2; }
die() { printf 'install-ovs: error: %s\n' "$*" >&2; exit 1; }
cannot() { printf 'install-ovs: cannot install: %s\n' "$*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || cannot "must run as root (apt-get, update-alternatives)"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

if ! installed "$pkg" || [ ! -x "$vswitchd_dpdk" ]; then
	command -v apt-get >/dev/null || cannot "no apt-get: not a Debian system"
	# Update only if apt has never heard of the package: the lists of a fresh
	# container may be empty, but an update is slow and needs the mirror.
	cand=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
		log "apt-get update"
		apt-get update -q >/dev/null || cannot "apt-get update failed"
		cand=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
		[ -n "$cand" ] && [ "$cand" != "(none)" ] ||
			cannot "no candidate for $pkg in the configured apt sources"
	fi

	# No daemon may start from the postinst (there is no systemd here, and a
	# system ovsdb-server on /var/run/openvswitch would be left behind).
	saved=""
	if [ -e "$policy" ]; then
		saved=$(mktemp)
		cp -p "$policy" "$saved"
	fi
	restore_policy() {
		if [ -n "$saved" ]; then
			cp -p "$saved" "$policy"
			rm -f "$saved"
		else
			rm -f "$policy"
		fi
	}
	trap restore_policy EXIT
	printf '#!/bin/sh\n# install-ovs.sh: no daemon starts during the install\nexit 101\n' \
		> "$policy"
	chmod 755 "$policy"

	log "installing $pkg $cand"
	# --no-install-recommends: the DPDK vswitchd needs none of them.
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends -o Dpkg::Options::=--force-confdef \
		-o Dpkg::Options::=--force-confold "$pkg" >/tmp/install-ovs.$$.log 2>&1; then
		tail -n 20 /tmp/install-ovs.$$.log >&2
		rm -f /tmp/install-ovs.$$.log
		cannot "apt-get install $pkg failed"
	fi
	rm -f /tmp/install-ovs.$$.log
	restore_policy
	trap - EXIT
fi
[ -x "$vswitchd_dpdk" ] || die "$vswitchd_dpdk missing after installing $pkg"

# The DPDK vswitchd for /usr/sbin/ovs-vswitchd (the tests call the -dpdk binary
# by its path anyway; this is for users following doc/clients.rst).
if [ "$(readlink -f /usr/sbin/ovs-vswitchd)" != "$(readlink -f "$vswitchd_dpdk")" ]; then
	log "update-alternatives: ovs-vswitchd -> $vswitchd_dpdk"
	update-alternatives --set ovs-vswitchd "$vswitchd_dpdk" >/dev/null ||
		die "update-alternatives --set ovs-vswitchd $vswitchd_dpdk failed"
fi

# Belt and braces: a daemon on the system run directory means something
# started one (an earlier install without a policy-rc.d); say so, as the
# tests use private directories and do not need it gone.
for d in ovsdb-server ovs-vswitchd; do
	pidf=/var/run/openvswitch/$d.pid
	if [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
		log "note: a system $d is running (pid $(cat "$pidf")); the tests do not use it"
	fi
done

echo "$vswitchd_dpdk"
