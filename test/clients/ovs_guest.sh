#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# OVS-DPDK (Debian 12's ovs-vswitchd-dpdk, OVS 3.1) inside a guest, on two
# net_xennet ports, on a private xenemu instance:
#
#   domain 1: ovs-vswitchd-dpdk, netdev bridge br0 with
#             p0 = net_xennet0,devid=0 (vif 1.0, OpenFlow port 1)
#             p1 = net_xennet1,devid=1 (vif 1.1, OpenFlow port 2)
#             and two flows: in_port=1 -> output:2, in_port=2 -> output:1
#   dom0:     one xen-traffic per vif on net_xenback (domid=1, devid=0 and
#             devid=1): one sends COUNT verified frames into one vif, the
#             other receives them from the other vif and verifies each
#
# OVS keeps its defaults: 2048 descriptors per queue (the rings have 256
# slots), one rx queue and two tx queues (main thread and one PMD thread), so
# n_txq != n_rxq and txq 1 shares netif queue 0 with txq 0.
#
# Fixed in_port rules rather than NORMAL: both test ports sit in dom0 and the
# frames carry the backend ports' MAC addresses, which say nothing about
# where a station is; this test is about the frontend driver under OVS's
# queue and descriptor settings, and ovs_dom0.sh covers MAC learning.
#
# Checks: lossless, intact, in-order 64 B and 1500 B frames each way; then
# mtu_request=9000 on both ports (rte_eth_dev_set_mtu on net_xennet) and
# 9000 B frames each way; then options:n_rxq=2 and two PMD threads (three tx
# queues) against a dom0 side with two queues: 64, 9000 and 1500 B, and rx
# queue 1 of both ports must have received frames. Every run of dom0's xen-traffic connects afresh, so
# OVS's ports also go through a backend disconnect and reconnect between runs
# (the frontend reconnects by itself); each run's sink must have received
# exactly COUNT frames.
#
# Usage: ovs_guest.sh   (BUILD_DIR, default ./build; OVS_TEST_KEEP=1 keeps the
#                        work directory of a failed run; OVS_TEST_RATE, frames/s)
# Exit status: 0 every check passed, 1 a check failed (the reason, then
# diagnostics, on standard error), 77 skipped (OVS or the build missing).
set -euo pipefail

name=ovs_guest
. "$(dirname "$0")/ovs_lib.sh"

# Cores of dom0's sender and receiver: with one PMD thread (OVS puts it on
# core 1) both share core 0 with OVS's mostly idle main thread; once two PMD
# threads spin on both cores, each core gets one PMD thread and one
# xen-traffic, as three busy pollers on one core starve the PMD thread there.
send_core=0 sink_core=0

# xfer FROM_DEVID TO_DEVID SIZE [QUEUES]: dom0 sends count[SIZE] frames into
# vif 1.FROM, OVS forwards them to vif 1.TO, dom0 receives and verifies them.
xfer() {
	local from=$1 to=$2 size=$3 q=${4:-1}
	local n=${count[$size]} run rt
	next_run "$size"
	local s=run$run-sink-vif1.$to g=run$run-send-vif1.$from
	xt_start "$s" 0 "$sink_core" "$xenback_so" "net_xenback$to,domid=1,devid=$to" \
		--mode sink --size "$size" --queues "$q" --expect "$n" --wait-link 30 --drain 0.5
	xt_wait_link "$s"
	xt_start "$g" 0 "$send_core" "$xenback_so" "net_xenback$from,domid=1,devid=$from" \
		--mode gen --size "$size" --queues "$q" --count "$n" --rate "$rt" --wait-link 30 \
		--drain 0.5 --stream $((from * 16 + 1))
	xt_finish "$g"
	# The sink stops once all n arrived; if some never do, it would wait for
	# its own timeout: a few seconds after the sender is plenty.
	xt_finish "$s" 10
	[ "${xt_rc[$g]}" = 0 ] || { xt_show "$g" >&2; fail "$g exited with ${xt_rc[$g]}"; }
	xt_expect "$g" tx_packets "$n"
	xt_expect "$g" leaked_mbufs 0
	xt_check_verifier "$s" "$n"
	xt_expect "$s" rx_packets "$n"
	log "ok: $n x $size B, dom0 -> vif 1.$from -> OVS in domain 1 -> vif 1.$to -> dom0," \
		"$q queue(s): all arrived intact ($(xt_key "$s" rx_mpps) Mpps)"
}

# --- set-up -----------------------------------------------------------------

xenemu_start
xenemu_domain 1
xenemu_vif 1 0 0 00:16:3e:00:01:00
xenemu_vif 1 0 1 00:16:3e:00:01:01
ovsdb_start
vswitchd_start 1 "$xennet_so"
vsctl add-br br0 -- set Bridge br0 datapath_type=netdev || fail "add-br br0"
for d in 0 1; do
	vsctl add-port br0 "p$d" -- set Interface "p$d" type=dpdk ofport_request=$((d + 1)) \
		"options:dpdk-devargs=net_xennet$d,devid=$d,ring_page_order=4" || fail "add-port p$d"
	iface_check "p$d"
	[ "$(iface_get "p$d" ofport)" = $((d + 1)) ] || fail "p$d: ofport $(iface_get "p$d" ofport)"
	# OVS's defaults, accepted by the driver as they are.
	dp_expect_queues "p$d" 1 2 1500
done
ofctl del-flows br0
ofctl add-flow br0 in_port=1,actions=output:2
ofctl add-flow br0 in_port=2,actions=output:1
log "bridge br0 in domain 1: p0 (net_xennet0, vif 1.0) and p1 (net_xennet1, vif 1.1)," \
	"1 rx / 2 tx queues of 2048 descriptors each ($((SECONDS - t0)) s)"

# --- traffic ------------------------------------------------------------------

for size in 64 1500; do
	xfer 0 1 "$size"
	xfer 1 0 "$size"
done

mtu_9000 p0 p1
log "mtu_request=9000: both ports at MTU 9000"
xfer 0 1 9000
xfer 1 0 9000

# --- two rx queues, two PMD threads -----------------------------------------

# dom0's xen-traffic configures two RX queues, so net_xenback offers two netif
# queues; OVS's ports have 2 rx and 3 tx queues: the connection has two, and
# tx queue 2 shares netif queue 0 with tx queue 0.
two_pmds p0 p1
for i in p0 p1; do
	dp_expect_queues "$i" 2 3 9000
done
log "n_rxq=2, pmd-cpu-mask=0x3: 2 rx and 3 tx queues per port"
sink_core=1
# A new dom0 port finds OVS's port still connected as its predecessor left
# it (net_xenback's restart semantics: it takes over the rings) with the one
# netif queue the predecessor offered; it offers two when it goes, so the
# port reconnects with two, which the next run on that vif gets. Hence three
# runs: vif 1.0 receives on two netif queues in the third.
xfer 0 1 64 2
xfer 1 0 9000 2
xfer 0 1 1500 2
# Both netif queues carried frames into OVS on each port.
for i in p0 p1; do
	wait_stat "$i" rx_q1_packets 1
done
log "rx queue 1 of both ports received frames"

for i in p0 p1; do
	show_stats "$i" 1000
done
log "OpenFlow port counters (live):"
for p in 1 2; do
	ofctl dump-ports br0 "$p" | grep -v '^OFPST'
done
for p in 1 2; do
	for k in rx_drop rx_errs tx_drop tx_errs; do
		v=$(port_counter br0 "$p" "$k")
		[ "$v" = 0 ] || fail "OpenFlow port $p: $k=$v"
	done
done

log "PASS: $runs traffic runs, $((SECONDS - t0)) s"
