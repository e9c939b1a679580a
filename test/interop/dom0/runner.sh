#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs in dom0 (from the 9p share /mnt/host, started by the image's /init):
# runs the scenarios listed in /mnt/host/config.sh one after the other, each
# under its own time budget, and leaves each one's verdict and logs in
# /mnt/host/results/<id>-<name>/. Between scenarios it destroys every guest,
# kills what the scenario left running and puts dom0 back in its initial
# state (xen-netback loaded, bridge xenbr0 with 198.18.0.1/24), so one
# scenario's failure does not spill into the next.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
share=/mnt/host
. "$share/config.sh"
t() { echo "XI T+$(cut -d' ' -f1 /proc/uptime) $*"; }

# The project's build outputs (/opt/xen-dpdk), the same files the guests get.
(cd / && busybox cpio -idmu < "$share/project.cpio" 2>/dev/null)
ls -l /opt/xen-dpdk/lib /opt/xen-dpdk/bin

# baseline_state: what every scenario starts from.
baseline_state() {
	local d
	for d in $(xl list 2>/dev/null | awk 'NR > 1 && $2 != 0 {print $2}'); do
		xl destroy "$d" 2>/dev/null
	done
	modprobe xen-netback
	# what scenarios tso and 5b add beside the bridge (a veth pair, a
	# network namespace, a static neighbour), should one have failed
	ip netns del xirx 2>/dev/null
	ip link del xiv0 2>/dev/null
	ip neigh flush dev xenbr0 nud permanent 2>/dev/null
	echo 1 > /sys/class/net/xenbr0/bridge/multicast_snooping 2>/dev/null
	if ! ip link show xenbr0 >/dev/null 2>&1; then
		ip link add xenbr0 type bridge
		ip addr add 198.18.0.1/24 dev xenbr0
	fi
	ip link set xenbr0 mtu 1500 up
}

# cleanup_scenario: whatever scenario $id left: its processes (pid files),
# its guests; then the initial state.
cleanup_scenario() {
	local p
	for p in /tmp/xi/$id/pids/*; do
		[ -f "$p" ] || continue
		kill -KILL "$(cat "$p")" 2>/dev/null
		rm -f "$p"
	done
	baseline_state
}

# Every address used (198.18.0.0/24, RFC 2544's benchmarking range; scenario
# 6 puts 198.18.6.0/24 on its OVS bridge) lives on
# this bridge and the guests' vifs, inside the emulated machine: QEMU runs
# with -nic none, so nothing leaves it.
baseline_state
xl info | grep -E 'xen_version|nr_cpus|free_memory|virt_caps'

for ent in $XI_SCENARIOS; do
	IFS=: read -r id name budget least <<< "$ent"
	out=$share/results/$id-$name
	mkdir -p "$out"
	rm -f "$out/verdict" "$out/dom0.log"
	# The overall limit (run.sh's XEN_INTEROP_TIMEOUT) wins over a
	# scenario's own budget; one that cannot finish in what is left is not
	# started (SKIP, visibly), rather than cut off as a false failure.
	left=$(( XI_DEADLINE - $(cut -d. -f1 /proc/uptime) ))
	if [ "$left" -lt "$least" ]; then
		echo "SKIP not started: ${left} s left of the overall time limit, it needs ${least} s or more" > "$out/verdict"
		echo "XI-BEGIN $id $name"
		echo "XI-RESULT $id $(cat "$out/verdict")"
		echo "XI-END $id $name"
		continue
	fi
	[ "$budget" -gt "$left" ] && budget=$left
	echo "XI-BEGIN $id $name (budget $budget s)"
	t "scenario $id-$name starts"
	start=$(cut -d. -f1 /proc/uptime)
	for try in 1 2; do
		XI_SCEN=$id XI_OUT=$out timeout -k 15 "$budget" bash "$share/dom0/scenario-$id.sh" \
			> >(tee -a "$out/dom0.log") 2>&1
		rc=$?
		sleep 1   # let tee flush
		# status 3: the emulated machine failed under a guest (lib.sh,
		# xi_guest_check); run the scenario once more from a clean state
		[ $rc = 3 ] && [ $try = 1 ] || break
		t "scenario $id: $(cut -d' ' -f2- "$out/verdict"); once more"
		cleanup_scenario
		rm -f "$out/verdict"
		for f in /var/log/xen/console/guest-s$id-*.log; do
			[ -f "$f" ] && mv "$f" "${f%.log}-try1.log"
		done
	done
	[ $rc = 3 ] && sed -i 's/^FLAKE /FAIL (twice) /' "$out/verdict"
	if [ ! -s "$out/verdict" ]; then
		case $rc in
		124|137) echo "FAIL timed out after $budget s" > "$out/verdict" ;;
		*) echo "FAIL the scenario script ended with status $rc and no verdict" > "$out/verdict" ;;
		esac
	fi
	cleanup_scenario
	for f in /var/log/xen/console/guest-s$id-*.log; do
		[ -f "$f" ] && tr -d '\r' < "$f" > "$out/guest-${f##*/guest-}"
	done
	echo "XI-RESULT $id $(head -n 1 "$out/verdict") ($(( $(cut -d. -f1 /proc/uptime) - start )) s)"
	echo "XI-END $id $name"
done
t "all scenarios done"
exit 0
