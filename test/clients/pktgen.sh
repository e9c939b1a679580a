#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Pktgen-DPDK 23.03, a real client with its defaults, on both drivers, over a
# private xenemu instance:
#
#   (a) pktgen in guest domain 1 on net_xennet sends N frames to dpdk-testpmd
#       (rxonly) on net_xenback in dom0;
#   (b) pktgen in dom0 on net_xenback sends N frames to dpdk-testpmd (rxonly)
#       on net_xennet in domain 1.
#
# Pktgen keeps its default port configuration (1024 RX and 2048 TX
# descriptors, one queue pair, rte_eth_dev_set_mtu(1500), which it aborts on
# if it fails) plus -P (promiscuous on), as its documented command lines use.
# It is driven by a command file (-f: set the count, start) and, once testpmd
# has counted N frames (read through dpdk-telemetry.py) or 90 s have passed,
# by 'stop 0' and 'quit' on its standard input, a fifo. Each case passes when
# pktgen exits 0 and testpmd's exit statistics for its port show exactly N
# received frames and nothing dropped. See doc/clients.rst, "Pktgen-DPDK".
#
# Usage: test/clients/pktgen.sh [--build-dir DIR] [--count N] [--log-dir DIR]
#                               [--case a|b|all]
# Exit status: 0 both cases passed, 1 a case failed, 77 pktgen cannot be built
# here (devtools/build-pktgen.sh says why) or the project is not built.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build count=10000 log_dir="" which=all

TL_STEM=pktgen TL_CLIENT_OPTS=(case=which)
. "$top/test/lib/tl_client.sh"
tl_client_args "$@"
case $which in a|b|all) ;; *) die "--case must be a, b or all" ;; esac
tl_client_built
testpmd=$(command -v dpdk-testpmd) || { echo "SKIP: dpdk-testpmd is not installed"; exit 77; }

# The only reason to skip: pktgen cannot be built on this machine (no
# tarball, no network for its build dependencies, a compiler error).
build_log=$(mktemp /tmp/build-pktgen.XXXXXX)
if ! pktgen=$("$top/devtools/build-pktgen.sh" 2>"$build_log"); then
	echo "SKIP: Pktgen-DPDK cannot be built here: devtools/build-pktgen.sh says:"
	sed 's/^/  /' "$build_log"
	rm -f "$build_log"
	exit 77
fi
rm -f "$build_log"
pktgen=$(tail -n1 <<<"$pktgen")
[ -x "$pktgen" ] || { echo "SKIP: build-pktgen.sh printed no binary ($pktgen)"; exit 77; }

tl_client_bed

# The command file configures and starts; pktgen then reads its standard
# input, a fifo this script holds, and is told to stop and quit there once
# testpmd has counted every frame (or a deadline passes). A fixed 'delay'
# in the file would be a guess: on two loaded cores the vif may take
# seconds to connect. Pktgen sends from 'start' on, link up or not, but
# retries each burst until the driver takes all of it, and neither driver
# takes a frame before its rings exist: nothing is lost meanwhile.
cmdfile=$work/send.pkt
cat > "$cmdfile" <<EOF
# send exactly $count frames (pktgen's default single packet: 64 B IPv4/TCP) on port 0
set 0 count $count
start 0
EOF
[ "$log_dir" = "$work" ] || cp "$cmdfile" "$log_dir/send.pkt"

# Port 0's counters of a running DPDK process, from its telemetry socket:
# "ipackets opackets" (pktgen's screen is not readable as text, this is).
port_counts() { # file-prefix
	echo /ethdev/stats,0 | timeout 5 dpdk-telemetry.py -f "$1" 2>/dev/null |
		python3 -c 'import json, sys
d = json.load(sys.stdin)["/ethdev/stats"]
print(d["ipackets"], d["opackets"])' 2>/dev/null
}

# Memory: pktgen's default pools are 5 x 24576 mbufs of 10 KiB per port
# (1.2 GiB) plus two small ones, so it gets -m 2048; testpmd only counts, so a
# small pool keeps it light. Lcores: pktgen needs its main lcore 0 (the CLI
# and a display thread, both polling) and lcore 1 for the port (-m 1.0);
# testpmd forwards on core 0 with its main thread (which only sleeps in
# read) on core 1, so the sender's and the receiver's data paths do not
# share a core.
mem_pktgen=(--no-huge -m 2048 --single-file-segments --no-pci)
mem_testpmd=(--no-huge -m 512 --single-file-segments --no-pci)

status=0
run_case() { # name pktgen-domid pktgen-plugin pktgen-vdev testpmd-domid testpmd-plugin testpmd-vdev
	local name=$1 pg_dom=$2 pg_so=$3 pg_vdev=$4 tp_dom=$5 tp_so=$6 tp_vdev=$7
	local tp_log=$log_dir/$name-testpmd.log pg_log=$log_dir/$name-pktgen.log
	local tp_prefix=pktgen-tp-$name-$$ pg_prefix=pktgen-pg-$name-$$
	local fifo=$work/$name.stdin pg_fifo=$work/$name.pktgen-stdin fd pg_fd
	local tp_pid pg_pid pg_rc=0 tp_rc=0 i t0=$SECONDS
	prefixes+=("$tp_prefix" "$pg_prefix")

	# testpmd without -i: it starts forwarding, prints "Press enter to exit",
	# and on Enter stops and prints each port's forward statistics. Its stdin
	# is a fifo this script holds open, so it sees no EOF before the Enter.
	mkfifo "$fifo"
	exec {fd}<>"$fifo"
	timeout -k 5 120 "$xenemu" exec --domid "$tp_dom" -- stdbuf -oL "$testpmd" \
		-d "$tp_so" "${mem_testpmd[@]}" --file-prefix "$tp_prefix" -l 0-1 --main-lcore 1 \
		--vdev "$tp_vdev" --log-level 'pmd.net.*:info' -- \
		--forward-mode=rxonly --total-num-mbufs=16384 <"$fifo" >"$tp_log" 2>&1 &
	tp_pid=$!
	pids+=("$tp_pid")
	for ((i = 0; i < 600; i++)); do
		grep -q 'Press enter to exit' "$tp_log" 2>/dev/null && break
		kill -0 "$tp_pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'Press enter to exit' "$tp_log"; then
		echo "FAIL $name: testpmd did not start forwarding; its log ($tp_log):"
		tail -n 20 "$tp_log" | sed 's/^/  /'
		status=1
		return
	fi

	mkfifo "$pg_fifo"
	exec {pg_fd}<>"$pg_fifo"
	timeout -k 5 120 "$xenemu" exec --domid "$pg_dom" -- "$pktgen" \
		-d "$pg_so" "${mem_pktgen[@]}" --file-prefix "$pg_prefix" -l 0-1 \
		--vdev "$pg_vdev" --log-level 'pmd.net.*:info' -- \
		-P -m 1.0 -f "$cmdfile" <"$pg_fifo" >"$pg_log" 2>&1 &
	pg_pid=$!
	pids+=("$pg_pid")
	# wait until testpmd has them all, pktgen died, or 60 s passed
	local tp_counts="" pg_counts="" c deadline=$((SECONDS + 60))
	while kill -0 "$pg_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.5
		tp_counts=$(port_counts "$tp_prefix") || tp_counts=""
		c=$(port_counts "$pg_prefix") && pg_counts=$c
		[ "${tp_counts%% *}" = "$count" ] && break
	done
	printf 'stop 0\nquit\n' >&"$pg_fd"
	# pktgen's quit waits for its port lcore, which never leaves a burst the
	# driver does not take: give it 20 s, then end it (exit 124)
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pg_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pg_pid" 2>/dev/null && kill -TERM "$pg_pid"
	tl_reap "$pg_pid" || pg_rc=$?
	exec {pg_fd}>&-

	echo >&"$fd"                          # Enter: testpmd stops and prints its stats
	tl_reap "$tp_pid" || tp_rc=$?
	exec {fd}>&-

	# pktgen paints its screen with escape sequences: strip them for reading
	sed -i 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$pg_log"
	local rx dropped errs
	rx=$(awk '/Forward statistics for port 0/ {f = 1} f && /RX-packets:/ {print $2; exit}' "$tp_log")
	dropped=$(awk '/Forward statistics for port 0/ {f = 1} f && /RX-dropped:/ {print $4; exit}' "$tp_log")
	errs=$(awk '/Forward statistics for port 0/ {f = 1} /Accumulated forward/ {f = 0}
		f && /RX-error|RX-nombufs/ {print; exit}' "$tp_log")
	local what="$name: pktgen on ${pg_vdev%%,*} (domain $pg_dom) -> testpmd on ${tp_vdev%%,*} (domain $tp_dom)"
	if [ "$pg_rc" != 0 ] || [ "$tp_rc" != 0 ] || [ "${rx:-}" != "$count" ] ||
	   [ "${dropped:-x}" != 0 ] || [ -n "$errs" ]; then
		echo "FAIL $what: sent $count, testpmd received ${rx:-?} (dropped ${dropped:-?}${errs:+, $errs});" \
			"pktgen exit $pg_rc, testpmd exit $tp_rc;" \
			"pktgen's port 0 last showed ipackets/opackets ${pg_counts:-?}"
		echo "  pktgen ($pg_log):"
		grep -aE 'PANIC|Cannot|Invalid|rror|xennet|xenback' "$pg_log" | head -n 20 | sed 's/^/    /'
		echo "  testpmd ($tp_log):"
		grep -aE 'rror|Fail|fail|Invalid|RX-|TX-' "$tp_log" | head -n 20 | sed 's/^/    /'
		status=1
		return
	fi
	echo "ok $what: $count of $count frames received ($((SECONDS - t0)) s)"
}

if [ "$which" = a ] || [ "$which" = all ]; then
	run_case guest-pktgen 1 "$xennet" net_xennet0 0 "$xenback" net_xenback0,domid=1
fi
if [ "$which" = b ] || [ "$which" = all ]; then
	run_case dom0-pktgen 0 "$xenback" net_xenback0,domid=1 1 "$xennet" net_xennet0
fi
exit "$status"
