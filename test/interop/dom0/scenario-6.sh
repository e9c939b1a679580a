#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 6: a net_xenback port bound to a guest by name (domain=<name>)
# follows the guest across a reboot, as an administrator runs it: the port
# exists before the guest, `xl create` (not paused) makes the vif and waits
# for InitWait as libxl does, then runs the vif's hotplug script; the guest
# is rebooted (xl reboot: xl re-creates it, a new domid), then destroyed and
# created again under the same name (what a reboot also is to dom0), and the
# same port serves each incarnation with no action of the application.
# testpmd (icmpecho) runs with --no-rmv-interrupt: a port bound by name
# raises RMV when its guest goes, and testpmd would otherwise detach it.
# The guest pings 56 and 1400 B at each of its three boots.
. "$(dirname "$0")/lib.sh"
g=s6-g
xi_netback off
xi_dpdk_start testpmd 'Press enter to exit' 180 $XI_TESTPMD $XI_EAL_PV -d $XI_XENBACK \
	--vdev net_xenback0,domain=$g -- $XI_TP_OPTS --no-rmv-interrupt \
	--forward-mode=icmpecho -a
domids=
# boot 1: xl create; boot 2: xl reboot (xl's own restart: the guest's
# kernel reboots, xl destroys the domain and builds it again from the same
# configuration); boot 3: xl destroy, then xl create again
for boot in 1 2 3; do
	case $boot in
	1|3)
		XI_ON_REBOOT=restart xi_guest_create $g pv 128 1 0 "mac=00:16:3e:00:06:02,script=vif-noop" 0 \
			XI_ROLE=ping XI_IP=198.18.0.2 XI_PING_TARGETS=198.18.0.1 \
			"XI_PING_SIZES=56 1400"
		;;
	2)
		old=${XI_DOMID[$g]}
		: > "/var/log/xen/console/guest-$g.log"
		xi_log "xl reboot $g (domain $old)"
		xl reboot $g || xi_fail "xl reboot $g failed"
		for i in $(seq 1 120); do
			d=$(xl domid $g 2>/dev/null) && [ "$d" != "$old" ] && break
			d=
			sleep 0.5
		done
		[ -n "$d" ] || xi_fail "boot 2: $g did not come back under a new domid within 60 s of xl reboot"
		XI_DOMID[$g]=$d
		xi_log "$g rebooted as domain $d"
		;;
	esac
	d=${XI_DOMID[$g]}
	xi_vif_wait "$d" 0 180 || xi_fail "boot $boot: vif $d/0 did not connect"
	xi_guest_exit $g 300
	pings=$(xi_console $g | grep '^XI-PING' | tr '\n' ';')
	[ "$XI_RC" = 0 ] || xi_fail "boot $boot (domain $d): ping failed (status $XI_RC): $pings"
	xi_log "boot $boot: domain $d answered: $pings"
	[ $boot = 1 ] || xl destroy $g || xi_fail "xl destroy $g failed"
	domids="$domids $d"
done
set -- $domids
[ "$1" != "$2" ] && [ "$2" != "$3" ] && [ "$1" != "$3" ] || xi_fail "a boot reused a domid: $domids"
xi_dpdk_stop testpmd || xi_fail "testpmd exited with an error after the guest went"
log=$XI_OUT/testpmd.log
for d in $domids; do
	grep -q "domain \"$g\" is domain $d: serving its vif 0" "$log" ||
		xi_fail "the port did not bind domain $d (boot of $g)"
done
[ "$(grep -c 'Port 1:' "$log")" = 0 ] || xi_fail "testpmd saw a second port"
xi_pass "port net_xenback0 (domain=$g) served domain $1, then $2 after xl reboot, then $3 after a re-create," \
	"with libxl's InitWait wait and vif-noop's hotplug-status; pings answered all three times" \
	"(testpmd RX $(xi_port_rx "$log" 0) packets)"
