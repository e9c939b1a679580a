#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The netif wire is written once (drivers/common/xen/xenpv_netif.h): no
# netif xenstore key may stand as a string literal in a driver. Exit 1 and
# list the offending lines if one does.
#
# Usage: check_netif_keys.sh SOURCE_ROOT
#        check_netif_keys.sh --self-test   (the check finds each form of
#                                           literal, and passes clean code)
set -eu

# keys found anywhere in a string literal ("%s/feature-sg"), and keys that
# are common words, found only as a whole literal ("mtu")
keys='feature-|request-rx-copy|request-multicast|multi-queue-|max-ring-page-order|ring-page-order|tx-ring-ref|rx-ring-ref|event-channel|queue-|frontend-id|backend-id'
words='mtu|mac|state|frontend|backend|carrier'

# check ROOT: 1 (and the lines) if a driver under ROOT/drivers/net spells one
check() {
	if grep -rnE "\"[^\"]*($keys)|\"($words)\"" "$1/drivers/net" --include='*.c' --include='*.h' |
		grep -vE '^[^:]+:[0-9]+:\s*(\*|/\*|//)' |
		grep -vE '_LOG\(' ; then
		echo "netif keys spelled out in a driver (use xenpv_netif.h)"
		return 1
	fi
	echo "no netif key literal in drivers/net"
}

if [ "${1:-}" = --self-test ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/drivers/net"
	for line in 'r = rd(xs, dir, "mtu");' 'p("%s/feature-sg", d);' \
		'k = "queue-0/tx-ring-ref";'; do
		printf '%s\n' "$line" > "$tmp/drivers/net/a.c"
		if check "$tmp" >/dev/null; then
			echo "self-test: not found: $line"
			exit 1
		fi
	done
	printf '%s\n' 'r = rd(xs, dir, XENPV_NETIF_MTU);' \
		'/* the "mtu" key */' 'XENNET_LOG(ERR, "bad \"mtu\"");' \
		> "$tmp/drivers/net/a.c"
	check "$tmp" >/dev/null || { echo "self-test: clean code refused"; exit 1; }
	echo "self-test: every form found, clean code passes"
	exit 0
fi
check "${1:?usage: check_netif_keys.sh SOURCE_ROOT | --self-test}"
