#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 3: net_xennet in a guest <-> net_xenback in dom0, on real grants
# and event channels, both ends running xen-traffic (sequence-numbered,
# checksummed packets verified in both directions; each side's exit status is
# its verdict). Two runs:
#   pv   PV guest (--no-huge), no ring devargs: one-page rings;
#   pvh  PVH guest (hugepages), ring_page_order=4 / max_ring_page_order=4:
#        16-page rings, checked in xenstore (ring-page-order=4); and every
#        fast path between our two drivers: persistent grants (the guest's
#        grants mapped by net_xenback through the real gntdev, shared by
#        net_xennet through gntalloc), net_xennet's rx/tx_zero_copy and
#        net_xenback's rx_zero_copy (the guest's mapped pages attached to
#        mbufs); the connection must say persistent grants 1.
# xen-traffic's own arguments: XEN_INTEROP_TRAFFIC_ARGS on the host.
. "$(dirname "$0")/lib.sh"
xi_netback off
msg=
for run in pv pvh; do
	g=s3-$run brc=
	if [ $run = pv ]; then
		eal=$XI_EAL_PV hp=0 mem=512 fe= be=
	else
		eal=$XI_EAL_PVH hp=160 mem=640
		fe=,ring_page_order=4,persistent_grants=1,rx_zero_copy=1,tx_zero_copy=1
		be=,max_ring_page_order=4,persistent_grants=1,rx_zero_copy=1
	fi
	xi_guest_create $g $run $mem 2 1 "" 1 XI_ROLE=dpdk XI_NETFRONT=0 XI_GNTALLOC_LIMIT=32768 \
		XI_HUGEPAGES=$hp XI_DPDK_MODE=run XI_LIFETIME=360 \
		"XI_DPDK_CMD=$XI_TRAFFIC $eal -d $XI_XENNET --vdev net_xennet0$fe -- $XI_TRAFFIC_ARGS"
	d=${XI_DOMID[$g]}
	xi_dpdk_start traffic-$run '' 0 $XI_TRAFFIC $XI_EAL_PV -d $XI_XENBACK \
		--vdev net_xenback0,domid=$d$be -- $XI_TRAFFIC_ARGS
	# No readiness line is assumed of xen-traffic: retry the attach until
	# its net_xenback answers libxl (each failed try costs libxl's 10 s).
	end=$(( $(xi_now) + 120 ))
	until xl network-attach $g mac=00:16:3e:00:03:02 script=vif-noop > "$XI_TMP/attach.log" 2>&1; do
		[ "$(xi_now)" -lt "$end" ] || { cat "$XI_TMP/attach.log"; xi_fail "$run: no backend answered xl network-attach"; }
		kill -0 "${XI_PID[traffic-$run]}" 2>/dev/null || xi_fail "$run: dom0 xen-traffic exited before the vif was attached"
		sleep 2
	done
	xi_guest_unpause $g
	xi_vif_wait "$d" 0 300 || xi_fail "$run: vif $d/0 did not connect"
	order=$(xenstore-read /local/domain/$d/device/vif/0/ring-page-order 2>/dev/null || echo none)
	xi_log "$run: vif $d/0 connected (4/4), ring-page-order $order"
	if [ $run = pvh ] && [ "$order" != 4 ]; then
		xi_fail "pvh: frontend ring-page-order is '$order', not 4"
	fi
	xi_guest_exit $g 400
	grc=$XI_RC
	xi_dpdk_wait traffic-$run 120 || brc=$?
	[ "$grc" = 0 ] || xi_fail "$run: guest xen-traffic (net_xennet) status $grc"
	[ "${brc:-0}" = 0 ] || xi_fail "$run: dom0 xen-traffic (net_xenback) status $brc"
	if [ $run = pvh ] && ! grep -q "connected: .*persistent grants 1" "$XI_OUT/traffic-$run.log"; then
		xi_fail "pvh: the connection did not negotiate persistent grants"
	fi
	xl destroy $g
	# xen-traffic's summary: frames that arrived intact at each end
	bev=$(sed -n 's/^rx_valid=//p' "$XI_OUT/traffic-$run.log" | tail -n 1)
	fev=$(xi_console $g | tr -d '\r' | sed -n 's/^rx_valid=//p' | tail -n 1)
	msg="$msg $run (ring-page-order $order): net_xenback got ${bev:-?} and net_xennet ${fev:-?} frames intact;"
done
xi_pass "${msg# }"
