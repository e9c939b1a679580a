#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 0, baseline (proves the harness): Linux xen-netfront in a PV guest
# <-> Linux xen-netback in dom0, vif on bridge xenbr0. Both ends at MTU 9000;
# the guest pings dom0 and dom0 pings the guest, 56 B (one slot) and 8000 B
# (a frame over two pages: several slots each way).
. "$(dirname "$0")/lib.sh"
g=s0-g
xi_guest_create $g pv 128 1 0 "bridge=xenbr0,mac=00:16:3e:00:00:02" 0 \
	XI_ROLE=ping XI_IP=198.18.0.2 XI_MTU=9000 XI_PING_TARGETS=198.18.0.1 "XI_PING_SIZES=56 8000"
d=${XI_DOMID[$g]}
xi_vif_wait "$d" 0 180 || xi_fail "vif $d/0 did not connect"
xi_log "vif $d/0 connected (4/4)"
# vif-bridge put vif<d>.0 in xenbr0; raise the path's MTU (the vif allows
# more than 1500 only because the frontend offers feature-sg).
for i in $(seq 1 60); do [ -e /sys/class/net/vif$d.0/brport ] && break; sleep 0.5; done
ip link set "vif$d.0" mtu 9000 || xi_fail "cannot set vif$d.0 mtu 9000"
ip link set xenbr0 mtu 9000 || xi_fail "cannot set xenbr0 mtu 9000"
xi_guest_wait $g '^XI-NET-UP' 120 || xi_fail "guest eth0 not up"
xi_ping_all 198.18.0.2 56 8000 || xi_fail "dom0 -> guest ping failed"
xi_guest_exit $g 180
[ "$XI_RC" = 0 ] || xi_fail "guest -> dom0 ping failed (guest status $XI_RC): $(xi_console $g | grep '^XI-PING' | tr '\n' ';')"
xi_pass "vif 4/4; ping dom0->guest and guest->dom0, 56 and 8000 B, 3/3 each"
