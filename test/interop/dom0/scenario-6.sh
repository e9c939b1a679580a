#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 6: a net_xenback port bound to a guest by name (domain=<name>)
# follows the guest across a reboot, as an administrator runs it: the port
# exists before the guest, `xl create` (not paused) makes the vif and waits
# for InitWait as libxl does, then runs the vif's hotplug script; the guest
# is destroyed and created again under the same name (what a reboot is to
# dom0: a new domid), and the same port serves it with no action of the
# application. testpmd (icmpecho) runs with --no-rmv-interrupt: a port
# bound by name raises RMV when its guest goes, and testpmd would otherwise
# detach it. The guest pings 56 and 1400 B at each boot.
. "$(dirname "$0")/lib.sh"
g=s6-g
xi_netback off
xi_dpdk_start testpmd 'Press enter to exit' 180 $XI_TESTPMD $XI_EAL_PV -d $XI_XENBACK \
	--vdev net_xenback0,domain=$g -- $XI_TP_OPTS --no-rmv-interrupt \
	--forward-mode=icmpecho -a
domids=
for boot in 1 2; do
	xi_guest_create $g pv 128 1 0 "mac=00:16:3e:00:06:02,script=vif-noop" 0 \
		XI_ROLE=ping XI_IP=198.18.0.2 XI_PING_TARGETS=198.18.0.1 \
		"XI_PING_SIZES=56 1400"
	d=${XI_DOMID[$g]}
	xi_vif_wait "$d" 0 180 || xi_fail "boot $boot: vif $d/0 did not connect"
	xi_guest_exit $g 300
	pings=$(xi_console $g | grep '^XI-PING' | tr '\n' ';')
	[ "$XI_RC" = 0 ] || xi_fail "boot $boot (domain $d): ping failed (status $XI_RC): $pings"
	xi_log "boot $boot: domain $d answered: $pings"
	xl destroy $g || xi_fail "xl destroy $g failed"
	domids="$domids $d"
done
set -- $domids
[ "$1" != "$2" ] || xi_fail "the second boot got the same domid $1"
xi_dpdk_stop testpmd || xi_fail "testpmd exited with an error after the guest went"
log=$XI_OUT/testpmd.log
for d in $domids; do
	grep -q "domain \"$g\" is domain $d: serving its vif 0" "$log" ||
		xi_fail "the port did not bind domain $d (boot of $g)"
done
[ "$(grep -c 'Port 1:' "$log")" = 0 ] || xi_fail "testpmd saw a second port"
xi_pass "port net_xenback0 (domain=$g) served domain $1, then $2 after a re-create," \
	"with libxl's InitWait wait and vif-noop's hotplug-status; pings answered both times" \
	"(testpmd RX $(xi_port_rx "$log" 0) packets)"
