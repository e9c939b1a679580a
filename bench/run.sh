#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench/run.sh: throughput of net_xennet <-> net_xenback over xenemu ("ours")
# against DPDK's own memif pair and vhost-user/virtio-user pair, in one run on
# one machine: same frame sizes, burst, memory and cores, one process per side,
# each pinned to its own core (receiver on the first core, sender on the
# second). Directions: guest -> backend (g2b: net_xennet txonly ->
# net_xenback rxonly; memif client -> server; virtio-user -> vhost) and
# backend -> guest (b2g: net_xenback txonly -> net_xennet rxonly; memif
# server -> client; vhost -> virtio-user), both at once (bidir: each side
# sends as fast as it can and counts what it receives, testpmd flowgen or
# xen-traffic bidir on both sides; the rate is the sum of what the two sides
# receive), and a forwarding guest (fwd: the backend side runs testpmd
# flowgen, the guest side testpmd io forwarding back out of the same port;
# the rate is what the backend receives back). Path
# "pgnt" is ours with persistent grants (persistent_grants=1 on both
# drivers: net_xenback maps the guest's grants once and copies with memcpy
# instead of a grant copy per burst). Path "zc" is every zero-copy the two
# drivers have, on top of pgnt: net_xennet's rx_zero_copy=1 and
# tx_zero_copy=1 (what the guest receives and forwards) and net_xenback's
# rx_zero_copy=1 (what the backend receives from the guest). Path "zcpool"
# is g2b only: the guest sends from net_xennet's granted TX pool
# (tx_pool=4096: frames built in granted pages, sent by reference) with
# xen-traffic gen --tx-pool auto whatever --tool says (testpmd cannot pick
# its TX pool), the backend as in zc (persistent grants, rx_zero_copy=1).
# Every other path runs in every direction.
#
# The runs are interleaved (ours, zc, pgnt, memif, vhost, ours, ...) and
# each result is printed with the cache-line round trip between the two cores
# measured right before it (bench/c2c.c): the host moves our vCPUs between
# "near" and "far" placements for minutes at a time, which changes every
# two-process figure about threefold, so only results of one round compare.
# Each round prints Mpps, Gbit/s (frame bytes without FCS, x 8), the round
# trip and the ratios ours/memif and ours/vhost (and the same for zc and
# pgnt) per direction (a bidir result also what each side received); the
# end prints the medians.
#
# --plot FILE draws the medians as a PNG with gnuplot (Debian's gnuplot-nox,
# installed with apt-get when missing): one row per direction, Mpps and
# Gbit/s by frame size side by side, one line per path.
#
# --stall measures something else: frames lost when the receiver stalls,
# ours only, at ring_page_order=0 (256 slots a ring) and 4 (4096). The
# sender (xen-traffic gen) sends at --stall-rate and drops what the port
# refuses (--tx-retries 1), as a wire would; the receiver (xen-traffic sink)
# stops polling for --stall-us every 0.1 s once frames flow (--rx-pause).
# Each order runs twice, at rest (no stall) and stalling; each run prints
# the stalls, the frames the receiver found missing (rx_lost) and sent, and
# the ratio order 0 / order 4 of what the stalling runs lost.
#
# --latency measures round trips instead: xen-traffic ping on the guest side
# (net_xennet, memif client, virtio-user) against xen-traffic reflect on the
# backend side, one frame at a time at --lat-rate (default 1000/s) for
# --seconds, interleaved per round like the throughput runs (paths ours,
# memif and vhost by default). Each run prints the pings timed and lost and
# the round trip's p50, p99 and max in microseconds; each round the ratios
# of ours (and of zc and pgnt when they run) against memif and vhost; the
# end the medians over the rounds.
#
# This is a benchmark, not a test: it asserts nothing about speed. It exits
# non-zero only when a run could not be made (a process failed to start, or
# no traffic arrived).
#
# Usage: bench/run.sh [--rounds N] [--sizes 64,1500] [--seconds S]
#                     [--warmup S] [--burst N] [--cores A,B]
#                     [--paths ours,zc,pgnt,zcpool,memif,vhost]
#                     [--dirs g2b,b2g,bidir,fwd]
#                     [--tool testpmd|xen-traffic]
#                     [--mem auto|nohuge|huge] [--csv FILE] [--plot FILE.png]
#                     [--keep-logs DIR] [--stall [--stall-rate PPS] [--stall-us US]]
#                     [--latency [--lat-rate PPS]]
#
#   --rounds N      rounds of interleaved runs (default 3)
#   --sizes LIST    frame sizes in bytes, no FCS (default 64,1500)
#   --seconds S     measured seconds per run, after the warm-up (default 5)
#   --warmup S      seconds of traffic before measuring (default 2)
#   --burst N       burst size on both sides (default 32)
#   --cores A,B     receiver's core, sender's core (default 0,1)
#   --paths LIST    which pairs to run (default ours,zc,pgnt,zcpool,memif,
#                   vhost; ours, zc, pgnt and zcpool are skipped with a note
#                   when the xen plugins are not built; zcpool runs g2b only)
#   --dirs LIST     directions: g2b (guest -> backend), b2g (backend ->
#                   guest), bidir (both at once, the sum of what both
#                   sides receive), fwd (backend -> guest forwarding ->
#                   backend) (default g2b,b2g,bidir,fwd; g2b,b2g,bidir
#                   with --tool xen-traffic)
#   --tool T        testpmd: txonly -> rxonly, flowgen <-> flowgen for
#                   bidir (default); xen-traffic: gen -> sink, bidir <->
#                   bidir, every frame built and verified (not for fwd,
#                   which is testpmd flowgen -> io only)
#   --mem M         auto (default): hugepages when enough are reserved and
#                   hugetlbfs is mounted, else --no-huge -m 512
#                   --single-file-segments
#   --csv FILE      also write every result as CSV (round,dir,size,path,...;
#                   with --stall: round,dir,size,order,run,...)
#   --plot FILE     also draw the medians in FILE, a PNG (gnuplot-nox)
#   --stall         frames lost by a stalling receiver at ring orders 0 and 4
#                   instead of throughput (ours, xen-traffic; g2b and b2g)
#   --stall-rate PPS  the sender's rate in stall runs (default 1000000)
#   --stall-us US   each stall of the receiver (default 1000), every 0.1 s
#   --latency       round trips (xen-traffic ping -> reflect, guest side
#                   pinging) instead of throughput; --paths default
#                   ours,memif,vhost; --warmup is not used (every ping of
#                   the --seconds counts)
#   --lat-rate PPS  pings per second in latency runs (default 1000)
#   --keep-logs DIR keep each run's logs in DIR
#
# Environment: BUILD_DIR (default ./build), TESTPMD (default dpdk-testpmd).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
testpmd=${TESTPMD:-$(command -v dpdk-testpmd || echo dpdk-testpmd)}
rounds=3 sizes=64,1500 seconds=5 warmup=2 burst=32 cores=0,1
paths=ours,zc,pgnt,zcpool,memif,memifzc,vhost hugepages="" dirs="" tool=testpmd mem=auto csv="" keep=""
plot="" stall=0 stall_rate=1000000 stall_us=1000 stall_every=0.1 tool_set=0
latency=0 lat_rate=1000 paths_set=0
# set per run by the stall measurement (run_stalls): the guest's ring order
# (empty: the driver's default) and whether the receiver stalls
ring_order="" stall_pause=0

usage() {
	sed -n '/^# Usage:/,/^# Environment:/p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}
usage_err() { usage 1 >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'bench: %s\n' "$*"; }
uint() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] ||
	die "$1 needs a whole number >= $3, got '$2'"; }

while [ $# -gt 0 ]; do
	case $1 in
	--rounds) uint "$1" "${2-}" 1; rounds=$2; shift ;;
	--sizes) [[ ${2-} =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--sizes wants N,N,..."
		sizes=$2; shift ;;
	--seconds) uint "$1" "${2-}" 1; seconds=$2; shift ;;
	--warmup) uint "$1" "${2-}" 0; warmup=$2; shift ;;
	--burst) uint "$1" "${2-}" 1; burst=$2; shift ;;
	--cores) [[ ${2-} =~ ^[0-9]+,[0-9]+$ ]] || die "--cores wants A,B"
		cores=$2; shift ;;
	--paths) [[ ${2-} =~ ^(ours|zc|pgnt|zcpool|memif|memifzc|vhost)(,(ours|zc|pgnt|zcpool|memif|memifzc|vhost))*$ ]] ||
			die "--paths wants a list of ours, zc, pgnt, zcpool, memif, memifzc, vhost"
		paths=$2; paths_set=1; shift ;;
	--dirs) [[ ${2-} =~ ^(g2b|b2g|bidir|fwd)(,(g2b|b2g|bidir|fwd))*$ ]] ||
			die "--dirs wants a list of g2b, b2g, bidir, fwd"
		dirs=$2; shift ;;
	--tool) [[ ${2-} =~ ^(testpmd|xen-traffic)$ ]] ||
			die "--tool wants testpmd or xen-traffic"
		tool=$2; tool_set=1; shift ;;
	--mem) [[ ${2-} =~ ^(auto|nohuge|huge)$ ]] || die "--mem wants auto, nohuge or huge"
		mem=$2; shift ;;
	--hugepages) uint "$1" "${2-}" 1; hugepages=$2; shift ;;
	--csv) [ -n "${2-}" ] || die "--csv needs a file"; csv=$2; shift ;;
	--keep-logs) [ -n "${2-}" ] || die "--keep-logs needs a directory"
		keep=$2; shift ;;
	--plot) [[ ${2-} == *.png ]] || die "--plot needs a file name ending in .png"
		plot=$2; shift ;;
	--stall) stall=1 ;;
	--latency) latency=1 ;;
	--lat-rate) uint "$1" "${2-}" 1; [ "$2" -le 100000 ] ||
			die "--lat-rate: at most 100000 (one ping out at a time)"
		lat_rate=$2; shift ;;
	--stall-rate) uint "$1" "${2-}" 1000; stall_rate=$2; shift ;;
	--stall-us) uint "$1" "${2-}" 1; [ "$2" -le 50000 ] ||
			die "--stall-us: at most 50000 (the stalls come every 0.1 s)"
		stall_us=$2; shift ;;
	-h|--help) usage 0 ;;
	*) printf 'bench: unknown option %s\n' "$1" >&2; usage_err ;;
	esac
	shift
done
rx_core=${cores%,*} tx_core=${cores#*,}
if [ "$latency" = 1 ]; then
	# xen-traffic pings (guest side) and reflects (backend side)
	[ "$stall" = 0 ] || die "--latency and --stall are separate measurements"
	[ "$tool_set" = 1 ] && [ "$tool" != xen-traffic ] &&
		die "--latency runs xen-traffic (ping, reflect): not with --tool $tool"
	[ -z "$dirs" ] || die "--latency: the guest side pings, no --dirs"
	[ -z "$plot" ] || die "--plot draws throughput medians: not with --latency"
	tool=xen-traffic dirs=ping
	[ "$paths_set" = 1 ] || paths=ours,memif,vhost
fi
[ "$rx_core" != "$tx_core" ] || die "--cores: the two sides need two different cores"
[ "$burst" -le 512 ] || die "--burst must be at most 512"
IFS=, read -r -a size_list <<< "$sizes"
IFS=, read -r -a path_list <<< "$paths"
if [ "$stall" = 1 ]; then
	# xen-traffic stalls the receiver and counts what went missing
	[ "$tool_set" = 1 ] && [ "$tool" != xen-traffic ] &&
		die "--stall runs xen-traffic (--rx-pause): not with --tool $tool"
	tool=xen-traffic
	[ -z "$plot" ] || die "--plot draws throughput medians: not with --stall"
	[[ ,$dirs, != *,bidir,* ]] ||
		die "--stall: one side sends, the other stalls (g2b, b2g), not bidir"
	[ -n "$dirs" ] || dirs=g2b,b2g
fi
# bidir by default with both tools, fwd with testpmd only (flowgen and io
# forwarding)
[ -n "$dirs" ] || { dirs=g2b,b2g,bidir; [ "$tool" = testpmd ] && dirs+=,fwd; }
IFS=, read -r -a dir_list <<< "$dirs"
if [ "$tool" != testpmd ] && [[ ,$dirs, == *,fwd,* ]]; then
	die "--dirs fwd needs --tool testpmd (flowgen and io forwarding)"
fi
for s in "${size_list[@]}"; do
	[ "$s" -ge 64 ] && [ "$s" -le 9000 ] || die "--sizes: $s is not 64..9000"
done

# zcpool: guest to backend throughput only (its guest side generates)
if [[ ,$paths, == *,zcpool,* ]] && { [ "$stall" = 1 ] || [ "$latency" = 1 ]; }; then
	[ "$paths_set" = 1 ] && die "zcpool measures throughput, not --stall or --latency"
fi
# The programs: build what is missing (set-up is idempotent and quick).
if [ ! -x "$build/bench/c2c" ] || [ ! -x "$build/app/xen-traffic/xen-traffic" ]; then
	BUILD_DIR=$build "$top/devtools/setup.sh" >/dev/null || die "set-up failed"
	ninja -C "$build" >/dev/null || die "build failed (ninja -C $build)"
fi
c2c=$build/bench/c2c
traffic=$build/app/xen-traffic/xen-traffic
xenemu=$build/xenemu/xenemu
xenback=$build/drivers/librte_net_xenback.so
xennet=$build/drivers/librte_net_xennet.so
[ -x "$c2c" ] || die "$c2c was not built"
if [ "$tool" = testpmd ]; then
	command -v "$testpmd" >/dev/null || die "dpdk-testpmd not found (apt-get install dpdk)"
fi
command -v stdbuf >/dev/null || die "stdbuf (coreutils) not found"

# Ours only when both plugins and xenemu are built.
have_ours=1
for f in "$xenback" "$xennet" "$xenemu"; do
	[ -e "$f" ] || { have_ours=0; missing=$f; }
done
run_paths=()
for p in "${path_list[@]}"; do
	if [[ $p =~ ^(ours|zc|pgnt|zcpool)$ ]] && [ "$have_ours" = 0 ]; then
		note "the xen plugins are not built ($missing is missing):" \
			"measuring memif and vhost only"
		continue
	fi
	run_paths+=("$p")
done
if [ "$stall" = 1 ]; then
	[ "$have_ours" = 1 ] || die "--stall needs the xen plugins and xenemu ($missing is missing)"
	run_paths=(ours)
fi
[ ${#run_paths[@]} -gt 0 ] || die "nothing to measure"

# gnuplot for --plot, from Debian (gnuplot-nox: no X), as devtools/setup.sh
# installs what the build needs: apt-get update only when the install fails
# with the current package lists.
if [ -n "$plot" ] && ! command -v gnuplot >/dev/null; then
	[ "$(id -u)" = 0 ] || die "--plot needs gnuplot: apt-get install gnuplot-nox (as root)"
	note "installing gnuplot-nox (for --plot)"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		gnuplot-nox >/dev/null 2>&1; then
		apt-get update -q >/dev/null || die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			gnuplot-nox >/dev/null || die "apt-get install gnuplot-nox failed"
	fi
	command -v gnuplot >/dev/null || die "gnuplot-nox installed, but no gnuplot"
fi

# --hugepages N: reserve N pages of the default size (as root) and mount
# hugetlbfs if none is (the benchmark's own set-up, for memifzc and --mem
# huge; the reservation stays, as a system setting an administrator made).
if [ -n "$hugepages" ]; then
	[ "$(id -u)" = 0 ] || die "--hugepages needs root"
	hp_have=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$hp_have" -lt "$hugepages" ]; then
		echo "$hugepages" > /proc/sys/vm/nr_hugepages ||
			die "cannot reserve $hugepages hugepages"
	fi
	if ! grep -q ' hugetlbfs ' /proc/mounts; then
		mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages ||
			die "cannot mount hugetlbfs on /dev/hugepages"
	fi
	note "hugepages: $(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo) free of" \
		"$(cat /proc/sys/vm/nr_hugepages)"
fi

# Memory for two DPDK processes.
hp_free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
hp_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
hp_ok=0
if [ $(( ${hp_free:-0} * ${hp_kb:-0} )) -ge $((1024 * 1024)) ] &&
   grep -q ' hugetlbfs ' /proc/mounts; then
	hp_ok=1
fi
case $mem in
auto) [ "$hp_ok" = 1 ] && mem=huge || mem=nohuge ;;
huge) [ "$hp_ok" = 1 ] || die "--mem huge: reserve 1 GiB of hugepages and mount hugetlbfs first" ;;
esac
if [ "$mem" = huge ]; then
	mem_args=(--in-memory --single-file-segments)
else
	mem_args=(--no-huge -m 512 --single-file-segments)
fi
# memif's zero-copy client shares its hugepage files with the server: only
# with hugepages, and files (no --in-memory), removed after each run
if [[ " ${run_paths[*]} " == *" memifzc "* ]] && [ "$mem" != huge ]; then
	note "memifzc needs hugepages (--hugepages 600, or --mem huge): not measured"
	keep_paths=()
	for p in "${run_paths[@]}"; do
		[ "$p" = memifzc ] || keep_paths+=("$p")
	done
	run_paths=("${keep_paths[@]}")
	[ ${#run_paths[@]} -gt 0 ] || die "nothing to measure"
fi

work=$(mktemp -d /tmp/xen-bench.XXXXXX)
xdir=""
pids=()
prefixes=()

# Stop the processes, the last started (the guest side) first: each gets SIGINT,
# then up to 10 s, then SIGKILL. One at a time, so the two ports never close
# at the same moment (DPDK 22.11's memif may crash when they do).
stop_pids() {
	local p k
	for ((k = ${#pids[@]} - 1; k >= 0; k--)); do
		p=${pids[k]}
		kill -INT "$p" 2>/dev/null
		for _ in $(seq 1 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=()
	for p in "${prefixes[@]}"; do
		rm -rf "/var/run/dpdk/$p"
		# memifzc's hugepage files (the others run --in-memory)
		[ "$mem" = huge ] && rm -f /dev/hugepages/"$p"map_* 2>/dev/null
	done
	prefixes=()
	if [ -n "$xdir" ]; then
		XENEMU_DIR=$xdir "$xenemu" stop >/dev/null 2>&1
		rm -rf "$xdir"
		xdir=""
		unset XENEMU_DIR
	fi
}
cleanup() {
	trap - EXIT INT TERM
	stop_pids
	if [ -n "$keep" ]; then
		mkdir -p "$keep" && cp -r "$work"/. "$keep"/ && note "logs kept in $keep"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; note "interrupted"; exit 130' INT TERM

# wait_for LOG REGEX SECONDS PID: until the log matches or the process died.
wait_for() {
	for _ in $(seq 1 $(($3 * 10))); do
		grep -aqE "$2" "$1" 2>/dev/null && return 0
		kill -0 "$4" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# start_side LOG COMMAND...: one side, in the background, its pid in pids.
start_side() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	pids+=($!)
}

# The per-second receive rates (Mpps) in a log, one a line.
rates() {
	if [ "$tool" = testpmd ]; then
		grep -a 'Rx-pps:' "$1" | awk '{printf "%.6f\n", $2 / 1e6}'
	else
		grep -a '^\[' "$1" | sed -n 's/.* rx *\([0-9.]*\) Mpps.*/\1/p'
	fi
}

# start_role rx|tx: start that side of run_one's measurement (its <side>_*
# variables, seen here by bash's dynamic scope: log, file prefix, vdev,
# launcher, devargs, core, testpmd arguments and mode) with testpmd or
# xen-traffic; its pid into <side>_pid.
start_role() {
	local side=$1
	local -n r_exec=${side}_exec r_d=${side}_d r_app=${side}_app r_xt=${side}_xt
	local log=${side}_log pre=${side}_pre vdev=${side}_vdev core=${side}_core
	local mode=${side}_mode xt=(--mode sink)

	[ "$side" = tx ] && xt=(--mode gen --wait-link 30)
	# both sides send (and wait for the link to do so)
	[ "$dir" = bidir ] && xt=(--mode bidir --wait-link 30)
	if [ "$latency" = 1 ]; then
		xt=(--mode reflect)
		[ "$side" = tx ] && xt=(--mode ping --wait-link 30)
	fi
	if [ "$path" = zcpool ] && [ "$side" = tx ]; then
		# zcpool's guest: xen-traffic gen from the driver's pool,
		# whatever the tool (testpmd cannot pick the pool it sends from)
		start_side "${!log}" "${r_exec[@]}" "$traffic" \
			-l "${!core}" --file-prefix "${!pre}" "${eal[@]}" \
			"${r_d[@]}" --vdev "${!vdev}" -- --burst "$burst" \
			--size "$size" --report 1 --timeout 600 --mode gen \
			--wait-link 30 --tx-pool auto
	elif [ "$tool" = testpmd ]; then
		start_side "${!log}" "${r_exec[@]}" stdbuf -oL "$testpmd" \
			--lcores "0@${!core},1@${!core}" --file-prefix "${!pre}" \
			"${eal[@]}" "${r_d[@]}" --vdev "${!vdev}" -- "${app[@]}" \
			"${r_app[@]}" --forward-mode="${!mode}"
	else
		start_side "${!log}" "${r_exec[@]}" "$traffic" \
			-l "${!core}" --file-prefix "${!pre}" "${eal[@]}" \
			"${r_d[@]}" --vdev "${!vdev}" -- "${app[@]}" "${xt[@]}" \
			"${r_xt[@]}"
	fi
	printf -v "${side}_pid" %s "${pids[-1]}"
}

median() { sort -g | awk '{v[NR] = $1} END {
	if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
	else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run_one PATH SIZE TAG DIR: one measurement; sets result to the median Mpps
# of the measured seconds, or "nan"; bidir: the sum of both sides' medians,
# each side's in result_be and result_fe. (Not in a subshell: the trap must
# know every process it started.)
run_one() {
	local path=$1 size=$2 tag=$3 dir=$4
	local rx_log=$work/$tag-rx.log tx_log=$work/$tag-tx.log
	local rx_pre=xbench-$$-$tag-rx tx_pre=xbench-$$-$tag-tx
	local rx_vdev tx_vdev rx_exec=() tx_exec=() rx_d=() tx_d=() rx_app=()
	local tx_app=() rx_mode=rxonly tx_mode=txonly rx_xt=() tx_xt=()
	local be_vdev fe_vdev be_exec=() fe_exec=() be_d=() fe_d=()
	local rx_pid="" tx_pid=""
	result=nan result_be=nan result_fe=nan
	prefixes+=("$rx_pre" "$tx_pre")

	# each pair as backend and guest ("fe") side; the direction says which
	# side sends
	case $path in
	memif|memifzc)
		be_vdev="net_memif0,role=server,socket=$work/$tag.sock,socket-abstract=no"
		fe_vdev="net_memif0,role=client,socket=$work/$tag.sock,socket-abstract=no"
		# zero-copy: the client's buffers are the shared memory (the
		# server, as always, copies)
		[ "$path" = memifzc ] && fe_vdev+=",zero-copy=yes" ;;
	vhost)
		be_vdev="net_vhost0,iface=$work/$tag.sock,queues=1"
		fe_vdev="net_virtio_user0,path=$work/$tag.sock,queues=1" ;;
	ours|zc|pgnt|zcpool)
		xdir=$(mktemp -d /dev/shm/xenemu-bench.XXXXXX)
		export XENEMU_DIR=$xdir
		{ "$xenemu" start && "$xenemu" domain create --domid 1 --name guest &&
		  "$xenemu" vif attach --frontend 1 --backend 0 --devid 0 \
			--mac 00:16:3e:00:00:01; } >"$work/$tag-xenemu.log" 2>&1 ||
			{ note "$tag: xenemu set-up failed:"; tail -n 5 "$work/$tag-xenemu.log"
			  stop_pids; return; }
		be_exec=("$xenemu" exec --domid 0 --)
		fe_exec=("$xenemu" exec --domid 1 --)
		be_d=(-d "$xenback") fe_d=(-d "$xennet")
		be_vdev="net_xenback0,domid=1,devid=0"
		fe_vdev="net_xennet0,devid=0"
		# rx_zero_copy (both drivers) delivers chains: both sides
		# enable scatter, which each driver then requires (xen-traffic
		# enables it whenever the port offers it); tx_zero_copy sends
		# them back out by reference (fwd); the backend's rx_zero_copy
		# needs persistent grants
		if [ "$path" = zc ]; then
			be_vdev+=",persistent_grants=1,rx_zero_copy=1"
			fe_vdev+=",persistent_grants=1,rx_zero_copy=1,tx_zero_copy=1"
			[ "$tool" = testpmd ] && rx_app=(--enable-scatter) &&
				tx_app=(--enable-scatter)
		fi
		# the granted TX pool: frames built in granted pages, sent by
		# reference (start_role runs the guest's xen-traffic gen on
		# it), into the backend's zero-copy receive as in zc
		if [ "$path" = zcpool ]; then
			be_vdev+=",persistent_grants=1,rx_zero_copy=1"
			fe_vdev+=",persistent_grants=1,tx_pool=4096"
			[ "$tool" = testpmd ] && rx_app=(--enable-scatter)
		fi
		# persistent grants: offered by the backend, promised by the guest
		if [ "$path" = pgnt ]; then
			be_vdev+=",persistent_grants=1"
			fe_vdev+=",persistent_grants=1"
		fi
		# the stall measurement's ring order (the backend offers up
		# to 4 by default)
		[ -n "$ring_order" ] && fe_vdev+=",ring_page_order=$ring_order" ;;
	esac
	# a stall run: a sender that drops what the port refuses, a receiver
	# that writes its summary (and stalls, in the stalling run)
	if [ -n "$ring_order" ]; then
		rx_xt=(--summary "$work/$tag-rx.json")
		[ "$stall_pause" = 1 ] &&
			rx_xt+=(--rx-pause "$stall_us" --rx-pause-every "$stall_every")
		tx_xt=(--rate "$stall_rate" --tx-retries 1)
	fi
	# a latency run: the guest side ("tx") pings for --seconds, the
	# backend side ("rx") reflects; direction "ping" is g2b's placement
	if [ "$dir" = ping ]; then
		tx_xt=(--rate "$lat_rate" --duration "$seconds" --summary "$work/$tag-tx.json")
		dir=g2b
	fi
	if [ "$dir" = g2b ]; then
		rx_vdev=$be_vdev rx_exec=("${be_exec[@]}") rx_d=("${be_d[@]}")
		tx_vdev=$fe_vdev tx_exec=("${fe_exec[@]}") tx_d=("${fe_d[@]}")
	elif [ "$dir" = fwd ]; then
		# the backend generates and counts what comes back ("rx" side),
		# the guest forwards (the "tx" side, with the receiver's options)
		rx_vdev=$be_vdev rx_exec=("${be_exec[@]}") rx_d=("${be_d[@]}")
		tx_vdev=$fe_vdev tx_exec=("${fe_exec[@]}") tx_d=("${fe_d[@]}")
		rx_mode=flowgen tx_mode=io
	elif [ "$dir" = bidir ]; then
		# both sides send and receive at once: g2b's placement (the
		# backend, "rx", starts first), each side's rate counts
		rx_vdev=$be_vdev rx_exec=("${be_exec[@]}") rx_d=("${be_d[@]}")
		tx_vdev=$fe_vdev tx_exec=("${fe_exec[@]}") tx_d=("${fe_d[@]}")
		rx_mode=flowgen tx_mode=flowgen
	else
		rx_vdev=$fe_vdev rx_exec=("${fe_exec[@]}") rx_d=("${fe_d[@]}")
		tx_vdev=$be_vdev tx_exec=("${be_exec[@]}") tx_d=("${be_d[@]}")
	fi

	local eal=(--no-pci "${mem_args[@]}" --log-level 'lib.eal:notice')
	# memifzc: hugepage files the client can share (not --in-memory)
	[ "$path" = memifzc ] && eal=(--no-pci --single-file-segments --log-level 'lib.eal:notice')
	local app ready
	if [ "$tool" = testpmd ]; then
		# Two lcores on one core: the main one only prints the stats.
		# testpmd sends 64 B frames instead of a --txpkts segment longer
		# than its mbufs' data room (2048 B): larger frames get mbufs
		# that hold them, on both sides (before --txpkts, which testpmd
		# checks as it parses it)
		local mbuf=()
		[ "$size" -gt 2048 ] && mbuf=(--mbuf-size=$((size + 128)))
		app=(--nb-cores=1 --burst="$burst" --stats-period 1 --no-mlockall
		     --disable-link-check "${mbuf[@]}"
		     --total-num-mbufs=16384 --txpkts="$size")
		ready='^Port statistics|Press enter'
	else
		app=(--burst "$burst" --size "$size" --report 1 --timeout 600)
		ready=' \(port [0-9]+\) mode '
	fi
	# The backend side starts first, whichever way the traffic goes (a
	# memif client or a virtio-user does not wait for a server that is
	# not there yet); the second side starts once the first is up.
	local first=rx second=tx side
	[ "$dir" = b2g ] && first=tx second=rx
	for side in "$first" "$second"; do
		start_role "$side"
		[ "$side" = "$second" ] && break
		local log=$rx_log pid=$rx_pid who=receiver
		[ "$side" = tx ] && log=$tx_log pid=$tx_pid who=sender
		if ! wait_for "$log" "$ready" 60 "$pid"; then
			note "$tag: the $who did not start; its log ends:"
			tail -n 15 "$log"
			stop_pids
			return
		fi
	done
	# Traffic flows once the receiver reports a non-zero rate (bidir:
	# both sides do).
	# (a reflector at a ping rate shows 0.000 Mpps: its frame count then)
	local n0=-1 n1=0
	for _ in $(seq 1 300); do
		if { [ "$latency" = 1 ] && grep -aq ' recv [1-9]' "$rx_log"; } ||
		   { rates "$rx_log" | awk '$1 > 0 {f = 1} END {exit !f}' &&
		     { [ "$dir" != bidir ] ||
		       rates "$tx_log" | awk '$1 > 0 {f = 1} END {exit !f}'; }; }; then
			sleep "$warmup"
			n0=$(rates "$rx_log" | wc -l)
			n1=$(rates "$tx_log" | wc -l)
			break
		fi
		kill -0 "$tx_pid" 2>/dev/null && kill -0 "$rx_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$n0" -lt 0 ]; then
		note "$tag: no traffic arrived; the logs end:"
		tail -n 8 "$rx_log" "$tx_log"
		stop_pids
		return
	fi
	if [ "$latency" = 1 ]; then
		# the pinger ends by itself (--duration, then a 1 s drain)
		for _ in $(seq 1 $(((seconds + 30) * 10))); do
			kill -0 "$tx_pid" 2>/dev/null || break
			sleep 0.1
		done
		result=0
		stop_pids
		return
	fi
	sleep "$seconds"
	result=$(rates "$rx_log" | tail -n +"$((n0 + 1))" | head -n "$seconds" | median)
	if [ "$dir" = bidir ]; then
		# the two processes print their seconds unaligned: each
		# side's median, then their sum
		result_be=$result
		result_fe=$(rates "$tx_log" | tail -n +"$((n1 + 1))" | head -n "$seconds" |
			median)
		result=$(awk -v a="$result_be" -v b="$result_fe" 'BEGIN {
			if (a == "nan" || b == "nan") print "nan";
			else printf "%.6f\n", a + b }')
	fi
	stop_pids
}

c2c_now() { # "median min" of the round trip, ns
	"$c2c" --cpus "$rx_core,$tx_core" --iters 20000 --batches 15 2>/dev/null |
		awk -F'[ (;,]+' '/^c2c:/ { for (i = 1; i <= NF; i++) {
			if ($i == "trip") med = $(i + 1); if ($i == "min") min = $(i + 1) } }
			END { if (med == "") print "nan nan"; else print med, min }'
}

f2() { awk -v m="$1" 'BEGIN { if (m == "nan" || m == "") print "-"; else printf "%.2f\n", m }'; }
f3() { awk -v m="$1" 'BEGIN { if (m == "nan" || m == "") print "nan"; else printf "%.3f\n", m }'; }
gbps() { awk -v m="$1" -v s="$2" 'BEGIN { if (m == "nan") print "nan";
	else printf "%.3f\n", m * s * 8 / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0)
	print "-"; else printf "%.2f\n", a / b }'; }

# jkey FILE KEY: a number of a xen-traffic JSON summary, or nan
jkey() {
	awk -v k="\"$2\"" -F': *' '$1 ~ "^ *" k "$" {
		v = $2; sub(/,$/, "", v); print v; f = 1; exit } END { if (!f) print "nan" }' \
		"$1" 2>/dev/null || echo nan
}
# lost_ratio A B: A/B with "inf" for a loss against none, "-" for none at all
lost_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan") print "-";
	else if (b == 0) print (a == 0 ? "-" : "inf"); else printf "%.1f\n", a / b }'; }

# run_stalls: the --stall measurement (see the top of this file).
run_stalls() {
	local round dir size order run lost recv stalls per rest_lossy=0
	declare -A sres
	note "stall: ours, xen-traffic gen at $stall_rate pps (--tx-retries 1) -> sink" \
		"stalling ${stall_us} us every ${stall_every} s, ring orders 0 and 4," \
		"memory: ${mem_args[*]}, burst $burst, receiver on core $rx_core, sender on" \
		"core $tx_core, $rounds round(s) at ${size_list[*]} B, directions ${dir_list[*]}," \
		"${warmup}+${seconds} s each"
	[ -n "$csv" ] && echo "round,dir,size,order,run,stalls,rx_lost,rx_packets,rx_mpps" > "$csv"
	printf '\n%-5s %-4s %6s %5s %-6s %7s %10s %10s %10s\n' round dir size order run \
		stalls lost received lost/stall
	for round in $(seq 1 "$rounds"); do
		for dir in "${dir_list[@]}"; do
			for size in "${size_list[@]}"; do
				for order in 0 4; do
					for run in rest stall; do
						ring_order=$order
						stall_pause=0
						[ "$run" = stall ] && stall_pause=1
						local tag=r$round-$dir-$size-o$order-$run
						run_one ours "$size" "$tag" "$dir"
						ring_order="" stall_pause=0
						local js=$work/$tag-rx.json
						lost=$(jkey "$js" rx_lost) stalls=$(jkey "$js" rx_pauses)
						recv=$(jkey "$js" rx_packets)
						if [ "$result" = nan ] || [ "$lost" = nan ]; then
							failed=1 lost=nan
						fi
						sres[$round,$dir,$size,$order,$run]=$lost
						# at rest nothing should be lost: if more than
						# 1 % is, the receiver does not keep up with
						# the rate on this host and the stalls are
						# not what the figures measure
						if [ "$run" = rest ] && [ "$lost" != nan ] &&
						   [ "$recv" != nan ] && [ $((lost * 100)) -gt "$recv" ]; then
							rest_lossy=1
						fi
						per=-
						[ "$run" = stall ] && per=$(lost_ratio "$lost" "$stalls")
						printf '%-5s %-4s %6s %5s %-6s %7s %10s %10s %10s\n' \
							"$round" "$dir" "$size" "$order" "$run" \
							"$stalls" "$lost" "$recv" "$per"
						[ -n "$csv" ] && echo "$round,$dir,$size,$order,$run,$stalls,$lost,$recv,$result" >> "$csv"
					done
				done
				printf '%-5s %-4s %6s %-12s %s %s\n' "$round" "$dir" "$size" \
					"ratio" "stalling runs, lost at order 0 / order 4:" \
					"$(lost_ratio "${sres[$round,$dir,$size,0,stall]}" \
					  "${sres[$round,$dir,$size,4,stall]}")"
			done
		done
	done
	[ "$rest_lossy" = 0 ] || note "runs at rest lost more than 1 % of what arrived:" \
		"the receiver does not keep up with $stall_rate pps here (a busy host," \
		"or lower --stall-rate), so the losses are not the stalls' alone"
	printf '\nMedians over %s round(s) of the frames lost\n' "$rounds"
	printf '%-4s %6s %12s %12s %12s %12s %9s\n' dir size "rest o0" "stall o0" \
		"rest o4" "stall o4" "o0/o4"
	for dir in "${dir_list[@]}"; do
		for size in "${size_list[@]}"; do
			local -A med=()
			for order in 0 4; do
				for run in rest stall; do
					med[$order,$run]=$(for r in $(seq 1 "$rounds"); do
						echo "${sres[$r,$dir,$size,$order,$run]}"
					done | grep -v nan | median)
				done
			done
			printf '%-4s %6s %12s %12s %12s %12s %9s\n' "$dir" "$size" \
				"${med[0,rest]}" "${med[0,stall]}" "${med[4,rest]}" \
				"${med[4,stall]}" "$(lost_ratio "${med[0,stall]}" "${med[4,stall]}")"
		done
	done
}

# run_latency: the --latency measurement (see the top of this file).
run_latency() {
	local round size path js cnt lost p50 p99 max others=() p q
	declare -A lres
	for p in "${run_paths[@]}"; do
		[[ $p =~ ^(memif|vhost)$ ]] || others+=("$p")
	done
	note "latency: xen-traffic ping (guest side, core $tx_core) -> reflect (backend" \
		"side, core $rx_core) at $lat_rate pings/s for $seconds s a run," \
		"memory: ${mem_args[*]}, $rounds round(s) of ${run_paths[*]} at ${size_list[*]} B"
	[ -n "$csv" ] && echo "round,size,path,rtt_count,ping_lost,p50_us,p99_us,max_us,c2c_median_ns,c2c_min_ns" > "$csv"
	printf '\n%-5s %6s %-6s %8s %6s %10s %10s %10s %14s\n' round size path pings lost \
		"p50 us" "p99 us" "max us" "c2c ns med/min"
	for round in $(seq 1 "$rounds"); do
		for size in "${size_list[@]}"; do
			for path in "${run_paths[@]}"; do
				local tag=r$round-$size-$path
				read -r c2c_med c2c_min < <(c2c_now)
				run_one "$path" "$size" "$tag" ping
				js=$work/$tag-tx.json
				cnt=$(jkey "$js" rtt_count) lost=$(jkey "$js" ping_lost)
				p50=$(jkey "$js" rtt_p50_us) p99=$(jkey "$js" rtt_p99_us)
				max=$(jkey "$js" rtt_max_us)
				if [ "$result" = nan ] || [ "$cnt" = nan ] || [ "$cnt" = 0 ]; then
					failed=1 p50=nan p99=nan max=nan
				fi
				lres[$round,$size,$path,p50]=$p50
				lres[$round,$size,$path,p99]=$p99
				lres[$round,$size,$path,max]=$max
				printf '%-5s %6s %-6s %8s %6s %10s %10s %10s %14s\n' "$round" \
					"$size" "$path" "$cnt" "$lost" "$(f2 "$p50")" "$(f2 "$p99")" \
					"$(f2 "$max")" "$c2c_med/$c2c_min"
				[ -n "$csv" ] && echo "$round,$size,$path,$cnt,$lost,$p50,$p99,$max,$c2c_med,$c2c_min" >> "$csv"
			done
			# ours (zc, pgnt) over memif and over vhost, each figure
			for p in "${others[@]}"; do
				for q in memif vhost; do
					[ -n "${lres[$round,$size,$q,p50]-}" ] || continue
					printf '%-5s %6s %-6s %8s %6s %10s %10s %10s\n' "$round" \
						"$size" "$p/$q" "" "" \
						"$(ratio "${lres[$round,$size,$p,p50]}" "${lres[$round,$size,$q,p50]}")" \
						"$(ratio "${lres[$round,$size,$p,p99]}" "${lres[$round,$size,$q,p99]}")" \
						"$(ratio "${lres[$round,$size,$p,max]}" "${lres[$round,$size,$q,max]}")"
				done
			done
		done
	done
	printf '\nMedians over %s round(s) (ratios: median of the per-round ratios)\n' "$rounds"
	printf '%6s %-12s %10s %10s %10s\n' size path "p50 us" "p99 us" "max us"
	local k r
	for size in "${size_list[@]}"; do
		for path in "${run_paths[@]}"; do
			printf '%6s %-12s' "$size" "$path"
			for k in p50 p99 max; do
				printf ' %10s' "$(f2 "$(for r in $(seq 1 "$rounds"); do
					echo "${lres[$r,$size,$path,$k]}"; done | grep -v nan | median)")"
			done
			printf '\n'
		done
		for p in "${others[@]}"; do
			for q in memif vhost; do
				[[ " ${run_paths[*]} " == *" $q "* ]] || continue
				printf '%6s %-12s' "$size" "$p/$q"
				for k in p50 p99 max; do
					printf ' %10s' "$(f2 "$(for r in $(seq 1 "$rounds"); do
						ratio "${lres[$r,$size,$p,$k]}" "${lres[$r,$size,$q,$k]}"
					done | grep -v -- - | median)")"
				done
				printf '\n'
			done
		done
	done
}

if [ "$latency" = 1 ]; then
	failed=0
	run_latency
	[ "$failed" = 0 ] || { note "some runs gave no result (nan); see --keep-logs"; exit 1; }
	exit 0
fi

if [ "$stall" = 1 ]; then
	failed=0
	run_stalls
	[ "$failed" = 0 ] || { note "some runs gave no result (nan); see --keep-logs"; exit 1; }
	exit 0
fi

note "tool $tool, memory: ${mem_args[*]}, burst $burst, receiver on core $rx_core," \
	"sender on core $tx_core, $rounds round(s) of ${run_paths[*]} at ${size_list[*]} B," \
	"directions ${dir_list[*]}, ${warmup}+${seconds} s each"
[ -n "$csv" ] && echo "round,dir,size,path,mpps,gbps,c2c_median_ns,c2c_min_ns" > "$csv"

# ratio_line ROUND DIR SIZE: ours/memif, ours/vhost, the same for zc, pgnt,
# and zc against memif's zero-copy client
ratio_line() {
	local r=$1 d=$2 z=$3 p
	printf '%-5s %-5s %6s %-7s %9s %9s %14s' "$r" "$d" "$z" ratio "" "" ""
	for p in ours zc pgnt; do
		printf ' %11s %11s' \
			"$(ratio "${res[$r,$d,$z,$p]-nan}" "${res[$r,$d,$z,memif]-nan}")" \
			"$(ratio "${res[$r,$d,$z,$p]-nan}" "${res[$r,$d,$z,vhost]-nan}")"
	done
	printf ' %11s\n' "$(ratio "${res[$r,$d,$z,zc]-nan}" "${res[$r,$d,$z,memifzc]-nan}")"
}

declare -A res
failed=0
printf '\n%-5s %-5s %6s %-7s %9s %9s %14s %11s %11s %11s %11s %11s %11s %11s\n' round dir \
	size path Mpps Gbit/s "c2c ns med/min" ours/memif ours/vhost zc/memif zc/vhost \
	pgnt/memif pgnt/vhost zc/memifzc
for round in $(seq 1 "$rounds"); do
	for dir in "${dir_list[@]}"; do
		for size in "${size_list[@]}"; do
			for path in "${run_paths[@]}"; do
				# zcpool: the guest sends (g2b) only
				[ "$path" = zcpool ] && [ "$dir" != g2b ] && continue
				read -r c2c_med c2c_min < <(c2c_now)
				run_one "$path" "$size" "r$round-$dir-$size-$path" "$dir"
				mpps=$result
				[ "$mpps" = nan ] && failed=1
				res[$round,$dir,$size,$path]=$mpps
				g=$(gbps "$mpps" "$size")
				# bidir: what each side received, after the sum
				split=""
				[ "$dir" = bidir ] && split="  backend $(f3 "$result_be")" &&
					split+=" + guest $(f3 "$result_fe") Mpps"
				printf '%-5s %-5s %6s %-7s %9s %9s %14s%s\n' "$round" "$dir" \
					"$size" "$path" "$(f3 "$mpps")" "$g" "$c2c_med/$c2c_min" \
					"$split"
				[ -n "$csv" ] &&
					echo "$round,$dir,$size,$path,$mpps,$g,$c2c_med,$c2c_min" >> "$csv"
			done
			ratio_line "$round" "$dir" "$size"
		done
	done
done

# med_ratio DIR SIZE A B: median over the rounds of A/B
med_ratio() {
	local r
	for r in $(seq 1 "$rounds"); do
		ratio "${res[$r,$1,$2,$3]-nan}" "${res[$r,$1,$2,$4]-nan}"
	done | grep -v -- - | median
}

declare -A medv
printf '\nMedians over %s round(s) (ratios: median of the per-round ratios)\n' "$rounds"
printf '%-5s %6s %-7s %9s %9s %11s %11s %11s %11s %11s %11s %11s\n' dir size path Mpps \
	Gbit/s ours/memif ours/vhost zc/memif zc/vhost pgnt/memif pgnt/vhost zc/memifzc
for dir in "${dir_list[@]}"; do
	for size in "${size_list[@]}"; do
		for path in "${run_paths[@]}"; do
			[ "$path" = zcpool ] && [ "$dir" != g2b ] && continue
			m=$(for r in $(seq 1 "$rounds"); do echo "${res[$r,$dir,$size,$path]}"; done |
				grep -v nan | median)
			medv[$dir,$size,$path]=$m
			printf '%-5s %6s %-7s %9s %9s\n' "$dir" "$size" "$path" "$(f3 "$m")" \
				"$(gbps "$m" "$size")"
		done
		printf '%-5s %6s %-7s %9s %9s %11s %11s %11s %11s %11s %11s %11s\n' "$dir" "$size" \
			ratio "" "" \
			"$(f2 "$(med_ratio "$dir" "$size" ours memif)")" \
			"$(f2 "$(med_ratio "$dir" "$size" ours vhost)")" \
			"$(f2 "$(med_ratio "$dir" "$size" zc memif)")" \
			"$(f2 "$(med_ratio "$dir" "$size" zc vhost)")" \
			"$(f2 "$(med_ratio "$dir" "$size" pgnt memif)")" \
			"$(f2 "$(med_ratio "$dir" "$size" pgnt vhost)")" \
			"$(f2 "$(med_ratio "$dir" "$size" zc memifzc)")"
	done
done

# plot_medians FILE: the medians as a PNG, one row per direction, Mpps and
# Gbit/s by frame size side by side, one line per path (a point when only one
# size ran); a path without any result is left out of its panel.
plot_medians() {
	local out=$1 gp=$work/plot.gp dir path size m term=pngcairo col
	local nd=${#dir_list[@]} xmin xmax xtics="" plots
	xmin=$(printf '%s\n' "${size_list[@]}" | sort -n | head -n 1)
	xmax=$(printf '%s\n' "${size_list[@]}" | sort -n | tail -n 1)
	for size in $(printf '%s\n' "${size_list[@]}" | sort -nu); do
		xtics+="${xtics:+, }$size"
	done
	gnuplot -e 'set terminal pngcairo' 2>/dev/null || term=png
	{
		echo "set terminal $term size 1200,$((360 * nd + 60))"
		echo "set output '$out'"
		echo "set multiplot layout $nd,2 title 'bench/run.sh: medians over $rounds" \
			"round(s), $tool, burst $burst, ${warmup}+${seconds} s a run'"
		echo "set logscale x 2"
		echo "set xrange [$xmin / 1.5 : $xmax * 1.5]"
		echo "set xtics ($xtics)"
		echo "set yrange [0:*]"
		echo "set xlabel 'frame size, bytes (no FCS)'"
		echo "set grid"
		echo "set key outside right top"
		for dir in "${dir_list[@]}"; do
			plots=()
			local lt=0
			for path in "${run_paths[@]}"; do
				local dat=$work/plot-$dir-$path.dat
				lt=$((lt + 1))	# one colour per path in every panel
				: > "$dat"
				for size in "${size_list[@]}"; do
					m=${medv[$dir,$size,$path]-nan}
					[ "$m" = nan ] && continue
					echo "$size $m $(gbps "$m" "$size")" >> "$dat"
				done
				[ -s "$dat" ] && plots+=("'$dat' using 1:COL with linespoints" \
					"lt $lt lw 2 pt 7 title '$path'")
			done
			for col in 2 3; do
				local what=Mpps
				[ "$col" = 3 ] && what=Gbit/s
				local head=$dir
				[ "$dir" = bidir ] && head='bidir (sum of both sides)'
				echo "set title '$head: $what'"
				echo "set ylabel '$what'"
				if [ ${#plots[@]} -eq 0 ]; then
					echo "set label 1 'no result' at graph 0.5, 0.5 center"
					echo "set yrange [0:1]"
					echo "plot 1/0 notitle"
					echo "unset label 1"
					echo "set yrange [0:*]"
				else
					local line="plot " i
					for ((i = 0; i < ${#plots[@]}; i += 2)); do
						line+="${plots[i]//COL/$col} ${plots[i + 1]}, "
					done
					echo "${line%, }"
				fi
			done
		done
		echo "unset multiplot"
	} > "$gp"
	if gnuplot "$gp" 2>"$work/plot.err"; then
		note "plot written to $out"
	else
		note "gnuplot failed ($gp):"; cat "$work/plot.err"
		failed=1
	fi
}
[ -z "$plot" ] || plot_medians "$plot"

[ "$failed" = 0 ] || { note "some runs gave no result (nan); see --keep-logs"; exit 1; }
exit 0
