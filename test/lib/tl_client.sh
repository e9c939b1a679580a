# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# What the client test scripts share (test/clients/capture.sh,
# test/clients/pktgen.sh: real DPDK programs on both drivers over a private
# xenemu), sourced after these are set:
#
#   TL_STEM          the script's name: "STEM test: error: ..." lines, the
#                    /tmp/STEM-test.* work and /dev/shm/xenemu-STEM.* dirs
#   build count log_dir   the defaults of --build-dir, --count, --log-dir
#   TL_CLIENT_OPTS   (optional) the script's own options, each "NAME=VAR":
#                    --NAME VALUE sets VAR
#
# It defines:
#
#   die MSG            "STEM test: error: MSG" on stderr, exit 1
#   tl_client_args ARGS...   --build-dir DIR, --count N (a positive number),
#                      --log-dir DIR, the script's own options, -h (prints
#                      the script's "# Usage:" block)
#   tl_client_built    xenemu, xenback and xennet: the programs of $build;
#                      exit 77 (skip) when one is not built
#   tl_client_bed      work (a fresh directory; log_dir unless --log-dir),
#                      XENEMU_DIR (exported), pids (what cleanup stops:
#                      append each `timeout` wrapper started in background),
#                      prefixes (EAL --file-prefix of each DPDK process, whose
#                      /var/run/dpdk directory cleanup removes), status (1
#                      until the script sets 0 or 77), the cleanup trapped on
#                      EXIT (then tl_client_cleanup, if the script defines
#                      it), and xenemu started with domain 1 ("guest") and
#                      its vif 0 backed by dom0, MAC 00:16:3e:00:00:01
#   tl_reap PID        wait for a process this script started and take it
#                      off pids (cleanup never signals a reused pid);
#                      returns its exit status

die() { printf '%s test: error: %s\n' "$TL_STEM" "$*" >&2; exit 1; }

tl_client_args() {
	local o var
	while [ $# -gt 0 ]; do
		case $1 in
		--build-dir) build=${2-}; shift ;;
		--count) count=${2-}; shift ;;
		--log-dir) log_dir=${2-}; shift ;;
		-h|--help) sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
		*)
			var=
			for o in ${TL_CLIENT_OPTS[@]+"${TL_CLIENT_OPTS[@]}"}; do
				[ "$1" = "--${o%%=*}" ] && var=${o#*=}
			done
			[ -n "$var" ] || die "unknown option $1"
			printf -v "$var" '%s' "${2-}"
			shift ;;
		esac
		shift
	done
	[[ $count =~ ^[1-9][0-9]*$ ]] || die "--count needs a positive number"
}

tl_client_built() {
	local f
	xenemu=$build/xenemu/xenemu
	xenback=$build/drivers/librte_net_xenback.so
	xennet=$build/drivers/librte_net_xennet.so
	for f in "$xenemu" "$xenback" "$xennet"; do
		[ -e "$f" ] || { echo "SKIP: $f is not built"; exit 77; }
	done
}

tl_reap() {
	local rc=0 p keep=()
	wait "$1" || rc=$?
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	pids=(${keep[@]+"${keep[@]}"})
	return "$rc"
}

tl_client_cleanup_all() {
	local p
	trap - EXIT INT TERM
	# only what this script started, by pid; each is a `timeout` wrapper,
	# which passes the signal on to the DPDK process it runs
	for p in ${pids[@]+"${pids[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
	for p in ${pids[@]+"${pids[@]}"}; do wait "$p" 2>/dev/null || true; done
	pids=()
	"$xenemu" stop >/dev/null 2>&1 || true
	rm -rf "$XENEMU_DIR"
	for p in ${prefixes[@]+"${prefixes[@]}"}; do rm -rf "/var/run/dpdk/$p"; done
	if declare -F tl_client_cleanup >/dev/null; then tl_client_cleanup; fi
	# the work directory holds the logs unless --log-dir was given: keep
	# it when the script failed
	if [ "$status" != 0 ] && [ "$status" != 77 ]; then
		echo "(logs in $log_dir)"
	fi
	if [ "$log_dir" != "$work" ] || [ "$status" = 0 ] || [ "$status" = 77 ]; then
		rm -rf "$work"
	fi
}

tl_client_bed() {
	work=$(mktemp -d "/tmp/$TL_STEM-test.XXXXXX")
	log_dir=${log_dir:-$work}
	mkdir -p "$log_dir"
	export XENEMU_DIR
	XENEMU_DIR=$(mktemp -d "/dev/shm/xenemu-$TL_STEM.XXXXXX")
	pids=() prefixes=() status=1
	trap tl_client_cleanup_all EXIT
	trap 'exit 130' INT TERM

	timeout 30 "$xenemu" start >/dev/null
	timeout 30 "$xenemu" domain create --domid 1 --name guest >/dev/null
	timeout 30 "$xenemu" vif attach --frontend 1 --backend 0 --devid 0 \
		--mac 00:16:3e:00:00:01 >/dev/null
}
