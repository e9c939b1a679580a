# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Shared helpers of the OVS-DPDK client tests (ovs_dom0.sh, ovs_guest.sh),
# sourced after the caller has set `name` (the prefix of every message).
#
# What they give:
#  * a private xenemu instance (XENEMU_DIR from mktemp under /dev/shm: the
#    xenstore socket paths must stay short) and a private work directory with
#    OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR and OVS_SYSCONFDIR in it, so the tests
#    never touch a system OVS nor each other;
#  * ovsdb-server, and ovs-vswitchd-dpdk started as a domain of that instance
#    (through `xenemu exec`, which sets LD_LIBRARY_PATH, XENSTORED_PATH,
#    XENEMU_DIR and XENEMU_DOMID for the drivers);
#  * xen-traffic runs in any domain, with their summaries;
#  * one trap that stops everything the test started, by pid, and removes
#    every directory it made (also DPDK's runtime directories of its
#    --file-prefix names).
#
# Every wait is bounded: daemons are started under `timeout`, ovs-vsctl gets
# --timeout, and polling loops give up after a deadline with a reason.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$top/build}
xenemu=$build/xenemu/xenemu
xt=$build/app/xen-traffic/xen-traffic
xenback_so=$build/drivers/librte_net_xenback.so
xennet_so=$build/drivers/librte_net_xennet.so
vswitchd=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
schema=/usr/share/openvswitch/vswitch.ovsschema

# Memory for each DPDK process. OVS's shared mempool asks for 262144 mbufs
# first and halves the count only on ENOMEM; with 1 GB the first request
# failed with ENOBUFS (doc/clients.rst), so 2 GB: the 1500 B pool and,
# while it still exists, a 9000 B pool of 16384 or more mbufs (what the MTU
# change needs). xen-traffic sizes its pool to its rings.
ovs_mem_mb=${OVS_MEM_MB:-2048}
xt_mem_mb=${XT_MEM_MB:-256}

log() { printf '%s: %s\n' "$name" "$*"; }
fail() {
	printf '%s: FAIL: %s\n' "$name" "$*" >&2
	ovs_diag >&2 || true
	exit 1
}
skip() { printf '%s: SKIP: %s\n' "$name" "$*" >&2; exit 77; }

# OVS first, unless told not to (OVS_NO_INSTALL=1): install-ovs.sh is
# idempotent and returns in milliseconds once the package is there. Only a
# package that cannot be installed here skips the test.
if [ -z "${OVS_NO_INSTALL:-}" ]; then
	inst_rc=0
	inst_out=$("$top/devtools/install-ovs.sh" 2>&1) || inst_rc=$?
	case $inst_rc in
	0) vswitchd=${OVS_VSWITCHD:-$(tail -n 1 <<<"$inst_out")} ;;
	2) skip "OVS-DPDK cannot be installed: $inst_out" ;;
	*) printf '%s\n' "$inst_out" >&2
	   printf '%s: FAIL: devtools/install-ovs.sh exited with %s\n' "$name" "$inst_rc" >&2
	   exit 1 ;;
	esac
fi
for f in "$xenemu" "$xt" "$xenback_so" "$xennet_so"; do
	[ -e "$f" ] || skip "$f was not built (run ninja -C $build)"
done
[ -x "$vswitchd" ] || skip "$vswitchd missing (run devtools/install-ovs.sh)"
for c in ovsdb-tool ovsdb-server ovs-vsctl ovs-ofctl ovs-appctl python3; do
	command -v "$c" >/dev/null || skip "$c missing (run devtools/install-ovs.sh)"
done

# --- state and cleanup ------------------------------------------------------

work=$(mktemp -d "/tmp/$name.XXXXXX")
export XENEMU_DIR
XENEMU_DIR=$(mktemp -d "/dev/shm/$name.XXXXXX")
export OVS_RUNDIR=$work/run OVS_DBDIR=$work/db OVS_LOGDIR=$work/log OVS_SYSCONFDIR=$work/etc
mkdir -p "$OVS_RUNDIR" "$OVS_DBDIR" "$OVS_LOGDIR" "$OVS_SYSCONFDIR"
# DPDK --file-prefix of this run: each process adds its own suffix, and the
# cleanup removes /var/run/dpdk/<prefix>* (the EAL leaves them behind).
prefix="$name-$$"
xenemu_started=0
bg_pids=()		# xen-traffic runs still going
declare -A xt_pid=()	# run name -> pid
declare -A xt_rc=()	# run name -> exit status, once finished

ovs_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	local p
	# Each run is `timeout` around xen-traffic: TERM reaches xen-traffic,
	# which stops cleanly (port closed, vif disconnected).
	for p in "${bg_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${bg_pids[@]}"; do
		wait_pid "$p" 10 || kill -KILL "$p" 2>/dev/null || true
	done
	# ovs-vswitchd first: it holds the backend ports, and a vswitchd that
	# has lost its database would linger.
	local d
	for d in ovs-vswitchd ovsdb-server; do
		local pidf=$OVS_RUNDIR/$d.pid
		[ -s "$pidf" ] || continue
		p=$(cat "$pidf")
		kill -TERM "$p" 2>/dev/null || continue
		wait_pid "$p" 10 || kill -KILL "$p" 2>/dev/null || true
	done
	if [ "$xenemu_started" = 1 ]; then
		timeout 30 "$xenemu" stop >/dev/null 2>&1 || true
	fi
	if [ "$rc" != 0 ] && [ -n "${OVS_TEST_KEEP:-}" ]; then
		log "kept $work (logs)"
	else
		rm -rf "$work"
	fi
	rm -rf "$XENEMU_DIR" /var/run/dpdk/"$prefix"-*
	exit "$rc"
}
trap ovs_cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# --- waiting ----------------------------------------------------------------

# wait_pid PID SECONDS: until process PID is gone; status 1 after SECONDS.
wait_pid() {
	local end=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND (which must be quiet: its
# output is not hidden, so that a check that fails the test inside it is
# heard) every 0.1 s until it succeeds; fails the test naming WHAT after
# SECONDS.
wait_for() {
	local secs=$1 what=$2
	shift 2
	local end=$((SECONDS + secs))
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || fail "timed out after ${secs}s waiting for $what"
		sleep 0.1
	done
}

# --- xenemu -----------------------------------------------------------------

xenemu_start() {
	timeout 30 "$xenemu" start >/dev/null || fail "xenemu start"
	xenemu_started=1
}
xenemu_domain() { # DOMID
	timeout 30 "$xenemu" domain create --domid "$1" --name "ovs-dom$1" >/dev/null ||
		fail "xenemu domain create --domid $1"
}
xenemu_vif() { # FRONTEND BACKEND DEVID MAC
	timeout 30 "$xenemu" vif attach --frontend "$1" --backend "$2" --devid "$3" \
		--mac "$4" >/dev/null || fail "xenemu vif attach --frontend $1 --devid $3"
}

# --- OVS --------------------------------------------------------------------

vsctl() { ovs-vsctl --timeout=30 "$@"; }
# ovs-vswitchd runs under its own program name (ovs-vswitchd-dpdk), so its
# control socket is named explicitly and ovs-appctl is pointed at it.
appctl() { timeout 30 ovs-appctl -t "$OVS_RUNDIR/ovs-vswitchd.ctl" "$@"; }
ofctl() { timeout 30 ovs-ofctl "$@"; }

ovsdb_start() {
	ovsdb-tool create "$OVS_DBDIR/conf.db" "$schema" || fail "ovsdb-tool create"
	# --detach returns once the server listens: no wait loop needed.
	timeout 30 ovsdb-server "$OVS_DBDIR/conf.db" \
		--remote="punix:$OVS_RUNDIR/db.sock" \
		--pidfile="$OVS_RUNDIR/ovsdb-server.pid" \
		--unixctl="$OVS_RUNDIR/ovsdb-server.ctl" \
		--log-file="$OVS_LOGDIR/ovsdb-server.log" --no-chdir --detach ||
		fail "ovsdb-server did not start ($OVS_LOGDIR/ovsdb-server.log)"
	vsctl --no-wait init || fail "ovs-vsctl init"
}

# vswitchd_start DOMID PLUGIN [EXTRA_EAL...]: DPDK on before the daemon
# starts (dpdk-init=true), so the EAL is initialised in its first main-loop
# iteration; the daemon runs as domain DOMID of the xenemu instance.
#
# EAL options, and why:
#   --no-huge -m N: CI machines have no hugepages;
#   --legacy-mem: OVS adds --in-memory unless --legacy-mem is given, and the
#     EAL refuses --in-memory with --no-huge (which implies legacy memory):
#     "Option --legacy-mem is not compatible with --in-memory";
#   --single-file-segments: one memory file, not one per page;
#   --file-prefix: without --in-memory the EAL keeps a runtime directory
#     per prefix, and parallel DPDK processes must not share one;
#   --no-pci: the ports are virtual devices, and the machine's own NIC must
#     not be probed;
#   -d PLUGIN: our driver (OVS loads no plugin directory of its own).
vswitchd_start() {
	local domid=$1 plugin=$2
	shift 2
	local eal="--no-huge -m $ovs_mem_mb --legacy-mem --single-file-segments --no-pci"
	eal+=" --file-prefix $prefix-ovs -d $plugin --log-level=pmd.net.xen*:info $*"
	vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		"other_config:dpdk-extra=$eal" || fail "ovs-vsctl set dpdk-extra"
	# --detach returns once the daemon is up (the EAL initialised, or
	# failed: then the daemon exits and so does the parent).
	timeout 120 "$xenemu" exec --domid "$domid" -- "$vswitchd" \
		"unix:$OVS_RUNDIR/db.sock" \
		--pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
		--unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" \
		--log-file="$OVS_LOGDIR/ovs-vswitchd.log" --no-chdir --detach \
		>"$OVS_LOGDIR/ovs-vswitchd.out" 2>&1 || {
		tail -n 20 "$OVS_LOGDIR/ovs-vswitchd.out" >&2
		fail "ovs-vswitchd-dpdk did not start (its output above)"
	}
	local init
	init=$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null || true)
	[ "$init" = true ] || fail "DPDK not initialised in ovs-vswitchd (dpdk_initialized=$init)"
	log "ovs-vswitchd up as domain $domid: $(vsctl get Open_vSwitch . dpdk_version)"
}

# Interface helpers.
iface_get() { vsctl get Interface "$1" "$2"; }
iface_check() { # NAME
	local err
	err=$(iface_get "$1" error)
	[ "$err" = "[]" ] || fail "interface $1 has an error: $err"
}

# dp_config IFACE KEY: what netdev-dpdk reports it configured on the device
# (ovs-appctl dpctl/show: configured_rx_queues, configured_tx_queues,
# configured_rxq_descriptors, configured_txq_descriptors, mtu, ...).
dp_config() {
	appctl dpctl/show | sed -n "s/^ *port [0-9]*: $1 (dpdk: \(.*\))\$/\1/p" |
		tr -d ' ' | tr ',' '\n' | sed -n "s/^$2=//p"
}
# dp_expect IFACE KEY=VALUE...: fails unless each is what OVS configured.
dp_expect() {
	local i=$1 kv k v got
	shift
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		got=$(dp_config "$i" "$k")
		[ "$got" = "$v" ] || fail "$i: OVS configured $k=${got:-none}, expected $v ($(appctl dpctl/show | grep " $i "))"
	done
}

# dp_expect_queues IFACE RXQ TXQ MTU: OVS configured RXQ rx and TXQ tx queues
# (a tx queue per PMD thread plus one), each of OVS's default 2048
# descriptors, and MTU.
dp_expect_queues() {
	dp_expect "$1" configured_rx_queues="$2" configured_tx_queues="$3" \
		configured_rxq_descriptors=2048 configured_txq_descriptors=2048 mtu="$4"
}

# mtu_9000 IFACE1 IFACE2: mtu_request=9000 on both interfaces; each must then
# be at MTU 9000 as OVS configured it (the driver's mtu_set accepted it).
mtu_9000() {
	vsctl set Interface "$1" mtu_request=9000 -- set Interface "$2" mtu_request=9000 ||
		fail "set mtu_request=9000"
	local i m
	for i in "$1" "$2"; do
		iface_check "$i"
		m=$(iface_get "$i" mtu)
		[ "$m" = 9000 ] || fail "$i: mtu $m after mtu_request=9000 (rte_eth_dev_set_mtu refused?)"
		dp_expect "$i" mtu=9000
	done
}

# two_pmds IFACE1 IFACE2: two rx queues on both interfaces (options:n_rxq=2)
# and two PMD threads (pmd-cpu-mask=0x3), so three tx queues per port.
two_pmds() {
	vsctl set Open_vSwitch . other_config:pmd-cpu-mask=0x3 \
		-- set Interface "$1" options:n_rxq=2 -- set Interface "$2" options:n_rxq=2 ||
		fail "set n_rxq=2, pmd-cpu-mask=0x3"
	iface_check "$1"
	iface_check "$2"
}

# port_counter BRIDGE OFPORT FIELD: a live counter of an OpenFlow port from
# ovs-ofctl dump-ports (Interface.statistics is only refreshed every 5 s).
# FIELD is rx_pkts, rx_drop, rx_errs, tx_pkts, tx_drop or tx_errs.
port_counter() {
	ofctl dump-ports "$1" "$2" | python3 -c '
import re, sys
text = sys.stdin.read()
dirn, key = sys.argv[1].split("_")
m = re.search(dirn + r" pkts=(\S+?), bytes=(\S+?), drop=(\S+?), errs=(\S+?),", text)
if not m:
    sys.exit("no " + dirn + " counters in: " + text)
v = dict(zip(("pkts", "bytes", "drop", "errs"), m.groups()))[key]
print(0 if v == "?" else v)' "$3"
}

# stat_value IFACE KEY: one counter of Interface.statistics (as OVS last
# refreshed them, every 5 s), empty if absent.
stat_value() {
	iface_get "$1" statistics | sed -n "s/.*[{ ]$2=\([0-9]*\)[,}].*/\1/p"
}
# wait_stat IFACE KEY MIN: until the counter reaches MIN (bounded: OVS
# refreshes the column every 5 s).
wait_stat() {
	local v end=$((SECONDS + 12))
	while v=$(stat_value "$1" "$2"); [ "${v:-0}" -lt "$3" ]; do
		[ "$SECONDS" -lt "$end" ] ||
			fail "$1: statistics $2=${v:-absent} after 12 s, expected >= $3"
		sleep 0.5
	done
}

# show_stats IFACE: prints Interface.statistics (waiting, bounded, until OVS
# has refreshed them past MIN_RX received packets) and checks the counters
# OVS-DPDK shows for an ethdev port are there.
show_stats() { # IFACE MIN_RX
	wait_stat "$1" rx_packets "$2"
	local st
	st=$(iface_get "$1" statistics)
	log "$1 statistics: $st"
	local k
	for k in rx_packets rx_bytes tx_packets tx_bytes rx_errors tx_errors rx_dropped \
		 tx_dropped rx_q0_packets rx_q0_bytes tx_q0_packets ovs_tx_failure_drops; do
		grep -qE "[{ ]$k=[0-9]+[,}]" <<<"$st" || fail "$1: counter $k missing from statistics"
	done
}

# --- xen-traffic ------------------------------------------------------------

# Both tests' traffic runs: frames per run by frame size, the send rate in
# frames/s, and a number per run that prefixes its names (logs, summaries).
rate=${OVS_TEST_RATE:-20000}
declare -A count=([64]=30000 [1500]=20000 [9000]=10000)
runs=0
t0=$SECONDS

# next_run SIZE: counts one more traffic run; sets run (its two-digit number)
# and rt, the rate for frames of SIZE B: large frames move more bytes per
# frame, and half the rate keeps the load on two cores comparable.
next_run() {
	runs=$((runs + 1))
	printf -v run '%02d' "$runs"
	rt=$rate
	[ "$1" -le 1500 ] || rt=$((rate / 2))
}

# xt_start RUN DOMID CORE PLUGIN VDEV [XT_ARGS...]: starts xen-traffic in the
# background as domain DOMID; its output goes to $work/RUN.log and its summary
# to $work/RUN.json. Every run has --timeout, and the harness kills it later
# if it outlives that.
xt_start() {
	local run=$1 domid=$2 core=$3 plugin=$4 vdev=$5
	shift 5
	rm -f "$work/$run.json"
	timeout -k 5 90 "$xenemu" exec --domid "$domid" -- "$xt" -l "$core" --no-pci \
		--no-huge -m "$xt_mem_mb" --single-file-segments \
		--file-prefix "$prefix-$run" -d "$plugin" --vdev "$vdev" \
		--log-level "pmd.net.*:${XT_LOG_LEVEL:-notice}" -- --report 1 --timeout 60 \
		--summary "$work/$run.json" "$@" > "$work/$run.log" 2>&1 &
	xt_pid[$run]=$!
	bg_pids+=($!)
}

# xt_wait_link RUN: until the run reports link up (its port is connected).
xt_wait_link() {
	wait_for 40 "$1's link up" xt_link_up "$1"
}
xt_link_up() {
	grep -q ': link up' "$work/$1.log" 2>/dev/null && return 0
	# A run that exited before its link came up will never report it.
	kill -0 "${xt_pid[$1]}" 2>/dev/null || { xt_show "$1" >&2; fail "$1 exited before link up"; }
	return 1
}

# xt_finish RUN [SECS]: waits for the run's end (by default as long as its
# own --timeout allows; with SECS, that long, then SIGTERM, on which
# xen-traffic stops cleanly and still writes its summary).
xt_finish() {
	local run=$1 secs=${2:-100} p=${xt_pid[$1]} rc=0
	if ! wait_pid "$p" "$secs"; then
		kill -TERM "$p" 2>/dev/null || true
		wait_pid "$p" 15 || { xt_show "$run" >&2; fail "$run did not end"; }
	fi
	wait "$p" || rc=$?
	xt_rc[$run]=$rc
	local i
	for i in "${!bg_pids[@]}"; do
		[ "${bg_pids[$i]}" != "$p" ] || unset 'bg_pids[i]'
	done
	bg_pids=("${bg_pids[@]}")
	[ -s "$work/$run.json" ] || { xt_show "$run" >&2; fail "$run wrote no summary (exit status $rc)"; }
}

# xt_key RUN KEY: a value from the run's JSON summary.
xt_key() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$work/$1.json" "$2"
}

xt_show() { # RUN: its output, without the EAL's chatter
	echo "--- $1 output ($work/$1.log) ---"
	grep -vE '^(EAL|TELEMETRY): ' "$work/$1.log" 2>/dev/null | tail -n 60 || true
}

# xt_expect RUN KEY VALUE: fails the test unless the summary says so.
xt_expect() {
	local got
	got=$(xt_key "$1" "$2")
	[ "$got" = "$3" ] || { xt_show "$1" >&2; fail "$1: $2=$got, expected $3"; }
}

# xt_check_verifier RUN COUNT: the run received every one of COUNT frames of
# its peer's stream(s), intact, and leaked nothing.
xt_check_verifier() {
	local run=$1 count=$2 rc=${xt_rc[$1]}
	xt_expect "$run" result pass
	[ "$rc" = 0 ] || { xt_show "$run" >&2; fail "$run exited with $rc"; }
	xt_expect "$run" rx_unique "$count"
	local k
	for k in rx_lost rx_duplicated rx_reordered rx_late rx_corrupted leaked_mbufs; do
		xt_expect "$run" "$k" 0
	done
}

# ovs_diag: what the failure message is followed by (best effort).
ovs_diag() {
	[ -n "${work:-}" ] || return 0
	echo "--- diagnostics ---"
	if [ -S "$OVS_RUNDIR/db.sock" ]; then
		ovs-vsctl --timeout=5 show 2>&1 | head -n 40
		local i
		for i in $(ovs-vsctl --timeout=5 --columns=name --bare list Interface 2>/dev/null); do
			echo "$i: $(ovs-vsctl --timeout=5 get Interface "$i" statistics 2>&1)"
		done
		timeout 5 ovs-appctl -t "$OVS_RUNDIR/ovs-vswitchd.ctl" dpif-netdev/pmd-rxq-show 2>&1 | head -n 20
	fi
	if [ -s "$OVS_LOGDIR/ovs-vswitchd.log" ]; then
		echo "--- ovs-vswitchd.log (warnings, errors, driver lines; last 40) ---"
		grep -E '\|(WARN|ERR|EMER)\||xenback|xennet|EAL ARGS' "$OVS_LOGDIR/ovs-vswitchd.log" | tail -n 40
	fi
}
