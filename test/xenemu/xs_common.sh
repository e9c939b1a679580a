# SPDX-License-Identifier: BSD-3-Clause
#
# Sourced by the xs_*.sh and tool_*.sh tests. Gives each test a fresh
# xenemu instance in its own mktemp XENEMU_DIR (so tests run in parallel),
# stops it and removes every file on exit, and bounds every command in time.
#
# The sourcing script's first argument is the `xenemu` binary.

set -u

XENEMU=${1:?usage: $0 XENEMU [...]}
XENEMU_DIR=$(mktemp -d /tmp/xenemu-test.XXXXXX) || exit 1
export XENEMU_DIR
# The test's own files, apart from the instance's.
SCRATCH=$(mktemp -d /tmp/xenemu-scratch.XXXXXX) || exit 1
fail=0
bg_pids=""

cleanup() {
	for p in $bg_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $bg_pids; do
		wait "$p" 2>/dev/null
	done
	timeout 20 "$XENEMU" stop >/dev/null 2>&1
	rm -rf "$XENEMU_DIR" "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The xenemu command, bounded in time.
xe() {
	timeout 30 "$XENEMU" "$@"
}

# Runs a program as domain $1.
as() {
	local d=$1
	shift
	timeout 20 "$XENEMU" exec --domid "$d" -- "$@"
}

# Runs "$@" in the background, remembered for the cleanup.
bg() {
	"$@" &
	bg_pids="$bg_pids $!"
}

ok() {
	echo "ok - $*"
}

bad() {
	echo "FAIL - $*"
	fail=1
}

# expect_eq GOT WANT WHAT
expect_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		bad "$3: got '$1', want '$2'"
	fi
}

# expect_ok WHAT CMD...: CMD must succeed.
expect_ok() {
	local what=$1
	shift
	if "$@" >/dev/null 2>"$SCRATCH/err"; then
		ok "$what"
	else
		bad "$what: '$*' failed: $(cat "$SCRATCH/err")"
	fi
	rm -f "$SCRATCH/err"
}

# expect_fail WHAT STATUS PATTERN CMD...: CMD must exit with STATUS
# ("nonzero" for any failure) and print PATTERN (grep -E) on stderr.
expect_fail() {
	local what=$1 status=$2 pattern=$3 rc
	shift 3
	"$@" >/dev/null 2>"$SCRATCH/err"
	rc=$?
	if [ "$status" = nonzero ] && [ $rc -ne 0 ] || [ "$rc" = "$status" ]; then
		if [ -z "$pattern" ] || grep -Eq -- "$pattern" "$SCRATCH/err"; then
			ok "$what"
		else
			bad "$what: stderr '$(cat "$SCRATCH/err")' lacks '$pattern'"
		fi
	else
		bad "$what: '$*' exited $rc, want $status"
	fi
	rm -f "$SCRATCH/err"
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	local n=$(($1 * 20))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# lines FILE: number of lines in FILE (0 if missing).
lines() {
	if [ -f "$1" ]; then
		wc -l < "$1"
	else
		echo 0
	fi
}

# has_lines FILE N: FILE has at least N lines (for wait_for).
has_lines() {
	[ "$(lines "$1")" -ge "$2" ]
}

# xenstore-ls -p output without the dot padding: 'key = "value" (perms)'.
unpad() {
	sed -E 's/ [. ]+\(/ (/'
}

# alive PID: the process runs (a zombie nobody reaped does not count).
alive() {
	[ -r "/proc/$1/stat" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat")" != Z ]
}

finish() {
	if [ $fail -eq 0 ]; then
		echo "all checks passed"
	fi
	exit $fail
}
