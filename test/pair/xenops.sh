#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# One scenario of test/pair/xenops.c: net_xenback in dom0 and net_xennet in
# domain 1, over a fresh xenemu instance, ring page order 0, one queue.
#
# Usage: xenops.sh XENEMU XENOPS XENBACK_PLUGIN XENNET_PLUGIN CASE
#   desc         descriptor status both ways
#   link         dev_set_link_up/down on each side, the carrier key
#   intr-front   Rx interrupts: net_xennet sleeps, net_xenback sends
#   intr-back    Rx interrupts: net_xenback sleeps, net_xennet sends
#   intr-shared  intr-front without split event channels (split_evtchn=0)
#   intr-back-shared  intr-back without split event channels
#   intr-mq-front, intr-mq-back  the same with 2 queues: each queue wakes
#                alone, through its own descriptor
#   rss          XENOPS is test/pair/xenrss: RSS on net_xennet over the
#                control ring, net_xenback steering by the guest's hash
#   rss-zc       rss with net_xennet's rx_zero_copy=1
#   mcast        XENOPS is test/pair/xenmcast: net_xennet's multicast
#                groups filter what net_xenback sends
#   mcast-allmulti  the same with allmulticast on: nothing filtered
#   mcast-live   allmulticast turned off and on while connected: filtering
#                starts and stops without a reconnection
#
# Both processes must print XENOPS OK; every process and file is removed
# on exit, pass or fail. XENOPS_VERBOSE=1 shows the logs of a passing run.
set -u

xenemu=$1 xenops=$2 back_plugin=$3 front_plugin=$4 case=$5
limit=40

TL_NAME=xenops TL_CASE=$case TL_XENEMU=$xenemu TL_LOG_LINES=60
. "$(dirname "$0")/../lib/tl_bed.sh"

tl_bed_start

be_path=/local/domain/0/backend/vif/1/0
scenario=$case back_args=() front_args=() front_devargs= back_devargs=
case $case in
desc|link|mcast) ;;
rss) ;;
rss-zc) scenario=rss front_devargs=,rx_zero_copy=1 ;;
mcast-allmulti) scenario=mcast front_args=(--allmulti) back_args=(--allmulti) ;;
mcast-live) scenario=mcast front_args=(--live) back_args=(--live) ;;
intr-front) scenario=intr front_args=(--sleeper) ;;
intr-back) scenario=intr back_args=(--sleeper) ;;
intr-shared) scenario=intr front_args=(--sleeper) front_devargs=,split_evtchn=0 ;;
intr-back-shared) scenario=intr back_args=(--sleeper) front_devargs=,split_evtchn=0 ;;
intr-mq-front) scenario=intr front_args=(--sleeper --queues 2) back_args=(--queues 2) ;;
intr-mq-back) scenario=intr back_args=(--sleeper --queues 2) front_args=(--queues 2) ;;
*) fail "unknown case" ;;
esac

# run NAME DOMID PLUGIN LCORE VDEV ARGS...: one side, in the background
run() {
	local name=$1 domid=$2 plugin=$3 lcore=$4 vdev=$5
	shift 5
	timeout -k 2 "$limit" "$xenemu" exec --domid "$domid" -- \
		"$xenops" -d "$plugin" --no-huge -m 256 --single-file-segments \
		--file-prefix "$prefix-$name" -l "$lcore" --no-pci \
		--vdev "$vdev" --log-level=pmd.net.xen*:info -- \
		--scenario "$scenario" "$@" >"$logs/$name" 2>&1 &
	pids+=($!)
}

run back 0 "$back_plugin" 0 "net_xenback0,domid=1$back_devargs" --be-path "$be_path" \
	"${back_args[@]}"
back_pid=${pids[-1]}
run front 1 "$front_plugin" 1 "net_xennet0$front_devargs" "${front_args[@]}"
front_pid=${pids[-1]}

rc=0
wait "$back_pid" || rc=1
wait "$front_pid" || rc=1
pids=()
grep -q '^XENOPS OK' "$logs/back" || fail "back: no XENOPS OK"
grep -q '^XENOPS OK' "$logs/front" || fail "front: no XENOPS OK"
[ "$rc" = 0 ] || fail "a side exited non-zero"
grep -q 'protocol violation' "$logs/back" "$logs/front" &&
	fail "a protocol violation was logged"
[ "${XENOPS_VERBOSE:-0}" = 1 ] && show_logs
echo "PASS ($case)"
exit 0
