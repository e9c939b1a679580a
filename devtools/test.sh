#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The test command: set-up (packages, SDK headers), build, then every test
# suite through Meson's test runner, in two builds: the normal one, and one
# with AddressSanitizer and UBSan (suites that run uninstrumented programs
# such as Debian's xenstore tools or dpdk-testpmd are skipped there).
# Ends with the line "N passed, N failed".
#
# Usage: devtools/test.sh [meson test args, e.g. --suite xenemu]
# Environment: BUILD_DIR (./build), ASAN_BUILD_DIR (./build-asan),
#              XEN_TEST_ASAN=0 to skip the sanitizer build.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
asan_build=${ASAN_BUILD_DIR:-$top/build-asan}

BUILD_DIR=$build "$top/devtools/setup.sh" >/dev/null || exit 1
sdk=$(BUILD_DIR=$build "$top/devtools/setup.sh")
ninja -C "$build" >"$build/ninja.log" 2>&1 || { tail -n 60 "$build/ninja.log"; echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0
count() { # $1 = build dir: add its testlog.json results to the totals
	local p f
	read -r p f < <(python3 - "$1/meson-logs/testlog.json" <<-'PY'
	import json, sys
	p = f = 0
	try:
	    for line in open(sys.argv[1]):
	        r = json.loads(line)["result"]
	        if r in ("OK", "EXPECTEDFAIL"): p += 1
	        elif r != "SKIP": f += 1
	except FileNotFoundError:
	    f = 1
	print(p, f)
	PY
	)
	passed=$((passed + p)); failed=$((failed + f))
}

meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
count "$build"

if [ "${XEN_TEST_ASAN:-1}" = 1 ] && [ $# = 0 ]; then
	if [ ! -f "$asan_build/build.ninja" ]; then
		meson setup "$asan_build" "$top" -Ddpdk_sdk="$sdk" \
			-Db_sanitize=address,undefined -Db_lundef=false -Dinterop=disabled >/dev/null ||
			{ echo "asan configure failed"; failed=$((failed + 1)); }
	fi
	if ninja -C "$asan_build" >"$asan_build/ninja.log" 2>&1; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			meson test -C "$asan_build" --print-errorlogs --num-processes 2 --suite sanitize
		count "$asan_build"
	else
		tail -n 40 "$asan_build/ninja.log"; echo "asan build failed"; failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
