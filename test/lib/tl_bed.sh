# SPDX-License-Identifier: BSD-3-Clause
#
# The test bed the xenemu integration scripts share (test/xennet/run.sh,
# test/xenback/run.sh, test/pair/xenops.sh), sourced after these are set:
#
#   TL_NAME       stem of the mktemp directory and of the EAL file prefix
#   TL_CASE       the case this invocation runs (FAIL lines, file prefix)
#   TL_XENEMU     the xenemu program
#   TL_LOG_LINES  lines show_logs prints of each log (default 80)
#   TL_KILL       signal cleanup sends to what is left running (default TERM)
#   TL_FAIL_LOGS  glob of the logs fail shows (default all)
#
# It defines:
#
#   XENEMU_DIR  (exported) a fresh mktemp -d /tmp/$TL_NAME-test.XXXXXX that
#               holds the xenemu instance
#   logs        $XENEMU_DIR/logs: one file per process, show_logs prints them
#   pids        processes cleanup stops: append what you start in background
#   prefix      EAL --file-prefix of the DPDK processes, used as is or as
#               "$prefix-NAME"; EAL leaves their runtime directories under
#               /var/run/dpdk (root) or $XDG_RUNTIME_DIR/dpdk
#   cleanup     trapped on EXIT: stops the pids and xenemu, removes every
#               file and runtime directory this run made, pass or fail
#   show_logs [GLOB]  the last TL_LOG_LINES of each log (matching GLOB)
#   fail MSG    says FAIL (TL_CASE): MSG, shows the logs, exits 1
#   tl_bed_start  xenemu with domain 1 and its vif 0 backed by domain 0

XENEMU_DIR=$(mktemp -d "/tmp/$TL_NAME-test.XXXXXX") || exit 1
export XENEMU_DIR
logs=$XENEMU_DIR/logs
mkdir -p "$logs"
pids=()
prefix=$TL_NAME-$TL_CASE-$$
runtime_dirs=(/var/run/dpdk "${XDG_RUNTIME_DIR:-/tmp}/dpdk")

cleanup() {
	local pid d
	for pid in "${pids[@]}"; do
		kill "-${TL_KILL:-TERM}" "$pid" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	"$TL_XENEMU" stop >/dev/null 2>&1
	rm -rf "$XENEMU_DIR"
	for d in "${runtime_dirs[@]}"; do
		rm -rf "${d:?}/$prefix" "$d/$prefix"-*
	done
}
trap cleanup EXIT

show_logs() {
	local f
	for f in "$logs"/${1:-*}; do
		[ -f "$f" ] || continue
		echo "----- $(basename "$f")"
		tail -n "${TL_LOG_LINES:-80}" "$f"
	done
}

fail() {
	echo "FAIL ($TL_CASE): $*"
	show_logs "${TL_FAIL_LOGS:-*}"
	exit 1
}

tl_bed_start() {
	"$TL_XENEMU" start >"$logs/xenemu" 2>&1 || fail "xenemu start"
	"$TL_XENEMU" domain create --domid 1 >>"$logs/xenemu" 2>&1 ||
		fail "domain create"
	"$TL_XENEMU" vif attach --frontend 1 --backend 0 --devid 0 \
		--mac 00:16:3e:00:00:01 >>"$logs/xenemu" 2>&1 || fail "vif attach"
}
