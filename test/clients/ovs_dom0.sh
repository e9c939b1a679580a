#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# OVS-DPDK (Debian 12's ovs-vswitchd-dpdk, OVS 3.1) in dom0 switching two
# guests' vifs through net_xenback, on a private xenemu instance:
#
#   domain 1: xen-traffic on net_xennet0 (vif 1.0, 00:16:3e:00:00:01)
#   domain 2: xen-traffic on net_xennet0 (vif 2.0, 00:16:3e:00:00:02)
#   dom0:     ovs-vswitchd-dpdk, netdev bridge br0 with
#             vif1 = net_xenback0,domid=1,devid=0 (OpenFlow port 1)
#             vif2 = net_xenback1,domid=2,devid=0 (OpenFlow port 2)
#             and the default flow table (NORMAL: MAC learning)
#
# OVS keeps its defaults everywhere but where a step says otherwise: 2048
# descriptors per queue, one rx queue per port, one PMD thread (so two tx
# queues: the main thread sends on txq 0, the PMD on txq 1).
#
# Every traffic step is a reflect run: the receiving guest's xen-traffic runs
# `--mode reflect` (each frame goes back with its MACs swapped), and once its
# link is up the sending guest's xen-traffic sends COUNT sequence-numbered,
# checksummed frames to the receiver's MAC and verifies every one that comes
# back. So each frame crosses the bridge in both directions, through both
# drivers each way, and both directions carry traffic at once; the reflector
# must have received exactly COUNT frames (nothing lost on the way there) and
# the sender must get all COUNT back intact, in order, once each (nothing lost
# or damaged either way). Each step runs once from each guest. Two separate
# senders could not be synchronised: whichever links up first would send
# into a port whose guest is not connected yet.
#
# NORMAL (learning) rather than fixed in_port rules: the two guests have
# distinct MACs, the reflected frames carry the receiver's MAC as source, so
# the bridge learns both within the first frames, and the test covers what a
# dom0 bridge of guests really does (flooding to the unknown, then unicast).
#
# Checks, in order:
#   1. MTU 1500: 64 B and 1500 B frames, each direction;
#   2. mtu_request=9000 on both interfaces (rte_eth_dev_set_mtu): the MTU
#      column says 9000; 9000 B frames (chained mbufs) and 64 B, each way;
#   3. del-port vif2 and add-port vif2 while guest 1 keeps sending into vif1:
#      every frame guest 1 sent is counted as received on OpenFlow port 1, no
#      drop; then traffic both ways through the re-added port;
#   4. options:n_rxq=2 on both and pmd-cpu-mask=0x3 (two PMD threads, so
#      three tx queues): the guests use two queues; 64, 1500 and 9000 B;
#      then tx-steering=hash (OVS's XPS mode): 64 and 1500 B again;
#   5. Interface statistics (ovs-vsctl get Interface X statistics) printed and
#      the ethdev counters OVS shows are there, per queue too.
#
# The guests' rings are 16 pages (ring_page_order=4, 4096 slots): on two
# cores shared by the PMD threads and both xen-traffic processes, a guest is
# regularly off the CPU for several milliseconds, and xen-traffic then catches
# up with a burst of up to 100 ms of frames; the ring, not the descriptor
# count, bounds what can be in flight, and 256 slots do not hold that.
#
# Usage: ovs_dom0.sh   (BUILD_DIR, default ./build; OVS_TEST_KEEP=1 keeps the
#                       work directory of a failed run; OVS_TEST_RATE, frames/s)
# Exit status: 0 every check passed, 1 a check failed (the reason, then
# diagnostics, on standard error), 77 skipped (OVS or the build missing).
set -euo pipefail

name=ovs_dom0
. "$(dirname "$0")/ovs_lib.sh"

declare -A mac=([1]=00:16:3e:00:00:01 [2]=00:16:3e:00:00:02)
# Cores of the reflecting and the sending guest: with one PMD thread (OVS
# puts it on core 1) both share core 0 with OVS's mostly idle main thread;
# once two PMD threads spin on both cores, each core gets one PMD thread and
# one guest, as three busy pollers on one core starve the PMD thread there.
send_core=0 refl_core=0

# xfer FROM TO SIZE [QUEUES]: guest FROM sends count[SIZE] frames to guest
# TO, which reflects them; see the header.
xfer() {
	local from=$1 to=$2 size=$3 q=${4:-1}
	local n=${count[$size]} run rt
	next_run "$size"
	local r=run$run-reflect-dom$to g=run$run-send-dom$from
	local vdev="net_xennet0,devid=0,ring_page_order=4,queues=$q"
	xt_start "$r" "$to" "$refl_core" "$xennet_so" "$vdev" --mode reflect \
		--size "$size" --queues "$q" --idle 1 --wait-link 30
	xt_wait_link "$r"
	xt_start "$g" "$from" "$send_core" "$xennet_so" "$vdev" --mode bidir \
		--size "$size" --queues "$q" --count "$n" --expect "$n" --rate "$rt" \
		--wait-link 30 --drain 0.5 --dst-mac "${mac[$to]}" --stream $((from * 16))
	xt_finish "$g"
	# The reflector stops 1 s after the last frame; a sender that never sent
	# must not keep the test waiting for the reflector's own timeout.
	xt_finish "$r" 10
	xt_check_verifier "$g" "$n"
	xt_expect "$g" tx_packets "$n"
	xt_expect "$r" rx_packets "$n"
	xt_expect "$r" tx_packets "$n"
	xt_expect "$r" leaked_mbufs 0
	log "ok: $n x $size B, guest $from -> guest $to -> guest $from, $q queue(s):" \
		"all back intact ($(xt_key "$g" rx_mpps) Mpps)"
}

add_vif_port() { # NAME OFPORT DOMID [SETTINGS...]
	local nm=$1 ofp=$2 domid=$3
	shift 3
	vsctl add-port br0 "$nm" -- set Interface "$nm" type=dpdk ofport_request="$ofp" \
		"options:dpdk-devargs=net_xenback$((ofp - 1)),domid=$domid,devid=0" "$@" ||
		fail "add-port $nm"
	# add-port returns once ovs-vswitchd has applied the change.
	iface_check "$nm"
	[ "$(iface_get "$nm" ofport)" = "$ofp" ] ||
		fail "$nm: ofport $(iface_get "$nm" ofport), expected $ofp"
}

# --- set-up -----------------------------------------------------------------

xenemu_start
for d in 1 2; do
	xenemu_domain "$d"
	xenemu_vif "$d" 0 0 "${mac[$d]}"
done
ovsdb_start
vswitchd_start 0 "$xenback_so"
vsctl add-br br0 -- set Bridge br0 datapath_type=netdev || fail "add-br br0"
add_vif_port vif1 1 1
add_vif_port vif2 2 2
flows=$(ofctl dump-flows br0 --no-stats)
[ "$(echo "$flows" | tr -s ' ' | sed 's/^ //')" = "priority=0 actions=NORMAL" ] ||
	fail "br0's flow table is not the default NORMAL one: $flows"
# OVS's defaults, accepted by the driver as they are: one rx queue, a tx
# queue per PMD thread plus one, 2048 descriptors each.
for i in vif1 vif2; do
	dp_expect_queues "$i" 1 2 1500
done
log "bridge br0: vif1 (net_xenback0, domain 1) and vif2 (net_xenback1, domain 2)," \
	"flows: $flows ($((SECONDS - t0)) s)"

# --- 1. MTU 1500 ------------------------------------------------------------

for size in 64 1500; do
	xfer 1 2 "$size"
	xfer 2 1 "$size"
done
fdb=$(appctl fdb/show br0)
for d in 1 2; do
	grep -qE "^ +$d +0 +${mac[$d]} " <<<"$fdb" ||
		fail "guest $d's MAC not learned on port $d: $fdb"
done
log "both MACs learned on their ports ($((SECONDS - t0)) s)"

# --- 2. MTU 9000 ------------------------------------------------------------

mtu_9000 vif1 vif2
log "mtu_request=9000: both interfaces at MTU 9000"
xfer 1 2 9000
xfer 2 1 9000
xfer 1 2 64

# --- 3. del-port / add-port of vif2 while vif1 keeps working ----------------

n_keep=$((rate * 3 / 2))	# 3 s of frames at half the rate
rx0=$(port_counter br0 1 rx_pkts)
drop0=$(port_counter br0 1 rx_drop)
g=keep-send-dom1
xt_start "$g" 1 "$send_core" "$xennet_so" "net_xennet0,devid=0,ring_page_order=4" \
	--mode gen --size 1500 --count "$n_keep" --rate $((rate / 2)) --wait-link 30 \
	--dst-mac "${mac[2]}" --stream 16 --drain 0.5
xt_wait_link "$g"
sleep 0.5
vsctl del-port br0 vif2 || fail "del-port vif2"
vsctl list-ports br0 | grep -qx vif2 && fail "vif2 still on br0 after del-port"
log "vif2 deleted while guest 1 sends"
sleep 0.5
add_vif_port vif2 2 2 mtu_request=9000
log "vif2 added again"
xt_finish "$g"
[ "${xt_rc[$g]}" = 0 ] || { xt_show "$g" >&2; fail "$g exited with ${xt_rc[$g]}"; }
xt_expect "$g" tx_packets "$n_keep"
xt_expect "$g" leaked_mbufs 0
# Port 1's counters are live (ovs-ofctl dump-ports); frames still on the
# guest's ring when the run ended have been read by the PMD by now.
wait_for 5 "OpenFlow port 1 to count $n_keep more received frames" \
	test "$(port_counter br0 1 rx_pkts)" -ge $((rx0 + n_keep))
rx1=$(port_counter br0 1 rx_pkts)
drop1=$(port_counter br0 1 rx_drop)
[ $((rx1 - rx0)) = "$n_keep" ] ||
	fail "port 1 received $((rx1 - rx0)) frames while guest 1 sent $n_keep"
[ "$drop1" = "$drop0" ] || fail "port 1 dropped $((drop1 - drop0)) frames on receive"
log "ok: vif1 received all $n_keep frames of guest 1 across vif2's del-port/add-port"
iface_check vif1
[ "$(iface_get vif2 mtu)" = 9000 ] || fail "re-added vif2: mtu $(iface_get vif2 mtu), expected 9000"
xfer 1 2 1500
xfer 2 1 9000

# --- 4. two rx queues per port, two PMD threads -----------------------------

two_pmds vif1 vif2
rxqs() { appctl dpif-netdev/pmd-rxq-show; }
wait_for 20 "two PMD threads polling two rx queues of each port" \
	eval '[ "$(rxqs | grep -cE "port: vif[12] +queue-id: +[01] ")" = 4 ] &&
	      [ "$(rxqs | grep -c "^pmd thread")" = 2 ]'
for i in vif1 vif2; do
	dp_expect_queues "$i" 2 3 9000
done
log "n_rxq=2, pmd-cpu-mask=0x3: 2 PMD threads, 2 rx and 3 tx queues per port"
declare -A drop0=()
for p in 1 2; do
	for k in rx_drop rx_errs tx_drop tx_errs; do
		drop0[$p$k]=$(port_counter br0 "$p" "$k")
	done
done
refl_core=1
xfer 1 2 64 2
xfer 2 1 1500 2
xfer 1 2 9000 2

# OVS's XPS mode: with tx-steering=hash every thread (both PMDs and the main
# thread) picks a tx queue by packet hash, under OVS's own per-queue lock, so
# several threads send on TX queues that share a netif ring at once (the
# drivers' per-ring spinlock serialises them). OVS uses its other XPS mode
# only when a port has fewer tx queues than threads, which never happens
# here: both drivers offer 16.
vsctl set Interface vif1 other_config:tx-steering=hash \
	-- set Interface vif2 other_config:tx-steering=hash ||
	fail "set tx-steering=hash"
log "tx-steering=hash (XPS hash mode) on both ports"
xfer 1 2 64 2
xfer 2 1 1500 2

# --- 5. statistics ----------------------------------------------------------

show_stats vif1 1000
show_stats vif2 1000
for i in vif1 vif2; do
	st=$(iface_get "$i" statistics)
	for k in rx_q1_packets tx_q1_packets tx_q2_packets; do
		grep -qE "[{ ]$k=[0-9]+[,}]" <<<"$st" ||
			fail "$i: per-queue counter $k missing with 2 rx and 3 tx queues"
	done
	# The guests sent on both of their netif queues.
	wait_stat "$i" rx_q1_packets 1
done
# No drop or error in the two-queue phase, on either port, either way (the
# live OpenFlow counters: Interface.statistics also hold the drops of step
# 3, where vif2 was flooded while its guest was not connected).
for p in 1 2; do
	for k in rx_drop rx_errs tx_drop tx_errs; do
		v=$(port_counter br0 "$p" "$k")
		[ "$v" = "${drop0[$p$k]}" ] ||
			fail "OpenFlow port $p: $k went from ${drop0[$p$k]} to $v with two queues"
	done
done

log "PASS: $runs traffic runs, $((SECONDS - t0)) s"
