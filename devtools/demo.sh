#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo: a Xen guest and its backend exchanging traffic, on xenemu.
#
#   dom0     xen-traffic on net_xenback0 (the guest's vif 0), core 0
#   domain 1 xen-traffic on net_xennet0 (its netfront), core 1
#
# Both processes send sequence-numbered, checksummed frames and verify the
# other's, in both directions at once, printing one line a second each
# (Mpps and Gbit/s each way), then the demo prints a summary: packets sent,
# received, lost, corrupted and mbufs leaked. It exits non-zero unless the
# last three are all zero. Everything it starts is cleaned up, also on Ctrl-C.
#
# Usage: devtools/demo.sh [--duration SEC] [--size BYTES] [--queues N]
#                         [--ring-order N] [--rate PPS] [--no-huge] [--no-build]
#   --size up to 9018 B: frames above one mbuf travel as chains (scatter-gather)
#   --no-build skips set-up and build (for tests that have built already)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
duration=10 size=64 queues=1 order=0 rate=0 huge=1 build_first=1

usage() {
	sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-0}"
}
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }
num() { [[ $2 =~ ^[0-9]+$ ]] || die "$1 needs a whole number, got '$2'"; }

while [ $# -gt 0 ]; do
	case $1 in
	--duration) num "$1" "${2-}"; duration=$2; shift ;;
	--size) num "$1" "${2-}"; size=$2; shift ;;
	--queues) num "$1" "${2-}"; queues=$2; shift ;;
	--ring-order) num "$1" "${2-}"; order=$2; shift ;;
	--rate) num "$1" "${2-}"; rate=$2; shift ;;
	--no-huge) huge=0 ;;
	--no-build) build_first=0 ;;
	-h|--help) usage 0 ;;
	*) printf 'demo: unknown option %s\n' "$1" >&2; usage 2 ;;
	esac
	shift
done
[ "$duration" -ge 1 ] || die "--duration must be at least 1"
[ "$size" -ge 64 ] && [ "$size" -le 9018 ] || die "--size must be 64..9018"
[ "$queues" -ge 1 ] && [ "$queues" -le 16 ] || die "--queues must be 1..16"
[ "$order" -le 4 ] || die "--ring-order must be 0..4"

# Set-up and build (packages, SDK headers, meson, ninja).
if [ "$build_first" = 1 ]; then
	BUILD_DIR=$build "$top/devtools/setup.sh" >/dev/null
	ninja -C "$build" >"$build/ninja-demo.log" 2>&1 ||
		{ tail -n 40 "$build/ninja-demo.log"; die "build failed"; }
fi
xenemu=$build/xenemu/xenemu
traffic=$build/app/xen-traffic/xen-traffic
xenback=$build/drivers/librte_net_xenback.so
xennet=$build/drivers/librte_net_xennet.so
for f in "$xenemu" "$traffic" "$xenback" "$xennet"; do
	[ -e "$f" ] || die "$f was not built"
done

work=$(mktemp -d /tmp/xen-demo.XXXXXX)
export XENEMU_DIR
XENEMU_DIR=$(mktemp -d /dev/shm/xenemu-demo.XXXXXX)
pids=()
hp_saved="" hp_mounted=""

cleanup() {
	trap - EXIT INT TERM
	# the DPDK processes are found by their unique --file-prefix
	pkill -TERM -f "xen-demo-[a-z]*-$$" 2>/dev/null || true
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	"$xenemu" stop >/dev/null 2>&1 || true
	rm -rf "$XENEMU_DIR" "$work"
	if [ -n "$hp_saved" ]; then
		echo "$hp_saved" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
	fi
	[ -n "$hp_mounted" ] && umount "$hp_mounted" 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

# Memory: 2 MB hugepages when the machine gives them, else --no-huge.
mem=(--no-huge -m 1024 --single-file-segments)
if [ "$huge" = 1 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
	want=1024
	hp_saved=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$hp_saved" -lt "$want" ]; then
		echo "$want" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
	fi
	if ! grep -q ' hugetlbfs ' /proc/mounts; then
		mkdir -p /dev/hugepages &&
			mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null &&
			hp_mounted=/dev/hugepages
	fi
	got=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$got" -ge 512 ] && grep -q ' hugetlbfs ' /proc/mounts; then
		mem=(--in-memory --single-file-segments)
		echo "demo: using $got hugepages of 2 MB"
	else
		echo "demo: note: hugepages not available ($got reserved), running with --no-huge"
	fi
else
	echo "demo: note: running with --no-huge"
fi

"$xenemu" start
"$xenemu" domain create --domid 1 --name guest >/dev/null
"$xenemu" vif attach --frontend 1 --backend 0 --devid 0 --mac 00:16:3e:00:00:01 >/dev/null
echo "demo: xenemu up in $XENEMU_DIR; guest domain 1 has vif 0 served by dom0"

# One xen-traffic per domain: each sends its own stream and verifies the other's.
traffic_args=(--mode bidir --size "$size" --queues "$queues" --duration "$duration"
	      --rate "$rate" --wait-link 30 --drain 1 --report 1
	      --timeout $((duration + 60)))
run_side() { # name domid core plugin vdev stream
	local name=$1 domid=$2 core=$3 plugin=$4 vdev=$5 stream=$6
	{
		"$xenemu" exec --domid "$domid" -- "$traffic" -l "$core" --no-pci \
			--file-prefix "xen-demo-$name-$$" "${mem[@]}" -d "$plugin" \
			--vdev "$vdev" --log-level 'pmd.net.*:notice' -- \
			"${traffic_args[@]}" --stream "$stream" \
			--summary "$work/$name.json"
		echo $? > "$work/$name.rc"
	} 2>&1 | grep --line-buffered -vE '^(EAL|TELEMETRY): |^[a-z_]+=' |
		sed -u "s/^/[$name] /" &
	pids+=($!)
}
run_side backend 0 0 "$xenback" \
	"net_xenback0,domid=1,devid=0,max_queues=$queues,max_ring_page_order=$order" 100
run_side guest 1 1 "$xennet" "net_xennet0,devid=0,queues=$queues,ring_page_order=$order" 0

for p in "${pids[@]}"; do wait "$p" || true; done
pids=()
status=0
for name in backend guest; do
	rc=$(cat "$work/$name.rc" 2>/dev/null || echo 1)
	[ "$rc" = 0 ] || { echo "demo: the $name's xen-traffic exited with $rc"; status=1; }
done

python3 - "$work/backend.json" "$work/guest.json" "$status" <<'PY'
import json, sys
try:
    be, gu = (json.load(open(p)) for p in sys.argv[1:3])
except (OSError, ValueError) as e:
    print(f"demo: FAIL: no summary from one side ({e})")
    sys.exit(1)
rows = [("guest -> backend", gu, be), ("backend -> guest", be, gu)]
print()
print(f"{'direction':18} {'sent':>12} {'received':>12} {'lost':>8} {'corrupted':>10} {'Mpps':>8} {'Gbit/s':>8}")
bad = int(sys.argv[3]) != 0
for name, tx, rx in rows:
    sent, recv = tx["tx_packets"], rx["rx_valid"]
    lost = sent - recv
    corrupt = rx["rx_corrupted"]
    print(f"{name:18} {sent:12} {recv:12} {lost:8} {corrupt:10} {rx['rx_mpps']:8.3f} {rx['rx_gbps']:8.3f}")
    bad |= lost != 0 or corrupt != 0 or sent == 0
leaked = be["leaked_mbufs"] + gu["leaked_mbufs"]
print(f"mbufs leaked: {leaked} (backend {be['leaked_mbufs']}, guest {gu['leaked_mbufs']})")
bad |= leaked != 0
print("demo: PASS" if not bad else "demo: FAIL")
sys.exit(1 if bad else 0)
PY
