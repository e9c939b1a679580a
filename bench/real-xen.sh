#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bench/real-xen.sh: the real-Xen item of the benchmark. Boots the interop
# harness (test/interop/run.sh: Xen 4.17 and a Debian dom0 under QEMU TCG)
# with its scenario 'ratio' only: one PV guest sends frames as fast as its
# backend takes them (xen-traffic --mode gen --rate 0 on net_xennet), for
# --seconds per frame size, over a vif served by net_xenback (dom0's
# xen-traffic --mode sink) and then by Linux xen-netback (dom0's kernel
# counts the frames on the vif and drops them), alternating A/B for
# --rounds rounds in one boot. Prints the frames/s of each path per size
# and the ratio xenback/netback (doc/bench.rst, "Real Xen").
#
# QEMU's emulated machine is tens of times slower than hardware, and its
# speed depends on the host's load: the frames/s are not a figure to quote,
# the ratio is. This is a benchmark, not a test: it asserts nothing about
# speed. It exits non-zero when the scenario could not be run or failed
# (a program's exit status, a path that delivered nothing); 77 when the
# machine cannot run the interop harness at all (not root, no QEMU...).
#
# Usage: bench/real-xen.sh [--boots N] [--rounds N] [--seconds S] [--sizes 64,1500]
#                          [--clock icount|host] [--build-dir DIR] [--results DIR]
#   --boots N       boots of the emulated machine, one after the other
#                   (default 3)
#   --rounds N      A/B rounds in each boot (default 2)
#   --clock C       icount (default): QEMU's -icount shift=3,sleep=off, the
#                   machine's clocks count executed instructions (8 ns each)
#                   on one host thread, so a frames/s is frames per 125
#                   million instructions of the whole machine and does not
#                   follow the host's load; host: the suite's own set-up
#                   (multi-threaded TCG, clocks follow the host's time, so
#                   every figure follows the host's load)
#   --seconds S     seconds of traffic per path, size and round (default 10)
#   --sizes LIST    frame sizes in bytes, no FCS (default 64,1500)
#   --build-dir DIR the Meson build directory (default: BUILD_DIR, else build)
#   --results DIR   the results folder (default:
#                   <build-dir>/results/real-xen): boot-<n>/ holds each
#                   boot's harness results (its table in
#                   ratio-xennet-ratio/ratio.txt), ratio-all.csv every
#                   measurement of every boot
# Needs what the interop suite needs (doc/interop.rst): root, an x86_64
# host, about 3 GiB of free memory; the first run builds the cached image.
# The whole script is one compound command: bash parses all of it before
# running any, so editing this file during a run does not change the run.
{
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
boots=3 rounds=2 seconds=10 sizes=64,1500 clock=icount
build=${BUILD_DIR:-$top/build}
results=

usage() { sed -n '/^# Usage:/,/^# host, about/p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--boots) boots=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--clock) clock=$2; shift 2 ;;
	--build-dir) build=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "real-xen: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
for v in boots rounds seconds; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "real-xen: --$v must be a positive integer" >&2; exit 2; }
done
[[ $sizes =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "real-xen: --sizes must be a comma-separated list of sizes" >&2; exit 2; }
for s in ${sizes//,/ }; do
	[ "$s" -ge 62 ] && [ "$s" -le 1514 ] || { echo "real-xen: size $s: 62 to 1514 B (a single slot at MTU 1500)" >&2; exit 2; }
done
case $clock in
icount) export QEMU_ICOUNT=shift=3,sleep=off ;;
host) unset QEMU_ICOUNT ;;
*) echo "real-xen: --clock must be icount or host" >&2; exit 2 ;;
esac
[ -d "$build" ] || { echo "real-xen: no build directory $build (devtools/setup.sh, ninja)" >&2; exit 2; }
results=${results:-$build/results/real-xen}

# The overall limit of the QEMU run: the boot (about 4 minutes under TCG),
# then per measurement its seconds and about a minute of start-up, attach
# and detach, doubled for a loaded host.
n=$(( rounds * 2 * ($(tr -cd , <<< "$sizes" | wc -c) + 1) ))
timeout=$(( 600 + 2 * n * (seconds + 60) ))

# One boot after the other: within a boot the rounds agree to a few
# percent, between boots the ratio moves more (doc/bench.rst), so the
# figure is the median over every boot's rounds.
all=$results/ratio-all.csv
mkdir -p "$results"
: > "$all"
for b in $(seq 1 "$boots"); do
	rc=0
	echo "===== boot $b of $boots ====="
	XEN_INTEROP_TIMEOUT=$timeout XEN_INTEROP_RATIO_ROUNDS=$rounds XEN_INTEROP_RATIO_SECONDS=$seconds \
	XEN_INTEROP_RATIO_SIZES=$sizes "$top/test/interop/run.sh" --build-dir "$build" --scenarios ratio \
		--results "$results/boot-$b" || rc=$?
	out=$results/boot-$b/ratio-xennet-ratio
	if [ "$rc" != 0 ] || [ ! -s "$out/ratio.txt" ]; then
		echo "real-xen: boot $b gave no result (interop harness status $rc); logs in $results/boot-$b" >&2
		[ "$rc" = 77 ] && exit 77
		exit 1
	fi
	cat "$out/ratio.txt"
	awk -F, -v b="$b" 'NR > 1 && $3 != "all" {print b "," $0}' "$out/ratio.csv" >> "$all"
done

echo
echo "===== real Xen (QEMU TCG, clock $clock): net_xennet -> net_xenback against net_xennet -> Linux netback ====="
# Per size: each boot's median of its rounds' ratios, and the median of
# every round of every boot.
awk -F, -v boots="$boots" -v rounds="$rounds" -v secs="$seconds" '
	function median(a, n,   x, y, t) {
		for (x = 2; x <= n; x++)
			for (y = x; y > 1 && a[y - 1] > a[y]; y--) { t = a[y]; a[y] = a[y - 1]; a[y - 1] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ v[$1, $2, $3, $4] = $7; if (!($4 in seen)) { seen[$4] = 1; order[++ns] = $4 } }
	END {
		printf "%d boot(s) of %d round(s) of %d s per path and size; ratio xenback/netback of the frames/s\n", boots, rounds, secs
		printf "%6s  %-40s %s\n", "size", "each boot (median of its rounds)", "all rounds: median (range)"
		for (i = 1; i <= ns; i++) {
			k = order[i]; na = 0; line = ""
			for (b = 1; b <= boots; b++) {
				nb = 0; delete rb
				for (r = 1; r <= rounds; r++) {
					if (!((b, r, "xenback", k) in v) || !((b, r, "netback", k) in v)) continue
					if (v[b, r, "netback", k] <= 0) continue
					q = v[b, r, "xenback", k] / v[b, r, "netback", k]
					rb[++nb] = q; ra[++na] = q
				}
				if (nb > 0) line = line sprintf("%s%.2f", line == "" ? "" : " ", median(rb, nb))
			}
			if (na == 0) continue
			m = median(ra, na)
			printf "%6s  %-40s %.2f (%.2f-%.2f)\n", k, line, m, ra[1], ra[na]
		}
	}' "$all"
echo "each measurement: $all (boot,round,path,size,seconds,tx_packets,frames_per_s,delivered)"
echo "QEMU TCG's frames/s are not a figure to quote; the ratio is."
exit 0
}
