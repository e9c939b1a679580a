#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 1: Linux xen-netfront in a PV guest <-> net_xenback in dom0
# (dpdk-testpmd, icmpecho: answers ARP and ICMP echo for any address). The
# vif is made by xl itself (xl network-attach) with the no-op hotplug script,
# and Linux's xen-netback is unloaded so it does not bind the vif. The guest
# pings 56, 1400, 9000 and 20000 B at MTU 65000 (the large sizes are multi-
# slot packets both ways and need the backend's feature-sg).
. "$(dirname "$0")/lib.sh"
g=s1-g
xi_netback off
# Paused: the guest's domid is needed for the backend's devargs, and the
# backend must be up before the vif exists (libxl waits ~10 s for InitWait).
xi_guest_create $g pv 128 1 0 "" 1 XI_ROLE=ping XI_IP=198.18.0.2 XI_MTU=65000 \
	XI_PING_TARGETS=198.18.0.1 "XI_PING_SIZES=56 1400 9000 20000"
d=${XI_DOMID[$g]}
xi_dpdk_start testpmd 'Press enter to exit' 180 $XI_TESTPMD $XI_EAL_PV -d $XI_XENBACK \
	--vdev net_xenback0,domid=$d,devid=0 -- $XI_TP_OPTS --forward-mode=icmpecho -a $XI_TP_BIG
xi_vif_attach $g "mac=00:16:3e:00:01:02,script=vif-noop"
xi_guest_unpause $g
xi_vif_wait "$d" 0 180 || xi_fail "vif $d/0 did not connect"
xi_log "vif $d/0 connected (4/4); backend features:" \
	"sg=$(xenstore-read /local/domain/0/backend/vif/$d/0/feature-sg 2>&1)" \
	"gso=$(xenstore-read /local/domain/0/backend/vif/$d/0/feature-gso-tcpv4 2>&1)"
xi_guest_exit $g 300
pings=$(xi_console $g | grep '^XI-PING' | tr '\n' ';')
[ "$XI_RC" = 0 ] || xi_fail "guest -> testpmd ping failed (status $XI_RC): $pings"
xl destroy $g || xi_fail "xl destroy $g failed"
xi_dpdk_stop testpmd || xi_fail "testpmd exited with an error after the guest went"
xi_pass "vif 4/4; ping 56/1400/9000/20000 B answered 3/3 by testpmd on net_xenback" \
	"(testpmd RX $(xi_port_rx "$XI_OUT/testpmd.log" 0) packets)"
