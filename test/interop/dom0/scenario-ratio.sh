#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Scenario 'ratio' (not in 'all'; bench/real-xen.sh runs it): the real-Xen
# item of the benchmark. One PV guest sends with xen-traffic on net_xennet
# (--mode gen --rate 0: as fast as the backend takes frames off the ring)
# for a fixed time per frame size, over a vif served in turn by
# net_xenback (phase "xenback": dom0's xen-traffic --mode sink receives and
# verifies) and by Linux xen-netback (phase "netback": the vif is up, on no
# bridge and without an address, so dom0's stack counts each frame in the
# vif's rx_packets and drops it), alternating A/B in rounds in one boot.
# Frames/s of a measurement: the guest's tx_packets / tx time (xen-traffic's
# tx_mpps): the same program and PMD on both paths, so the only difference
# is the backend; frames a PMD accepted that the backend never took are at
# most a ring (256) of the 50 000 and more a measurement sends. The verdict is about correctness only: the
# senders and the xenback sink exit 0, every measurement's frames reached
# dom0 (xenback: the sink's rx_valid; netback: the vif's rx_packets); the
# rates and the ratio xenback/netback per size are printed in the PASS line
# and written to ratio.txt (table) and ratio.csv (each measurement). QEMU
# TCG's speed is not a figure to quote: only the ratio is, and only with
# clocks that count instructions (QEMU_ICOUNT, as bench/real-xen.sh runs
# it); under the host's clock it follows the host's load (doc/bench.rst).
# Set from the host: XEN_INTEROP_RATIO_ROUNDS (3), _SECONDS (10), _SIZES
# (64,1500).
. "$(dirname "$0")/lib.sh"
rounds=${XI_RATIO_ROUNDS:-3}
secs=${XI_RATIO_SECONDS:-10}
sizes=${XI_RATIO_SIZES:-64,1500}
g=sratio-g
mac=00:16:3e:00:0a:02
csv=$XI_OUT/ratio.csv
echo "round,path,size,seconds,tx_packets,frames_per_s,delivered" > "$csv"

xi_netback off
# The guest waits for orders for as long as the whole run may take.
nsizes=$(( $(tr -cd , <<< "$sizes" | wc -c) + 1 ))
life=$(( rounds * 2 * nsizes * (secs + 200) + 300 ))
xi_guest_create $g pv 512 2 1 "" 0 XI_ROLE=dpdk XI_NETFRONT=0 XI_GNTALLOC_LIMIT=32768 \
	XI_DPDK_MODE=run XI_LIFETIME=$life "XI_DPDK_CMD=sh /xi/ratio.sh" \
	"XI_RATIO_CMD=$XI_TRAFFIC $XI_EAL_PV -d $XI_XENNET --vdev net_xennet0"
d=${XI_DOMID[$g]}
dx=/local/domain/$d/data

# attach: the vif (devid 0, no bridge) with whichever backend is there; a
# DPDK backend may still be starting: retried (each failed try costs
# libxl's 10 s wait for InitWait).
attach() {
	local end=$(( $(xi_now) + 120 ))
	until xl network-attach $g devid=0 mac=$mac script=vif-noop > "$XI_TMP/attach.log" 2>&1; do
		[ "$(xi_now)" -lt "$end" ] || { cat "$XI_TMP/attach.log"; xi_fail "$1: no backend answered xl network-attach"; }
		[ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || xi_fail "$1: dom0 xen-traffic exited before the vif was attached"
		sleep 2
	done
}
detach() {
	xl network-detach $g 0 > "$XI_TMP/detach.log" 2>&1 || { cat "$XI_TMP/detach.log"; xi_fail "$1: xl network-detach failed"; }
}

# measure PATH SIZE: order n to the guest, its result; sets tx, fps.
n=0
measure() {
	local res rc
	xenstore-write "$dx/xi-go-$n" "$2 $secs $n"
	xi_xs_wait_set "$dx/xi-res-$n" $(( secs + 240 )) || xi_fail "$1 $2 B: no result from the guest (order $n)"
	res=$(xenstore-read "$dx/xi-res-$n")
	xi_log "$1 $2 B: $res"
	rc=$(sed -n 's/^rc=\([0-9]*\).*/\1/p' <<< "$res")
	[ "$rc" = 0 ] || xi_fail "$1 $2 B: guest xen-traffic (net_xennet, gen) status ${rc:-?}: $res"
	tx=$(sed -n 's/.*tx_packets=\([0-9]*\).*/\1/p' <<< "$res")
	fps=$(sed -n 's/.*tx_mpps=\([0-9.]*\).*/\1/p' <<< "$res" | awk '{printf "%.0f", $1 * 1e6}')
	[ "${tx:-0}" -gt 0 ] || xi_fail "$1 $2 B: the guest sent nothing"
	n=$((n + 1))
}

# xi_xs_wait_set PATH TIMEOUT: wait until a xenstore key exists (the guest
# dying ends the scenario). With $count_vif set, samples that vif's
# rx_packets meanwhile into $peak: netback keeps its counters per queue and
# frees the queues when the frontend disconnects (the vif's statistics then
# read 0), so the count is read while the guest is connected; the guest's
# sender lingers 5 s after its last frame (--drain) for the last sample.
xi_xs_wait_set() {
	local end=$(( $(xi_now) + $2 )) c i=0
	while [ "$(xi_now)" -lt "$end" ]; do
		if [ -n "${count_vif:-}" ]; then
			c=$(< "/sys/class/net/$count_vif/statistics/rx_packets") 2>/dev/null || c=0
			[ "$c" -gt "$peak" ] && peak=$c
		fi
		xenstore-read "$1" > /dev/null 2>&1 && return 0
		# xl is slow under TCG: the guest's health every 10th turn
		i=$((i + 1))
		[ $((i % 10)) = 0 ] && xi_guest_check $g
		sleep 0.5
	done
	return 1
}

for r in $(seq 1 "$rounds"); do
	# --- A: net_xenback, dom0's xen-traffic verifying every frame.
	# xen-netback binds every vif it finds: unloaded (it may still be
	# busy with the vif just detached for a moment).
	for i in $(seq 1 20); do rmmod xen_netback 2>/dev/null; grep -q '^xen_netback ' /proc/modules || break; sleep 0.5; done
	xi_netback off
	tag=sink-$r
	xi_dpdk_start $tag '' 0 $XI_TRAFFIC $XI_EAL_PV -d $XI_XENBACK --vdev net_xenback0,domid=$d -- \
		--mode sink --size "$sizes" --wait-link 300 --report 0
	attach "round $r xenback" "${XI_PID[$tag]}"
	sent=0
	for s in ${sizes//,/ }; do
		measure xenback "$s"
		sent=$((sent + tx))
		echo "$r,xenback,$s,$secs,$tx,$fps," >> "$csv"
	done
	detach "round $r xenback"
	# SIGINT: the sink ends its run and prints its summary
	kill -INT "${XI_PID[$tag]}" 2>/dev/null
	brc=0
	xi_dpdk_wait $tag 60 || brc=$?
	[ "$brc" = 0 ] || xi_fail "round $r: dom0 xen-traffic (net_xenback, sink) status $brc"
	got=$(sed -n 's/^rx_valid=//p' "$XI_OUT/$tag.log" | tail -n 1)
	[ "${got:-0}" -gt 0 ] || xi_fail "round $r: net_xenback delivered no intact frame"
	xi_log "round $r xenback: the guest sent $sent frames, dom0's sink got $got intact"
	# one sink takes the phase's sizes (one stream each): its count is
	# the phase's, on a line of its own (size "all")
	echo "$r,xenback,all,,$sent,,$got" >> "$csv"

	# --- B: Linux netback, the vif's rx_packets
	xi_netback on
	attach "round $r netback"
	v=vif$d.0
	for i in $(seq 1 60); do [ -e /sys/class/net/$v ] && break; sleep 0.5; done
	ip link set "$v" up || xi_fail "round $r: cannot bring $v up"
	for s in ${sizes//,/ }; do
		rx0=$(cat /sys/class/net/$v/statistics/rx_packets)
		peak=$rx0 count_vif=$v
		measure netback "$s"
		count_vif=
		got=$((peak - rx0))
		[ "$got" -gt 0 ] || xi_fail "round $r: Linux netback delivered no frame of $s B"
		xi_log "round $r netback $s B: the guest sent $tx frames, $v received $got"
		echo "$r,netback,$s,$secs,$tx,$fps,$got" >> "$csv"
	done
	detach "round $r netback"
done
xenstore-write "$dx/xi-go-$n" end
xi_guest_exit $g 120
[ "$XI_RC" = 0 ] || xi_fail "guest ratio.sh exited with status $XI_RC"

# The table: each round's frames/s of both paths and their ratio, per size;
# then the mean frames/s of each path over the rounds and the median of the
# rounds' ratios (a round's A and B run a minute or two apart, under the
# same load of the host more often than two rounds do: the per-round ratio
# is the figure, the means only say how fast TCG was).
awk -F, -v rounds="$rounds" -v secs="$secs" -v sum="$XI_OUT/ratio.sum" '
	NR > 1 && $3 != "all" {
		v[$1, $2, $3] = $6
		if (!($3 in seen)) { seen[$3] = 1; order[++ns] = $3 }
		if ($1 + 0 > nr) nr = $1 + 0
	}
	END {
		printf "net_xennet sending (xen-traffic gen, --rate 0), %d rounds of %d s per path and size; frames/s\n", rounds, secs
		printf "%6s %6s %12s %12s %16s\n", "size", "round", "xenback", "netback", "xenback/netback"
		line = ""
		for (i = 1; i <= ns; i++) {
			k = order[i]; n = 0; sa = 0; sb = 0
			for (r = 1; r <= nr; r++) {
				if (!((r, "xenback", k) in v) || !((r, "netback", k) in v)) continue
				a = v[r, "xenback", k]; b = v[r, "netback", k]
				q = (b > 0) ? a / b : 0
				rt[++n] = q; sa += a; sb += b
				printf "%6s %6s %12.0f %12.0f %16.2f\n", k, r, a, b, q
			}
			if (n == 0) continue
			for (x = 2; x <= n; x++)	# insertion sort, for the median
				for (y = x; y > 1 && rt[y - 1] > rt[y]; y--) { t = rt[y]; rt[y] = rt[y - 1]; rt[y - 1] = t }
			med = (n % 2) ? rt[(n + 1) / 2] : (rt[n / 2] + rt[n / 2 + 1]) / 2
			printf "%6s %6s %12.0f %12.0f %16.2f  (median; rounds %.2f to %.2f)\n", k, "all", sa / n, sb / n, med, rt[1], rt[n]
			line = line sprintf("%s%s B: xenback/netback %.2f (rounds %.2f-%.2f; mean %.0f vs %.0f frames/s)", \
				line == "" ? "" : "; ", k, med, rt[1], rt[n], sa / n, sb / n)
		}
		print line > sum
	}' "$csv" > "$XI_OUT/ratio.txt"
cat "$XI_OUT/ratio.txt"
[ -s "$XI_OUT/ratio.sum" ] || xi_fail "no ratio computed (see ratio.csv)"
xi_pass "$rounds A/B rounds of $secs s (QEMU TCG: only the ratio counts): $(cat "$XI_OUT/ratio.sum")"
