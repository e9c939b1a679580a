#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Secondary processes on running ports (doc/xenback.rst and doc/xennet.rst,
# "Secondary processes and capture"): over a private xenemu instance,
# dpdk-testpmd on net_xenback in dom0 and dpdk-testpmd on net_xennet in
# domain 1 forward a loop of frames (io, the guest sends the first burst)
# while, against each of the two primaries, Debian's tools run as secondary
# processes:
#
#   - dpdk-proc-info --stats: the port's RX and TX packets are nonzero;
#   - dpdk-proc-info --xstats: the driver's own counters are listed and
#     nonzero (net_xenback: rx/tx_grant_copy_calls; net_xennet:
#     rx_q0_slots_read, tx_q0_packets);
#   - dpdk-dumpcap: the pcapng file holds at least N frames, each the
#     loop's UDP frame, as tcpdump reads it (the primary stops forwarding
#     before dumpcap is interrupted: see capture);
#   - dpdk-pdump (port 0, every queue, RX and TX into one pcap file): the
#     same, the file as tcpdump reads it (pdump has no frame count: it runs
#     until SIGINT);
#
# and afterwards the primaries forward again (their counters grow) and exit
# cleanly. Without secondary support in a driver, the tools find no port.
#
# Secondary processes need the primary's memory in files they can map:
# hugepages (EAL's --no-huge memory cannot be shared). The script reserves
# what it needs (HUGE_PAGES of 2 MiB, on top of what is free) through
# /sys/kernel/mm/hugepages, mounts a private hugetlbfs, and gives both back
# at the end; it holds a lock meanwhile, so two runs do not count the same
# free pages. dpdk-dumpcap takes no EAL options: the driver is preloaded
# (LD_PRELOAD); dpdk-pdump gets it with -d. Both get the mempool drivers
# dpdk-testpmd links preloaded (Debian's links librte_mempool_dpaa), so that
# both processes number the mempool ops alike (the capture's pool, made by
# the secondary, is filled by the primary's capture callbacks; without the
# preload the capture stays empty).
#
# Usage: test/clients/capture.sh [--build-dir DIR] [--count N] [--log-dir DIR]
# Exit status: 0 passed, 1 failed, 77 skipped (not root, no hugepages can be
# reserved, or the project is not built).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build count=50 log_dir=""
HUGE_PAGES=${HUGE_PAGES:-128}

TL_STEM=capture
. "$top/test/lib/tl_client.sh"
tl_client_args "$@"
tl_client_built
for t in dpdk-testpmd dpdk-proc-info dpdk-dumpcap dpdk-pdump tcpdump; do
	command -v "$t" >/dev/null || die "$t is not installed (devtools/setup.sh installs it)"
done
[ "$(id -u)" = 0 ] || { echo "SKIP: reserving hugepages needs root"; exit 77; }
testpmd=$(command -v dpdk-testpmd)

nr_file=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
added=0 mounted=0

free_pages() {
	cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
}

# called by the bed's cleanup, after the processes and xenemu stopped
tl_client_cleanup() {
	# the pages go back once no file holds them: unmount first
	[ "$mounted" = 1 ] && umount "$huge"
	if [ "$added" -gt 0 ]; then
		echo $(($(cat "$nr_file") - added)) > "$nr_file" || true
	fi
}

tl_client_bed
huge=$work/huge

# Hugepages: HUGE_PAGES free ones for this run, under a lock held until the
# end, added to the pool if need be and taken out again by cleanup.
[ -w "$nr_file" ] || { status=77; echo "SKIP: $nr_file is not writable"; exit 77; }
mkdir -p /run/lock
exec {lock_fd}>/run/lock/xen-dpdk-capture-hugepages.lock
flock -w 600 "$lock_fd" || die "another capture test holds the hugepage lock"
if [ "$(free_pages)" -lt "$HUGE_PAGES" ]; then
	added=$((HUGE_PAGES - $(free_pages)))
	echo $(($(cat "$nr_file") + added)) > "$nr_file" || true
fi
if [ "$(free_pages)" -lt "$HUGE_PAGES" ]; then
	status=77
	echo "SKIP: cannot reserve $HUGE_PAGES hugepages of 2 MiB ($(free_pages) free)"
	exit 77
fi
mkdir -p "$huge"
mount -t hugetlbfs -o pagesize=2M nodev "$huge"
mounted=1

# One primary: interactive testpmd forwarding (io), driven through its
# stdin, a fifo this script holds open. The back forwards on lcore 1, the
# front on lcore 0, so the two loops do not share a core; the front sends
# the first burst, which then goes round (--no-flush-rx: a start after a
# stop must not drop the frames waiting in the ring, the whole loop).
start_testpmd() { # side domid plugin vdev main-lcore
	local side=$1 domid=$2 so=$3 vdev=$4 main=$5 fifo=$work/$1.stdin fd
	local prefix=capture-$side-$$
	prefixes+=("$prefix")
	mkfifo "$fifo"
	exec {fd}<>"$fifo"
	eval "${side}_fd=$fd ${side}_prefix=$prefix"
	timeout -k 5 240 "$xenemu" exec --domid "$domid" -- stdbuf -oL "$testpmd" \
		-d "$so" --file-prefix "$prefix" --huge-dir "$huge" -l 0-1 \
		--main-lcore "$main" --no-pci --vdev "$vdev" \
		--log-level 'pmd.net.*:info' -- -i --forward-mode=io \
		--total-num-mbufs=4096 --no-flush-rx <"$fifo" >"$log_dir/$side-testpmd.log" 2>&1 &
	pids+=("$!")
	eval "${side}_pid=$!"
}

tp_cmd() { # side command
	local fd
	eval "fd=\$${1}_fd"
	printf '%s\n' "$2" >&"$fd"
}

# Waits until the side's log has more lines matching regex than it had
# (default: none).
wait_log() { # side regex what [lines-before]
	local i log=$log_dir/$1-testpmd.log
	for ((i = 0; i < 600; i++)); do
		[ "$(grep -cE "$2" "$log" 2>/dev/null)" -gt "${4:-0}" ] && return 0
		sleep 0.1
	done
	echo "FAIL: $1 testpmd: $3; its log:"
	tail -n 20 "$log" | sed 's/^/  /'
	exit 1
}

start_testpmd back 0 "$xenback" net_xenback0,domid=1,devid=0 0
start_testpmd front 1 "$xennet" net_xennet0,devid=0 1
for side in back front; do
	wait_log "$side" 'Port 0: link state change event' "the link did not come up"
done
tp_cmd back start
tp_cmd front "start tx_first"
wait_log front 'packet forwarding - ports=' "forwarding did not start"

# A secondary process of one side's primary, with the side's plugin: for
# dpdk-proc-info and dpdk-pdump with -d, for dpdk-dumpcap (no EAL options)
# preloaded (check_side).
preload_mempools=$(ldd "$testpmd" | awk '/librte_mempool_[a-z0-9]+\.so/ { printf "%s:", $3 }')
side_vars() { # side: sets domid, so, prefix
	case $1 in
	back) domid=0 so=$xenback prefix=$back_prefix ;;
	front) domid=1 so=$xennet prefix=$front_prefix ;;
	esac
}
proc_info() { # side args...
	local domid so prefix
	side_vars "$1"
	shift
	timeout -k 5 60 "$xenemu" exec --domid "$domid" -- dpdk-proc-info \
		-d "$so" --file-prefix "$prefix" --log-level 'pmd.net.*:info' -- "$@"
}

# Port 0's "RX-packets TX-packets" from dpdk-proc-info --stats.
port_packets() { # side
	proc_info "$1" --stats 2>&1 | tee -a "$log_dir/$1-proc-info.log" |
		awk '/NIC statistics for port 0/ { p = 1 }
		     p && /^ *RX-packets:/ { rx = $2 }
		     p && /^ *TX-packets:/ { tx = $2; print rx, tx; exit }'
}

fail() { echo "FAIL $*"; exit 1; }

# One capture of a side's port by a secondary process (the command after
# the file, run in the side's domain) that ends on SIGINT: left running until
# the file holds a few hundred frames; then the primary stops forwarding
# before the tool is interrupted, since on exit both dpdk-dumpcap and
# dpdk-pdump (22.11) free the pool and ring the primary's pdump callbacks
# copy into right after asking the primary to remove them, and DPDK 22.11
# does not wait for a callback already running (a lcore preempted in one, as
# on two loaded cores, then writes freed memory). dpdk-pdump has no count
# option: SIGINT is its only end. tcpdump then reads at least $count frames,
# each the loop's UDP frame, and the primary forwards again.
capture() { # side tool file command...
	local side=$1 tool=$2 file=$3 domid so prefix pid n bad rc i
	local log=$log_dir/$1-$2.log
	shift 3
	side_vars "$side"
	# timeout passes SIGINT on; xenemu exec and env exec
	timeout -k 5 60 "$xenemu" exec --domid "$domid" -- "$@" > "$log" 2>&1 &
	pid=$!
	pids+=("$pid")
	for ((i = 0; i < 300; i++)); do
		[ "$(stat -c %s "$file" 2>/dev/null || echo 0)" -gt $((count * 200)) ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	n=$(grep -c '^Done\.' "$log_dir/$side-testpmd.log" || true)
	tp_cmd "$side" stop
	wait_log "$side" '^Done\.' "forwarding did not stop" "$n"
	sleep 0.5
	kill -INT "$pid" 2>/dev/null || true
	rc=0
	tl_reap "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "$side: $tool exited with $rc: $(tail -n 5 "$log")"
	n=$(tcpdump -n -r "$file" 2>/dev/null | wc -l)
	bad=$(tcpdump -n -r "$file" 2>/dev/null |
		grep -vc 'IP 198\.18\.0\.1\.9 > 198\.18\.0\.2\.9: UDP, length 22$' || true)
	[ "$n" -ge "$count" ] || fail "$side: $tool's capture holds $n frames, not $count or more (log: $log)"
	[ "$bad" = 0 ] || fail "$side: $bad frames of $tool's capture are not the loop's UDP frame"
	echo "ok $side: $tool captured $n frames of the loop"
	tp_cmd "$side" start
	sleep 1
}

check_side() { # side xstat...
	local side=$1 rx tx rx2 tx2 name v out domid so prefix
	shift
	# traffic flows and the secondary reads the counters
	read -r rx tx < <(port_packets "$side") || true
	[ -n "${rx:-}" ] || fail "$side: dpdk-proc-info --stats shows no port 0 (log: $log_dir/$side-proc-info.log)"
	[ "$rx" -gt 0 ] && [ "$tx" -gt 0 ] ||
		fail "$side: dpdk-proc-info --stats: RX-packets $rx, TX-packets $tx"
	echo "ok $side: dpdk-proc-info --stats: RX-packets $rx, TX-packets $tx"
	# its exit (ports closed, then EAL's cleanup removes the devices)
	# calls nothing on a port it released
	! grep -q "Invalid port_id" "$log_dir/$side-proc-info.log" ||
		fail "$side: dpdk-proc-info says: $(grep -m1 "Invalid port_id" "$log_dir/$side-proc-info.log")"

	out=$(proc_info "$side" --xstats 2>&1) || fail "$side: dpdk-proc-info --xstats failed: $out"
	printf '%s\n' "$out" >> "$log_dir/$side-proc-info.log"
	for name in "$@"; do
		v=$(printf '%s\n' "$out" | awk -F': ' -v n="$name" '$1 == n { print $2; exit }')
		[ -n "$v" ] || fail "$side: dpdk-proc-info --xstats has no $name"
		[ "$v" -gt 0 ] || fail "$side: xstat $name is $v"
		echo "ok $side: xstat $name = $v"
	done

	# dpdk-dumpcap writes pcapng; dpdk-pdump (queue=* on port 0, both
	# directions into one file: one net_pcap vdev in the secondary) writes
	# pcap and takes EAL options, so it gets the plugin with -d
	side_vars "$side"
	capture "$side" dpdk-dumpcap "$work/$side.pcapng" \
		env LD_PRELOAD="$preload_mempools$so" dpdk-dumpcap \
		--file-prefix "$prefix" -w "$work/$side.pcapng"
	capture "$side" dpdk-pdump "$work/$side.pcap" \
		env LD_PRELOAD="$preload_mempools" dpdk-pdump \
		-d "$so" --file-prefix "$prefix" --no-pci --log-level 'pmd.net.*:info' -- \
		--pdump "port=0,queue=*,rx-dev=$work/$side.pcap,tx-dev=$work/$side.pcap"

	# the primary goes on forwarding after its secondaries left
	read -r rx2 tx2 < <(port_packets "$side") || true
	[ "${rx2:-0}" -gt "$rx" ] && [ "${tx2:-0}" -gt "$tx" ] ||
		fail "$side: the port stopped forwarding: RX $rx then ${rx2:-none}, TX $tx then ${tx2:-none}"
	echo "ok $side: still forwarding after the secondaries left"
}

check_side back rx_grant_copy_calls tx_grant_copy_calls rx_q0_packets
check_side front rx_q0_slots_read tx_q0_packets rx_q0_packets

# both primaries exit cleanly
tp_cmd front stop
tp_cmd back stop
for side in front back; do
	eval "pid=\$${side}_pid"
	tp_cmd "$side" quit
	rc=0
	tl_reap "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "$side testpmd exited with $rc (log: $log_dir/$side-testpmd.log)"
	grep -q 'Bye' "$log_dir/$side-testpmd.log" || fail "$side testpmd did not say Bye"
done
echo "ok both testpmd primaries exited cleanly"
status=0
