#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 5a: Linux xen-netfront with 2 queues (2 vCPUs) <-> net_xenback
# with max_queues=2 (testpmd icmpecho, 2 RX/TX queues). The guest pings 12
# different addresses (testpmd answers them all), so its flow hash spreads
# them over both queues; testpmd's per-queue statistics must show traffic on
# queue 0 and queue 1.
. "$(dirname "$0")/lib.sh"
g=s5a-g
xi_netback off
targets="198.18.0.1 $(seq -s ' ' -f '198.18.0.%g' 20 30)"
xi_guest_create $g pv 128 2 0 "" 1 XI_ROLE=ping XI_IP=198.18.0.2 "XI_PING_TARGETS=$targets" XI_PING_SIZES=56
d=${XI_DOMID[$g]}
xi_dpdk_start testpmd 'Press enter to exit' 180 $XI_TESTPMD $XI_EAL_PV -d $XI_XENBACK \
	--vdev net_xenback0,domid=$d,max_queues=2 -- $XI_TP_OPTS --forward-mode=icmpecho -a --rxq=2 --txq=2
xi_vif_attach $g "mac=00:16:3e:00:05:02,script=vif-noop"
xi_guest_unpause $g
xi_vif_wait "$d" 0 180 || xi_fail "vif $d/0 did not connect"
nq=$(xenstore-read /local/domain/$d/device/vif/0/multi-queue-num-queues 2>/dev/null || echo 1)
xi_log "frontend multi-queue-num-queues=$nq"
[ "$nq" = 2 ] || xi_fail "Linux netfront uses $nq queue(s), not 2"
xi_guest_exit $g 360
[ "$XI_RC" = 0 ] || xi_fail "guest pings failed (status $XI_RC): $(xi_console $g | grep '^XI-PING' | tr '\n' ';')"
xl destroy $g
xi_dpdk_stop testpmd || xi_fail "testpmd exited with an error"
q0=$(xi_queue_rx "$XI_OUT/testpmd.log" 0 0) q1=$(xi_queue_rx "$XI_OUT/testpmd.log" 0 1)
[ "${q0:-0}" -gt 0 ] && [ "${q1:-0}" -gt 0 ] || xi_fail "traffic not on both queues: queue 0 ${q0:-?}, queue 1 ${q1:-?}"
xi_pass "2 queues negotiated; 12 addresses answered 3/3; RX queue 0 $q0, queue 1 $q1 packets"
