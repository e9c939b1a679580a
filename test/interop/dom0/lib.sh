# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers for the dom0 side of the interop scenarios (sourced by
# dom0/scenario-*.sh, which runner.sh starts with XI_SCEN = the scenario id
# and XI_OUT = its results folder in the 9p share). A scenario ends with xi_pass, xi_fail or
# xi_skip, which write the verdict runner.sh reports.
#
# Guests: busybox initramfs + the same Debian kernel; name "s<id>-<tag>" so
# runner.sh finds their console logs (xenconsoled writes
# /var/log/xen/console/guest-<name>.log). A guest's part of the scenario is
# guest/guest.sh, driven by the variables xi_guest_create writes to its
# /xi/env; it reports through its console ("XI-..." lines) and through
# xenstore keys under its own /local/domain/<domid>/data/.
#
# DPDK processes run in the background with their stdin on a FIFO, so that
# xi_dpdk_stop can end them the way a user would (Enter: testpmd prints its
# statistics and exits), with signals only as a fallback.

set -u
XI_SHARE=/mnt/host
XI_TMP=/tmp/xi/$XI_SCEN
mkdir -p "$XI_TMP/pids" "$XI_OUT"
. "$XI_SHARE/config.sh"

# Debian's DPDK runtime (in the image) and the project's build outputs.
XI_DPDK_LD=/opt/xen-dpdk/lib:/opt/dpdk/lib
XI_TESTPMD=/opt/dpdk/bin/dpdk-testpmd
XI_TRAFFIC=/opt/xen-dpdk/bin/xen-traffic
XI_XENBACK=/opt/xen-dpdk/lib/librte_net_xenback.so
XI_XENNET=/opt/xen-dpdk/lib/librte_net_xennet.so
XI_MEMPOOL=/opt/dpdk/lib/librte_mempool_ring.so.23
# EAL options for a PV domain: no hugepages there, so --no-huge (IOVA as VA).
XI_EAL_PV="-l 0-1 --no-pci --no-huge -m 256 -d $XI_MEMPOOL"
# A PVH guest has 2 MiB hugepages (the guest's /init reserves XI_HUGEPAGES
# of them and mounts hugetlbfs): EAL takes its memory from there (IOVA as PA).
XI_EAL_PVH="-l 0-1 --no-pci --in-memory -m 256 -d $XI_MEMPOOL"
# testpmd for frames up to 64 KiB (Xen's largest packet): both PMDs take
# them as multi-segment mbufs, only with the scatter RX offload on.
XI_TP_BIG="--max-pkt-len=65535 --enable-scatter"
# testpmd's own default mbuf count (sized for many lcores and ports: 155456)
# does not fit in -m 256: 16384 mbufs (35 MiB) are plenty here.
XI_TP_OPTS="--total-num-mbufs=16384"

declare -A XI_DOMID XI_FIFO_FD XI_PID
# Writing to the FIFO of a DPDK program that already died must fail (EPIPE),
# not kill the scenario before it reports.
trap '' PIPE

xi_log() { echo "XI T+$(cut -d' ' -f1 /proc/uptime) [$XI_SCEN] $*"; }
xi_verdict() { # WORD TEXT...
	local w=$1; shift
	echo "$w $*" > "$XI_OUT/verdict"
	xi_log "$w: $*"
}
xi_pass() { xi_verdict PASS "$@"; exit 0; }
xi_fail() { xi_verdict FAIL "$@"; exit 1; }
xi_skip() { xi_verdict SKIP "$@"; exit 77; }
xi_now() { cut -d. -f1 /proc/uptime; }

# xi_netback on|off: Linux's netback binds every vif backend it sees in
# xenstore, so a DPDK backend needs it gone for that vif. We unload the
# module (there is no per-vif opt-out in xl/libxl); runner.sh loads it again
# after the scenario.
xi_netback() {
	if [ "$1" = off ]; then
		rmmod xen_netback 2>/dev/null
		! grep -q '^xen_netback ' /proc/modules || xi_fail "cannot unload xen-netback"
	else
		modprobe xen-netback || xi_fail "cannot load xen-netback"
	fi
}

# xi_guest_create NAME TYPE MEM VCPUS DPDK VIF PAUSED [ENV=VALUE...]
#   TYPE pv|pvh; DPDK 1 appends Debian's DPDK runtime to its initramfs;
#   VIF an xl vif spec or "" (none); PAUSED 1 leaves it paused (xl create -p)
#   so a DPDK backend can be started for its domid before the vif is added.
# Sets XI_DOMID[NAME].
xi_guest_create() {
	local name=$1 type=$2 mem=$3 vcpus=$4 dpdk=$5 vif=$6 paused=$7 e
	shift 7
	local g=$XI_TMP/$name
	rm -rf "$g" && mkdir -p "$g/root/xi"
	cp "$XI_SHARE"/guest/* "$g/root/xi/"
	# files a scenario wants in the guest's /xi as well (e.g. a testpmd
	# --cmdline-file), listed in XI_GUEST_FILES
	[ -z "${XI_GUEST_FILES:-}" ] || cp $XI_GUEST_FILES "$g/root/xi/"
	for e in "$@"; do printf '%s=%q\n' "${e%%=*}" "${e#*=}"; done > "$g/root/xi/env"
	(cd "$g/root" && find . | busybox cpio -o -H newc 2>/dev/null) > "$g/xi.cpio"
	if [ "$dpdk" = 1 ]; then
		cat /boot/domU.cpio /boot/dpdk.cpio "$XI_SHARE/project.cpio" "$g/xi.cpio" > "$g/initrd"
	else
		cat /boot/domU.cpio "$g/xi.cpio" > "$g/initrd"
	fi
	{
		echo "name = \"$name\""
		echo "type = \"$type\""
		echo "kernel = \"/boot/vmlinux.gz\""
		echo "ramdisk = \"$g/initrd\""
		echo "extra = \"console=hvc0 loglevel=4\""
		echo "memory = $mem"
		echo "vcpus = $vcpus"
		[ -n "$vif" ] && echo "vif = [ \"$vif\" ]"
		# A crash or reboot (a PVH triple fault is a reboot) destroys
		# the guest: xl must not restart it under a new domid (unless
		# the scenario reboots it on purpose: XI_ON_REBOOT=restart).
		echo "on_crash = \"destroy\""
		echo "on_reboot = \"${XI_ON_REBOOT:-destroy}\""
		# QEMU 7.2's TCG SVM gives no next-RIP for an intercepted RDTSCP, so
		# a PVH guest under the default tsc_mode dies: do not intercept.
		[ "$type" = pvh ] && echo "tsc_mode = \"native\""
		# A DPDK frontend shares its whole buffer pool through gntalloc:
		# room for more grants than the default 64 frames (32768 entries);
		# run.sh raises Xen's own ceiling (gnttab_max_frames) to match.
		[ "$dpdk" = 1 ] && echo "max_grant_frames = 256"
	} > "$g/cfg"
	: > "/var/log/xen/console/guest-$name.log"
	xi_log "xl create $name ($type, $mem MiB, $vcpus vCPU, vif: ${vif:-none})"
	local opt=
	[ "$paused" = 1 ] && opt=-p
	xl create $opt "$g/cfg" > "$g/xl-create.log" 2>&1 || {
		cat "$g/xl-create.log"; xi_fail "xl create $name failed: $(tail -n 1 "$g/xl-create.log")"; }
	XI_DOMID[$name]=$(xl domid "$name") || xi_fail "no domid for $name"
	xi_log "$name is domain ${XI_DOMID[$name]}"
}

# xi_echo_guest NAME MAC VDEV [TESTPMD_ARGS]: a PV guest (512 MiB, 2 vCPUs)
# on bridge xenbr0 with vif MAC whose part is dpdk-testpmd on net_xennet
# (--vdev VDEV) answering every ping (icmpecho) in place of the kernel's
# xen-netfront, until xi_guest_stop. Sets XI_DOMID[NAME].
xi_echo_guest() {
	xi_guest_create "$1" pv 512 2 1 "bridge=xenbr0,mac=$2" 0 \
		XI_ROLE=dpdk XI_NETFRONT=0 XI_GNTALLOC_LIMIT=32768 XI_DPDK_MODE=serve XI_LIFETIME=400 \
		"XI_DPDK_READY=Press enter to exit" \
		"XI_DPDK_CMD=$XI_TESTPMD $XI_EAL_PV -d $XI_XENNET --vdev $3 -- $XI_TP_OPTS --forward-mode=icmpecho -a ${4:-}"
}

xi_guest_unpause() { xl unpause "$1" || xi_fail "xl unpause $1 failed"; }

# xi_vif_attach NAME VIFSPEC: xl network-attach (libxl writes the backend
# and frontend directories and waits ~10 s for the backend to reach
# InitWait: the DPDK backend must already be watching).
xi_vif_attach() {
	xi_log "xl network-attach $1 $2"
	xl network-attach "$1" ${2//,/ } > "$XI_TMP/attach-$1.log" 2>&1 || {
		cat "$XI_TMP/attach-$1.log"; xi_fail "xl network-attach $1 failed: $(tail -n 1 "$XI_TMP/attach-$1.log")"; }
}

# xi_console NAME: the guest's console log so far (no CRs).
xi_console() { tr -d '\r' < "/var/log/xen/console/guest-$1.log" 2>/dev/null; }

# xi_guest_wait NAME REGEX TIMEOUT: wait for a console line; fails the
# scenario if the guest dies first.
xi_guest_wait() {
	local name=$1 re=$2 end=$(( $(xi_now) + $3 ))
	while [ "$(xi_now)" -lt "$end" ]; do
		xi_console "$name" | grep -qE "$re" && return 0
		xi_guest_check "$name"
		sleep 1
	done
	return 1
}

# xi_guest_check NAME: returns if the guest still exists; otherwise ends the
# scenario. Guests are configured to be destroyed when they crash or reboot.
# A guest that died before its kernel reached /init is a fault of the
# emulated machine (QEMU TCG's nested SVM has been seen to triple-fault a PVH
# guest kernel mid-boot), not of the drivers under test: that ends the
# scenario with status 3, which runner.sh retries once.
xi_guest_check() {
	local name=$1 why
	xl domid "$name" >/dev/null 2>&1 && return 0
	why=$(xl dmesg 2>/dev/null | grep -E "d${XI_DOMID[$name]:-x}v[0-9]+ .*(Triple fault|crash)|Dom${XI_DOMID[$name]:-x} " |
		tail -n 1 | sed 's/^(XEN) \[[^]]*\] //')
	if ! xi_console "$name" | grep -q '^GUEST T+[0-9.]* init start'; then
		xi_verdict FLAKE "guest $name (domain ${XI_DOMID[$name]:-?}) died while its kernel booted${why:+ (Xen: $why)}"
		exit 3
	fi
	xi_fail "guest $name died${why:+ (Xen: $why)}"
}

# xi_guest_exit NAME TIMEOUT: wait for the guest's part to finish; sets
# XI_RC to its exit status (124: it did not finish in time).
xi_guest_exit() {
	XI_RC=124
	xi_guest_wait "$1" '^XI-GUEST-EXIT [0-9]+' "$2" || return 0
	XI_RC=$(xi_console "$1" | sed -n 's/^XI-GUEST-EXIT \([0-9]*\).*/\1/p' | tail -n 1)
}

# xi_guest_stop NAME TIMEOUT: tells a serving guest's DPDK program to end
# (its xi-stop key) and waits for the guest's part to finish; sets XI_RC as
# xi_guest_exit does.
xi_guest_stop() {
	xenstore-write "/local/domain/${XI_DOMID[$1]}/data/xi-stop" 1
	xi_guest_exit "$1" "$2"
}

# xi_xs_wait PATH VALUE TIMEOUT [NAME]: wait until a xenstore key has VALUE.
# With a guest NAME, its death ends the scenario (xi_guest_check).
xi_xs_wait() {
	local end=$(( $(xi_now) + $3 ))
	while [ "$(xi_now)" -lt "$end" ]; do
		[ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ] && return 0
		[ -n "${4:-}" ] && xi_guest_check "$4"
		sleep 0.5
	done
	return 1
}

# xi_vif_wait DOMID DEVID TIMEOUT: both ends of a vif Connected (4).
xi_vif_wait() {
	local be=/local/domain/0/backend/vif/$1/$2 fe=/local/domain/$1/device/vif/$2 n
	n=$(xl domname "$1" 2>/dev/null)
	xi_xs_wait "$be/state" 4 "$3" "$n" && xi_xs_wait "$fe/state" 4 "$3" "$n" && return 0
	xi_log "vif $1/$2 not connected: backend state $(xenstore-read "$be/state" 2>&1)," \
		"frontend state $(xenstore-read "$fe/state" 2>&1)"
	return 1
}

# xi_dpdk_start TAG READY_REGEX TIMEOUT CMD...: start a DPDK program in the
# background (log: $XI_OUT/TAG.log), wait for READY_REGEX in its log (an
# empty one: only check that it is still alive after 3 s).
xi_dpdk_start() {
	local tag=$1 re=$2 tmo=$3 end=$(( $(xi_now) + $3 )) fd
	local fifo=$XI_TMP/$tag.in log=$XI_OUT/$tag.log
	shift 3
	rm -f "$fifo" && mkfifo "$fifo"
	xi_log "$tag: $*"
	# stdout line-buffered (coreutils' stdbuf preload) so the log shows
	# each line as it is printed
	LD_PRELOAD=/opt/dpdk/lib/libstdbuf.so _STDBUF_O=L LD_LIBRARY_PATH=$XI_DPDK_LD \
		"$@" < "$fifo" > "$log" 2>&1 &
	XI_PID[$tag]=$!
	echo "${XI_PID[$tag]}" > "$XI_TMP/pids/$tag"
	exec {fd}> "$fifo"
	XI_FIFO_FD[$tag]=$fd
	if [ -z "$re" ]; then
		sleep 3
		kill -0 "${XI_PID[$tag]}" 2>/dev/null || { tail -n 30 "$log"; xi_fail "$tag exited at once"; }
		return 0
	fi
	while [ "$(xi_now)" -lt "$end" ]; do
		grep -qE "$re" "$log" && { xi_log "$tag ready"; return 0; }
		kill -0 "${XI_PID[$tag]}" 2>/dev/null || { tail -n 30 "$log"; xi_fail "$tag exited before it was ready"; }
		sleep 1
	done
	tail -n 30 "$log"
	xi_fail "$tag not ready within $tmo s"
}

# xi_dpdk_stop TAG: Enter on its stdin (testpmd's way to quit), then SIGINT,
# then SIGKILL. Returns the program's exit status.
xi_dpdk_stop() {
	local tag=$1 pid=${XI_PID[$1]} i rc=0
	echo >&"${XI_FIFO_FD[$tag]}" 2>/dev/null
	for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	kill -0 "$pid" 2>/dev/null && { xi_log "$tag: no exit on Enter, SIGINT"; kill -INT "$pid"; sleep 10; }
	kill -0 "$pid" 2>/dev/null && { xi_log "$tag: SIGKILL"; kill -KILL "$pid"; }
	wait "$pid" || rc=$?
	exec {XI_FIFO_FD[$tag]}>&-
	rm -f "$XI_TMP/pids/$tag"
	xi_log "$tag exited with status $rc"
	return $rc
}

# xi_dpdk_wait TAG TIMEOUT: wait for a DPDK program that ends by itself.
xi_dpdk_wait() {
	local tag=$1 pid=${XI_PID[$1]} end=$(( $(xi_now) + $2 )) rc=0
	while kill -0 "$pid" 2>/dev/null && [ "$(xi_now)" -lt "$end" ]; do sleep 1; done
	kill -0 "$pid" 2>/dev/null && { xi_log "$tag still running after $2 s"; xi_dpdk_stop "$tag"; return 124; }
	wait "$pid" || rc=$?
	rm -f "$XI_TMP/pids/$tag"
	xi_log "$tag exited with status $rc"
	return $rc
}

# xi_queue_rx LOG PORT QUEUE: packets testpmd received on one RX queue, from
# the per-stream statistics it prints at exit when a port has several queues.
xi_queue_rx() {
	awk -v hdr="RX Port= *$2/Queue= *$3 " '
		$0 ~ hdr {on = 1; next}
		on && /RX-packets:/ {for (i = 1; i <= NF; i++) if ($i == "RX-packets:") {print $(i + 1); exit}}
		on && /^ *-+ *$|Forward Stats for/ {on = 0}' "$1" | head -n 1
}

# xi_port_rx LOG PORT: RX-packets of a port from testpmd's exit statistics.
xi_port_rx() {
	awk -v hdr="Forward statistics for port $2 " '
		index($0, hdr) {on = 1; next}
		on && /RX-packets:/ {for (i = 1; i <= NF; i++) if ($i == "RX-packets:") {print $(i + 1); exit}}' "$1" | head -n 1
}

# xi_ping_all DST SIZES...: each size must be answered 3 of 3 times after the
# path is up (the first answered probe, up to 60 s, warms ARP and the links).
xi_ping_all() {
	local dst=$1 s i ok; shift
	for s in "$@"; do
		ok=0
		for i in $(seq 1 30); do
			ping -c 1 -W 2 -s "$s" "$dst" >/dev/null 2>&1 && { ok=1; break; }
		done
		[ $ok = 1 ] || { xi_log "ping -s $s $dst: no answer within 60 s"; return 1; }
		ping -c 3 -W 5 -s "$s" "$dst" > "$XI_TMP/ping.out" 2>&1
		xi_log "ping -s $s $dst: $(grep -E 'packets transmitted' "$XI_TMP/ping.out")"
		grep -q ' 3 received' "$XI_TMP/ping.out" || return 1
	done
}

# xi_toeplitz KEYHEX DATAHEX: the Toeplitz hash of netif's control ring
# (xen/io/netif.h; the same function as Microsoft's RSS specification and
# Linux netback's) of the bytes DATAHEX under the key KEYHEX, as 0x%08x.
# The reference the RSS checks compare the backend's steering with; it
# gives 0x51ccc178 for the specification's first IPv4/TCP vector.
xi_toeplitz() {
	local key=$1 data=$2 h=0 v i k=32 nk=$(( ${#1} * 4 ))
	v=$(( 16#${key:0:8} ))
	for (( i = 0; i < ${#data} * 4; i++, k++ )); do
		(( (16#${data:i/4:1} >> (3 - i % 4)) & 1 )) && h=$(( h ^ v ))
		v=$(( (v << 1) & 0xffffffff ))
		(( k < nk )) && v=$(( v | ((16#${key:k/4:1} >> (3 - k % 4)) & 1) ))
	done
	printf '0x%08x\n' "$h"
}

# xi_iphex A.B.C.D: an IPv4 address as 8 hex digits (network order).
xi_iphex() { local IFS=.; set -- $1; printf '%02x%02x%02x%02x' "$1" "$2" "$3" "$4"; }
