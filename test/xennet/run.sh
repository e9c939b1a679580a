#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# One net_xennet integration test over xenemu.
#
# Usage: run.sh XENEMU XENNET_PEER XENNET_APP PLUGIN SCENARIO
#
# Starts a fresh xenemu instance (mktemp XENEMU_DIR), creates domain 1 with
# vif 0 backed by domain 0, runs the test backend (xennet_peer) as domain 0
# and the echo application (xennet_app on net_xennet) as domain 1, and
# checks both: the peer checks the handshake keys and every echoed packet,
# this script checks the application's exit, statistics and log. Every
# process and file is removed on exit, pass or fail. XENNET_TEST_VERBOSE=1
# shows the logs of a passing run too.
set -u

xenemu=$1 peer=$2 app=$3 plugin=$4 scenario=$5
limit=45	# seconds any one program may run

TL_NAME=xennet TL_CASE=$scenario TL_XENEMU=$xenemu TL_LOG_LINES=80
. "$(dirname "$0")/../lib/tl_bed.sh"

# --- the test bed
tl_bed_start

# start_peer NAME ARGS...: the test backend, as domain 0, in the background
start_peer() {
	local name=$1
	shift
	timeout -k 2 "$limit" "$xenemu" exec --domid 0 -- \
		"$peer" --timeout $((limit - 5)) "$@" >"$logs/$name" 2>&1 &
	pids+=($!)
	peer_pid=$!
}

# start_app NAME DEVARGS APP-ARGS...: the echo application, as domain 1
start_app() {
	local name=$1 devargs=$2
	shift 2
	timeout -k 2 "$limit" "$xenemu" exec --domid 1 -- \
		"$app" -d "$plugin" --no-huge -m 256 --single-file-segments \
		--file-prefix "$prefix-$name" -l 1 --no-pci \
		--vdev "net_xennet0${devargs:+,$devargs}" \
		--log-level=pmd.net.xennet:${XENNET_LOG_LEVEL:-info} -- \
		--timeout $((limit - 5)) "$@" >"$logs/$name" 2>&1 &
	pids+=($!)
	app_pid=$!
}

# wait_ok PID WHAT: the process must exit 0
wait_ok() {
	wait "$1"
	local rc=$?
	[ "$rc" = 0 ] || fail "$2 exited $rc"
}

# stat LOG NAME: a "stat NAME VALUE" line of the application
stat() {
	awk -v n="$2" '$1 == "stat" && $2 == n { print $3; f = 1 }
		END { if (!f) print "missing" }' "$logs/$1"
}

expect_stat() { # LOG NAME OP VALUE
	local v
	v=$(stat "$1" "$2")
	[ "$v" != missing ] || fail "$1: no statistic $2"
	case $3 in
	eq) [ "$v" -eq "$4" ] ;;
	ge) [ "$v" -ge "$4" ] ;;
	le) [ "$v" -le "$4" ] ;;
	*) false ;;
	esac || fail "$1: $2 = $v, expected $3 $4"
}

# expect_ring SIZE: the driver reports the ring size as the default
# descriptor count and accepts any count from 1 to 32768 (the ring, not the
# count, bounds what is in flight); the queues the application set up with
# 0 descriptors got the default
expect_ring() {
	local d
	for d in rx tx; do
		expect_stat app "default_${d}_ring_size" eq "$1"
		expect_stat app "adjust_${d}d_zero" eq 1
		expect_stat app "adjust_${d}d_small" eq 1
		expect_stat app "adjust_${d}d_large" eq 32768
		expect_stat app "${d}q0_nb_desc" eq "$1"
	done
}

peer_ok() { # LOG: the peer said PEER OK
	grep -q '^PEER OK' "$logs/$1" || fail "$1: no PEER OK"
}

# Checks every clean run shares: echoes all counted, nothing dropped by
# the port, no violation, every mbuf back in the pool.
clean_run() { # APPLOG
	expect_stat "$1" protocol_violation_errors eq 0
	expect_stat "$1" ierrors eq 0
	expect_stat "$1" rx_nombuf eq 0
	expect_stat "$1" mbufs_in_use eq 0
	grep -q 'protocol violation' "$logs/$1" &&
		fail "$1: logged a protocol violation"
	return 0
}

# session DEVARGS [PEER-ARGS] [-- APP-ARGS]: the peer and the application
# (on a port with DEVARGS) side by side; both exit 0, the peer says PEER OK
session() {
	local devargs=$1
	shift
	local pargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		pargs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	start_peer peer "${pargs[@]}"
	start_app app "$devargs" "$@"
	local rc
	wait "$peer_pid"
	rc=$?
	if [ "$rc" != 0 ]; then
		# the application's statistics, for the failure's logs
		kill -TERM "$app_pid" 2>/dev/null
		wait "$app_pid"
		fail "peer exited $rc"
	fi
	wait_ok "$app_pid" app
	peer_ok peer
}

# echo_run DEVARGS PEER-ARGS -- APP-ARGS: one session, checked
echo_run() {
	session "$@"
	clean_run app
	expect_stat app vif_management_connections eq 1
	expect_stat app oerrors eq 0
}

# backend_write KEY=VALUE...: write the keys in vif 0's backend directory
# (one xenstore-write, in this order), as dom0, in place of a backend
backend_write() {
	"$xenemu" exec --domid 0 -- sh -c '
		b=$(xenstore-read /local/domain/1/device/vif/0/backend) || exit 1
		n=$#
		for kv; do set -- "$@" "$b/${kv%%=*}" "${kv#*=}"; done
		shift "$n"
		xenstore-write "$@"' sh "$@" \
		>>"$logs/xenemu" 2>&1 || fail "cannot write $* in the backend"
}

# expect_one_violation REASON: the application logged one protocol
# violation, and it says REASON
expect_one_violation() {
	local n
	n=$(grep -c 'protocol violation' "$logs/app")
	[ "$n" = 1 ] || fail "app: $n protocol violation log lines, expected 1"
	grep 'protocol violation' "$logs/app" | grep -qF "$1" ||
		fail "app: the violation logged is not \"$1\""
}

hostile() { # KIND COUNTER REASON [PEER-ARGS]: inject KIND, expect one logged violation
	session "" --scenario hostile --hostile "$1" --packets 64 "${@:4}" \
		-- --until-down
	expect_stat app protocol_violation_errors eq 1
	expect_stat app "$2" ge 1
	expect_stat app mbufs_in_use eq 0
	expect_stat app lsc_down ge 1
	expect_one_violation "$3"
	# the port stays down until the application restarts it
	expect_stat app vif_management_connections eq 1
}

# hostile_drop KIND COUNTER [PEER-ARGS] [-- APP-ARGS]: the backend sends
# one packet the frontend must not deliver (KIND); the session goes on,
# COUNTER counts it once, nothing is a violation
hostile_drop() {
	local kind=$1 counter=$2
	shift 2
	session "" --scenario hostile --hostile "$kind" --packets 64 "$@"
	expect_stat app protocol_violation_errors eq 0
	expect_stat app "$counter" eq 1
	expect_stat app ierrors eq 1
	expect_stat app mbufs_in_use eq 0
	grep -q 'protocol violation' "$logs/app" &&
		fail "app: logged a protocol violation"
	return 0
}

# The hostile backends that break a rule of a ring: scenario hostile_KIND
# injects KIND (rx_bad_id: --hostile rx-bad-id), which must count as one
# violation of queue 0 of its ring (rx_q0_violations) and be logged with
# these words.
declare -A violation_msg=(
	[rx_bad_id]="id is not its slot's"
	[rx_bad_bounds]="outside the posted page"
	[rx_overflow]="beyond posted buffers"
	[rx_bad_extra]="extra info unknown"
	[tx_bad_id]="id outside the ring"
	[tx_dup_id]="id not in flight"
	[tx_overflow]="beyond requests"
	[tx_bad_status]="status unknown"
	[tx_null_data]="null response without"
)

# ctrl_run MODE RC: a backend whose control ring answers as MODE; the
# application's RSS update fails with RC (a negative errno) within 1.5 s,
# the echo session runs as usual
ctrl_run() {
	echo_run "" --packets 50 --polling --ctrl "$1" -- --rss
	expect_stat app rss_update_rc eq "$2"
	expect_stat app rss_update_ms le 1500
}

# mcast_run MODE RC: a backend whose multicast control answers as MODE;
# the application's set_mc_addr_list fails with RC within 1.5 s, the echo
# session runs as usual
mcast_run() {
	echo_run "" --packets 50 --polling --mcast "$1" -- --mcast
	expect_stat app mcast_rc eq "$2"
	expect_stat app mcast_ms le 1500
	expect_stat app mcast_control_errors eq 1
}

# crash_restart DEVARGS [APP ARGS]: a backend that leaves with the vif
# connected (a crash), then a second one that takes over; the app runs
# across both and ends clean.
crash_restart() {
	start_peer peer1 --scenario crash --packets 100
	start_app app "$@"
	wait_ok "$peer_pid" "peer 1"
	peer_ok peer1
	start_peer peer2 --scenario restart --packets 100
	wait_ok "$peer_pid" "peer 2"
	wait_ok "$app_pid" app
	peer_ok peer2
	clean_run app
}

case $scenario in
mcast_silent)
	# no answer: -ETIMEDOUT after 1 s, the call does not hang
	mcast_run silent -110
	expect_stat app mcast_ms ge 900
	grep -q 'did not answer in 1000 ms' "$logs/app" ||
		fail "app: no timeout logged" ;;
mcast_refuse)
	# ERROR: -ENOSPC, logged with the group
	mcast_run refuse -28
	grep -q 'refused to subscribe to multicast group 01:00:5E:00:00:01' "$logs/app" ||
		fail "app: refusal not logged" ;;
ctrl_silent)
	# no answer: -ETIMEDOUT after 1 s, the call does not hang
	ctrl_run silent -110
	expect_stat app rss_update_ms ge 900
	grep -q 'did not answer SET_HASH_ALGORITHM within 1000 ms' "$logs/app" ||
		fail "app: no timeout logged" ;;
ctrl_bad_id)
	# an answer with another id: the ring is abandoned, -EPROTO
	ctrl_run bad-id -71
	grep -q 'control ring abandoned' "$logs/app" ||
		fail "app: bad answer not logged" ;;
ctrl_refuse)
	# NOT_SUPPORTED: -ENOTSUP, logged with the request
	ctrl_run refuse -95
	grep -q 'refused SET_HASH_ALGORITHM' "$logs/app" ||
		fail "app: refusal not logged" ;;
echo)
	# also an MTU above the mbuf size (scatter is enabled)
	echo_run "" --packets 100 -- --mtu 9000
	expect_stat app mtu eq 9000
	expect_ring 256 ;;
csum_all)
	# every TCP/UDP echo asks for the L4 checksum offload with the
	# complete checksum it came with (testpmd's csum engine with `csum set
	# tcp hw`): rte_eth_tx_prepare must leave the pseudo-header sum that
	# csum_blank tells the backend to complete (D2)
	echo_run "" --packets 100 --echo-csum-all -- --csum-all ;;
order[1-4])
	o=${scenario#order}
	echo_run "ring_page_order=$o" --max-order 4 --expect-order "$o" \
		--max-queues 2 --packets 300 --
	expect_ring $((256 << o)) ;;
no_order_key)
	# no max-ring-page-order: the plain keys, and order 1 refused
	echo_run "" --max-order -1 --packets 50 -- ;;
mq4)
	echo_run "queues=4,ring_page_order=1" --max-queues 4 --max-order 2 \
		--expect-queues 4 --expect-order 1 --packets 100 -- --queues 4
	for q in 0 1 2 3; do
		expect_stat app "rx_q${q}_packets" ge 100
		expect_stat app "tx_q${q}_packets" ge 100
	done ;;
be_mtu)
	# the backend's mtu key (libxl's and net_xenback's) is the port's MTU
	# until the application configures one
	backend_write mtu=4000
	echo_run "" --packets 50 --
	expect_stat app probe_mtu eq 4000 ;;
mq_shared_txq)
	# OVS-DPDK's layout: more TX queues than netif queues. The devarg
	# asks for 3 queues, the backend offers 2: 2 netif queues, and 6 TX
	# queues share their 2 TX rings (each echo still leaves on its queue)
	echo_run "queues=3" --max-queues 2 --expect-queues 2 --packets 100 \
		-- --queues 2 --txq 6
	for q in 0 1; do
		expect_stat app "rx_q${q}_packets" ge 100
		expect_stat app "tx_q${q}_packets" ge 100
	done ;;
mq_more_rxq)
	# 4 RX and 4 TX queues, the backend offers 2: RX queues 2 and 3 have
	# no netif queue behind them and stay empty
	echo_run "" --max-queues 2 --expect-queues 2 --packets 100 -- --queues 4
	for q in 0 1; do
		expect_stat app "rx_q${q}_packets" ge 100
	done
	expect_stat app rx_q2_packets eq 0
	expect_stat app rx_q3_packets eq 0 ;;
mq_rx_gt_tx)
	# 2 RX queues, 1 TX queue: one netif queue
	echo_run "" --max-queues 4 --expect-queues 1 --packets 100 \
		-- --queues 2 --txq 1 ;;
descs)
	# any descriptor count is taken; the ring bounds what is in flight
	echo_run "" --packets 100 -- --desc 2048
	expect_stat app rxq0_nb_desc eq 2048
	expect_stat app txq0_nb_desc eq 2048
	echo_run "" --packets 100 -- --desc 64
	expect_stat app rxq0_nb_desc eq 64 ;;
mq2_shared_evtchn)
	echo_run "queues=2" --max-queues 2 --split 0 --expect-split 0 \
		--expect-queues 2 --packets 100 -- --queues 2 ;;
devarg_nosplit)
	echo_run "split_evtchn=0" --expect-split 0 --packets 50 -- ;;
devarg_nosg)
	# sg=0: feature-sg=0 and no GSO; single-slot packets only
	echo_run "sg=0" --expect-sg 0 --expect-gso 0 --packets 100 -- ;;
no_offload)
	echo_run "" --expect-gso 0 --expect-csum 0 --packets 100 -- \
		--no-offload ;;
be_no_features)
	# the frontend must drop (and count) what this backend cannot take
	session "" --sg 0 --gso 0 --ipv6-csum 0 --packets 100
	clean_run app
	read -r nosg offload < <(sed -n \
		's/^PEER expect tx_drop_nosg=\([0-9]*\) tx_drop_offload=\([0-9]*\)$/\1 \2/p' \
		"$logs/peer")
	[ -n "${nosg:-}" ] || fail "peer did not report expected drops"
	[ "$nosg" -gt 0 ] && [ "$offload" -gt 0 ] ||
		fail "scenario sends nothing to drop ($nosg, $offload)"
	expect_stat app tx_q0_drop_nosg eq "$nosg"
	expect_stat app tx_q0_drop_offload eq "$offload"
	expect_stat app oerrors eq $((nosg + offload)) ;;
polling_peer)
	echo_run "" --polling --packets 100 -- ;;
kick_rx)
	# the peer sleeps until the frontend kicks for new RX buffers (as
	# Linux netback does), in rounds: it asks for a kick, fills what is
	# posted and waits for the kick (it fails if one is missing). 1024
	# packets take 4084 slots, at most a ring (256) per round: at least 16
	# rounds, each ended by a kick, however slow either side runs
	session "" --scenario flood --rx-lockstep --packets 1024 -- --sink
	clean_run app
	expect_stat app ipackets eq 1025
	n=$(sed -n 's/^PEER rx_kicks_needed=\([0-9]*\)$/\1/p' "$logs/peer")
	[ "${n:-0}" -ge 16 ] ||
		fail "peer: ${n:-no} rounds ended by an RX kick, expected 16 or more"
	expect_stat app rx_q0_kicks ge "$n" ;;
kick_tx)
	# one packet at a time: before each, the peer asks for a kick on the
	# next TX request (req_event), then sleeps until that kick comes (it
	# fails if one is missing), so every echo needs exactly one kick,
	# however slow either side runs
	echo_run "" --tx-lockstep --packets 200 --
	n=$(sed -n 's/^PEER tx_kicks_needed=\([0-9]*\)$/\1/p' "$logs/peer")
	[ "${n:-0}" -eq 200 ] ||
		fail "peer: ${n:-no} echoes paced by a TX kick, expected 200"
	expect_stat app tx_q0_kicks ge 200 ;;
late_backend)
	start_app app ""
	sleep 2
	grep -q 'connecting when it is ready' "$logs/app" ||
		fail "probe did not wait for the backend"
	start_peer peer --packets 50
	wait_ok "$peer_pid" peer
	wait_ok "$app_pid" app
	peer_ok peer
	clean_run app ;;
reconnect)
	session "" --scenario reconnect --packets 100
	clean_run app
	expect_stat app vif_management_connections eq 2
	expect_stat app lsc_up eq 2
	expect_stat app lsc_down ge 1 ;;
restart)
	# the first backend leaves with the vif connected (a crash)
	crash_restart ""
	expect_stat app vif_management_connections eq 2 ;;
restart_budget)
	# a backend restarting over and over (D1): with max_reconnects=3 the
	# first 3 connections are at once, the next ones wait 250, 500,
	# 1000 ms; one log line, each held connection counted, traffic after
	# every one
	session "max_reconnects=3" --scenario restarts --cycles 6 --packets 5
	clean_run app
	expect_stat app vif_management_connections eq 6
	expect_stat app vif_management_reconnects_delayed eq 3
	[ "$(grep -c 'started over 3 times within a minute' "$logs/app")" = 1 ] ||
		fail "the budget was not logged exactly once"
	for want in "1 0" "2 0" "3 200" "4 450" "5 900"; do
		set -- $want
		ms=$(sed -n "s/.*restart $1: connected after \([0-9]*\) ms.*/\1/p" \
			"$logs/peer")
		[ -n "$ms" ] || fail "restart $1 not reported"
		if [ "$2" = 0 ]; then
			[ "$ms" -lt 200 ] || fail "restart $1 waited $ms ms within the budget"
		else
			[ "$ms" -ge "$2" ] || fail "restart $1 waited only $ms ms, not $2"
		fi
	done ;;
restart_reuse)
	# a backend that restarts while connected and keeps every ring and
	# RX page it was given mapped (D1): each new connection brings the
	# first one's grants again (the peer checks ring refs and RX buffer
	# grants slot for slot), traffic is intact after each restart, the
	# port shared one set of pages (2 queues at order 1: 2 x (2 x 2
	# ring + 512 TX + 512 RX) = 2056), not one per connection, and all
	# of domain 1's grants are gone once both sides exited. Then with
	# rx_zero_copy=1: the pools (2 x 512 pages each) are used again too,
	# the application holding none of their pages at a restart (3080).
	for want in "2056" "3080 rx_zero_copy=1"; do
		set -- $want
		session "ring_page_order=1,queues=2${2:+,$2}" --scenario restarts \
			--cycles 5 --keep-maps --expect-reuse --max-order 1 \
			--expect-order 1 --max-queues 2 --expect-queues 2 \
			--packets 40 -- --queues 2
		clean_run app
		expect_stat app vif_management_connections eq 5
		expect_stat app vif_management_pages_shared eq "$1"
		[ "$(grep -c "the first connection's 4 ring and 512 RX grants again" \
			"$logs/peer")" = 8 ] || fail "peer: not 8 reuse checks"
		st=$("$xenemu" domain stat --domid 1 | tr '\n' ' ')
		case $st in
		"grants=0 pages=0 pins=0 revoking=0 "*) ;;
		*) fail "domain 1 still holds: $st" ;;
		esac
	done ;;
greedy_kicks)
	# a backend keeping req_event one ahead on both rings (D8): with
	# notify_gap_us=10000 at most one kick per ring per 10 ms, the rest
	# owed (and sent later: the session completes)
	session "notify_gap_us=10000" --greedy-kicks --packets 20000
	clean_run app
	ms=$(sed -n 's/^PEER session_ms=\([0-9]*\)$/\1/p' "$logs/peer" | tail -n 1)
	[ -n "$ms" ] || fail "no session time"
	for dir in tx rx; do
		expect_stat app ${dir}_notifications le $((ms / 10 + 3))
		expect_stat app ${dir}_notifications_held ge 1
	done ;;
cycles)
	# each connection of 2 queues at order 4 shares 16448 pages; 10 of
	# them exceed the domain's 65536 grants unless dev_stop gives the
	# rings and the data pages of both directions back
	session "ring_page_order=4,queues=2" --scenario cycles --cycles 10 \
		--max-order 4 --expect-order 4 --max-queues 2 --expect-queues 2 \
		--packets 20 -- --cycles 10 --queues 2
	clean_run app
	expect_stat app vif_management_connections eq 10 ;;
probe_errors)
	# each must fail probe with a clear line; no port means exit 2
	probe_fails() { # NAME DEVARGS PATTERN [APP-ARGS...]
		start_app "$1" "$2" "${@:4}"
		wait "$app_pid"
		local rc=$?
		[ "$rc" = 2 ] || fail "$1: app exited $rc, expected 2"
		grep -q "$3" "$logs/$1" || fail "$1: no \"$3\" in the log"
	}
	probe_fails bad_queues "queues=99" "bad value \"99\" for devarg queues"
	probe_fails bad_order "ring_page_order=5" "bad value \"5\" for devarg ring_page_order"
	probe_fails bad_switch "sg=yes" "bad value \"yes\" for devarg sg"
	probe_fails bad_key "frobnicate=1" "cannot parse devargs"
	# the granted TX pool: at most 4096 mbufs (grants are finite), a number
	probe_fails bad_tx_pool "tx_pool=4097" "bad value \"4097\" for devarg tx_pool (expected 0 to 4096)"
	probe_fails bad_tx_pool_word "tx_pool=lots" "bad value \"lots\" for devarg tx_pool"
	probe_fails twice "devid=0,devid=0" "given 2 times"
	probe_fails no_vif "devid=7" "vif 7 does not exist"
	# not a probe error, but refused: an MTU above 1500 without sg
	probe_fails mtu_nosg "sg=0" "configure: Invalid argument" --mtu 9000
	# a backend that is ready but cannot serve these devargs
	backend_write feature-rx-copy=1 multi-queue-max-queues=2 \
		max-ring-page-order=1 state=2
	probe_fails order_too_big "ring_page_order=2" "offers order 1"
	backend_write feature-rx-copy=0
	probe_fails no_rx_copy "" "only receive-copy backends"
	;;
hostile_restart)
	hostile rx-bad-id rx_q0_violations "${violation_msg[rx_bad_id]}" \
		--restart-after-inject ;;
hostile_rx_oversize)
	hostile_drop rx-oversize rx_q0_drop_len ;;
hostile_rx_partial)
	hostile_drop rx-partial rx_q0_drop_slots
	# the unfinished packet was walked once, not once per burst for 1 s
	v=$(stat app rx_q0_slots_read)
	[ "$v" != missing ] && [ "$v" -le 4096 ] ||
		fail "app: rx_q0_slots_read = $v, expected at most 4096" ;;
no_scatter)
	# without RX scatter the frontend takes no multi-slot frame
	echo_run "" --expect-sg 0 --expect-gso 0 --packets 100 -- --no-scatter ;;
malformed_mbuf)
	# a single-segment mbuf with pkt_len > data_len: dropped, counted
	session "" --packets 64 -- --malformed
	expect_stat app tx_q0_drop_malformed eq 1
	expect_stat app oerrors eq 1
	expect_stat app mbufs_in_use eq 0 ;;
zc_echo)
	# rx_zero_copy=1: every shape (60 B to 65000 B GSO, multi-slot, odd
	# offsets) at MTU 9000, checked byte for byte by the peer; the pages
	# went to the application attached, not copied
	echo_run "rx_zero_copy=1" --packets 300 -- --mtu 9000
	expect_stat app rx_zero_copy_packets ge 200
	expect_stat app rx_q0_zc_packets ge 200
	# mbufs of 100 bytes: the head copy is their data room, not 256
	echo_run "rx_zero_copy=1" --packets 100 -- --mbuf-size 100
	expect_stat app rx_q0_zc_packets ge 70
	# 4 queues at order 1: each ring has its own pool
	echo_run "rx_zero_copy=1,queues=4,ring_page_order=1" --max-queues 4 \
		--max-order 2 --expect-queues 4 --expect-order 1 --packets 100 \
		-- --queues 4
	for q in 0 1 2 3; do
		expect_stat app "rx_q${q}_zc_packets" ge 60
	done
	# chains are the point: without RX scatter the start is refused
	start_app noscatter "rx_zero_copy=1" --no-scatter
	wait "$app_pid"
	[ $? = 2 ] || fail "noscatter: started without RX scatter"
	grep -q "enable RTE_ETH_RX_OFFLOAD_SCATTER" "$logs/noscatter" ||
		fail "noscatter: no clear error" ;;
zc_hold_restart)
	# the application holds the first backend's 100 packets (their pages)
	# while that backend dies and a new one connects and sends 100 more:
	# the held pages are neither posted again nor revoked meanwhile, so
	# the packets read the same at the end. Held pages exceed what the
	# pool has beyond the ring: the ring runs short (counted), never stops.
	crash_restart "rx_zero_copy=1" --hold 100
	expect_stat app vif_management_connections eq 2
	expect_stat app held eq 100
	expect_stat app held_long ge 70
	expect_stat app held_hdr_changed eq 0
	expect_stat app held_body_changed eq 0
	expect_stat app rx_q0_zc_refill_short ge 1 ;;
zc_hostile_rewrite)
	# a backend writes over every page it delivered, after delivery: what
	# the application holds changes past the head copy (the trust model,
	# doc/xennet.rst), the headers it read do not
	session "rx_zero_copy=1" --rewrite --packets 40 -- --hold 40
	clean_run app
	v=$(sed -n 's/^PEER rewrote=\([0-9]*\)$/\1/p' "$logs/peer")
	[ "${v:-0}" -ge 40 ] || fail "peer rewrote ${v:-no} pages"
	expect_stat app held eq 40
	expect_stat app held_long ge 28
	expect_stat app held_hdr_changed eq 0
	# the rewrite reached the held pages: the test is not vacuous
	expect_stat app held_body_changed ge 28 ;;
zc_tx_echo)
	# tx_zero_copy=1 with rx_zero_copy=1: the echo of every shape (60 B to
	# 65000 B GSO, multi-slot, odd offsets, MTU 9000) sends the pages it
	# received by reference past its copied head, checked byte for byte
	# by the peer; each slot so sent was held until its answer and given
	# back (mbufs_in_use 0, clean teardown)
	echo_run "rx_zero_copy=1,tx_zero_copy=1" --packets 300 -- --mtu 9000
	expect_stat app tx_zero_copy_segments ge 200
	expect_stat app tx_q0_zc_segments ge 200
	expect_stat app tx_zero_copy_fallback eq 0
	# 4 queues at order 1: each ring sends its own pool's pages
	echo_run "rx_zero_copy=1,tx_zero_copy=1,queues=4,ring_page_order=1" \
		--max-queues 4 --max-order 2 --expect-queues 4 \
		--expect-order 1 --packets 100 -- --queues 4
	for q in 0 1 2 3; do
		expect_stat app "tx_q${q}_zc_segments" ge 60
	done
	# without rx_zero_copy nothing is a granted page: all copied
	echo_run "tx_zero_copy=1" --packets 50 --
	expect_stat app tx_zero_copy_segments eq 0 ;;
zc_tx_restart)
	# a backend that goes (restarting while connected) with the echoes of
	# queue 0's last 8 packets unanswered in its TX ring, 8 times at order
	# 4: the by-reference requests held their pages across each restart;
	# the teardown lets them go, so each old pool gives its 8192 grants
	# back (held on, 8 connections would exceed the domain's 65536
	# grants), and no page or mbuf is freed twice (sanitizer suite)
	session "rx_zero_copy=1,tx_zero_copy=1,ring_page_order=4" \
		--scenario restarts --cycles 8 --max-order 4 --expect-order 4 \
		--tx-unanswered 8 --packets 40 --
	clean_run app
	expect_stat app vif_management_connections eq 8
	expect_stat app tx_q0_zc_segments ge 200
	# the unanswered echoes were by reference: the peer saw them pending
	expect_stat app tx_zero_copy_fallback eq 0 ;;
zc_tx_hostile_dup)
	# a backend answering a by-reference request's id twice (first in
	# place of the packet's copied head slot): the second answer is a
	# violation, the page reference is dropped once (the sanitizer suite
	# would see a second drop free the page's pool early)
	session "rx_zero_copy=1,tx_zero_copy=1" --scenario hostile \
		--hostile tx-dup-ref --rx-pool --packets 64 -- --until-down
	expect_stat app protocol_violation_errors eq 1
	expect_stat app tx_q0_violations eq 1
	expect_stat app tx_q0_zc_segments ge 1
	expect_stat app mbufs_in_use eq 0
	expect_stat app lsc_down ge 1
	expect_one_violation "${violation_msg[tx_dup_id]}" ;;
txpool_echo)
	# tx_pool=1024: every echo is a copy built in the granted TX pool
	# (chains of 1920-byte segments past 1920 B), sent by reference, checked
	# byte for byte by the peer; every pool mbuf back after stop
	echo_run "tx_pool=1024" --packets 300 -- --mtu 9000 --tx-pool
	expect_stat app tx_pool_segments ge 200
	# what is copied, per LRO packet received (xennet_peer's three GSO
	# kinds, as many of each): the 65000-byte echo's 34 segments (more
	# than the 32 considered, copied whole); the 30000-byte IPv6 TSO
	# echo's first segment only (headers the driver patches; its other
	# 15 by reference); the 1000-byte one (TSO of one segment, patched)
	# its only segment: 36 a kind triple, 12 a packet
	expect_stat app tx_pool_fallback eq $((12 * $(stat app rx_q0_gso)))
	expect_stat app tx_q0_pool_segments ge 200
	expect_stat app tx_pool_in_use eq 0
	# every mbuf back: dev_close freed the pool
	expect_stat app tx_pool_after_close eq 0
	# without offloads nothing is patched: every pool segment the
	# application sent is counted, by reference or copied, the heads too
	# although it set their ol_flags outright (rte_pktmbuf_copy clears
	# RTE_MBUF_F_EXTERNAL on the head it writes); copied are the
	# 65000-byte echoes' 34 segments each, more than 32
	echo_run "tx_pool=1024" --expect-gso 0 --expect-csum 0 --packets 100 \
		-- --no-offload --tx-pool
	v=$(stat app tx_pool_fallback)
	[ "$v" != missing ] && [ $((v % 34)) = 0 ] ||
		fail "app: tx_pool_fallback = $v, expected 34 per 65000-byte echo"
	expect_stat app tx_pool_segments eq \
		$(($(stat app tx_pool_sent_segs) - v))
	# 4 queues at order 1: every TX ring sends from the one pool
	echo_run "tx_pool=2048,queues=4,ring_page_order=1" --max-queues 4 \
		--max-order 2 --expect-queues 4 --expect-order 1 --packets 100 \
		-- --queues 4 --tx-pool
	for q in 0 1 2 3; do
		expect_stat app "tx_q${q}_pool_segments" ge 5
	done
	expect_stat app tx_pool_in_use eq 0
	# the same with tx_zero_copy=1 and rx_zero_copy=1: both kinds at once
	echo_run "tx_pool=1024,rx_zero_copy=1,tx_zero_copy=1" --packets 100 \
		-- --mtu 9000 --tx-pool
	expect_stat app tx_pool_segments ge 60
	expect_stat app tx_pool_in_use eq 0 ;;
txpool_close_held)
	# the application still holds 3 pool mbufs at dev_close: the driver
	# says so and keeps the pool, its pages and grants, so the mbufs stay
	# readable (their bytes unchanged) and can be freed after it
	echo_run "tx_pool=256" --packets 50 -- --tx-pool --tx-pool-keep 3
	expect_stat app tx_pool_in_use eq 3
	expect_stat app tx_pool_after_close eq 1
	expect_stat app tx_pool_kept_ok eq 1
	grep -q "still holds 3 of the 256 mbufs of xennet_tx_0" "$logs/app" ||
		fail "app: dev_close did not say the pool is kept"
	# the same, then the device unplugged and plugged again: refused
	# while the kept pool (the name port 0's pool needs) has mbufs out,
	# accepted once they are freed, the kept pool freed then; the new
	# pool freed at the last unplug
	echo_run "tx_pool=256" --packets 50 -- --tx-pool --tx-pool-keep 3 \
		--tx-pool-reprobe
	expect_stat app tx_pool_kept_ok eq 1
	expect_stat app tx_pool_reprobe_held eq 1
	expect_stat app tx_pool_reprobe_ok eq 1
	expect_stat app tx_pool_after_reprobe eq 0
	grep -q "mempool xennet_tx_0 exists" "$logs/app" ||
		fail "app: the plug while held was not refused clearly"
	grep -q "granted TX pool xennet_tx_0 (kept) freed" "$logs/app" ||
		fail "app: the kept pool was not freed" ;;
txpool_hostile_dup)
	# a backend answering a pool segment's id twice (first in place of
	# the packet's first slot): the second answer is a violation, the
	# segment is freed once (a second free would put it in the pool
	# twice: tx_pool_in_use would not be 0), the unanswered one at the
	# teardown
	session "tx_pool=512" --scenario hostile --hostile tx-dup-ref \
		--packets 64 -- --until-down --tx-pool
	expect_stat app protocol_violation_errors eq 1
	expect_stat app tx_q0_violations eq 1
	expect_stat app tx_q0_pool_segments ge 1
	expect_stat app mbufs_in_use eq 0
	expect_stat app tx_pool_in_use eq 0
	expect_one_violation "${violation_msg[tx_dup_id]}" ;;
zc_cycles)
	# 4 connections of 2 queues at order 4 with rx_zero_copy (24640
	# pages each) exceed the domain's 65536 grants unless each teardown
	# gives the pools back
	session "ring_page_order=4,queues=2,rx_zero_copy=1" --scenario cycles \
		--cycles 4 --max-order 4 --expect-order 4 --max-queues 2 \
		--expect-queues 2 --packets 20 -- --cycles 4 --queues 2
	clean_run app
	expect_stat app vif_management_connections eq 4 ;;
hostile_rx_gso_unasked|hostile_rx_csum_unasked)
	# an offload the frontend did not ask for (--no-offload)
	v=${scenario#hostile_}
	hostile_drop "${v//_/-}" rx_q0_drop_offload \
		--expect-gso 0 --expect-csum 0 -- --no-offload ;;
hostile_*)
	# hostile_KIND: a violation, see violation_msg
	v=${scenario#hostile_}
	[ -n "${violation_msg[$v]+set}" ] || fail "unknown scenario"
	hostile "${v//_/-}" "${v%%_*}_q0_violations" "${violation_msg[$v]}" ;;
*)
	fail "unknown scenario" ;;
esac
[ "${XENNET_TEST_VERBOSE:-0}" = 1 ] && show_logs
echo "PASS ($scenario)"
exit 0
