#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Smoke test of the harness's DPDK plumbing, independent of the project's
# drivers (not part of 'all'): Debian's dpdk-testpmd with two net_null ports
# forwards packets in dom0 (PV, --no-huge), in a PV guest (--no-huge) and in
# a PVH guest (hugepages), the guests with 2 queues so that the per-queue
# statistics the multi-queue scenarios read are checked too.
. "$(dirname "$0")/lib.sh"
NULL="-d /opt/dpdk/lib/librte_net_null.so.23 --vdev net_null0 --vdev net_null1"

xi_dpdk_start testpmd 'Press enter to exit' 180 $XI_TESTPMD $XI_EAL_PV $NULL -- $XI_TP_OPTS --forward-mode=io -a
sleep 3
xi_dpdk_stop testpmd || xi_fail "dom0 testpmd exited with an error"
rx=$(xi_port_rx "$XI_OUT/testpmd.log" 0)
[ "${rx:-0}" -gt 0 ] || xi_fail "dom0 testpmd forwarded nothing"
msg="dom0 PV: $rx packets"

for type in pv pvh; do
	g=ssmoke-$type
	eal=$XI_EAL_PV hp=0 mem=512
	[ $type = pvh ] && eal=$XI_EAL_PVH hp=160 mem=640
	xi_guest_create $g $type $mem 2 1 "" 0 XI_ROLE=dpdk XI_NETFRONT=0 XI_DPDK_MODE=serve \
		"XI_DPDK_READY=Press enter to exit" XI_LIFETIME=300 XI_HUGEPAGES=$hp \
		"XI_DPDK_CMD=$XI_TESTPMD $eal $NULL -- $XI_TP_OPTS --forward-mode=io -a --rxq=2 --txq=2"
	d=${XI_DOMID[$g]}
	xi_xs_wait /local/domain/$d/data/xi-ready 1 300 || xi_fail "$type guest: testpmd not ready"
	sleep 3
	xenstore-write /local/domain/$d/data/xi-stop 1
	xi_guest_exit $g 120
	xi_console $g > "$XI_OUT/$g.console"
	[ "$XI_RC" = 0 ] || xi_fail "$type guest: testpmd status $XI_RC"
	q0=$(xi_queue_rx "$XI_OUT/$g.console" 0 0)
	q1=$(xi_queue_rx "$XI_OUT/$g.console" 0 1)
	[ "${q0:-0}" -gt 0 ] && [ "${q1:-0}" -gt 0 ] || xi_fail "$type guest: port 0 queues got ${q0:-?} and ${q1:-?} packets"
	grep -q 'IOVA' "$XI_OUT/$g.console" && xi_log "$type: $(grep -m1 'IOVA' "$XI_OUT/$g.console")"
	msg="$msg; $type guest (hugepages $hp): queue 0 $q0, queue 1 $q1"
	xl destroy $g
done
xi_pass "$msg"
