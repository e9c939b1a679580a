#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the libFuzzer harnesses of test/fuzz.
#
# Usage: devtools/fuzz.sh [--smoke] [-n RUNS] [-t SECONDS] [HARNESS...]
#
# Makes (once) a clang build directory of its own, $FUZZ_BUILD_DIR (default
# build-fuzz next to the main build), configured with -Dfuzz=true and the
# main build's DPDK SDK, and builds only the harnesses there. Then, for each
# harness (default: all): every reproducer in test/fuzz/<harness>/crashes
# must run clean, and the harness runs RUNS iterations (-n, default 10
# million) or SECONDS (-t), starting from test/fuzz/<harness>/corpus. New
# corpus entries go to a scratch directory (copy the ones worth keeping);
# a crash is written to test/fuzz/<harness>/crashes/ (fix it and keep it as
# a reproducer) and fails the run. --smoke: a few seconds each (the test
# command's 'fuzz' suite).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
main=${BUILD_DIR:-$top/build}
fbuild=${FUZZ_BUILD_DIR:-$(dirname "$main")/build-fuzz}
runs=10000000
secs=
harnesses=()

while [ $# -gt 0 ]; do
	case $1 in
	--smoke) runs=; secs=3 ;;
	-n) runs=$2; secs=; shift ;;
	-t) secs=$2; runs=; shift ;;
	-h|--help) sed -n '4,18p' "$0"; exit 0 ;;
	*) harnesses+=("$1") ;;
	esac
	shift
done
if [ ${#harnesses[@]} -eq 0 ]; then
	for d in "$top"/test/fuzz/*/; do
		[ -f "$top/test/fuzz/fuzz_$(basename "$d").c" ] &&
			harnesses+=("$(basename "$d")")
	done
fi

log() { printf 'fuzz: %s\n' "$*" >&2; }
die() { printf 'fuzz: error: %s\n' "$*" >&2; exit 1; }

"$top/devtools/install-fuzz.sh" || die "clang/libFuzzer missing"

if [ ! -f "$fbuild/build.ninja" ]; then
	sdk=$(meson introspect "$main" --buildoptions 2>/dev/null |
		python3 -c 'import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "dpdk_sdk"))' ||
		true)
	[ -n "$sdk" ] || die "no dpdk_sdk in $main: run devtools/setup.sh first"
	log "configuring $fbuild (clang, -Dfuzz=true)"
	setup_log=$(mktemp /tmp/xen-dpdk-fuzz-setup.XXXXXX)
	CC=clang meson setup "$fbuild" "$top" -Dfuzz=true -Ddpdk_sdk="$sdk" \
		-Dinterop=disabled >"$setup_log" 2>&1 ||
		{ cat "$setup_log" >&2; rm -rf "$fbuild" "$setup_log"; die "meson setup"; }
	rm -f "$setup_log"
fi
targets=()
for h in "${harnesses[@]}"; do
	targets+=("test/fuzz/fuzz_$h")
done
ninja -C "$fbuild" "${targets[@]}" >&2 || die "build"

scratch=$(mktemp -d /tmp/xen-dpdk-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
status=0
for h in "${harnesses[@]}"; do
	exe=$fbuild/test/fuzz/fuzz_$h
	src=$top/test/fuzz/$h
	mkdir -p "$src/corpus" "$src/crashes" "$scratch/$h"
	repro=()
	for f in "$src"/crashes/*; do
		[ -f "$f" ] && [ "$(basename "$f")" != README ] && repro+=("$f")
	done
	if [ ${#repro[@]} -gt 0 ]; then
		if ! "$exe" "${repro[@]}" >"$scratch/$h.repro.log" 2>&1; then
			tail -n 40 "$scratch/$h.repro.log" >&2
			log "$h: a reproducer of test/fuzz/$h/crashes fails"
			status=1
			continue
		fi
		log "$h: ${#repro[@]} reproducer(s) clean"
	fi
	limit=(${runs:+-runs=$runs} ${secs:+-max_total_time=$secs})
	if ! "$exe" "${limit[@]}" -print_final_stats=1 \
		-artifact_prefix="$src/crashes/" \
		"$scratch/$h" "$src/corpus" >"$scratch/$h.log" 2>&1; then
		tail -n 40 "$scratch/$h.log" >&2
		log "$h: FINDING, the input is in test/fuzz/$h/crashes/"
		status=1
		continue
	fi
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$h.log")
	cov=$(grep -o 'cov: [0-9]*' "$scratch/$h.log" | tail -n 1)
	log "$h: ${n:-?} runs, ${cov:-cov: ?}, no finding"
done
exit $status
