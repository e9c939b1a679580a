#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 5b: net_xennet with queues=2 in a PV guest (testpmd icmpecho, 2
# RX/TX queues) <-> Linux xen-netback (2 queues: dom0 has 2 vCPUs) on bridge
# xenbr0. dom0 pings 12 different guest-side addresses (testpmd answers any),
# so netback's flow hash spreads them over both queues; the guest testpmd's
# per-queue statistics must show traffic on queue 0 and queue 1. Linux
# netback offers the control ring: net_xennet must take it.
. "$(dirname "$0")/lib.sh"
g=s5b-g
xi_echo_guest $g 00:16:3e:00:05:12 net_xennet0,queues=2 "--rxq=2 --txq=2"
d=${XI_DOMID[$g]}
xi_vif_wait "$d" 0 300 || xi_fail "vif $d/0 did not connect"
nq=$(xenstore-read /local/domain/$d/device/vif/0/multi-queue-num-queues 2>/dev/null || echo 1)
xi_log "frontend multi-queue-num-queues=$nq"
[ "$nq" = 2 ] || xi_fail "net_xennet uses $nq queue(s), not 2"
# Linux netback offers the control ring (RSS: Toeplitz hash, mapping to
# queues); net_xennet takes it whenever it is offered
fe=/local/domain/$d/device/vif/0
if [ "$(xenstore-read /local/domain/0/backend/vif/$d/0/feature-ctrl-ring 2>/dev/null)" = 1 ]; then
	cr=$(xenstore-read $fe/ctrl-ring-ref 2>/dev/null) ce=$(xenstore-read $fe/event-channel-ctrl 2>/dev/null)
	[ -n "$cr" ] && [ -n "$ce" ] || xi_fail "net_xennet did not take Linux netback's control ring"
	ctrl="control ring taken (ctrl-ring-ref $cr, event-channel-ctrl $ce)"
else
	ctrl="Linux netback offers no control ring"
fi
xi_log "$ctrl"
xi_xs_wait /local/domain/$d/data/xi-ready 1 120 || xi_fail "guest testpmd not ready"
for ip in $(seq -f '198.18.0.%g' 20 31); do
	xi_ping_all "$ip" 56 || ping_failed="${ping_failed:-} $ip"
done
xi_guest_stop $g 120
xi_console $g > "$XI_OUT/$g.console"
[ -z "${ping_failed:-}" ] || xi_fail "no answer from:$ping_failed"
[ "$XI_RC" = 0 ] || xi_fail "guest testpmd exited with status $XI_RC"
q0=$(xi_queue_rx "$XI_OUT/$g.console" 0 0) q1=$(xi_queue_rx "$XI_OUT/$g.console" 0 1)
[ "${q0:-0}" -gt 0 ] && [ "${q1:-0}" -gt 0 ] || xi_fail "traffic not on both queues: queue 0 ${q0:-?}, queue 1 ${q1:-?}"
xi_pass "2 queues negotiated, $ctrl; 12 addresses answered 3/3; RX queue 0 $q0, queue 1 $q1 packets"
