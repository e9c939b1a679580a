#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The netif wire is written once (drivers/common/xen/xenpv_netif.h): no
# netif xenstore key may stand as a string literal in a driver. Exit 1 and
# list the offending lines if one does.
set -eu
top=${1:?usage: check_netif_keys.sh SOURCE_ROOT}
keys='feature-|request-rx-copy|request-multicast|multi-queue-|max-ring-page-order|ring-page-order|tx-ring-ref|rx-ring-ref|event-channel|queue-|frontend-id|backend-id|"(mtu|mac|state|frontend|backend|carrier)"'
if grep -rnE "\"[^\"]*($keys)" "$top/drivers/net" --include='*.c' --include='*.h' |
	grep -vE '^[^:]+:[0-9]+:\s*(\*|/\*|//)' |
	grep -vE '_LOG\(' ; then
	echo "netif keys spelled out in a driver (use xenpv_netif.h)"
	exit 1
fi
echo "no netif key literal in drivers/net"
